/**
 * `npm run bench:stack`: the throughput of the whole local topology through
 * nginx, measured with wrk (a load generator nobody here wrote), and in the
 * same run the ceiling of this topology on this machine: nginx in front of
 * gateways that answer 201 without doing anything. Prints both and their ratio.
 *
 *   npm run bench:stack -- [--duration 60] [--warmup 10] [--connections 64] [--backends 4] [--script FILE] [--symbols LIST] [--json]
 *
 * --script: another wrk script to drive the load (both the stack and the
 * ceiling) instead of loadtest/wrk/orders.lua; it should post orders only
 * (the ceiling answers nothing else, and its rate counts 2xx answers). The
 * PostgreSQL check holds for any script: every 201 the gateways answered
 * must be a new order in PostgreSQL.
 *
 * --symbols: the stack's SYMBOLS instead of the services' default; wrk gets
 * them in its environment as SYMBOLS, and the order script posts on them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { MAX_BACKENDS } from '../components/config';
import { describeEngineBatches, EngineTotals, engineTotals } from '../backend/bench/engineFigures';
import { findBinary, freePort } from '../local/dataTier';
import { DEFAULT_SYMBOLS } from '../backend/config/symbols';
import { integerFlag, parseFlags, readableFileFlag, symbolsFlag, UsageError } from '../local/flags';
import { checkHealth } from '../local/health';
import { readLocalOutputs } from '../local/outputs';
import { stackPaths } from '../local/paths';
import { cpuSeconds, wakeUps } from '../local/processCpu';
import { isRunning, ProcessIdentity, spawnDetached, stopProcess } from '../local/processes';
import { nginxLaunch } from '../local/services';
import { crashStackProcess, downStack, upStack } from '../local/stack';
import { readState } from '../local/state';
import { MAX_CONNECTIONS } from './cli';
import { addCounts, describeNon2xx, orderAnswers, refusalsBetween } from './orderAnswers';
import { ORDER_SCRIPT, runWrk, WrkResult, WrkRun } from './wrk';

const CEILING_SERVER = path.join(__dirname, 'ceilingServer.js');

interface BenchOptions {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  backends: number;
  /** The wrk script that drives the load, an absolute path. */
  script: string;
  /** The stack's SYMBOLS, also in wrk's environment. */
  symbols: string;
  json: boolean;
}

interface RunFigures {
  ordersPerSecond: number;
  ok: number;
  non2xx: number;
  socketErrors: number;
  p50Ms: number;
  p99Ms: number;
}

const SECONDS_PER_DAY = 86_400;
const USAGE = 'usage: bench:stack -- [--duration 60] [--warmup 10] [--connections 64] [--backends 4] [--script FILE] [--symbols LIST] [--json]';

/** The bench's flags; a bad one is a UsageError that ends with the usage line. */
function parseBenchFlags(argv: string[]): BenchOptions {
  try {
    const { values } = parseFlags(() =>
      parseArgs({
        args: argv,
        strict: true,
        options: {
          duration: { type: 'string' },
          warmup: { type: 'string' },
          connections: { type: 'string' },
          backends: { type: 'string' },
          script: { type: 'string' },
          symbols: { type: 'string' },
          json: { type: 'boolean' },
        },
      }),
    );
    return {
      durationSeconds: integerFlag('duration', values.duration, 1, SECONDS_PER_DAY) ?? 60,
      warmupSeconds: integerFlag('warmup', values.warmup, 1, SECONDS_PER_DAY) ?? 10,
      connections: integerFlag('connections', values.connections, 1, MAX_CONNECTIONS) ?? 64,
      // As many as a stack may have: nginx's upstream zone is sized for that many.
      backends: integerFlag('backends', values.backends, 1, MAX_BACKENDS) ?? 4,
      script: readableFileFlag('script', values.script) ?? ORDER_SCRIPT,
      symbols: symbolsFlag(values.symbols) ?? DEFAULT_SYMBOLS,
      json: values.json === true,
    };
  } catch (error) {
    throw error instanceof UsageError ? new UsageError(`${error.message}; ${USAGE}`) : error;
  }
}

