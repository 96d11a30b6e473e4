/**
 * The stack's configuration: every key Pulumi.yaml declares, its default (the
 * same as Pulumi.yaml's, so the program runs with only `target` and
 * `backendCount` set) and its validation. Read before any resource exists;
 * every problem is reported at once, each naming its key and what it accepts.
 */
import { LOG_LEVELS, LogLevel } from '../backend/config/env';
import { DEFAULT_SYMBOLS, parseSymbols } from '../backend/config/symbols';
import { DEFAULT_NGINX_TUNING, NginxConfigError, NginxTuning, resolveNginxTuning } from '../nginx';

export const TARGETS = ['docker', 'kubernetes'] as const;
export type Target = (typeof TARGETS)[number];

export const SERVICE_TYPES = ['LoadBalancer', 'NodePort', 'ClusterIP'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const MAX_BACKENDS = 64;

/** Kubernetes-style requests: cpu `500m` or `1`, memory `256Mi`. Docker ignores them. */
export interface ResourceRequest {
  cpu: string;
  memory: string;
}

export interface StackConfig {
  target: Target;
  backendCount: number;
  workersPerBackend: number;
  engineShards: number;
  loadBalancerPort: number;
  logLevel: LogLevel;
  symbols: string;
  nginx: NginxTuning;
  images: {
    /** The backend image: built locally under this name (docker), pulled by the cluster (kubernetes). */
    backend: string;
    /** NODE_IMAGE build argument of backend/Dockerfile. */
    node: string;
    postgres: string;
    redis: string;
    /** Official nginx ≥ 1.27.3 (kubernetes re-resolves the gateways with `server … resolve`). */
    nginx: string;
  };
  docker: {
    /** Prefix of container and volume names, so two stacks can share a Docker engine. */
    namePrefix: string;
  };
  kubernetes: {
    namespace: string;
    nginxServiceType: ServiceType;
    /** The cluster DNS nginx asks for the gateways' addresses. */
    dnsResolver: string;
    /** The cluster's DNS domain: Services are `NAME.NAMESPACE.svc.DOMAIN`. */
    clusterDomain: string;
    /** StorageClass of the PostgreSQL and Redis volumes; empty means the cluster's default. */
    storageClass: string;
  };
  storage: {
    postgresSize: string;
    redisSize: string;
  };
  resources: {
    gateway: ResourceRequest;
    engine: ResourceRequest;
    postgres: ResourceRequest;
    redis: ResourceRequest;
    nginx: ResourceRequest;
  };
}

export class StackConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid stack config:\n  - ${problems.join('\n  - ')}`);
  }
}

/** What a key holds, for Pulumi.yaml's `type`. */
export type ConfigType = 'string' | 'integer' | 'boolean';

export interface ConfigKey {
  type: ConfigType;
  /** Absent: the key must be set in every stack. */
  default?: string | number | boolean;
  description: string;
}

const NGINX_DESCRIPTIONS: Record<keyof NginxTuning, string> = {
  algorithm: 'Balancing: least_conn, round_robin or random_two_least_conn',
  keepalive: 'Idle keep-alive connections each nginx worker keeps to the gateways (above the requests in flight)',
  keepaliveTimeout: 'How long an idle upstream connection is kept (below the gateways\' 72s)',
  bufferSize: 'Size of each proxy buffer',
  timeout: 'Read and send timeout towards a gateway',
  connectTimeout: 'Connect timeout towards a gateway before trying another',
  maxFails: 'Failures within failTimeout that take a gateway out of rotation',
  failTimeout: 'Window for maxFails, and how long a failed gateway stays out',
  failoverTries: 'Gateways one request may try on connect failures (a sent POST is never retried)',
  workerProcesses: 'nginx worker processes: a count or auto',
  workerConnections: 'Connections per nginx worker',
  clientMaxBodySize: 'Largest request body accepted',
  clientKeepaliveRequests: 'Requests per client keep-alive connection',
  zoneSize: 'Shared memory for the upstream group',
  accessLog: 'Log every request (costly under load)',
  errorLogLevel: 'nginx error_log level',
};

function nginxKeys(): Record<string, ConfigKey> {
  return Object.fromEntries(
    (Object.keys(DEFAULT_NGINX_TUNING) as (keyof NginxTuning)[]).map((key) => {
      const value = DEFAULT_NGINX_TUNING[key];
      const type: ConfigType = typeof value === 'number' ? 'integer' : typeof value === 'boolean' ? 'boolean' : 'string';
      return [`nginx.${key}`, { type, default: value, description: NGINX_DESCRIPTIONS[key] }];
    }),
  );
}

/** Every key of the stack config, as Pulumi.yaml must declare it. */
export const CONFIG_KEYS: Readonly<Record<string, ConfigKey>> = Object.freeze({
  target: { type: 'string', description: 'Where the stack runs: docker or kubernetes' },
  backendCount: { type: 'integer', default: 4, description: 'Order gateways behind nginx (1-64)' },
  workersPerBackend: { type: 'integer', default: 2, description: 'Worker processes per gateway (WORKERS)' },
  engineShards: { type: 'integer', default: 1, description: 'Matching engine shards, one writer each (ENGINE_SHARDS)' },
  loadBalancerPort: { type: 'integer', default: 8080, description: 'Port the load balancer is published on' },
  logLevel: { type: 'string', default: 'info', description: `LOG_LEVEL of the services: ${LOG_LEVELS.join(', ')}` },
  symbols: { type: 'string', default: DEFAULT_SYMBOLS, description: 'SYMBOLS: comma list of SYMBOL or SYMBOL:TICK' },
  ...nginxKeys(),
  'images.backend': { type: 'string', default: 'hft-stack/backend:dev', description: 'Backend image: built from backend/Dockerfile (docker), pulled by the cluster (kubernetes)' },
  'images.node': { type: 'string', default: 'node:20-bookworm-slim', description: 'NODE_IMAGE build argument of backend/Dockerfile' },
  'images.postgres': { type: 'string', default: 'postgres:15', description: 'PostgreSQL image' },
  'images.redis': { type: 'string', default: 'redis:7', description: 'Redis image' },
  'images.nginx': { type: 'string', default: 'nginx:1.28', description: 'nginx image, 1.27.3 or later' },
  'docker.namePrefix': { type: 'string', default: 'hft-', description: 'Prefix of Docker container and volume names' },
  'kubernetes.namespace': { type: 'string', default: 'hft', description: 'Namespace of every Kubernetes object' },
  'kubernetes.nginxServiceType': { type: 'string', default: 'LoadBalancer', description: 'Service type of the load balancer: LoadBalancer, NodePort or ClusterIP' },
  'kubernetes.dnsResolver': { type: 'string', default: 'kube-dns.kube-system.svc.cluster.local', description: 'Cluster DNS that nginx re-resolves the gateways with' },
  'kubernetes.clusterDomain': { type: 'string', default: 'cluster.local', description: 'DNS domain of the cluster (Services are NAME.NAMESPACE.svc.DOMAIN)' },
  'kubernetes.storageClass': { type: 'string', default: '', description: 'StorageClass of the data volumes; empty for the cluster default' },
  'storage.postgresSize': { type: 'string', default: '10Gi', description: 'PostgreSQL volume size' },
  'storage.redisSize': { type: 'string', default: '2Gi', description: 'Redis volume size' },
  'resources.gatewayCpu': { type: 'string', default: '1', description: 'CPU request of each gateway' },
  'resources.gatewayMemory': { type: 'string', default: '512Mi', description: 'Memory request (and limit) of each gateway' },
  'resources.engineCpu': { type: 'string', default: '1', description: 'CPU request of each engine shard' },
  'resources.engineMemory': { type: 'string', default: '512Mi', description: 'Memory request (and limit) of each engine shard' },
  'resources.postgresCpu': { type: 'string', default: '1', description: 'CPU request of PostgreSQL' },
  'resources.postgresMemory': { type: 'string', default: '1Gi', description: 'Memory request (and limit) of PostgreSQL' },
  'resources.redisCpu': { type: 'string', default: '500m', description: 'CPU request of Redis' },
  'resources.redisMemory': { type: 'string', default: '512Mi', description: 'Memory request (and limit) of Redis' },
  'resources.nginxCpu': { type: 'string', default: '500m', description: 'CPU request of nginx' },
  'resources.nginxMemory': { type: 'string', default: '128Mi', description: 'Memory request (and limit) of nginx' },
});

/** Where config values come from: `new pulumi.Config()` or any `get(key)`, values as the text Pulumi stores. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** A Kubernetes quantity: a number, then its suffix (binary Ki…Ei or decimal k…E), if any. */
const QUANTITY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const QUANTITY_FACTORS: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const CPU = /^(\d+m|\d+(\.\d+)?)$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const NAME_PREFIX = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,31}$|^$/;

/** The bytes of a Kubernetes memory quantity such as `512Mi`, `1Gi` or `500M` (validated by the config). */
export function quantityBytes(quantity: string): number {
  const match = QUANTITY.exec(quantity);
  if (match === null) throw new Error(`not a quantity: ${JSON.stringify(quantity)}`);
  return Math.floor(Number(match[1]) * QUANTITY_FACTORS[match[2] ?? '']);
}

class Reader {
  readonly problems: string[] = [];

  constructor(private readonly source: ConfigSource) {}

  private raw(key: string): string | undefined {
    const value = this.source.get(key);
    if (value !== undefined) return value.trim();
    const fallback = CONFIG_KEYS[key].default;
    return fallback === undefined ? undefined : String(fallback);
  }

  string(key: string, check?: (value: string) => string | undefined): string {
    const value = this.raw(key) ?? '';
    const problem = check?.(value);
    if (problem) this.problems.push(`${key} ${problem} (got "${value}")`);
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.raw(key);
    if (value === undefined) {
      this.problems.push(`${key} is not set: pulumi config set ${key} ${allowed.join('|')}`);
    } else if (!allowed.includes(value as T)) {
      this.problems.push(`${key} must be ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]} (got "${value}")`);
    }
    return value as T;
  }

  integer(key: string, min: number, max: number): number {
    const text = this.raw(key) ?? '';
    const value = Number(text);
    if (text === '' || !Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${key} must be an integer from ${min} to ${max} (got "${text}")`);
    }
    return value;
  }

  boolean(key: string): boolean {
    const text = this.raw(key);
    if (text !== 'true' && text !== 'false') this.problems.push(`${key} must be true or false (got "${text}")`);
    return text === 'true';
  }

  resources(role: string): ResourceRequest {
    return {
      cpu: this.string(`resources.${role}Cpu`, (v) => (CPU.test(v) ? undefined : 'must be a CPU quantity such as 500m or 1')),
      memory: this.string(`resources.${role}Memory`, (v) => (QUANTITY.test(v) ? undefined : 'must be a quantity such as 256Mi or 1Gi')),
    };
  }

  nginx(): NginxTuning {
    // Types first (so a bad integer names its key), then the renderer's own rules.
    const tuning: Record<string, unknown> = {};
    for (const [name, key] of Object.entries(CONFIG_KEYS).filter(([name]) => name.startsWith('nginx.'))) {
      const field = name.slice('nginx.'.length);
      if (key.type === 'integer') tuning[field] = this.integer(name, 0, 1 << 30);
      else if (key.type === 'boolean') tuning[field] = this.boolean(name);
      else tuning[field] = this.raw(name);
    }
    const workers = tuning.workerProcesses as string;
    if (/^\d+$/.test(workers)) tuning.workerProcesses = Number(workers);
    try {
      return resolveNginxTuning(tuning as Partial<NginxTuning>);
    } catch (error) {
      if (!(error instanceof NginxConfigError)) throw error;
      this.problems.push(error.message.replace(/^tuning\./, 'nginx.'));
      return { ...DEFAULT_NGINX_TUNING };
    }
  }
}

