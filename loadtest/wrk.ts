/**
 * wrk, from Debian's packages, driving POST /api/orders with the repository's
 * order script (loadtest/wrk/orders.lua): the load generator of the benches.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { findBinary } from '../local/dataTier';
import { cpuSeconds } from '../local/processCpu';

const LUA_SCRIPT = path.resolve(__dirname, '..', '..', 'loadtest', 'wrk', 'orders.lua');

/** The summary line the script's done() prints. */
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

/** Runs wrk with the order script for `seconds` (bounded: wrk stops itself) and reads its JSON summary line. */
export function runWrk(url: string, seconds: number, connections: number): Promise<WrkRun> {
  const wrk = findBinary('wrk', 'wrk');
  const args = ['-t', '2', '-c', String(connections), '-d', `${seconds}s`, '--timeout', '10s', '-s', LUA_SCRIPT, url];
  return new Promise((resolve, reject) => {
    const child = spawn(wrk, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
