/** `npm run migrate`: applies the SQL migrations to DATABASE_URL. */
import pino from 'pino';
import { readEnvOrExit, readMigrateEnv } from '../config/env';
import { runMigrations } from './migrate';

const env = readEnvOrExit('migrate', readMigrateEnv);
const logger = pino({ level: env.logLevel, base: { service: 'migrate' } });

runMigrations(env.databaseUrl, logger).then(
  (applied) => logger.info({ applied }, applied.length > 0 ? 'schema migrated' : 'schema up to date'),
  (error: Error) => {
    logger.fatal({ err: error.message }, 'migration failed');
    process.exitCode = 1;
  },
);