function nonEmpty(value: string): string | undefined {
  return value === '' ? 'must not be empty' : undefined;
}

/** Reads and validates the whole stack config; throws StackConfigError listing every problem. */
export function readStackConfig(source: ConfigSource): StackConfig {
  const r = new Reader(source);
  const config: StackConfig = {
    target: r.oneOf('target', TARGETS),
    backendCount: r.integer('backendCount', 1, MAX_BACKENDS),
    workersPerBackend: r.integer('workersPerBackend', 1, 256),
    engineShards: r.integer('engineShards', 1, 1024),
    loadBalancerPort: r.integer('loadBalancerPort', 1, 65535),
    logLevel: r.oneOf('logLevel', LOG_LEVELS),
    symbols: r.string('symbols', (value) => {
      try {
        parseSymbols(value);
        return undefined;
      } catch (error) {
        return `is not a SYMBOLS list: ${(error as Error).message}`;
      }
    }),
    nginx: r.nginx(),
    images: {
      backend: r.string('images.backend', nonEmpty),
      node: r.string('images.node', nonEmpty),
      postgres: r.string('images.postgres', nonEmpty),
      redis: r.string('images.redis', nonEmpty),
      nginx: r.string('images.nginx', nonEmpty),
    },
    docker: {
      namePrefix: r.string('docker.namePrefix', (v) => (NAME_PREFIX.test(v) ? undefined : 'may hold letters, digits, "_", "." and "-"')),
    },
    kubernetes: {
      namespace: r.string('kubernetes.namespace', (v) => (DNS_LABEL.test(v) ? undefined : 'must be a DNS label (a-z, 0-9, "-")')),
      nginxServiceType: r.oneOf('kubernetes.nginxServiceType', SERVICE_TYPES),
      dnsResolver: r.string('kubernetes.dnsResolver', nonEmpty),
      clusterDomain: r.string('kubernetes.clusterDomain', nonEmpty),
      storageClass: r.string('kubernetes.storageClass'),
    },
    storage: {
      postgresSize: r.string('storage.postgresSize', (v) => (QUANTITY.test(v) ? undefined : 'must be a quantity such as 10Gi')),
      redisSize: r.string('storage.redisSize', (v) => (QUANTITY.test(v) ? undefined : 'must be a quantity such as 2Gi')),
    },
    resources: {
      gateway: r.resources('gateway'),
      engine: r.resources('engine'),
      postgres: r.resources('postgres'),
      redis: r.resources('redis'),
      nginx: r.resources('nginx'),
    },
  };
  const nginxVersion = /:(\d+)\.(\d+)(?:\.(\d+))?(?:-|$)/.exec(config.images.nginx);
  if (config.target === 'kubernetes' && nginxVersion) {
    const [major, minor, patch] = nginxVersion.slice(1).map((part) => Number(part ?? 0));
    if (major * 1e6 + minor * 1e3 + patch < 1027003) {
      r.problems.push(`images.nginx "${config.images.nginx}" is older than nginx 1.27.3, which target kubernetes needs to re-resolve the gateways (server … resolve)`);
    }
  }
  if (r.problems.length > 0) throw new StackConfigError(r.problems);
  return config;
}
