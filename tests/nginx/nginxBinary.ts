/**
 * Runs the real nginx on rendered configs: `nginx -t` in a fresh prefix, or a
 * foreground nginx on a free port that a test stops when done.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** $NGINX, else `nginx` on PATH, else the Debian location; fails loudly when none exists. */
export function findNginx(): string {
  const candidates = [process.env.NGINX, ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'nginx')), '/usr/sbin/nginx'];
  const found = candidates.find((candidate) => candidate !== undefined && candidate !== '' && isExecutable(candidate));
  if (!found) throw new Error('nginx is not installed (apt-get install nginx-light, or set NGINX=/path/to/nginx)');
  return found;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** nginx's version as [major, minor, patch]. */
export function nginxVersion(): [number, number, number] {
  const banner = spawnSync(findNginx(), ['-v'], { encoding: 'utf8' }).stderr;
  const match = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(banner);
  if (!match) throw new Error(`cannot read the nginx version from "${banner.trim()}"`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

const prefixes: string[] = [];
process.once('exit', () => prefixes.forEach((prefix) => fs.rmSync(prefix, { recursive: true, force: true })));

/** A fresh folder for nginx's files, removed when the test process exits. */
export function makePrefix(): string {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-nginx-'));
  prefixes.push(prefix);
  return prefix;
}

export interface ConfigCheck {
  ok: boolean;
  output: string;
  prefix: string;
}

/** Writes the config into a fresh prefix (or the given one) and runs `nginx -t -p PREFIX -c FILE`. */
export function checkConfig(config: string, prefix = makePrefix()): ConfigCheck {
  const file = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(file, config);
  const result = spawnSync(findNginx(), ['-t', '-q', '-p', prefix, '-c', file], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim(), prefix };
}

export interface RunningNginx {
  prefix: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts nginx in the foreground on a config that listens on `port`; resolves once /health answers. */
export async function startNginx(config: string, port: number): Promise<RunningNginx> {
  // A daemonizing nginx would outlive the child this helper stops.
  if (!config.includes('\ndaemon off;\n')) throw new Error('render the config with foreground: true');
  const prefix = makePrefix();
  const file = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(file, config);
  execFileSync(findNginx(), ['-t', '-q', '-p', prefix, '-c', file]);
  const child: ChildProcess = spawn(findNginx(), ['-p', prefix, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 5000;
  for (;;) {
    if (await answers(port)) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not start: ${stderr}`);
    }
    await sleep(20);
  }
  return { prefix, stderr: () => stderr, stop };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
