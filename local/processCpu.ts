/**
 * CPU time of local processes, from /proc (Linux), for the benches: the
 * user + system time of a process, optionally with its live children's and
 * its reaped children's (those it has waited for: cutime + cstime). A process
 * that is gone (or never was) counts 0.
 */
import * as fs from 'node:fs';

/** USER_HZ: the unit of the times in /proc/<pid>/stat (100 on every Linux we run on). */
export const CLOCK_TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat after the command name (so index 0 is the state, 1 the parent's pid). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The pids of the live processes whose parent is `pid`. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // A process that ended while we looked has no fields: not a child.
    if (Number(statFields(Number(entry))?.[1]) === pid) children.push(Number(entry));
  }
  return children;
}

export interface CpuOptions {
  /** Add the live children's own time (utime + stime). */
  children?: boolean;
  /** Add the time of the children this process has reaped (cutime + cstime). */
  reaped?: boolean;
}

/** CPU seconds (user + system) a process has used so far; 0 for a process that does not exist. */
export function cpuSeconds(pid: number, options: CpuOptions = {}): number {
  const ticks = (fields: string[] | undefined, reaped: boolean): number =>
    fields === undefined ? 0 : Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0);
  let total = ticks(statFields(pid), options.reaped === true);
  if (options.children === true) for (const child of childPids(pid)) total += ticks(statFields(child), false);
  return total / CLOCK_TICKS_PER_SECOND;
}

/**
 * PostgreSQL's CPU seconds: the postmaster's, its live children's (backends,
 * background workers) and its reaped children's (backends of closed
 * connections, autovacuum workers).
 */
export function postgresCpuSeconds(postmaster: number): number {
  return cpuSeconds(postmaster, { children: true, reaped: true });
}

/** A process's main-thread field `name` of /proc/<pid>/status, as a number; undefined when the process is gone. */
function statusNumber(pid: number, name: string): number | undefined {
  try {
    const match = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${name}:\\s+(\\d+)$`, 'm'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/**
 * How many times a process's main thread (node's event loop, nginx's worker,
 * a PostgreSQL backend) has gone to sleep and been woken so far: its voluntary
 * context switches, with its live children's when asked. Per request, it says
 * how much work a process finds each time it wakes, i.e. how well the batching
 * along the order path works.
 * 0 for a process that does not exist; reaped children are not counted.
 */
export function wakeUps(pid: number, options: Pick<CpuOptions, 'children'> = {}): number {
  let total = statusNumber(pid, 'voluntary_ctxt_switches') ?? 0;
  if (options.children === true) for (const child of childPids(pid)) total += statusNumber(child, 'voluntary_ctxt_switches') ?? 0;
  return total;
}
