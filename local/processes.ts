/**
 * The local stack's processes at the OS level: starting one detached with its
 * log file, recognising it again later by PID (and start time, so that a
 * reused PID is never mistaken for it), and stopping it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** How to start a process again: what `local:restart` replays. */
export interface LaunchSpec {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/** A running process as the state file remembers it. */
export interface ProcessIdentity {
  pid: number;
  /** From /proc/PID/stat (clock ticks after boot); absent where there is no /proc. */
  startTime?: number;
}

const STOP_GRACE_MS = 15_000;
const KILL_WAIT_MS = 5_000;

function procStat(pid: number): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces; fields after it are plain.
    return ['', '', ...text.slice(text.lastIndexOf(')') + 2).split(' ')];
  } catch {
    return undefined;
  }
}

/** The process's start time, to tell it from a later process that got the same PID. */
export function processStartTime(pid: number): number | undefined {
  const fields = procStat(pid);
  return fields ? Number(fields[21]) : undefined;
}

function signalExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while the process we started is alive (a zombie counts as gone). */
export function isRunning(identity: ProcessIdentity): boolean {
  const fields = procStat(identity.pid);
  if (!fields) return fs.existsSync('/proc/self/stat') ? false : signalExists(identity.pid);
  if (fields[2] === 'Z') return false;
  return identity.startTime === undefined || Number(fields[21]) === identity.startTime;
}

/** Leads its own process group (started detached): then the whole group can be signalled. */
function leadsGroup(pid: number): boolean {
  const fields = procStat(pid);
  return fields !== undefined && Number(fields[4]) === pid;
}

function sendSignal(identity: ProcessIdentity, signal: NodeJS.Signals, wholeGroup: boolean): void {
  if (!isRunning(identity)) return;
  try {
    process.kill(wholeGroup && leadsGroup(identity.pid) ? -identity.pid : identity.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitForExit(identity: ProcessIdentity, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(identity)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Sends `signal` (the process's own shutdown signal) and waits; after a grace
 * period kills its whole process group, so no worker of it is left behind.
 * Returns how it ended.
 */
export async function stopProcess(identity: ProcessIdentity, signal: NodeJS.Signals): Promise<'not running' | 'stopped' | 'killed'> {
  if (!isRunning(identity)) return 'not running';
  sendSignal(identity, signal, false);
  if (await waitForExit(identity, STOP_GRACE_MS)) return 'stopped';
  sendSignal(identity, 'SIGKILL', true);
  await waitForExit(identity, KILL_WAIT_MS);
  return 'killed';
}

/** Kills the process and its group at once, as a crash would (for failover tests). */
export function crashProcess(identity: ProcessIdentity): Promise<boolean> {
  sendSignal(identity, 'SIGKILL', true);
  return waitForExit(identity, KILL_WAIT_MS);
}

export function logTail(logFile: string, lines = 20): string {
  try {
    const text = fs.readFileSync(logFile, 'utf8').trimEnd();
    return text === '' ? '(the log is empty)' : text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts the process in its own process group with stdout and stderr appended to `logFile`; it outlives us. */
export async function spawnDetached(spec: LaunchSpec, logFile: string): Promise<ProcessIdentity> {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'a');
  try {
    const child = spawn(spec.file, spec.args, { env: spec.env, detached: true, stdio: ['ignore', log, log] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    const pid = child.pid!;
    return { pid, startTime: processStartTime(pid) };
  } finally {
    fs.closeSync(log);
  }
}

/** Runs a one-shot command (a migration) to its end, its output appended to `logFile`. */
export function runToEnd(name: string, spec: LaunchSpec, logFile: string): Promise<void> {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'a');
  return new Promise<void>((resolve, reject) => {
    const child = spawn(spec.file, spec.args, { env: spec.env, stdio: ['ignore', log, log] });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${name} failed (${signal ?? `exit ${code}`}); ${logFile}:\n${logTail(logFile)}`));
    });
  }).finally(() => fs.closeSync(log));
}
