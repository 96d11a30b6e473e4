/**
 * The environment contract of the services: the only way the deploy targets
 * (docker, kubernetes, the local runner) configure the gateway, the engine and
 * the migration. Readers validate and name the offending variable; builders
 * produce the variables from typed settings, so no target spells a name twice.
 */
import { parseSymbols, SymbolSpec, DEFAULT_SYMBOLS } from './symbols';

export const ENV = {
  port: 'PORT',
  redisUrl: 'REDIS_URL',
  databaseUrl: 'DATABASE_URL',
  engineShards: 'ENGINE_SHARDS',
  shard: 'SHARD',
  gatewayId: 'GATEWAY_ID',
  workers: 'WORKERS',
  symbols: 'SYMBOLS',
  metricsPort: 'METRICS_PORT',
  logLevel: 'LOG_LEVEL',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

export const DEFAULTS = {
  gatewayPort: 8000,
  metricsPort: 9001,
  workers: 1,
  engineShards: 1,
  logLevel: 'info',
  symbols: DEFAULT_SYMBOLS,
} as const;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class EnvError extends Error {}

type Env = Record<string, string | undefined>;

export interface DataTierEnv {
  redisUrl: string;
  databaseUrl: string;
  logLevel: LogLevel;
}

export interface GatewayEnv extends DataTierEnv {
  port: number;
  gatewayId: string;
  workers: number;
  engineShards: number;
  symbols: Map<string, SymbolSpec>;
}

export interface EngineEnv extends DataTierEnv {
  shard: number;
  engineShards: number;
  metricsPort: number;
  symbols: Map<string, SymbolSpec>;
}

function required(env: Env, name: EnvName, example: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new EnvError(`${name} is not set (for example ${name}=${example})`);
  }
  return value.trim();
}

function integer(env: Env, name: EnvName, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EnvError(`${name}="${raw}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

function url(env: Env, name: EnvName, protocols: string[], example: string): string {
  const value = required(env, name, example);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new EnvError(`${name} is not a URL (for example ${name}=${example})`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new EnvError(`${name} must use ${protocols.join(' or ')} (for example ${name}=${example})`);
  }
  return value;
}

function symbols(env: Env): Map<string, SymbolSpec> {
  try {
    return parseSymbols(env[ENV.symbols]);
  } catch (error) {
    throw new EnvError((error as Error).message);
  }
}

function logLevel(env: Env): LogLevel {
  const level = (env[ENV.logLevel]?.trim() || DEFAULTS.logLevel) as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new EnvError(`${ENV.logLevel}="${level}" must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return level;
}

function databaseUrl(env: Env): string {
  return url(env, ENV.databaseUrl, ['postgres:', 'postgresql:'], 'postgres://hft@127.0.0.1:5432/hft');
}

function dataTier(env: Env): DataTierEnv {
  return {
    redisUrl: url(env, ENV.redisUrl, ['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
    databaseUrl: databaseUrl(env),
    logLevel: logLevel(env),
  };
}

/** Reads the migration's environment: DATABASE_URL (and LOG_LEVEL). */
export function readMigrateEnv(env: Env = process.env): Pick<DataTierEnv, 'databaseUrl' | 'logLevel'> {
  return { databaseUrl: databaseUrl(env), logLevel: logLevel(env) };
}

export function readGatewayEnv(env: Env = process.env): GatewayEnv {
  const base = dataTier(env);
  const gatewayId = env[ENV.gatewayId]?.trim() || `gateway-${process.pid}`;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(gatewayId)) {
    throw new EnvError(`${ENV.gatewayId}="${gatewayId}" may hold only letters, digits, ".", "_" and "-" (at most 64)`);
  }
  return {
    ...base,
    port: integer(env, ENV.port, DEFAULTS.gatewayPort, 0, 65535),
    gatewayId,
    workers: integer(env, ENV.workers, DEFAULTS.workers, 1, 256),
    engineShards: integer(env, ENV.engineShards, DEFAULTS.engineShards, 1, 1024),
    symbols: symbols(env),
  };
}

export function readEngineEnv(env: Env = process.env): EngineEnv {
  const base = dataTier(env);
  const engineShards = integer(env, ENV.engineShards, DEFAULTS.engineShards, 1, 1024);
  const shard = integer(env, ENV.shard, 0, 0, 1023);
  if (shard >= engineShards) {
    throw new EnvError(`${ENV.shard}=${shard} must be below ${ENV.engineShards}=${engineShards}`);
  }
  return {
    ...base,
    shard,
    engineShards,
    metricsPort: integer(env, ENV.metricsPort, DEFAULTS.metricsPort, 0, 65535),
    symbols: symbols(env),
  };
}

/**
 * Settings a deploy target knows about a service. `V` is the type of values
 * that may be secret or late-bound (a plain string locally, a Pulumi Output
 * in the components), so the same builder serves every target.
 */
export interface CommonSettings<V> {
  redisUrl: V;
  databaseUrl: V;
  engineShards: number;
  symbols?: string;
  logLevel?: string;
}

export interface GatewaySettings<V> extends CommonSettings<V> {
  port: number;
  gatewayId: V | string;
  workers: number;
}

export interface EngineSettings<V> extends CommonSettings<V> {
  shard: number;
  metricsPort: number;
}

function common<V>(s: CommonSettings<V>): Record<string, V | string> {
  return {
    [ENV.redisUrl]: s.redisUrl,
    [ENV.databaseUrl]: s.databaseUrl,
    [ENV.engineShards]: String(s.engineShards),
    [ENV.symbols]: s.symbols ?? DEFAULTS.symbols,
    [ENV.logLevel]: s.logLevel ?? DEFAULTS.logLevel,
  };
}

export function gatewayEnvironment<V>(s: GatewaySettings<V>): Record<string, V | string> {
  return { ...common(s), [ENV.port]: String(s.port), [ENV.gatewayId]: s.gatewayId, [ENV.workers]: String(s.workers) };
}

export function engineEnvironment<V>(s: EngineSettings<V>): Record<string, V | string> {
  return { ...common(s), [ENV.shard]: String(s.shard), [ENV.metricsPort]: String(s.metricsPort) };
}

export function migrateEnvironment<V>(s: { databaseUrl: V; logLevel?: string }): Record<string, V | string> {
  return { [ENV.databaseUrl]: s.databaseUrl, [ENV.logLevel]: s.logLevel ?? DEFAULTS.logLevel };
}

/**
 * For entry points: reads the environment with `read`, or prints why it is
 * wrong (naming the variable) and exits with status 2.
 */
export function readEnvOrExit<T>(service: string, read: (env: Env) => T, env: Env = process.env): T {
  try {
    return read(env);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    process.stderr.write(`${service}: ${error.message}\n`);
    process.exit(2);
  }
}
