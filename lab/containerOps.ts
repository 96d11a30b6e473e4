/** Container operations the lab and its tests share: run, exec, wait for health, clean up. */
import { setTimeout as sleep } from 'node:timers/promises';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Splits Docker's multiplexed (non-TTY) log format: 8-byte headers, 1 = stdout, 2 = stderr. */
export function demuxLogs(buffer: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let at = 0; at + 8 <= buffer.length; ) {
    const size = buffer.readUInt32BE(at + 4);
    const frame = buffer.subarray(at + 8, at + 8 + size);
    (buffer[at] === 2 ? err : out).push(frame);
    at += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** `docker exec`: runs a command in a running container and collects its output. */
export async function execIn(docker: Docker, container: string, cmd: string[], env: string[] = []): Promise<CommandResult> {
  const exec = await docker.getContainer(container).exec({ Cmd: cmd, Env: env, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  docker.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  const { ExitCode } = await exec.inspect();
  return { exitCode: ExitCode ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

export interface OneShot {
  image: string;
  cmd: string[];
  env?: string[];
  network?: string;
  labels?: Record<string, string>;
}

/** `docker run --rm`: runs a container to its end; resolves with its exit code and output. */
export async function runToCompletion(docker: Docker, spec: OneShot): Promise<CommandResult> {
  const container = await docker.createContainer({
    Image: spec.image,
    Cmd: spec.cmd,
    Env: spec.env,
    Labels: spec.labels,
    HostConfig: { NetworkMode: spec.network },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return { exitCode: StatusCode, ...demuxLogs(logs) };
  } finally {
    await container.remove({ force: true });
  }
}

/** The last lines a container wrote: what a failure message should quote. */
export async function logTail(docker: Docker, container: string, lines = 30): Promise<string> {
  const logs = (await docker.getContainer(container).logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
  const { stdout, stderr } = demuxLogs(logs);
  return `${stdout}${stderr}`.trimEnd();
}

/**
 * Waits for a container's health check to pass (or, without one, for it to
 * run); fails as soon as it is unhealthy or has exited, quoting its logs.
 */
export async function waitHealthy(docker: Docker, container: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { State, Name } = await docker.getContainer(container).inspect();
    const health = State.Health?.Status;
    if (health === 'healthy' || (health === undefined && State.Running)) return;
    const problem = !State.Running
      ? `exited with ${State.ExitCode}`
      : health === 'unhealthy'
        ? `is unhealthy: ${State.Health?.Log?.at(-1)?.Output?.trim() ?? ''}`
        : Date.now() > deadline
          ? `is not healthy after ${timeoutMs / 1000} s`
          : undefined;
    if (problem) throw new Error(`container ${Name.replace(/^\//, '')} ${problem}\n${await logTail(docker, container)}`);
    await sleep(250);
  }
}

/** Removes every container, network and volume carrying `label=value` (any value when omitted); returns their names. */
export async function removeLabeled(docker: Docker, label: string, value?: string): Promise<string[]> {
  const filters = JSON.stringify({ label: [value === undefined ? label : `${label}=${value}`] });
  const removed: string[] = [];
  for (const info of await docker.listContainers({ all: true, filters })) {
    await docker.getContainer(info.Id).remove({ force: true, v: true });
    removed.push(`container ${info.Names[0]?.replace(/^\//, '') ?? info.Id}`);
  }
  for (const info of await docker.listNetworks({ filters })) {
    await docker.getNetwork(info.Id).remove();
    removed.push(`network ${info.Name}`);
  }
  const { Volumes } = await docker.listVolumes({ filters });
  for (const info of Volumes ?? []) {
    await docker.getVolume(info.Name).remove();
    removed.push(`volume ${info.Name}`);
  }
  return removed;
}
