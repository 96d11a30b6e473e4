/**
 * The whole topology as local processes on 127.0.0.1: PostgreSQL, Redis, the
 * migrations, the engine shards, N gateways and nginx in front of them.
 * Every process is detached (it outlives `local:up`) and remembered in the
 * state file, which `stackStatus`, `downStack` and `restartProcess` read.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SYMBOLS } from '../backend/config/symbols';
import { distinctFreePorts, findBinary, startPostgres, startRedis } from './dataTier';
import { checkHealth, waitHealthy } from './health';
import { writeLocalOutputs } from './outputs';
import { StackPaths, stackPaths } from './paths';
import { assertPortFree } from './ports';
import { childPids } from './processCpu';
import { crashProcess, isRunning, LaunchSpec, processStartTime, runToEnd, spawnDetached, stopProcess } from './processes';
import { ENTRY_POINTS, engineLaunch, gatewayLaunch, migrateLaunch, nginxLaunch } from './services';
import { ProcessRecord, ProcessRole, readState, removeState, StackState, writeState } from './state';

export interface UpOptions {
  /** The stack folder (see resolveStackDir). */
  dir: string;
  backends: number;
  workers: number;
  shards: number;
  /** The load balancer's port on 127.0.0.1. */
  port: number;
  /** `SYMBOLS` of the engine shards and gateways (SYMBOL or SYMBOL:TICK, comma separated). Default: the services' default. */
  symbols?: string;
  /** One line per step. */
  onStep?: (line: string) => void;
  /** Aborting stops what was started so far and fails. */
  signal?: AbortSignal;
}

export const UP_DEFAULTS = { backends: 4, workers: 1, shards: 1, port: 8080 } as const;

export class StackError extends Error {}

/** The binaries the stack runs and the Debian package of each. */
const BINARIES: Array<[string, string]> = [
  ['postgres', 'postgresql-15'],
  ['initdb', 'postgresql-15'],
  ['redis-server', 'redis-server'],
  ['nginx', 'nginx-light'],
];

/** Names every missing binary at once, with the one apt-get command that installs them all. */
function checkBinaries(): void {
  const missing: Array<[string, string]> = [];
  for (const [name, debianPackage] of BINARIES) {
    try {
      findBinary(name, debianPackage);
    } catch {
      missing.push([name, debianPackage]);
    }
  }
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, debianPackage]) => debianPackage))];
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  throw new StackError(
    `missing ${missing.map(([name, debianPackage]) => `${name} (Debian package ${debianPackage})`).join(', ')}; ` +
      `install with: ${sudo}apt-get install -y ${packages.join(' ')}`,
  );
}

function checkBuilt(): void {
  for (const entryPoint of Object.values(ENTRY_POINTS)) {
    if (!fs.existsSync(entryPoint)) throw new StackError(`${entryPoint} is missing: build the services first (npm run build)`);
  }
}

/** Refuses to start a second copy over a stack that still has live processes. */
function assertNotRunning(paths: StackPaths): void {
  const alive = readState(paths)?.processes.filter((record) => isRunning(record)) ?? [];
  if (alive.length === 0) return;
  throw new StackError(
    `a local stack is already running in ${paths.dir} (${alive.map((record) => record.name).join(', ')}): ` +
      'see it with npm run local:status, stop it with npm run local:down',
  );
}

function readyLine(record: ProcessRecord, dir: string): string {
  const columns = [record.name.padEnd(10), `pid ${String(record.pid).padEnd(7)}`, `port ${String(record.port).padEnd(6)}`];
  return `${columns.join(' ')} healthy  (log ${path.relative(dir, record.logFile)})`;
}

