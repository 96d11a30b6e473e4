/** Runs a compiled script of this repository as its own node process, the way a user's command does. */
import { execFile } from 'node:child_process';

export interface ScriptRun {
  /** The exit status; null when the process was killed (a timeout) or ended by a signal. */
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Asynchronous, so that servers living in the test's process keep answering meanwhile. */
export function runNodeScript(script: string, args: string[], timeoutMs: number): Promise<ScriptRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { encoding: 'utf8', timeout: timeoutMs }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}
