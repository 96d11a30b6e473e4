import * as pulumi from '@pulumi/pulumi';
import { serviceCommand } from '../backend/config/entryPoints';
import { DEFAULTS, gatewayEnvironment } from '../backend/config/env';
import { NginxUpstreams } from '../nginx';
import { MAX_BACKENDS, ResourceRequest } from './config';
import { BackendEndpoint, Platform } from './platform';
import { BACKEND_USER, DataTierConnection } from './sharedDataTier';
import { EnvValue, INSTANCE_NAME, nodeHttpCheck, ServiceSpec } from './spec';

export interface OrderBackendPoolArgs {
  /** Where the gateways run (docker or kubernetes). */
  platform: Platform;
  /** The backend image. */
  image: pulumi.Input<string>;
  /** Gateways behind nginx, 1–64; a plain number because it decides how many resources exist. */
  backendCount: number;
  /** Worker processes per gateway (WORKERS). */
  workersPerBackend: number;
  /** Engine shards the gateways route orders to (ENGINE_SHARDS). */
  engineShards: number;
  /** DATABASE_URL and REDIS_URL from the data tier. */
  connection: DataTierConnection;
  /** Resolves once the schema is migrated; the gateways start after it. */
  schemaReady: pulumi.Output<string>;
  /** Requests of each gateway (kubernetes). */
  resources: ResourceRequest;
  /** Port each gateway listens on (PORT). Default 8000. */
  port?: number;
  /** LOG_LEVEL. Default `info`. */
  logLevel?: string;
  /** SYMBOLS. Default: the backend's default list. */
  symbols?: string;
}

function checkCount(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (got ${value})`);
  }
}

/** The gateways: `backend-1` … `backend-N`, each answering /health (live) and /ready (Redis and PostgreSQL reachable). */
export function gatewaySpec(args: OrderBackendPoolArgs): ServiceSpec {
  checkCount('backendCount', args.backendCount, 1, MAX_BACKENDS);
  checkCount('workersPerBackend', args.workersPerBackend, 1, 256);
  checkCount('engineShards', args.engineShards, 1, 1024);
  const port = args.port ?? DEFAULTS.gatewayPort;
  const check = { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3, startSeconds: 20 };
  return {
    name: 'backend',
    role: 'gateway',
    image: args.image,
    command: serviceCommand('gateway'),
    env: gatewayEnvironment<EnvValue>({
      port,
      // Every response's X-Backend-Id, and the name of the gateway's report stream.
      gatewayId: INSTANCE_NAME,
      workers: args.workersPerBackend,
      engineShards: args.engineShards,
      redisUrl: args.connection.redisUrl,
      databaseUrl: args.connection.databaseUrl,
      symbols: args.symbols,
      logLevel: args.logLevel,
    }),
    user: BACKEND_USER,
    resources: args.resources,
    ports: [{ name: 'http', port }],
    liveness: { ...check, http: { path: '/health', port }, command: nodeHttpCheck(port, '/health') },
    readiness: { ...check, http: { path: '/ready', port }, command: nodeHttpCheck(port, '/ready') },
    reachableFrom: ['nginx'],
    startAfter: [args.schemaReady],
    replicas: args.backendCount,
    numbered: true,
    singleWriter: false,
    maxUnavailable: 1,
    exposure: { kind: 'instances' },
  };
}

/** The order gateways behind nginx, started once the schema is migrated. */
export class OrderBackendPool extends pulumi.ComponentResource {
  /** The gateways as the `backends` stack output lists them. */
  readonly backends: pulumi.Output<BackendEndpoint[]>;
  /** How nginx reaches every gateway. */
  readonly upstreams: pulumi.Output<NginxUpstreams>;

  constructor(name: string, args: OrderBackendPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super('hft:index:OrderBackendPool', name, {}, opts);
    const deployed = args.platform.deployService(gatewaySpec(args), { name, parent: this });
    this.backends = deployed.endpoints;
    this.upstreams = deployed.upstreams;
    this.registerOutputs({ backends: this.backends, upstreams: this.upstreams });
  }
}