/** wrk with the bench's script, connections and symbols, for `seconds`. */
function driveLoad(url: string, seconds: number, options: BenchOptions): Promise<WrkRun> {
  return runWrk(url, seconds, options.connections, { script: options.script, symbols: options.symbols });
}

function say(line: string): void {
  process.stderr.write(`bench:stack: ${line}\n`);
}

function figures(result: WrkResult): RunFigures {
  const socketErrors = result.connectErrors + result.readErrors + result.writeErrors + result.timeouts;
  return {
    ordersPerSecond: Math.round(((result.requests - result.non2xx) * 1e6) / result.durationUs),
    ok: result.requests - result.non2xx,
    non2xx: result.non2xx,
    socketErrors,
    p50Ms: result.latencyUs.p50 / 1000,
    p99Ms: result.latencyUs.p99 / 1000,
  };
}

async function countOrders(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>('SELECT count(*) AS count FROM orders');
    return Number(rows[0].count);
  } finally {
    await client.end();
  }
}

/** Answers to POST /api/orders so far, per status code, summed over the stack's gateways (from their request histograms). */
async function stackOrderAnswers(dir: string): Promise<Map<string, number>> {
  const gateways = (readState(stackPaths(dir))?.processes ?? []).filter((record) => record.role === 'gateway');
  let answers = new Map<string, number>();
  for (const gateway of gateways) answers = addCounts(answers, orderAnswers(await (await fetch(`http://127.0.0.1:${gateway.port}/metrics`)).text()));
  return answers;
}

/** Calls per Redis command name so far, from INFO commandstats. */
async function redisCalls(redisUrl: string): Promise<Map<string, number>> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const calls = new Map<string, number>();
    for (const match of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1], Number(match[2]));
    return calls;
  } finally {
    redis.disconnect();
  }
}

/** "0.61 (evalsha 0.25, xread 0.2, …)": Redis commands per order during a run, the most frequent first. */
function describeRedisCalls(before: Map<string, number>, after: Map<string, number>, orders: number): string {
  const perOrder = [...after]
    .map(([name, calls]) => [name, (calls - (before.get(name) ?? 0)) / Math.max(1, orders)] as const)
    .filter(([, rate]) => rate >= 0.005)
    .sort((a, b) => b[1] - a[1]);
  const total = perOrder.reduce((sum, [, rate]) => sum + rate, 0);
  return `${total.toFixed(2)} (${perOrder.map(([name, rate]) => `${name} ${rate.toFixed(2)}`).join(', ')})`;
}

interface MeasuredProcess {
  role: string;
  pid: number;
  /** PostgreSQL, nginx and gateways with WORKERS > 1 do their work in child processes (live and reaped ones count). */
  withChildren: boolean;
}

/** Busy and total clock ticks of the whole machine, from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const [, ...values] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const ticks = values.map(Number);
  const idle = ticks[3] + (ticks[4] ?? 0);
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

/** Where the CPU went during one wrk run: seconds per role (wrk as `loadgen`), and how busy the machine was. */
interface CpuUse {
  seconds: Record<string, number>;
  /** Times each role went to sleep and was woken (wrk not counted). */
  wakeUps: Record<string, number>;
  elapsedSeconds: number;
  /** Share of all cores busy (anything on the machine, not only ours). */
  machineBusy: number;
}

