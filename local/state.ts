/**
 * The state file of a local stack: every process it started, written after
 * each start so that `local:down` can stop a stack whose `local:up` failed or
 * was interrupted half-way.
 */
import * as fs from 'node:fs';
import { LaunchSpec, ProcessIdentity } from './processes';
import { StackPaths } from './paths';

export type ProcessRole = 'postgres' | 'redis' | 'engine' | 'gateway' | 'nginx';

export interface ProcessRecord extends ProcessIdentity {
  /** postgres, redis, engine-0…, backend-1…, nginx */
  name: string;
  role: ProcessRole;
  port: number;
  /** What `local:status` checks: an http(s) URL answering 2xx, or the redis:// or postgres:// URL itself. */
  healthUrl: string;
  logFile: string;
  /** The process's own clean shutdown signal (PostgreSQL: SIGINT, "fast" shutdown). */
  stopSignal: NodeJS.Signals;
  /** How to start it again; the data tier has none (dataTier.ts starts it). */
  launch?: LaunchSpec;
}

export interface StackState {
  startedAt: string;
  /** In start order; stopping goes the other way. */
  processes: ProcessRecord[];
}

export function readState(paths: StackPaths): StackState | undefined {
  try {
    return JSON.parse(fs.readFileSync(paths.stateFile, 'utf8')) as StackState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${paths.stateFile} is unreadable (${(error as Error).message}): stop its processes by hand, then delete it`);
  }
}

/** Written to a temporary file and renamed, so a reader never sees half a file. */
export function writeState(paths: StackPaths, state: StackState): void {
  const temporary = `${paths.stateFile}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(temporary, paths.stateFile);
}

export function removeState(paths: StackPaths): void {
  fs.rmSync(paths.stateFile, { force: true });
}
