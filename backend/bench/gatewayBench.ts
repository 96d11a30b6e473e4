/**
 * `npm run bench:gateway`: one gateway process (1 worker) with its engine,
 * Redis and PostgreSQL (fsync and synchronous_commit on) on this machine,
 * driven at fixed concurrency for a bounded time with varied orders (several
 * symbols, both sides, prices around a mid so trades happen). Prints orders/s,
 * latency percentiles and each process's share of the CPU.
 *
 * BENCH_LOADGEN: `wrk` (default; the order script of bench:stack, and a
 * quarter of autocannon's CPU per request, which leaves the machine to what
 * is measured) or `autocannon` (in this process; half its orders carry a
 * clientOrderId, so idempotency claims are exercised too).
 * BENCH_DURATION (s, default 20), BENCH_CONNECTIONS (default 64),
 * BENCH_KEEP=1 keeps the data folder for inspection; BENCH_NODE_ARGS are node
 * flags for the services (e.g. "--cpu-prof --cpu-prof-dir=/tmp/profiles");
 * BENCH_PG_SETTINGS="name=value,…" adds PostgreSQL settings, for experiments.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import pino from 'pino';
import { engineEnvironment, gatewayEnvironment } from '../config/env';
import { DEFAULT_SYMBOLS } from '../config/symbols';
import { runMigrations } from '../db/migrate';
import { freePort, startPostgres, startRedis } from '../../local/dataTier';
import { integerSetting, pairsSetting, refuseArguments, UsageError } from '../../local/flags';
import { cpuSeconds, postgresCpuSeconds } from '../../local/processCpu';
import { ENTRY_POINTS } from '../../local/services';
import { runWrk } from '../../loadtest/wrk';
import { describeEngineBatches, engineTotals } from './engineFigures';

const WARMUP_S = 3;
const LOAD_GENERATORS = ['wrk', 'autocannon'] as const;

/** What the environment sets (see above); a bad value or any argument is a UsageError. */
function readSettings(args: readonly string[]) {
  refuseArguments(args, ['BENCH_LOADGEN', 'BENCH_DURATION', 'BENCH_CONNECTIONS', 'BENCH_KEEP', 'BENCH_NODE_ARGS', 'BENCH_PG_SETTINGS']);
  const loadgen = process.env.BENCH_LOADGEN || 'wrk';
  if (!(LOAD_GENERATORS as readonly string[]).includes(loadgen)) throw new UsageError(`BENCH_LOADGEN="${loadgen}" must be ${LOAD_GENERATORS.join(' or ')}`);
  return {
    loadgen: loadgen as (typeof LOAD_GENERATORS)[number],
    durationSeconds: integerSetting('BENCH_DURATION', 20, 1, 3600),
    connections: integerSetting('BENCH_CONNECTIONS', 64, 1, 10_000),
    keep: process.env.BENCH_KEEP === '1',
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
    postgres: pairsSetting('BENCH_PG_SETTINGS'),
  };
}
type Settings = ReturnType<typeof readSettings>;
const SYMBOLS = DEFAULT_SYMBOLS.split(',');
const MID_TICKS = 10_000;

/** CPU seconds so far of each named process, and of PostgreSQL (postmaster and children). */
function sampleCpu(pids: Record<string, number>, postmaster: number): Record<string, number> {
  const sample: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) sample[name] = cpuSeconds(pid);
  sample.postgres = postgresCpuSeconds(postmaster);
  return sample;
}

function randomOrder(sequence: number): string {
  const symbol = SYMBOLS[sequence % SYMBOLS.length];
  const side = Math.random() < 0.5 ? 'buy' : 'sell';
  const account = `acct-${Math.floor(Math.random() * 200)}`;
  const quantity = 1 + Math.floor(Math.random() * 100);
  const roll = Math.random();
  const order: Record<string, unknown> = { symbol, side, account, quantity };
  if (roll < 0.05) {
    order.type = 'market';
  } else {
    // Buyers bid around and below the mid, sellers ask around and above it: the overlap trades.
    const offset = Math.floor(Math.random() * 8) - 2;
    const ticks = side === 'buy' ? MID_TICKS - offset : MID_TICKS + offset;
    order.type = 'limit';
    order.price = (ticks / 100).toFixed(2);
    if (roll < 0.15) order.timeInForce = 'IOC';
    else if (roll < 0.2) order.timeInForce = 'FOK';
  }
  if (sequence % 2 === 0) order.clientOrderId = `bench-${process.pid}-${sequence}`;
  return JSON.stringify(order);
}

/** What a run of either load generator gives the report. */
interface LoadRun {
  ok: number;
  /** e.g. "statuses 201: 1234; errors 0, timeouts 0" */
  outcome: string;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** CPU seconds of the load generator during the run. */
  loadgenSeconds: number;
}

