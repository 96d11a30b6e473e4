import * as pulumi from '@pulumi/pulumi';
import { serviceCommand } from '../backend/config/entryPoints';
import { DEFAULTS, engineEnvironment } from '../backend/config/env';
import { ResourceRequest } from './config';
import { Platform } from './platform';
import { BACKEND_USER, DataTierConnection } from './sharedDataTier';
import { EnvValue, nodeHttpCheck, ServiceSpec } from './spec';

export interface MatchingEngineArgs {
  /** Where the engine runs (docker or kubernetes). */
  platform: Platform;
  /** The backend image. */
  image: pulumi.Input<string>;
  /** Shards, one writer each; a plain number because it decides how many resources exist. */
  engineShards: number;
  /** DATABASE_URL and REDIS_URL from the data tier. */
  connection: DataTierConnection;
  /** Resolves once the schema is migrated; the engine starts after it. */
  schemaReady: pulumi.Output<string>;
  /** Requests of each shard (kubernetes). */
  resources: ResourceRequest;
  /** Port of /health and /metrics (METRICS_PORT). Default 9001. */
  metricsPort?: number;
  /** LOG_LEVEL. Default `info`. */
  logLevel?: string;
  /** SYMBOLS. Default: the backend's default list. */
  symbols?: string;
}

/** Shard `shard` of the engine: exactly one instance, never two at once (they would both write its book). */
export function engineShardSpec(args: MatchingEngineArgs, shard: number): ServiceSpec {
  const metricsPort = args.metricsPort ?? DEFAULTS.metricsPort;
  return {
    name: `engine-${shard}`,
    role: 'engine',
    image: args.image,
    command: serviceCommand('engine'),
    env: engineEnvironment<EnvValue>({
      shard,
      metricsPort,
      engineShards: args.engineShards,
      redisUrl: args.connection.redisUrl,
      databaseUrl: args.connection.databaseUrl,
      symbols: args.symbols,
      logLevel: args.logLevel,
    }),
    user: BACKEND_USER,
    resources: args.resources,
    ports: [{ name: 'metrics', port: metricsPort }],
    // Rebuilding the books from PostgreSQL after a restart may take a while.
    liveness: { http: { path: '/health', port: metricsPort }, command: nodeHttpCheck(metricsPort, '/health'), periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, startSeconds: 60 },
    startAfter: [args.schemaReady],
    replicas: 1,
    numbered: false,
    singleWriter: true,
    exposure: { kind: 'none' },
  };
}

/** The matching engine: one single-writer service per shard, started once the schema is migrated. */
export class MatchingEngine extends pulumi.ComponentResource {
  /** The shards' names (`engine-0` …). */
  readonly shards: pulumi.Output<string[]>;

  constructor(name: string, args: MatchingEngineArgs, opts?: pulumi.ComponentResourceOptions) {
    super('hft:index:MatchingEngine', name, {}, opts);
    if (!Number.isInteger(args.engineShards) || args.engineShards < 1) {
      throw new Error(`engineShards must be an integer of at least 1 (got ${args.engineShards})`);
    }
    const deployed = Array.from({ length: args.engineShards }, (_, shard) =>
      args.platform.deployService(engineShardSpec(args, shard), { name, parent: this }),
    );
    this.shards = pulumi.all(deployed.map((d) => d.endpoints)).apply((groups) => groups.flat().map((endpoint) => endpoint.name));
    this.registerOutputs({ shards: this.shards });
  }
}