/** Starts the stack; resolves when every part is healthy, or stops what it started and rejects. */
export async function upStack(options: UpOptions): Promise<StackState> {
  const paths = stackPaths(options.dir);
  const step = options.onStep ?? (() => undefined);
  assertNotRunning(paths);
  await assertPortFree(options.port, 'the load balancer', '--port');
  checkBinaries();
  checkBuilt();
  fs.mkdirSync(paths.logs, { recursive: true });
  fs.rmSync(paths.outputsFile, { force: true });

  const state: StackState = { startedAt: new Date().toISOString(), processes: [] };
  const logFile = (name: string) => path.join(paths.logs, `${name}.log`);
  const remember = (record: ProcessRecord) => {
    state.processes.push(record);
    writeState(paths, state);
    return record;
  };
  const rememberDataTier = (role: 'postgres' | 'redis', started: { pid: number; port: number; url: string }, stopSignal: NodeJS.Signals) => {
    const record = remember({
      name: role, role, pid: started.pid, startTime: processStartTime(started.pid), port: started.port,
      healthUrl: started.url, logFile: logFile(role), stopSignal,
    });
    step(readyLine(record, paths.dir));
  };
  const startService = async (name: string, role: ProcessRole, port: number, healthUrl: string, launch: LaunchSpec) => {
    const identity = await spawnDetached(launch, logFile(name));
    const record = remember({ name, role, ...identity, port, healthUrl, logFile: logFile(name), stopSignal: 'SIGTERM', launch });
    await waitHealthy(record, options.signal);
    step(readyLine(record, paths.dir));
    return record;
  };

  try {
    step(`stack folder ${paths.dir}`);
    // Chosen here rather than by startPostgres/startRedis, so that neither takes the port nginx will listen on.
    const [postgresPort, redisPort] = await distinctFreePorts(2, [options.port]);
    // PostgreSQL's SIGINT is its "fast" shutdown: sessions rolled back, a checkpoint, exit.
    const postgres = await startPostgres({ dataDir: paths.postgresData, logFile: logFile('postgres'), port: postgresPort, detached: true });
    rememberDataTier('postgres', postgres, 'SIGINT');
    options.signal?.throwIfAborted();
    const redis = await startRedis({ dataDir: paths.redisData, logFile: logFile('redis'), port: redisPort, appendOnly: true, detached: true });
    rememberDataTier('redis', redis, 'SIGTERM');
    options.signal?.throwIfAborted();

    const urls = { databaseUrl: postgres.url, redisUrl: redis.url };
    await runToEnd('the migration', migrateLaunch(urls), logFile('migrate'));
    step('migrations applied');
    const shared = { ...urls, engineShards: options.shards, symbols: options.symbols ?? DEFAULT_SYMBOLS };

    const ports = await distinctFreePorts(options.shards + options.backends, [options.port, postgres.port, redis.port]);
    await Promise.all(
      Array.from({ length: options.shards }, (_, shard) => {
        const metricsPort = ports.pop()!;
        const launch = engineLaunch(shared, shard, metricsPort);
        return startService(`engine-${shard}`, 'engine', metricsPort, `http://127.0.0.1:${metricsPort}/health`, launch);
      }),
    );

    const gateways = await Promise.all(
      Array.from({ length: options.backends }, (_, index) => {
        const name = `backend-${index + 1}`;
        const port = ports.pop()!;
        const launch = gatewayLaunch(shared, name, port, options.workers);
        return startService(name, 'gateway', port, `http://127.0.0.1:${port}/ready`, launch);
      }),
    );

    const nginxBinary = findBinary('nginx', 'nginx-light');
    const nginxSpec = nginxLaunch(nginxBinary, paths, options.port, gateways.map((gateway) => gateway.port));
    const nginx = await startService('nginx', 'nginx', options.port, `http://127.0.0.1:${options.port}/health`, nginxSpec);
    await assertRoutes(nginx);

    writeLocalOutputs(paths, { loadBalancerPort: options.port, gateways, engineShards: options.shards, symbols: shared.symbols, ...urls });
    step(`up: http://127.0.0.1:${options.port} → ${options.backends} gateways, ${options.shards} engine shard(s); outputs in ${paths.outputsFile}`);
    return state;
  } catch (error) {
    step('start failed; stopping what was started');
    await stopAll(state.processes);
    removeState(paths);
    throw error;
  }
}

