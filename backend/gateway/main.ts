/**
 * `npm run start:gateway`: the gateway on PORT. With WORKERS > 1 the primary
 * forks that many workers (node:cluster, one shared port); each worker has its
 * own reply stream `reports:{GATEWAY_ID}.{index}`. SIGTERM (or SIGINT) stops
 * accepting, lets the orders in flight get their answers, closes the
 * connections and exits 0; the primary forwards it to the workers and waits.
 */
import cluster from 'node:cluster';
import pino from 'pino';
import { GatewayEnv, readEnvOrExit, readGatewayEnv } from '../config/env';
import { buildGateway } from './app';

/** Internal: the worker index the primary hands to each worker it forks (not part of the env contract). */
const WORKER_INDEX_VARIABLE = 'GATEWAY_WORKER_INDEX';
const RESPAWN_DELAY_MS = 1000;
/** Past this, a stop that cannot finish gives up (requests in flight wait 5 s at most for their reports). */
const SHUTDOWN_DEADLINE_MS = 25_000;

const env = readEnvOrExit('gateway', readGatewayEnv);

async function runWorker(env: GatewayEnv, workerIndex: number): Promise<void> {
  const app = await buildGateway(env, { workerIndex });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'stopping: finishing the requests in flight');
    setTimeout(() => {
      app.log.error('shutdown deadline passed, exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    await app.close();
    app.log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ port: env.port, host: '0.0.0.0' });
}

function runPrimary(env: GatewayEnv): void {
  const logger = pino({ level: env.logLevel, base: { service: 'gateway', gatewayId: env.gatewayId, role: 'primary' } });
  let stopping = false;
  const fork = (index: number) => cluster.fork({ [WORKER_INDEX_VARIABLE]: String(index) }).on('exit', (code, signal) => {
    if (stopping) return;
    logger.error({ worker: index, code, signal }, 'worker exited, starting another');
    setTimeout(() => fork(index), RESPAWN_DELAY_MS);
  });
  for (let index = 0; index < env.workers; index++) fork(index);
  logger.info({ workers: env.workers, port: env.port }, 'gateway primary started');

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    let running = workers.length;
    if (running === 0) process.exit(0);
    for (const worker of workers) {
      worker.on('exit', () => {
        if (--running === 0) process.exit(0);
      });
      worker.process.kill('SIGTERM');
    }
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (env.workers > 1 && cluster.isPrimary) {
  runPrimary(env);
} else {
  runWorker(env, Number(process.env[WORKER_INDEX_VARIABLE] ?? 0)).catch((error: Error) => {
    process.stderr.write(`gateway: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
