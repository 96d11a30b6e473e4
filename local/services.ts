/**
 * How the local stack launches each of its processes: the compiled service
 * entry points configured only through the shared environment builders (as
 * the Pulumi targets do), and nginx with the shared renderer's config.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SERVICE_ENTRY_POINTS } from '../backend/config/entryPoints';
import { engineEnvironment, gatewayEnvironment, migrateEnvironment } from '../backend/config/env';
import { renderNginxConfig } from '../nginx';
import { PROJECT_ROOT, StackPaths } from './paths';
import { LaunchSpec } from './processes';

/** The compiled entry points (`npm run build`), as absolute paths. */
export const ENTRY_POINTS = {
  migrate: path.join(PROJECT_ROOT, SERVICE_ENTRY_POINTS.migrate),
  gateway: path.join(PROJECT_ROOT, SERVICE_ENTRY_POINTS.gateway),
  engine: path.join(PROJECT_ROOT, SERVICE_ENTRY_POINTS.engine),
} as const;

export interface DataTierUrls {
  databaseUrl: string;
  redisUrl: string;
}

/** Only the service variables (and PATH): a developer's own REDIS_URL or NODE_OPTIONS must not leak in. */
function nodeService(entryPoint: string, env: Record<string, string>): LaunchSpec {
  return { file: process.execPath, args: [entryPoint], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } };
}

export function migrateLaunch(urls: DataTierUrls): LaunchSpec {
  return nodeService(ENTRY_POINTS.migrate, migrateEnvironment({ databaseUrl: urls.databaseUrl }));
}

/** What every engine shard and gateway of one stack shares. */
export interface SharedServiceSettings extends DataTierUrls {
  engineShards: number;
  /** `SYMBOLS`: the tradable symbols and their ticks. */
  symbols: string;
}

export function engineLaunch(shared: SharedServiceSettings, shard: number, metricsPort: number): LaunchSpec {
  return nodeService(ENTRY_POINTS.engine, engineEnvironment({ ...shared, shard, metricsPort }));
}

export function gatewayLaunch(shared: SharedServiceSettings, gatewayId: string, port: number, workers: number): LaunchSpec {
  return nodeService(ENTRY_POINTS.gateway, gatewayEnvironment({ ...shared, gatewayId, port, workers }));
}

const LOCAL_NGINX_WORKERS = 1;

/** Writes nginx.conf for these gateways into the stack's nginx prefix and returns how to run nginx on it. */
export function nginxLaunch(nginxBinary: string, paths: StackPaths, listenPort: number, gatewayPorts: number[]): LaunchSpec {
  fs.mkdirSync(paths.nginxPrefix, { recursive: true });
  const config = renderNginxConfig({
    upstreams: gatewayPorts.map((port) => ({ host: '127.0.0.1', port })),
    listenPort,
    listenAddress: '127.0.0.1',
    // The error log goes to stderr, which is the stack's logs/nginx.log; the pid file stays in the prefix.
    foreground: true,
    // One worker: here nginx shares the machine's cores with every other process of the stack, and on
    // 2 cores one worker carried 11–14% more orders through 4 gateways than one per core (bench:stack).
    tuning: { workerProcesses: LOCAL_NGINX_WORKERS },
  });
  fs.writeFileSync(paths.nginxConfig, config);
  // -e: the log nginx uses before it has read the config (its compiled-in /var/log path may not be writable).
  return { file: nginxBinary, args: ['-p', `${paths.nginxPrefix}/`, '-c', paths.nginxConfig, '-e', 'stderr'], env: {} };
}
