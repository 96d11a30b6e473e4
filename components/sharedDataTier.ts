import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { serviceCommand } from '../backend/config/entryPoints';
import { migrateEnvironment } from '../backend/config/env';
import { REDIS_EVICTION_POLICY, REDIS_MAXMEMORY_SHARE } from '../backend/streams/names';
import { quantityBytes, ResourceRequest } from './config';
import { Platform } from './platform';
import { EnvValue, JobSpec, SecretKeyRef, StoreSpec } from './spec';

export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
const DATABASE = 'hft';
/** The postgres and redis users of the official Debian-based images. */
const STORE_USER = { uid: 999, gid: 999 };
/** The `node` user of node:*-bookworm-slim, which backend/Dockerfile runs as. */
export const BACKEND_USER = { uid: 1000, gid: 1000 };

/** DATABASE_URL and REDIS_URL as references other components put in their environments. */
export interface DataTierConnection {
  databaseUrl: SecretKeyRef;
  redisUrl: SecretKeyRef;
}

export interface SharedDataTierArgs {
  /** Where the data tier runs (docker or kubernetes). */
  platform: Platform;
  /** PostgreSQL image, e.g. `postgres:15`. */
  postgresImage: string;
  /** Redis image, e.g. `redis:7`. */
  redisImage: string;
  /** Image whose `node dist/backend/db/main.js` migrates the schema: the backend image. */
  migrationImage: pulumi.Input<string>;
  /** Size of PostgreSQL's volume (kubernetes), e.g. `10Gi`. */
  postgresStorageSize: string;
  /** Size of Redis's volume (kubernetes), e.g. `2Gi`. */
  redisStorageSize: string;
  /** PostgreSQL's requests (kubernetes). */
  postgresResources: ResourceRequest;
  /** Redis's requests (kubernetes). */
  redisResources: ResourceRequest;
  /** Requests of the migration job (kubernetes). */
  migrationResources: ResourceRequest;
  /** PostgreSQL max_connections; must cover every gateway worker's and engine's pool. Default 100. */
  maxConnections?: number;
  /** LOG_LEVEL of the migration. Default `info`. */
  logLevel?: string;
}

/** PostgreSQL: one database `hft`, data on a volume, ready when it accepts TCP connections. */
export function postgresSpec(args: SharedDataTierArgs, password: EnvValue): StoreSpec {
  const dataPath = '/var/lib/postgresql/data';
  return {
    name: 'postgres',
    role: 'postgres',
    image: args.postgresImage,
    command: ['postgres', '-c', `max_connections=${args.maxConnections ?? 100}`],
    env: {
      POSTGRES_USER: DATABASE,
      POSTGRES_DB: DATABASE,
      POSTGRES_PASSWORD: password,
      // A folder below the mount point, so a fresh volume's root (lost+found, root-owned) does not stop initdb.
      PGDATA: `${dataPath}/pgdata`,
    },
    user: STORE_USER,
    resources: args.postgresResources,
    ports: [{ name: 'postgres', port: POSTGRES_PORT }],
    // Over TCP: during initdb the image's temporary server listens on the socket only.
    liveness: { command: ['pg_isready', '-h', '127.0.0.1', '-U', DATABASE, '-d', DATABASE], periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6, startSeconds: 60 },
    dataPath,
    storageSize: args.postgresStorageSize,
    reachableFrom: ['gateway', 'engine', 'migrate'],
  };
}

/**
 * Redis with an append-only file (streams survive a restart), a password, and
 * a data bound below its memory: past it, the oldest idempotency claims are
 * evicted (see REDIS_EVICTION_POLICY), not the streams.
 */
