/**
 * The lab's private Docker engine: its own data root, exec root, socket and
 * pid file, so it never touches a system dockerd. No default bridge and no
 * iptables/ip_forward changes on the shared host: containers talk over the
 * user-defined networks the topology creates, published ports go through
 * docker-proxy on the host, and builds use the host's network to reach the
 * Debian mirror and the npm registry.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import Docker from 'dockerode';
import { findExecutable, tail } from './commands';
import { LabPaths } from './paths';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export function dockerClient(paths: LabPaths): Docker {
  return new Docker({ socketPath: paths.socketPath });
}

export function dockerHost(paths: LabPaths): string {
  return `unix://${paths.socketPath}`;
}

export function daemonArgs(paths: LabPaths): string[] {
  return [
    `--data-root=${paths.dataRoot}`,
    `--exec-root=${paths.execRoot}`,
    `--host=unix://${paths.socketPath}`,
    `--pidfile=${paths.pidFile}`,
    '--storage-driver=overlay2',
    '--bridge=none',
    '--iptables=false',
    '--ip6tables=false',
    '--ip-forward=false',
    '--ip-masq=false',
  ];
}

/** The pid of the lab's dockerd if it is running, read from its pid file. */
export function runningDaemonPid(paths: LabPaths): number | undefined {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(paths.pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    // A recycled pid must not be mistaken for ours: check it is a dockerd on our socket.
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const ours = cmdline[0]?.endsWith('dockerd') && cmdline.includes(`--host=unix://${paths.socketPath}`);
    return ours ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function answers(docker: Docker): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

/** Starts the lab's dockerd unless it already runs; resolves once it answers. */
export async function startDaemon(paths: LabPaths): Promise<{ docker: Docker; started: boolean }> {
  const docker = dockerClient(paths);
  if (runningDaemonPid(paths) !== undefined && (await answers(docker))) return { docker, started: false };

  const dockerd = findExecutable('dockerd');
  if (!dockerd) throw new Error('dockerd is not installed (apt-get install docker.io)');
  for (const dir of [paths.dataRoot, paths.execRoot, paths.logDir]) fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(paths.socketPath, { force: true });

  const logFd = fs.openSync(paths.daemonLog, 'a');
  // Detached in its own session: the engine outlives this process (lab:down stops it by pid).
  const child = spawn(dockerd, daemonArgs(paths), { detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) break;
    if (await answers(docker)) return { docker, started: true };
    await sleep(200);
  }
  const log = fs.existsSync(paths.daemonLog) ? tail(fs.readFileSync(paths.daemonLog, 'utf8'), 20) : '';
  if (exited === undefined && child.pid) process.kill(child.pid, 'SIGTERM');
  throw new Error(`dockerd did not come up (${exited !== undefined ? `exited with ${exited}` : 'timed out'}); ${paths.daemonLog}:\n${log}`);
}

/** Stops the lab's dockerd by the pid in its pid file; resolves once it has exited. */
export async function stopDaemon(paths: LabPaths): Promise<boolean> {
  const pid = runningDaemonPid(paths);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!fs.existsSync(`/proc/${pid}`)) return true;
    await sleep(200);
  }
  process.kill(pid, 'SIGKILL');
  return true;
}
