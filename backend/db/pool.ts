import { Pool } from 'pg';
import type { Logger } from 'pino';

export interface PoolSettings {
  /** Connections at most. */
  max: number;
  applicationName: string;
  /** Server settings for every connection of the pool, as `-c name=value …` (libpq's `options`). */
  serverSettings?: string;
}

/**
 * A pg Pool that survives PostgreSQL outages: idle clients that die are
 * logged and replaced, and a failed connect only fails the query that needed it.
 */
export function createPool(databaseUrl: string, settings: PoolSettings, logger: Logger): Pool {
  const pool = new Pool({
    connectionString: databaseUrl,
    max: settings.max,
    application_name: settings.applicationName,
    options: settings.serverSettings,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (error) => logger.warn({ err: error.message }, 'PostgreSQL connection lost'));
  return pool;
}

/** Errors that mean "PostgreSQL is unreachable or restarting", as opposed to a bad statement. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === undefined) return true;
  return code.startsWith('08') || code.startsWith('57P') || code.startsWith('53') || /^E[A-Z]+$/.test(code);
}
