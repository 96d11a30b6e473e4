/**
 * `npm run local:up | local:status | local:down | local:restart`: the local
 * stack from the command line. Exit status: 0 done (status: all healthy),
 * 1 failed (status: something unhealthy or no stack), 2 bad flags.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_BACKENDS } from '../components/config';
import { DEFAULT_SYMBOLS, DEFAULT_TICK } from '../backend/config/symbols';
import { integerFlag, parseFlags, symbolsFlag, UsageError } from './flags';
import { resolveStackDir, STACK_DIR_ENV } from './paths';
import { downStack, restartProcess, stackStatus, UP_DEFAULTS, UpOptions, upStack } from './stack';

export const USAGE = `usage:
  npm run local:up -- [--backends N] [--workers W] [--shards S] [--port P] [--symbols LIST] [--dir DIR]
      start PostgreSQL, Redis, the migrations, S engine shards, N gateways and nginx on 127.0.0.1
      (defaults: ${UP_DEFAULTS.backends} backends, ${UP_DEFAULTS.workers} worker, ${UP_DEFAULTS.shards} shard, port ${UP_DEFAULTS.port});
      LIST: the symbols traded, SYMBOL or SYMBOL:TICK comma separated (default ${DEFAULT_SYMBOLS}; tick default ${DEFAULT_TICK})
  npm run local:status -- [--json] [--dir DIR]
      each process with its pid, port and health
  npm run local:down -- [--purge] [--dir DIR]
      stop every process; --purge also deletes the data
  npm run local:restart -- NAME [--dir DIR]
      start one process (e.g. backend-2) again on its port

The stack folder is DIR, else $${STACK_DIR_ENV}, else .local/ in the repository.`;

const say = (line: string) => process.stderr.write(`local: ${line}\n`);

const DIR_FLAG = { dir: { type: 'string' } } as const;

export type UpFlags = Omit<UpOptions, 'onStep' | 'signal'>;

/** The flags of local:up (also taken by the demo); throws UsageError. */
export function parseUpFlags(argv: string[]): UpFlags {
  const { values } = parseFlags(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...DIR_FLAG,
        backends: { type: 'string' },
        workers: { type: 'string' },
        shards: { type: 'string' },
        port: { type: 'string' },
        symbols: { type: 'string' },
      },
    }),
  );
  return {
    dir: resolveStackDir(values.dir),
    backends: integerFlag('backends', values.backends, 1, MAX_BACKENDS) ?? UP_DEFAULTS.backends,
    workers: integerFlag('workers', values.workers, 1, 256) ?? UP_DEFAULTS.workers,
    shards: integerFlag('shards', values.shards, 1, 64) ?? UP_DEFAULTS.shards,
    port: integerFlag('port', values.port, 1, 65535) ?? UP_DEFAULTS.port,
    symbols: symbolsFlag(values.symbols),
  };
}

async function up(argv: string[]): Promise<number> {
  const options = parseUpFlags(argv);
  // Ctrl-C while starting: stop what was started instead of leaving half a stack behind.
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort(new Error('interrupted')));
  await upStack({ ...options, onStep: say, signal: interrupt.signal });
  return 0;
}

async function status(argv: string[]): Promise<number> {
  const { values } = parseFlags(() => parseArgs({ args: argv, strict: true, options: { ...DIR_FLAG, json: { type: 'boolean' } } }));
  const dir = resolveStackDir(values.dir);
  const processes = await stackStatus(dir);
  const allHealthy = processes !== undefined && processes.every((p) => p.healthy);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ dir, running: processes !== undefined, healthy: allHealthy, processes: processes ?? [] })}\n`);
  } else if (!processes) {
    process.stdout.write(`no local stack in ${dir} (npm run local:up starts one)\n`);
  } else {
    const rows = processes.map((p) => [p.name, String(p.pid), String(p.port), p.healthy ? 'healthy' : p.running ? 'UNHEALTHY' : 'NOT RUNNING', path.relative(dir, p.logFile)]);
    const header = ['NAME', 'PID', 'PORT', 'STATE', 'LOG'];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
    process.stdout.write(`${dir}\n${[header, ...rows].map(line).join('\n')}\n`);
  }
  return allHealthy ? 0 : 1;
}

function hasFiles(dir: string): boolean {
  return fs.existsSync(dir) && fs.readdirSync(dir).length > 0;
}

async function down(argv: string[]): Promise<number> {
  const { values } = parseFlags(() => parseArgs({ args: argv, strict: true, options: { ...DIR_FLAG, purge: { type: 'boolean' } } }));
  const dir = resolveStackDir(values.dir);
  const result = await downStack(dir, values.purge === true);
  if (!result.hadState) say(`no local stack state in ${dir}; nothing to stop`);
  for (const stopped of result.stopped) say(`${stopped.name.padEnd(10)} pid ${String(stopped.pid).padEnd(7)} ${stopped.result}`);
  if (result.purged) say(`data deleted from ${dir}`);
  else if (result.hadState || hasFiles(dir)) say(`down; data kept in ${dir} (--purge deletes it)`);
  return 0;
}

async function restart(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(() => parseArgs({ args: argv, strict: true, allowPositionals: true, options: DIR_FLAG }));
  if (positionals.length !== 1) throw new UsageError('local:restart takes one process name, e.g. backend-2');
  const record = await restartProcess(resolveStackDir(values.dir), positionals[0]);
  say(`${record.name} restarted: pid ${record.pid}, port ${record.port}`);
  return 0;
}

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { up, status, down, restart };

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`);
    return await run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`local: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    say(`error: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