async function drive(url: string, seconds: number, firstSequence: number, { loadgen, connections }: Settings): Promise<LoadRun> {
  if (loadgen === 'wrk') {
    const { result, cpuSeconds: loadgenSeconds } = await runWrk(url, seconds, connections);
    const ms = (us: number) => Math.round(us / 100) / 10;
    const errors = result.connectErrors + result.readErrors + result.writeErrors;
    return {
      ok: result.requests - result.non2xx,
      outcome: `non-2xx ${result.non2xx}; socket errors ${errors}, timeouts ${result.timeouts}`,
      latencyMs: { p50: ms(result.latencyUs.p50), p90: ms(result.latencyUs.p90), p99: ms(result.latencyUs.p99), max: ms(result.latencyUs.max) },
      loadgenSeconds,
    };
  }
  const cpuBefore = process.cpuUsage();
  const result = await runAutocannon(url, seconds, firstSequence, connections);
  const cpu = process.cpuUsage(cpuBefore);
  const statusCounts = Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => `${code}: ${stat.count}`).join(', ');
  return {
    ok: result['2xx'],
    outcome: `statuses ${statusCounts}; errors ${result.errors}, timeouts ${result.timeouts}`,
    latencyMs: result.latency,
    loadgenSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

function runAutocannon(url: string, seconds: number, firstSequence: number, connections: number): Promise<autocannon.Result> {
  let sequence = firstSequence;
  return autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/api/orders',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: randomOrder(sequence++) }),
      },
    ],
  });
}

function waitForHttp(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 30_000;
    const attempt = () =>
      fetch(url).then(
        (response) => (response.ok ? resolve() : retry()),
        () => retry(),
      );
    const retry = () => (Date.now() > deadline ? reject(new Error(`${url} not ready`)) : setTimeout(attempt, 100));
    attempt();
  });
}

async function main(): Promise<void> {
  const settings = readSettings(process.argv.slice(2));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-bench-'));
  fs.chmodSync(root, 0o755);
  const postgres = await startPostgres({ dataDir: path.join(root, 'postgres'), logFile: path.join(root, 'postgres.log'), settings: settings.postgres });
  const redis = await startRedis({ dataDir: path.join(root, 'redis'), logFile: path.join(root, 'redis.log') });
  await runMigrations(postgres.url, pino({ level: 'warn' }));
  const [port, metricsPort] = [await freePort(), await freePort()];
  const inherited = { PATH: process.env.PATH ?? '' };
  const { nodeArgs } = settings;
  const common = { redisUrl: redis.url, databaseUrl: postgres.url, engineShards: 1, logLevel: 'warn' };
  const services = [
    spawn(process.execPath, [...nodeArgs, ENTRY_POINTS.engine], {
      env: { ...inherited, ...engineEnvironment({ ...common, shard: 0, metricsPort }) },
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
    spawn(process.execPath, [...nodeArgs, ENTRY_POINTS.gateway], {
      env: { ...inherited, ...gatewayEnvironment({ ...common, port, gatewayId: 'bench', workers: 1 }) },
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
  ];
  const [engine, gateway] = services;
  const cleanup = async () => {
    for (const service of services) service.kill('SIGTERM');
    await Promise.all(services.map((service) => new Promise((resolve) => (service.exitCode !== null ? resolve(null) : service.once('exit', resolve)))));
    await Promise.all([postgres.stop(), redis.stop()]);
    if (!settings.keep) fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    const url = `http://127.0.0.1:${port}`;
    const metricsUrl = `http://127.0.0.1:${metricsPort}`;
    await waitForHttp(`${metricsUrl}/ready`);
    await waitForHttp(`${url}/ready`);
    process.stdout.write(`warming up ${WARMUP_S}s…\n`);
    await drive(url, WARMUP_S, 0, settings);

    const pids = { gateway: gateway.pid!, engine: engine.pid!, redis: redis.pid };
    const before = sampleCpu(pids, postgres.pid);
    const started = process.hrtime.bigint();
    process.stdout.write(`measuring ${settings.durationSeconds}s at ${settings.connections} connections with ${settings.loadgen}…\n`);
    const result = await drive(url, settings.durationSeconds, 1_000_000_000, settings);
    const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
    const after: Record<string, number> = { ...sampleCpu(pids, postgres.pid), loadgen: result.loadgenSeconds };
    before.loadgen = 0;

    const { ok, latencyMs } = result;
    const lines = [
      '',
      `orders/s      ${(ok / elapsedS).toFixed(0)}  (${ok} answered 2xx in ${elapsedS.toFixed(1)} s; ${result.outcome})`,
      `latency (ms)  p50 ${latencyMs.p50}  p90 ${latencyMs.p90}  p99 ${latencyMs.p99}  max ${latencyMs.max}`,
      `CPU (share of one core over the run, and per order answered; the machine has ${os.cpus().length} cores):`,
      ...Object.keys(after).map((name) => {
        const seconds = after[name] - before[name];
        return `  ${name.padEnd(9)} ${((seconds / elapsedS) * 100).toFixed(0).padStart(4)} %  ${((seconds / ok) * 1e6).toFixed(0).padStart(4)} µs/order`;
      }),
    ];
    lines.push(`engine        ${describeEngineBatches(engineTotals(await (await fetch(`${metricsUrl}/metrics`)).text()))}, warm-up included`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await cleanup();
  }
}


main().catch((error: Error) => {
  if (error instanceof UsageError) process.stderr.write(`bench:gateway: ${error.message}\n`);
  else process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
