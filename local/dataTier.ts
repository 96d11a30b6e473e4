/**
 * Starts the data tier (PostgreSQL and Redis) as plain local processes on
 * 127.0.0.1: used by the test harness, the gateway benchmark and the local
 * stack (which passes `detached` so they outlive `npm run local:up`).
 *
 * PostgreSQL refuses to run as root, so when we are root it runs as the
 * `postgres` user and its data directory is handed to that user.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client } from 'pg';

export interface StartPostgresOptions {
  /** Created (initdb) when it holds no cluster yet; reused otherwise. */
  dataDir: string;
  /** Default: a free port. */
  port?: number;
  /** PostgreSQL's stdout and stderr are appended here. */
  logFile: string;
  /** Keep running after this process exits (not stopped on exit). Default false. */
  detached?: boolean;
  /** Extra server settings passed as `-c name=value`, e.g. `{ fsync: 'off' }` for throwaway test data. */
  settings?: Record<string, string>;
}

export interface RunningPostgres {
  /** `postgres://hft@127.0.0.1:<port>/hft` (trust authentication on 127.0.0.1). */
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  dataDir: string;
  /** Default: a free port. */
  port?: number;
  logFile: string;
  /** Append-only file persistence. Default false. */
  appendOnly?: boolean;
  /** Keep running after this process exits (not stopped on exit). Default false. */
  detached?: boolean;
}

export interface RunningRedis {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

/** The database user and database name of the local and test data tier. */
export const DATABASE_NAME = 'hft';
export const DATABASE_USER = 'hft';

const POSTGRES_PACKAGE = 'postgresql-15';
const REDIS_PACKAGE = 'redis-server';
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;
const EXTRA_BINARY_DIRS = ['/usr/local/bin', '/usr/lib/postgresql/15/bin', '/usr/sbin', '/usr/bin'];

/** A TCP port that is free on 127.0.0.1 at the time of the call. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

/** Free ports, none repeated and none of `taken` (the OS may hand the same free port out twice in a row). */
export async function distinctFreePorts(count: number, taken: number[]): Promise<number[]> {
  const chosen = new Set<number>();
  while (chosen.size < count) {
    const port = await freePort();
    if (!taken.includes(port)) chosen.add(port);
  }
  return [...chosen];
}

/**
 * The absolute path of an executable, searched on PATH and then in the usual
 * Debian locations (PostgreSQL's server binaries are not on PATH there).
 */
export function findBinary(name: string, debianPackage: string): string {
  const pathDirs = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const dir of [...pathDirs, ...EXTRA_BINARY_DIRS]) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    `${name} was not found on PATH nor in ${EXTRA_BINARY_DIRS.join(', ')}: install the Debian package ${debianPackage} (apt-get install ${debianPackage})`,
  );
}

/** Processes this module started without `detached`: stopped if the parent exits without stopping them. */
const attachedPids = new Set<number>();
process.once('exit', () => {
  for (const pid of attachedPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

interface PostgresUser {
  uid: number;
  gid: number;
}

/** Root runs PostgreSQL as `postgres`; anyone else runs it as themselves. */
function postgresUser(): PostgresUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error('PostgreSQL cannot run as root and there is no "postgres" user: create it (useradd --system postgres) or install postgresql-15');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function chownTree(target: string, user: PostgresUser): void {
  fs.chownSync(target, user.uid, user.gid);
  if (!fs.statSync(target).isDirectory()) return;
  for (const entry of fs.readdirSync(target)) chownTree(path.join(target, entry), user);
}

/** Fails early, naming the directory, when `postgres` could not reach its data directory. */
function assertReachable(dataDir: string): void {
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const mode = fs.statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(`PostgreSQL runs as user postgres, which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}): chmod o+x ${dir} or put the data directory elsewhere`);
    }
    if (dir === path.dirname(dir)) return;
  }
}

function openLog(logFile: string): number {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  return fs.openSync(logFile, 'a');
}

function logTail(logFile: string): string {
  try {
    return fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

function runToCompletion(command: string, args: string[], options: SpawnOptions, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, options);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(command)} failed (${signal ?? `exit ${code}`}); ${logFile}:\n${logTail(logFile)}`));
    });
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Signals the process and waits for it, escalating to SIGKILL after a grace period. */
function stopper(child: ChildProcess, signal: NodeJS.Signals): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      const pid = child.pid!;
      if (!exited(child)) child.kill(signal);
      if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
        child.kill('SIGKILL');
        await waitForExit(child, STOP_TIMEOUT_MS);
      }
      attachedPids.delete(pid);
    })();
    return stopping;
  };
}

function track(child: ChildProcess, detached: boolean): void {
  if (detached) child.unref();
  else attachedPids.add(child.pid!);
}

async function waitUntil(what: string, child: ChildProcess, logFile: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (exited(child)) throw new Error(`${what} exited during startup; ${logFile}:\n${logTail(logFile)}`);
    if (await probe()) return;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${what} did not accept connections within ${STARTUP_TIMEOUT_MS / 1000}s; ${logFile}:\n${logTail(logFile)}`);
    }
    await sleep(50);
  }
}