/** The load balancer reaches a gateway: /ready through nginx answers 2xx with an X-Backend-Id. */
async function assertRoutes(nginx: ProcessRecord): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${nginx.port}/ready`, { signal: AbortSignal.timeout(5000) });
  await response.body?.cancel();
  if (!response.ok || !response.headers.has('x-backend-id')) {
    throw new StackError(`nginx does not reach the gateways (GET /ready: ${response.status}); ${nginx.logFile}`);
  }
}

const STOP_ORDER: ProcessRole[] = ['nginx', 'gateway', 'engine', 'redis', 'postgres'];

export interface StopResult {
  name: string;
  pid: number;
  result: Awaited<ReturnType<typeof stopProcess>>;
}

/** Front to back (nginx first, PostgreSQL last), each role's processes together. */
async function stopAll(records: ProcessRecord[]): Promise<StopResult[]> {
  const results: StopResult[] = [];
  for (const role of STOP_ORDER) {
    const ofRole = records.filter((record) => record.role === role);
    const stoppedOfRole = await Promise.all(
      ofRole.map(async (record) => ({ name: record.name, pid: record.pid, result: await stopProcess(record, record.stopSignal) })),
    );
    results.push(...stoppedOfRole);
  }
  return results;
}

export interface DownResult {
  stopped: StopResult[];
  /** False when there was no state file: nothing was started from this folder. */
  hadState: boolean;
  purged: boolean;
}

/** Stops every process of the stack; keeps the data unless `purge`. */
export async function downStack(dir: string, purge = false): Promise<DownResult> {
  const paths = stackPaths(dir);
  const state = readState(paths);
  const stopped = state ? await stopAll(state.processes) : [];
  removeState(paths);
  fs.rmSync(paths.outputsFile, { force: true });
  if (purge) {
    // Only what the stack created: --dir may point at a folder that holds other things too.
    for (const created of [paths.postgresData, paths.redisData, paths.nginxPrefix, paths.logs]) {
      fs.rmSync(created, { recursive: true, force: true });
    }
    if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  }
  return { stopped, hadState: state !== undefined, purged: purge };
}

export interface ProcessStatus {
  name: string;
  role: ProcessRole;
  pid: number;
  port: number;
  running: boolean;
  healthy: boolean;
  healthUrl: string;
  logFile: string;
}

/** Each process with its PID, port, whether it runs and whether it answers its health check; undefined without a stack. */
export async function stackStatus(dir: string): Promise<ProcessStatus[] | undefined> {
  const state = readState(stackPaths(dir));
  if (!state) return undefined;
  return Promise.all(
    state.processes.map(async (record) => {
      const alive = isRunning(record);
      const healthy = alive && (await checkHealth(record.healthUrl));
      const { name, role, pid, port, healthUrl, logFile } = record;
      return { name, role, pid, port, running: alive, healthy, healthUrl, logFile };
    }),
  );
}

function findRecord(dir: string, name: string): { paths: StackPaths; state: StackState; record: ProcessRecord } {
  const paths = stackPaths(dir);
  const state = readState(paths);
  if (!state) throw new StackError(`there is no local stack in ${dir} (npm run local:up starts one)`);
  const record = state.processes.find((candidate) => candidate.name === name);
  if (!record) throw new StackError(`the stack has no process "${name}"; it has ${state.processes.map((p) => p.name).join(', ')}`);
  return { paths, state, record };
}

/** How long an nginx reload may take: its old workers finish the requests they hold first. */
const NGINX_RELOAD_TIMEOUT_MS = 15_000;

/**
 * Reloads nginx and returns once its old workers are gone. Until then a
 * client may still connect to an old worker, which, shutting down, closes
 * the connection as idle while the client's first request is on its way
 * (the client sees ECONNRESET: 2 such failed requests in a test's load run).
 */
async function reloadNginx(master: number): Promise<void> {
  const oldWorkers = new Set(childPids(master));
  process.kill(master, 'SIGHUP');
  const deadline = Date.now() + NGINX_RELOAD_TIMEOUT_MS;
  for (;;) {
    const workers = childPids(master);
    if (workers.length > 0 && workers.every((pid) => !oldWorkers.has(pid))) return;
    if (Date.now() > deadline) throw new StackError(`nginx (pid ${master}) still runs old workers ${NGINX_RELOAD_TIMEOUT_MS / 1000} s after a reload`);
    await sleep(20);
  }
}

/**
 * Starts a process of the stack again on the same port (stopping it first if it
 * still runs). After a gateway comes back, nginx reloads, which clears the
 * failure count that would otherwise keep it out of rotation for fail_timeout.
 */
export async function restartProcess(dir: string, name: string): Promise<ProcessRecord> {
  const { paths, state, record } = findRecord(dir, name);
  if (!record.launch) throw new StackError(`${name} cannot be restarted alone: restart the stack (npm run local:down, then npm run local:up)`);
  await stopProcess(record, record.stopSignal);
  const restarted: ProcessRecord = { ...record, ...(await spawnDetached(record.launch, record.logFile)) };
  state.processes = state.processes.map((candidate) => (candidate.name === name ? restarted : candidate));
  writeState(paths, state);
  await waitHealthy(restarted);
  const nginx = state.processes.find((candidate) => candidate.role === 'nginx');
  if (record.role === 'gateway' && nginx && isRunning(nginx)) await reloadNginx(nginx.pid);
  return restarted;
}

/** Kills a process of the stack with SIGKILL, as a crash would; for failover tests and demos. */
export async function crashStackProcess(dir: string, name: string): Promise<ProcessRecord> {
  const { record } = findRecord(dir, name);
  if (!(await crashProcess(record))) throw new StackError(`${name} (pid ${record.pid}) did not die after SIGKILL`);
  return record;
}
