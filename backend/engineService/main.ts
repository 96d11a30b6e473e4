/**
 * `npm run start:engine`: the engine service of shard SHARD of ENGINE_SHARDS,
 * with /health, /ready and /metrics on METRICS_PORT. SIGTERM (or SIGINT)
 * finishes the batch in progress, closes the connections and exits 0.
 */
import * as http from 'node:http';
import pino from 'pino';
import { readEngineEnv, readEnvOrExit } from '../config/env';
import { COMMIT_CONNECTION_SETTINGS } from '../db/journal';
import { createPool } from '../db/pool';
import { connectRedis } from '../streams';
import { EngineMetrics } from './metrics';
import { EngineService } from './service';

/** Past this, a stop that cannot finish (a dependency stays down) gives up. */
const SHUTDOWN_DEADLINE_MS = 25_000;

const env = readEnvOrExit('engine', readEngineEnv);
const logger = pino({ level: env.logLevel, base: { service: 'engine', shard: env.shard } });

const metrics = new EngineMetrics(env.shard);
// Commands wait out a Redis outage (the loop retries) rather than failing after a few reconnects.
const reader = connectRedis(env.redisUrl, `engine-${env.shard}-reader`, logger, { maxRetriesPerRequest: null });
const writer = connectRedis(env.redisUrl, `engine-${env.shard}-writer`, logger, { maxRetriesPerRequest: null });
const pool = createPool(env.databaseUrl, { max: 2, applicationName: `engine-${env.shard}`, serverSettings: COMMIT_CONNECTION_SETTINGS }, logger);
const service = new EngineService(env, { logger, reader, writer, pool, metrics });

const server = http.createServer((request, response) => {
  const health = service.health();
  const send = (status: number, contentType: string, body: string) => response.writeHead(status, { 'content-type': contentType }).end(body);
  if (request.url === '/health') send(health.live ? 200 : 503, 'application/json', JSON.stringify(health));
  else if (request.url === '/ready') send(health.ready ? 200 : 503, 'application/json', JSON.stringify(health));
  else if (request.url === '/metrics') {
    metrics.registry.metrics().then(
      (text) => send(200, metrics.registry.contentType, text),
      (error: Error) => send(500, 'text/plain', error.message),
    );
  } else send(404, 'application/json', JSON.stringify({ error: 'not_found', message: `no route ${request.url}` }));
});

let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info({ signal }, 'stopping');
  setTimeout(() => {
    logger.error('shutdown deadline passed, exiting');
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS).unref();
  await service.stop();
  await new Promise((resolve) => server.close(resolve));
  reader.disconnect();
  await writer.quit().catch(() => undefined);
  await pool.end();
  logger.info('stopped');
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

server.on('error', (error) => {
  logger.fatal({ err: error.message, metricsPort: env.metricsPort }, 'cannot serve metrics');
  process.exit(1);
});
server.listen(env.metricsPort, () => {
  logger.info({ metricsPort: (server.address() as { port: number }).port, symbols: env.symbols.size }, 'engine started');
});
service.start().then(
  () => undefined,
  (error: Error) => {
    logger.fatal({ err: error.message }, 'engine failed');
    process.exit(1);
  },
);