function postgresUrl(port: number, database: string): string {
  return `postgres://${DATABASE_USER}@127.0.0.1:${port}/${database}`;
}

async function tryQuery(url: string, sql: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(sql);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new Client({ connectionString: postgresUrl(port, 'postgres') });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE_NAME} OWNER ${DATABASE_USER}`);
  } finally {
    await client.end();
  }
}

/**
 * Starts PostgreSQL on 127.0.0.1 (initdb first when `dataDir` holds no
 * cluster), with superuser `hft` trusted locally and a database `hft`.
 */
export async function startPostgres(options: StartPostgresOptions): Promise<RunningPostgres> {
  const initdb = findBinary('initdb', POSTGRES_PACKAGE);
  const postgres = findBinary('postgres', POSTGRES_PACKAGE);
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const user = postgresUser();
  const detached = options.detached ?? false;
  const identity: SpawnOptions = user ? { uid: user.uid, gid: user.gid } : {};

  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
  if (user) {
    assertReachable(dataDir);
    chownTree(dataDir, user);
  }

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const initLog = openLog(options.logFile);
    try {
      await runToCompletion(
        initdb,
        ['-D', dataDir, '-U', DATABASE_USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
        { ...identity, stdio: ['ignore', initLog, initLog] },
        options.logFile,
      );
    } finally {
      fs.closeSync(initLog);
    }
  }

  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    // No Unix socket: the default directory may not exist or be writable; everything connects over TCP.
    unix_socket_directories: '',
    ...options.settings,
  };
  const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
  const log = openLog(options.logFile);
  const child = spawn(postgres, args, { ...identity, detached, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  track(child, detached);
  // SIGINT is PostgreSQL's "fast" shutdown: roll back sessions, checkpoint, exit.
  const stop = stopper(child, 'SIGINT');
  try {
    await waitUntil('PostgreSQL', child, options.logFile, () => tryQuery(postgresUrl(port, 'postgres'), 'SELECT 1'));
    await ensureDatabase(port);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: postgresUrl(port, DATABASE_NAME), port, pid: child.pid!, dataDir, stop };
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** Starts redis-server on 127.0.0.1 with its files in `dataDir` (no RDB snapshots; AOF if `appendOnly`). */
export async function startRedis(options: StartRedisOptions): Promise<RunningRedis> {
  const redisServer = findBinary('redis-server', REDIS_PACKAGE);
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const detached = options.detached ?? false;
  fs.mkdirSync(dataDir, { recursive: true });

  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dataDir,
    '--save', '',
    '--appendonly', options.appendOnly ? 'yes' : 'no',
    '--daemonize', 'no',
    '--logfile', '',
  ];
  const log = openLog(options.logFile);
  const child = spawn(redisServer, args, { detached, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  track(child, detached);
  const stop = stopper(child, 'SIGTERM');
  try {
    await waitUntil('redis-server', child, options.logFile, () => redisPing(port));
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid!, dataDir, stop };
}
