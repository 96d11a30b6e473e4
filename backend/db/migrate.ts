/**
 * Applies the SQL files of backend/db/migrations in name order, each once,
 * each in its own transaction, recorded in schema_migrations. A session
 * advisory lock makes concurrent runs (several pods starting) wait for each
 * other instead of racing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';

/** Arbitrary constant shared by every migrator: the advisory lock's key. */
const MIGRATION_LOCK_KEY = 7_317_001;

/**
 * The migrations folder in the source tree. Compiled code runs from
 * dist/backend/db and the .sql files are not compiled, so look for the
 * project root (package.json) and take backend/db/migrations from there.
 */
export function migrationsDir(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'backend', 'db', 'migrations');
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(candidate)) return candidate;
    if (dir === path.dirname(dir)) throw new Error(`backend/db/migrations not found above ${from}`);
  }
}

export interface Migration {
  version: string;
  sql: string;
}

export function readMigrations(dir: string = migrationsDir()): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => ({ version: name.replace(/\.sql$/, ''), sql: fs.readFileSync(path.join(dir, name), 'utf8') }));
}

/** Applies what is missing; returns the versions applied by this call. */
export async function runMigrations(databaseUrl: string, logger: Logger, migrations: Migration[] = readMigrations()): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set((await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((row) => row.version));
    const applied: string[] = [];
    for (const migration of migrations.filter((m) => !done.has(m.version))) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.version} failed: ${(error as Error).message}`);
      }
      logger.info({ version: migration.version }, 'migration applied');
      applied.push(migration.version);
    }
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    return applied;
  } finally {
    await client.end();
  }
}