export function redisSpec(args: SharedDataTierArgs, password: EnvValue): StoreSpec {
  const maxmemory = Math.floor(quantityBytes(args.redisResources.memory) * REDIS_MAXMEMORY_SHARE);
  const server = `redis-server --appendonly yes --appendfsync everysec --maxmemory ${maxmemory} --maxmemory-policy ${REDIS_EVICTION_POLICY}`;
  return {
    name: 'redis',
    role: 'redis',
    image: args.redisImage,
    // Through a shell so the password comes from the environment, not from the command line.
    command: ['sh', '-c', `exec ${server} --requirepass "$REDIS_PASSWORD"`],
    env: { REDIS_PASSWORD: password },
    user: STORE_USER,
    resources: args.redisResources,
    ports: [{ name: 'redis', port: REDIS_PORT }],
    liveness: {
      command: ['sh', '-c', 'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG'],
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 6,
      startSeconds: 10,
    },
    dataPath: '/data',
    storageSize: args.redisStorageSize,
    reachableFrom: ['gateway', 'engine'],
  };
}

/** The schema migration: runs once per change, before any gateway or engine starts. */
export function migrationSpec(args: SharedDataTierArgs, databaseUrl: EnvValue): JobSpec {
  return {
    name: 'migrate',
    role: 'migrate',
    image: args.migrationImage,
    command: serviceCommand('migrate'),
    env: migrateEnvironment<EnvValue>({ databaseUrl, logLevel: args.logLevel }),
    user: BACKEND_USER,
    resources: args.migrationResources,
  };
}

export function databaseUrlFor(host: pulumi.Input<string>, password: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.secret(pulumi.interpolate`postgres://${DATABASE}:${password}@${host}:${POSTGRES_PORT}/${DATABASE}`);
}

export function redisUrlFor(host: pulumi.Input<string>, password: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.secret(pulumi.interpolate`redis://default:${password}@${host}:${REDIS_PORT}`);
}

/**
 * PostgreSQL and Redis with generated passwords, and the schema the services
 * expect. Passwords and the URLs built from them stay secrets end to end.
 */
export class SharedDataTier extends pulumi.ComponentResource {
  /** DATABASE_URL of the services (secret). */
  readonly databaseUrl: pulumi.Output<string>;
  /** REDIS_URL of the services (secret). */
  readonly redisUrl: pulumi.Output<string>;
  readonly postgresHost: pulumi.Output<string>;
  readonly redisHost: pulumi.Output<string>;
  /** Resolves once the schema is migrated, to the migration's name; services start after it. */
  readonly schemaReady: pulumi.Output<string>;
  /** DATABASE_URL and REDIS_URL as environment references for the other components. */
  readonly connection: DataTierConnection;

  constructor(name: string, args: SharedDataTierArgs, opts?: pulumi.ComponentResourceOptions) {
    super('hft:index:SharedDataTier', name, {}, opts);
    const scope = { name, parent: this };
    // Letters and digits only: they go into URLs unescaped.
    const password = (store: string) =>
      pulumi.secret(new random.RandomPassword(`${name}-${store}-password`, { length: 32, special: false }, { parent: this }).result);
    const postgresPassword = password('postgres');
    const redisPassword = password('redis');

    const passwords = args.platform.secret('passwords', { POSTGRES_PASSWORD: postgresPassword, REDIS_PASSWORD: redisPassword }, scope);
    const postgres = args.platform.deployStore(postgresSpec(args, passwords.POSTGRES_PASSWORD), scope);
    const redis = args.platform.deployStore(redisSpec(args, passwords.REDIS_PASSWORD), scope);

    this.postgresHost = postgres.host;
    this.redisHost = redis.host;
    this.databaseUrl = databaseUrlFor(postgres.host, postgresPassword);
    this.redisUrl = redisUrlFor(redis.host, redisPassword);
    const urls = args.platform.secret('connection', { DATABASE_URL: this.databaseUrl, REDIS_URL: this.redisUrl }, scope);
    this.connection = { databaseUrl: urls.DATABASE_URL, redisUrl: urls.REDIS_URL };
    this.schemaReady = args.platform.deployJob(migrationSpec(args, this.connection.databaseUrl), scope).succeeded;

    this.registerOutputs({
      databaseUrl: this.databaseUrl,
      redisUrl: this.redisUrl,
      postgresHost: this.postgresHost,
      redisHost: this.redisHost,
      schemaReady: this.schemaReady,
    });
  }
}