async function measureCpu(processes: MeasuredProcess[], run: () => Promise<WrkRun>): Promise<{ result: WrkResult; cpu: CpuUse }> {
  /** Per role: the sum of `measure` over its processes. */
  const sample = (measure: (measured: MeasuredProcess) => number) => {
    const byRole: Record<string, number> = {};
    for (const measured of processes) byRole[measured.role] = (byRole[measured.role] ?? 0) + measure(measured);
    return byRole;
  };
  const sampleCpu = () => sample(({ pid, withChildren }) => cpuSeconds(pid, { children: withChildren, reaped: withChildren }));
  const sampleWakeUps = () => sample(({ pid, withChildren }) => wakeUps(pid, { children: withChildren }));
  const difference = (after: Record<string, number>, before: Record<string, number>) =>
    Object.fromEntries(Object.entries(after).map(([role, value]) => [role, value - (before[role] ?? 0)]));

  const cpuBefore = sampleCpu();
  const wakeUpsBefore = sampleWakeUps();
  const machineBefore = machineTicks();
  const started = Date.now();
  const { result, cpuSeconds: wrkSeconds } = await run();
  const elapsedSeconds = (Date.now() - started) / 1000;
  const seconds = difference(sampleCpu(), cpuBefore);
  const wakeUpsDuring = difference(sampleWakeUps(), wakeUpsBefore);
  const machineAfter = machineTicks();
  seconds.loadgen = wrkSeconds;
  const machineBusy = (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total);
  return { result, cpu: { seconds, wakeUps: wakeUpsDuring, elapsedSeconds, machineBusy } };
}

/**
 * "role 12% (34 µs), …; in all 290 µs; machine 92% busy": share of all cores and CPU per request
 * answered, by role and summed (the sum against the ceiling's shows where a faster path must come from).
 */
function describeCpu(cpu: CpuUse, requests: number): string {
  const capacity = cpu.elapsedSeconds * os.cpus().length;
  const microsPerRequest = (seconds: number) => Math.round((seconds * 1e6) / Math.max(1, requests));
  const roles = Object.entries(cpu.seconds).map(([role, seconds]) => `${role} ${((seconds / capacity) * 100).toFixed(0)}% (${microsPerRequest(seconds)} µs)`);
  const total = Object.values(cpu.seconds).reduce((sum, seconds) => sum + seconds, 0);
  return `${roles.join(', ')}; in all ${microsPerRequest(total)} µs; machine ${(cpu.machineBusy * 100).toFixed(0)}% busy`;
}

/**
 * "gateway 0.42, redis 0.28, …; in all 1.2": wake-ups per request answered, by role and summed: the
 * inverse of the requests each process handles per wake-up, i.e. how much the batching gathers.
 */
function describeWakeUps(cpu: CpuUse, requests: number): string {
  const perRequest = (count: number) => (count / Math.max(1, requests)).toFixed(2);
  const roles = Object.entries(cpu.wakeUps).map(([role, count]) => `${role} ${perRequest(count)}`);
  const total = Object.values(cpu.wakeUps).reduce((sum, count) => sum + count, 0);
  return `${roles.join(', ')}; in all ${perRequest(total)}`;
}

/** The engine's batch totals, from its metrics endpoint. */
async function readEngineTotals(dir: string): Promise<EngineTotals> {
  const engine = readState(stackPaths(dir))?.processes.find((record) => record.role === 'engine');
  if (engine === undefined) throw new Error('the stack has no engine');
  return engineTotals(await (await fetch(`http://127.0.0.1:${engine.port}/metrics`)).text());
}

function stackProcesses(dir: string): MeasuredProcess[] {
  return (readState(stackPaths(dir))?.processes ?? []).map((record) => ({
    role: record.role,
    pid: record.pid,
    withChildren: record.role === 'postgres' || record.role === 'gateway' || record.role === 'nginx',
  }));
}

