/**
 * Starts the services the way the deploy targets do: the compiled entry
 * points as real processes configured only by their environment (built with
 * the env contract's builders), or the gateway in-process via its app factory.
 * Every process started here is killed by an `after` hook or at exit.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ChildProcess, spawn } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { engineEnvironment, gatewayEnvironment, migrateEnvironment, readGatewayEnv } from '../../backend/config/env';
import { buildGateway } from '../../backend/gateway/app';
import type { GatewayLimits } from '../../backend/gateway/routes/orders';
import { freePort } from '../../local/dataTier';
import { ENTRY_POINTS } from '../../local/services';
import type { SuiteDataTier } from './dataTier';
import { request } from './http';

export { ENTRY_POINTS } from '../../local/services';
const READY_TIMEOUT_MS = 20_000;

const TEST_SYMBOLS = 'AAPL,MSFT,GOOG,AMZN,NVDA,META,TSLA,SPY,QQQ,IBM,ORCL,INTC,AMD,NFLX,BRK.B:0.05';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  pid: number;
  /** stdout and stderr so far. */
  output(): string;
  exited: Promise<Exit>;
  running(): boolean;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
if (typeof after === 'function') {
  after(async function killServices() {
    await Promise.all([...children].map((child) => new Promise((resolve) => child.once('exit', resolve).kill('SIGKILL'))));
  });
}

export function spawnService(script: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  let running = true;
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      running = false;
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return {
    pid: child.pid!,
    output: () => output,
    exited,
    running: () => running,
    stop(signal = 'SIGTERM') {
      child.kill(signal);
      return exited;
    },
  };
}

async function waitForHttp(url: string, service: ServiceProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  void service.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`service exited before ${url} answered:\n${service.output()}`);
    const ok = await fetch(url).then((response) => response.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${READY_TIMEOUT_MS} ms:\n${service.output()}`);
    await sleep(50);
  }
}

export interface EngineOptions {
  shard?: number;
  engineShards?: number;
  symbols?: string;
}

export interface EngineProcess extends ServiceProcess {
  metricsUrl: string;
}

/** Starts `npm run start:engine`'s entry point and waits until its books are rebuilt (/ready). */
export async function startEngine(tier: SuiteDataTier, options: EngineOptions = {}): Promise<EngineProcess> {
  const metricsPort = await freePort();
  const env = engineEnvironment({
    redisUrl: tier.redisUrl,
    databaseUrl: tier.databaseUrl,
    engineShards: options.engineShards ?? 1,
    shard: options.shard ?? 0,
    metricsPort,
    symbols: options.symbols ?? TEST_SYMBOLS,
    logLevel: 'warn',
  });
  const engine = spawnService(ENTRY_POINTS.engine, env);
  const metricsUrl = `http://127.0.0.1:${metricsPort}`;
  await waitForHttp(`${metricsUrl}/ready`, engine);
  return { ...engine, metricsUrl };
}

/** One engine for the tests of a describe: started before them, stopped after them (also when they fail). */
export function useEngine(tier: SuiteDataTier, options: EngineOptions = {}): void {
  let engine: EngineProcess | undefined;
  before(async function () {
    engine = await startEngine(tier, options);
  });
  after(async function () {
    await engine?.stop();
  });
}

export interface GatewayOptions {
  gatewayId?: string;
  engineShards?: number;
  workers?: number;
  symbols?: string;
}

export interface GatewayProcess extends ServiceProcess {
  url: string;
}

export function gatewayEnvFor(tier: SuiteDataTier, port: number, options: GatewayOptions = {}): Record<string, string> {
  return gatewayEnvironment({
    redisUrl: tier.redisUrl,
    databaseUrl: tier.databaseUrl,
    engineShards: options.engineShards ?? 1,
    port,
    gatewayId: options.gatewayId ?? 'gw-test',
    workers: options.workers ?? 1,
    symbols: options.symbols ?? TEST_SYMBOLS,
    logLevel: 'warn',
  });
}

/** Starts `npm run start:gateway`'s entry point and waits for /ready, and with several workers until each one answers. */
export async function startGatewayProcess(tier: SuiteDataTier, options: GatewayOptions = {}): Promise<GatewayProcess> {
  const port = await freePort();
  const gateway = spawnService(ENTRY_POINTS.gateway, gatewayEnvFor(tier, port, options));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/ready`, gateway);
  await waitForWorkers(url, options.workers ?? 1);
  return { ...gateway, url };
}

/** The first worker to listen answers /ready; the others may start later (on a busy machine, much later). */
async function waitForWorkers(url: string, workers: number): Promise<void> {
  const seen = new Set<number>();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (seen.size < workers) {
    if (Date.now() > deadline) throw new Error(`only workers ${[...seen]} of ${workers} answered ${url}/health`);
    // A fresh connection each time: the cluster hands connections to the listening workers in turn.
    const health = await request('GET', `${url}/health`, { headers: { connection: 'close' } });
    if (health.status === 200) seen.add(health.body.worker);
    else await sleep(50);
  }
}

/**
 * For tests that restart the engine or PostgreSQL while an order waits: the
 * wait must cover a cold start on a slow, busy machine, not only the 5 s a
 * client is normally given (a 504 there would be the machine, not the code).
 */
export const RESTART_TOLERANT_LIMITS: Partial<GatewayLimits> = { reportDeadlineMs: 30_000 };

export interface InProcessGateway {
  url: string;
  app: FastifyInstance;
}

/** The gateway app built in this process (fast to start), listening on a free port. */
export async function startGatewayInProcess(
  tier: SuiteDataTier,
  options: GatewayOptions & { limits?: Partial<GatewayLimits> } = {},
): Promise<InProcessGateway> {
  const env = readGatewayEnv(gatewayEnvFor(tier, 0, options));
  const app = await buildGateway(env, { logger: pino({ level: 'silent' }), limits: options.limits });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, app };
}

/** Runs `npm run migrate`'s entry point to completion. */
export async function runMigrateProcess(databaseUrl: string): Promise<Exit & { output: string }> {
  const migrate = spawnService(ENTRY_POINTS.migrate, migrateEnvironment({ databaseUrl, logLevel: 'info' }));
  const exit = await migrate.exited;
  return { ...exit, output: migrate.output() };
}
