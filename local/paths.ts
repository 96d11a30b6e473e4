/**
 * Where a local stack keeps its files. One folder holds everything (data,
 * logs, the rendered nginx config, the state and outputs files), so tests can
 * run a stack of their own next to a developer's `.local/`.
 */
import * as path from 'node:path';

/** Overrides the default stack folder (`--dir` overrides this). */
export const STACK_DIR_ENV = 'HFT_LOCAL_DIR';

/** The repository root: this file compiles to dist/local/paths.js. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface StackPaths {
  dir: string;
  logs: string;
  /** Processes of the running stack: what `local:status`, `local:down` and restarts read. */
  stateFile: string;
  /** The same keys as the Pulumi stack outputs, plus the data tier's URLs. */
  outputsFile: string;
  postgresData: string;
  redisData: string;
  /** nginx's prefix (`nginx -p`); its temp folders live here. */
  nginxPrefix: string;
  nginxConfig: string;
}

/** The stack folder: `--dir`, else $HFT_LOCAL_DIR, else `.local/` in the repository. */
export function resolveStackDir(explicit?: string): string {
  const chosen = explicit ?? process.env[STACK_DIR_ENV];
  return chosen ? path.resolve(chosen) : path.join(PROJECT_ROOT, '.local');
}

export function stackPaths(dir: string): StackPaths {
  const nginxPrefix = path.join(dir, 'nginx');
  return {
    dir,
    logs: path.join(dir, 'logs'),
    stateFile: path.join(dir, 'state.json'),
    outputsFile: path.join(dir, 'outputs.json'),
    postgresData: path.join(dir, 'postgres'),
    redisData: path.join(dir, 'redis'),
    nginxPrefix,
    nginxConfig: path.join(nginxPrefix, 'nginx.conf'),
  };
}