async function measureStack(options: BenchOptions) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-bench-stack-'));
  // PostgreSQL runs as user postgres when we are root: it must be able to enter the folder.
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  say(`starting the local stack: ${options.backends} backends × 1 worker, 1 engine shard (${dir})`);
  try {
    await upStack({ dir, backends: options.backends, workers: 1, shards: 1, port, symbols: options.symbols, onStep: (line) => say(`  ${line}`) });
    const url = `http://127.0.0.1:${port}`;
    const { databaseUrl, redisUrl } = readLocalOutputs(stackPaths(dir));
    say(`warm-up ${options.warmupSeconds} s`);
    await driveLoad(url, options.warmupSeconds, options);
    const ordersBefore = await countOrders(databaseUrl);
    const answersBefore = await stackOrderAnswers(dir);
    const engineBefore = await readEngineTotals(dir);
    const redisBefore = await redisCalls(redisUrl);
    say(`measuring ${options.durationSeconds} s at ${options.connections} connections`);
    const { result, cpu } = await measureCpu(stackProcesses(dir), () => driveLoad(url, options.durationSeconds, options));
    const ordersAfter = await countOrders(databaseUrl);
    const answersAfter = await stackOrderAnswers(dir);
    const answered = (status: string) => (answersAfter.get(status) ?? 0) - (answersBefore.get(status) ?? 0);
    // 201: a new order, committed. 200: a retry of an earlier clientOrderId, answered with the order already stored.
    // wrk's 2xx count also holds those retries (and any other route's 2xx): the gateways' 201s are what must be new rows.
    const acknowledged = { created: answered('201'), replayed: answered('200') };
    const refusals = refusalsBetween(answersBefore, answersAfter);
    const engineBatches = describeEngineBatches(await readEngineTotals(dir), engineBefore);
    const run = figures(result);
    const redisCommands = describeRedisCalls(redisBefore, await redisCalls(redisUrl), run.ok + run.non2xx);
    const inPostgres = ordersAfter - ordersBefore;

    const failover = options.backends > 1 ? await measureFailover(dir, url, options) : undefined;
    return {
      run,
      acknowledged,
      refusals,
      inPostgres,
      missingFromPostgres: Math.max(0, acknowledged.created - inPostgres),
      cpu,
      engineBatches,
      redisCommands,
      failover,
    };
  } finally {
    await downStack(dir, true);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One gateway killed one second into a run; the run's rate is the next ~10 s. Needs another gateway to fail over to. */
async function measureFailover(dir: string, url: string, options: BenchOptions): Promise<RunFigures> {
  say('failover: killing backend-2 one second into an 11 s run');
  const failoverRun = driveLoad(url, 11, options);
  await sleep(1000);
  await crashStackProcess(dir, 'backend-2');
  return figures((await failoverRun).result);
}

async function measureCeiling(options: BenchOptions): Promise<{ run: RunFigures; cpu: CpuUse }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-bench-ceiling-'));
  const paths = stackPaths(dir);
  const started: ProcessIdentity[] = [];
  const measured: MeasuredProcess[] = [];
  say(`ceiling: nginx in front of ${options.backends} do-nothing fastify processes`);
  try {
    const ports: number[] = [];
    for (let index = 1; index <= options.backends; index++) {
      const port = await freePort();
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: String(port), GATEWAY_ID: `ceiling-${index}` };
      const server = await spawnDetached({ file: process.execPath, args: [CEILING_SERVER], env }, path.join(paths.logs, `ceiling-${index}.log`));
      started.push(server);
      measured.push({ role: 'gateway', pid: server.pid, withChildren: false });
      ports.push(port);
    }
    const listenPort = await freePort();
    const nginx = nginxLaunch(findBinary('nginx', 'nginx-light'), paths, listenPort, ports);
    const nginxProcess = await spawnDetached(nginx, path.join(paths.logs, 'nginx.log'));
    started.push(nginxProcess);
    measured.push({ role: 'nginx', pid: nginxProcess.pid, withChildren: true });
    const url = `http://127.0.0.1:${listenPort}`;
    const deadline = Date.now() + 15_000;
    for (const port of [...ports, listenPort]) {
      while (!(await checkHealth(`http://127.0.0.1:${port}/health`))) {
        if (Date.now() > deadline) throw new Error(`the ceiling's process on port ${port} did not start; logs in ${paths.logs}`);
        await sleep(100);
      }
    }
    await driveLoad(url, Math.min(options.warmupSeconds, 5), options);
    say(`measuring the ceiling ${options.durationSeconds} s`);
    const { result, cpu } = await measureCpu(measured, () => driveLoad(url, options.durationSeconds, options));
    return { run: figures(result), cpu };
  } finally {
    for (const identity of started.reverse()) {
      if (isRunning(identity)) await stopProcess(identity, 'SIGTERM');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function describeFailover(failover: RunFigures | undefined, ratio: number | undefined, backends: number): string {
  if (failover === undefined || ratio === undefined) return 'not measured: one backend has no other to fail over to';
  return `${failover.ordersPerSecond} (${(ratio * 100).toFixed(0)}% of ${backends} backends), non-2xx ${failover.non2xx}, socket errors ${failover.socketErrors}`;
}

/** A path inside the current folder relative to it (loadtest/wrk/orders.lua), any other as given. */
function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(34)} ${value}`;
}

async function main(): Promise<void> {
  const options = parseBenchFlags(process.argv.slice(2));
  const stack = await measureStack(options);
  const ceiling = await measureCeiling(options);
  const ratio = stack.run.ordersPerSecond / ceiling.run.ordersPerSecond;
  const failoverRatio = stack.failover === undefined ? undefined : stack.failover.ordersPerSecond / stack.run.ordersPerSecond;
  const report = {
    options,
    stack: stack.run,
    acknowledged: stack.acknowledged,
    /** The gateways' non-2xx answers of the measured run, per status code. */
    refusals: Object.fromEntries(stack.refusals),
    inPostgres: stack.inPostgres,
    missingFromPostgres: stack.missingFromPostgres,
    cpu: stack.cpu,
    engineBatches: stack.engineBatches,
    redisCommands: stack.redisCommands,
    failover: stack.failover ?? null,
    failoverRatio: failoverRatio ?? null,
    ceiling: ceiling.run,
    ceilingCpu: ceiling.cpu,
    ratio,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    process.stdout.write(
      [
        `bench:stack — ${options.backends} backends, ${options.connections} connections, ${options.durationSeconds} s, wrk + ${shownPath(options.script)}` +
          (options.symbols === DEFAULT_SYMBOLS ? '' : `, symbols ${options.symbols}`),
        row('orders/s (2xx)', String(stack.run.ordersPerSecond)),
        row('latency p50 / p99', `${stack.run.p50Ms.toFixed(2)} ms / ${stack.run.p99Ms.toFixed(2)} ms`),
        row('non-2xx responses', describeNon2xx(stack.run.non2xx, stack.refusals)),
        row('socket errors', String(stack.run.socketErrors)),
        row('201 created / new in PostgreSQL', `${stack.acknowledged.created} / ${stack.inPostgres} (missing ${stack.missingFromPostgres})`),
        row('200 retries of a clientOrderId', `${stack.acknowledged.replayed} (answered with the order already stored)`),
        row('CPU share of all cores (per order)', describeCpu(stack.cpu, stack.run.ok + stack.run.non2xx)),
        row('wake-ups per order', describeWakeUps(stack.cpu, stack.run.ok + stack.run.non2xx)),
        row('engine batches', stack.engineBatches),
        row('Redis commands per order', stack.redisCommands),
        row('one gateway killed: orders/s', describeFailover(stack.failover, failoverRatio, options.backends)),
        row('ceiling (do-nothing) req/s', `${ceiling.run.ordersPerSecond} (p50 ${ceiling.run.p50Ms.toFixed(2)} ms, p99 ${ceiling.run.p99Ms.toFixed(2)} ms)`),
        row('ceiling CPU (per request)', describeCpu(ceiling.cpu, ceiling.run.ok + ceiling.run.non2xx)),
        row('ceiling wake-ups (per request)', describeWakeUps(ceiling.cpu, ceiling.run.ok + ceiling.run.non2xx)),
        row('ratio to the ceiling', ratio.toFixed(2)),
      ].join('\n') + '\n',
    );
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench:stack: ${error.message}\n`);
  process.exit(1);
});
