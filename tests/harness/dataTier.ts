/**
 * Real Redis and PostgreSQL for the integration tests: started once per mocha
 * run on free ports with data in a temporary folder (PostgreSQL with
 * fsync=off: throwaway data), stopped by a root `after` hook, and killed by
 * PID with the folder removed if the run dies first. When REDIS_URL and
 * DATABASE_URL are set, those servers are used instead (the suites create
 * and drop their own `hft_test_*` databases there and flush the Redis db).
 *
 * `useDataTier()` gives a suite a fresh database (migrated) and an empty Redis.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import pino from 'pino';
import { runMigrations } from '../../backend/db/migrate';
import { startPostgres, startRedis } from '../../local/dataTier';

export interface DataTierServers {
  redisUrl: string;
  /** A database on the server to create and drop the suites' databases from. */
  adminDatabaseUrl: string;
  /** Stops what the harness started (nothing for external servers). */
  stop(): Promise<void>;
}

export interface SuiteDataTier {
  redisUrl: string;
  /** This suite's own database, migrated. */
  databaseUrl: string;
  /** The server's processes, when the harness started them (for outage tests). */
  servers: DataTierServers;
}

let shared: Promise<DataTierServers> | undefined;
let suiteCounter = 0;

async function startServers(): Promise<DataTierServers> {
  const external = { redis: process.env.REDIS_URL, database: process.env.DATABASE_URL };
  if (external.redis && external.database) {
    return { redisUrl: external.redis, adminDatabaseUrl: external.database, stop: async () => undefined };
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-test-'));
  // PostgreSQL runs as the postgres user, which must be able to enter the folder.
  fs.chmodSync(root, 0o755);
  const removeRoot = () => fs.rmSync(root, { recursive: true, force: true });
  process.once('exit', removeRoot);
  const [postgres, redis] = await Promise.all([
    startPostgres({ dataDir: path.join(root, 'postgres'), logFile: path.join(root, 'postgres.log'), settings: { fsync: 'off', full_page_writes: 'off' } }),
    startRedis({ dataDir: path.join(root, 'redis'), logFile: path.join(root, 'redis.log') }),
  ]);
  return {
    redisUrl: redis.url,
    adminDatabaseUrl: postgres.url,
    async stop() {
      await Promise.all([postgres.stop(), redis.stop()]);
      removeRoot();
    },
  };
}

/** The shared servers, started on first use. */
export function dataTierServers(): Promise<DataTierServers> {
  shared ??= startServers();
  return shared;
}

if (typeof after === 'function') {
  after(async function stopDataTier() {
    this.timeout(30_000);
    if (shared !== undefined) await (await shared).stop();
  });
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const silent = pino({ level: 'silent' });

/** A fresh migrated database and an empty Redis for the calling `describe`. */
export function useDataTier(): SuiteDataTier {
  const suite = {} as SuiteDataTier;
  let database: string | undefined;
  before(async function createSuiteDataTier() {
    this.timeout(60_000);
    const servers = await dataTierServers();
    database = `hft_test_${process.pid}_${++suiteCounter}`;
    await adminQuery(servers.adminDatabaseUrl, `CREATE DATABASE ${database}`);
    suite.databaseUrl = withDatabase(servers.adminDatabaseUrl, database);
    suite.redisUrl = servers.redisUrl;
    suite.servers = servers;
    await runMigrations(suite.databaseUrl, silent);
    const redis = new Redis(servers.redisUrl);
    await redis.flushdb();
    redis.disconnect();
  });
  after(async function dropSuiteDatabase() {
    if (database === undefined) return;
    const servers = await dataTierServers();
    await adminQuery(servers.adminDatabaseUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });
  return suite;
}
