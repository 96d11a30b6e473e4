/**
 * wrk, from Debian's packages: the load generator of the benches. It runs the
 * repository's order script (loadtest/wrk/orders.lua) or any other wrk script,
 * with loadtest/wrk/summary.lua appended so that the benches read the same
 * summary line whatever the script.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_SYMBOLS } from '../backend/config/symbols';
import { findBinary } from '../local/dataTier';
import { cpuSeconds } from '../local/processCpu';

const WRK_SCRIPTS = path.resolve(__dirname, '..', '..', 'loadtest', 'wrk');
/** Varied orders on several symbols: the benches' default load. */
export const ORDER_SCRIPT = path.join(WRK_SCRIPTS, 'orders.lua');
const SUMMARY_SCRIPT = path.join(WRK_SCRIPTS, 'summary.lua');

/** `text` as a Lua long string, its level of `=` chosen so that `text` cannot end it early. */
export function luaLongString(text: string): string {
  let level = '';
  while (text.includes(`]${level}]`)) level += '=';
  // A newline right after the opening bracket would be dropped: the text never starts with one here (absolute paths).
  return `[${level}[${text}]${level}]`;
}

/** The script wrk runs: `script` (an absolute path), then the summary line's done(). */
function wrappedScript(script: string): string {
  return `dofile(${luaLongString(script)})\n${fs.readFileSync(SUMMARY_SCRIPT, 'utf8')}`;
}

/** The summary line summary.lua's done() prints. */
export interface WrkResult {
  requests: number;
  durationUs: number;
  non2xx: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  timeouts: number;
  latencyUs: { mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
}

/** What wrk reported, and the CPU seconds wrk itself used. */
export interface WrkRun {
  result: WrkResult;
  cpuSeconds: number;
}

export interface WrkLoad {
  /** The wrk script, an absolute path. Default: the order script. */
  script?: string;
  /**
   * The stack's `SYMBOLS`, in wrk's environment as SYMBOLS: the order script
   * posts orders on these, on each one's tick grid (another script may read
   * it too). Default: the services' default symbols.
   */
  symbols?: string;
}

/**
 * Runs wrk with the load's script for `seconds` (bounded: wrk stops itself)
 * and reads the summary line.
 */
export async function runWrk(url: string, seconds: number, connections: number, load: WrkLoad = {}): Promise<WrkRun> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-wrk-'));
  try {
    const wrapper = path.join(folder, 'script.lua');
    fs.writeFileSync(wrapper, wrappedScript(load.script ?? ORDER_SCRIPT));
    const args = ['-t', '2', '-c', String(connections), '-d', `${seconds}s`, '--timeout', '10s', '-s', wrapper, url];
    return await spawnWrk(args, { ...process.env, SYMBOLS: load.symbols ?? DEFAULT_SYMBOLS });
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

function spawnWrk(args: string[], env: NodeJS.ProcessEnv): Promise<WrkRun> {
  const wrk = findBinary('wrk', 'wrk');
  return new Promise((resolve, reject) => {
    const child = spawn(wrk, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    // Its /proc entry is gone once it exits: read it as it runs (the last 250 ms are not counted).
    let cpu = 0;
    const poll = setInterval(() => (cpu = cpuSeconds(child.pid ?? -1) || cpu), 250);
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => {
      clearInterval(poll);
      reject(error);
    });
    child.once('exit', (code) => {
      clearInterval(poll);
      const line = output.split('\n').find((candidate) => candidate.startsWith('WRK_JSON '));
      if (code !== 0 || !line) reject(new Error(`wrk failed (exit ${code}):\n${output}`));
      else resolve({ result: JSON.parse(line.slice('WRK_JSON '.length)) as WrkResult, cpuSeconds: cpu });
    });
  });
}
