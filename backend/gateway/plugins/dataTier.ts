/**
 * The gateway's connections to Redis (commands; orders go as one script call
 * per event-loop turn, see CommandBatcher, so no auto-pipelining) and
 * PostgreSQL, and a probe of both that decides whether orders are taken
 * (a gateway that cannot reach them answers 503 rather than letting orders
 * time out). `app.close()` closes both.
 */
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { createPool, isConnectionError } from '../../db/pool';
import { connectRedis } from '../../streams';

const PROBE_INTERVAL_MS = 1000;
const PROBE_TIMEOUT_MS = 1000;
const POOL_SIZE = 8;

export interface DataTierStatus {
  redis: boolean;
  postgres: boolean;
}

export interface DataTier {
  redis: Redis;
  pool: Pool;
  /** Both reachable at the last probe, and no connection failure seen since. */
  available(): boolean;
  /** Checks both now (for /ready). */
  probe(): Promise<DataTierStatus>;
  /** Records a failed query, so orders are refused until the next successful probe. */
  noteFailure(error: unknown): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    dataTier: DataTier;
  }
}

export interface DataTierOptions {
  redisUrl: string;
  databaseUrl: string;
  /** Names the connections (Redis CLIENT LIST, pg_stat_activity). */
  clientName: string;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function createDataTier(options: DataTierOptions, logger: Logger): DataTier & { close(): Promise<void> } {
  const redis = connectRedis(options.redisUrl, options.clientName, logger, {
    // Fail fast while disconnected instead of queueing orders behind an outage,
    // and never send a command twice: an enqueue whose answer was lost must not enqueue again.
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
  });
  const pool = createPool(options.databaseUrl, { max: POOL_SIZE, applicationName: options.clientName }, logger);
  const status: DataTierStatus = { redis: false, postgres: false };

  async function probe(): Promise<DataTierStatus> {
    const [redisUp, postgresUp] = await Promise.all([
      withTimeout(redis.ping(), PROBE_TIMEOUT_MS).then(() => true, () => false),
      withTimeout(pool.query('SELECT 1'), PROBE_TIMEOUT_MS).then(() => true, () => false),
    ]);
    if (redisUp !== status.redis || postgresUp !== status.postgres) {
      logger[redisUp && postgresUp ? 'info' : 'warn']({ redis: redisUp, postgres: postgresUp }, 'data tier status changed');
    }
    status.redis = redisUp;
    status.postgres = postgresUp;
    return { ...status };
  }

  const timer = setInterval(() => void probe(), PROBE_INTERVAL_MS);
  timer.unref();

  return {
    redis,
    pool,
    available: () => status.redis && status.postgres && redis.status === 'ready',
    probe,
    noteFailure(error) {
      if (isConnectionError(error)) status.postgres = false;
    },
    async close() {
      clearInterval(timer);
      await redis.quit().catch(() => redis.disconnect());
      await pool.end();
    },
  };
}

export const dataTierPlugin = fp<DataTierOptions>(
  async (app, options) => {
    const dataTier = createDataTier(options, app.log as unknown as Logger);
    // Wait (briefly) for the first connections, so a fresh gateway is ready as soon as it listens.
    await withTimeout(new Promise((resolve) => dataTier.redis.once('ready', resolve)), 2000).catch(() => undefined);
    await dataTier.probe();
    app.decorate('dataTier', dataTier);
    app.addHook('onClose', () => dataTier.close());
  },
  { name: 'data-tier', fastify: '5.x' },
);
