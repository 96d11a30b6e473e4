/**
 * The whole stack from a validated config: the platform, the backend image
 * and the four components. index.ts runs it with the stack's config; tests
 * and the offline preview run it under mocks with a config of their own.
 */
import * as pulumi from '@pulumi/pulumi';
import { StackConfig, Target } from './config';
import { MatchingEngine } from './matchingEngine';
import { NginxBalancer } from './nginxBalancer';
import { OrderBackendPool } from './orderBackendPool';
import { BackendEndpoint, createPlatform } from './platform';
import { SharedDataTier } from './sharedDataTier';

/** Connections each service process may open: at most 10 (the gateways' pools hold 8, an engine's 2). */
const POOL_PER_PROCESS = 10;

/** PostgreSQL's max_connections: every gateway worker's and engine shard's pool, the migration, and psql; never below PostgreSQL's 100. */
export function postgresMaxConnections(config: StackConfig): number {
  return Math.max(100, (config.backendCount * config.workersPerBackend + config.engineShards + 1) * POOL_PER_PROCESS + 10);
}

/** The stack outputs (DESIGN.md): what the load tester reads. */
export interface StackOutputs {
  loadBalancerUrl: pulumi.Output<string>;
  backendCount: number;
  backends: pulumi.Output<BackendEndpoint[]>;
  engineShards: number;
  /** The services' SYMBOLS: the load tester sends its orders on these. */
  symbols: string;
  target: Target;
}

/** Deploys the stack; `opts` apply to every top-level resource (components pass them on to their children). */
export function deployStack(config: StackConfig, opts?: pulumi.ResourceOptions): StackOutputs {
  const platform = createPlatform(config, opts);
  const image = platform.backendImage({ name: config.images.backend, nodeImage: config.images.node });
  const service = { logLevel: config.logLevel, symbols: config.symbols };

  const data = new SharedDataTier(
    'data',
    {
      platform,
      postgresImage: config.images.postgres,
      redisImage: config.images.redis,
      migrationImage: image,
      postgresStorageSize: config.storage.postgresSize,
      redisStorageSize: config.storage.redisSize,
      postgresResources: config.resources.postgres,
      redisResources: config.resources.redis,
      migrationResources: config.resources.gateway,
      maxConnections: postgresMaxConnections(config),
      logLevel: config.logLevel,
    },
    opts,
  );
  new MatchingEngine(
    'matching',
    {
      ...service,
      platform,
      image,
      engineShards: config.engineShards,
      connection: data.connection,
      schemaReady: data.schemaReady,
      resources: config.resources.engine,
    },
    opts,
  );
  const pool = new OrderBackendPool(
    'gateways',
    {
      ...service,
      platform,
      image,
      backendCount: config.backendCount,
      workersPerBackend: config.workersPerBackend,
      engineShards: config.engineShards,
      connection: data.connection,
      schemaReady: data.schemaReady,
      resources: config.resources.gateway,
    },
    opts,
  );
  const balancer = new NginxBalancer(
    'balancer',
    {
      platform,
      image: config.images.nginx,
      upstreams: pool.upstreams,
      port: config.loadBalancerPort,
      tuning: config.nginx,
      resources: config.resources.nginx,
    },
    opts,
  );

  return {
    loadBalancerUrl: balancer.url,
    backendCount: config.backendCount,
    backends: pool.backends,
    engineShards: config.engineShards,
    symbols: config.symbols,
    target: config.target,
  };
}
