/**
 * Health of the local stack's processes: an HTTP health endpoint answering
 * 2xx, a Redis PING, or a PostgreSQL `SELECT 1`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { Client } from 'pg';
import { isRunning, logTail } from './processes';
import { ProcessRecord } from './state';

const CHECK_TIMEOUT_MS = 2000;
const STARTUP_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;

async function httpHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

async function redisHealthy(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: CHECK_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function postgresHealthy(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: CHECK_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** One health check of the URL, by its protocol. */
export function checkHealth(url: string): Promise<boolean> {
  const protocol = new URL(url).protocol;
  if (protocol === 'redis:') return redisHealthy(url);
  if (protocol === 'postgres:' || protocol === 'postgresql:') return postgresHealthy(url);
  return httpHealthy(url);
}

/** Waits until the process answers its health check; fails with its log's tail if it exits or stays unhealthy. */
export async function waitHealthy(record: ProcessRecord, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    signal?.throwIfAborted();
    if (!isRunning(record)) {
      throw new Error(`${record.name} exited during startup; ${record.logFile}:\n${logTail(record.logFile)}`);
    }
    if (await checkHealth(record.healthUrl)) return;
    if (Date.now() > deadline) {
      throw new Error(`${record.name} was not healthy at ${record.healthUrl} within ${STARTUP_TIMEOUT_MS / 1000} s; ${record.logFile}:\n${logTail(record.logFile)}`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}
