/** `npm run migrate`: applies the schema once, is safe to run again and concurrently. */
import { strict as assert } from 'node:assert';
import pino from 'pino';
import { readMigrations, runMigrations } from '../../../backend/db/migrate';
import { useDataTier } from '../../harness/dataTier';
import { queryRows } from '../../harness/postgres';
import { runMigrateProcess } from '../../harness/services';

describe('migrations', function () {
  const tier = useDataTier();

  it('are applied (by the suite setup) and recorded once each; running `npm run migrate` again changes nothing', async function () {
    const versions = readMigrations().map((migration) => migration.version);
    const recorded = await queryRows<{ version: string }>(tier.databaseUrl, 'SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(recorded.map((row) => row.version), versions);

    const again = await runMigrateProcess(tier.databaseUrl);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /schema up to date/);
  });

  it('apply each migration once when several run at the same time (advisory lock)', async function () {
    const migrations = [
      { version: '900_concurrency_probe', sql: 'CREATE TABLE concurrency_probe (id int)' },
    ];
    const silent = pino({ level: 'silent' });
    const applied = await Promise.all(Array.from({ length: 4 }, () => runMigrations(tier.databaseUrl, silent, migrations)));
    assert.deepEqual(applied.map((versions) => versions.length).sort(), [0, 0, 0, 1]);
  });

  it('leave the schema as it was when a migration fails', async function () {
    const silent = pino({ level: 'silent' });
    const broken = [{ version: '901_broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function()' }];
    await assert.rejects(runMigrations(tier.databaseUrl, silent, broken), /migration 901_broken failed/);
    const tables = await queryRows(tier.databaseUrl, "SELECT 1 FROM pg_tables WHERE tablename = 'half_done'");
    assert.deepEqual(tables, []);
  });
});
