/**
 * Replay a command file through a fresh engine:
 *   npm run --silent engine:replay -- [--cold] FILE
 * One JSON command per line in; one JSON event per line out on stdout; then
 * one summary line on stderr:
 *   commands=<n> events=<n> trades=<n> volume=<Σ qty> notional=<Σ price×qty> match_rate=<commands/s>
 * match_rate times matching alone: the file is parsed before the clock
 * starts, and the clock stops while each chunk's events are serialized and
 * written (about CHUNK_EVENTS events at a time).
 *
 * match_rate is the rate of compiled engine code, as in a running service:
 * before the clock starts, the file's first commands are matched on
 * throwaway engines (see warmUp) so that V8 has compiled the matching code.
 * Without that, a file of 10,000 commands would time mostly V8's interpreter
 * (0.3M commands/s against 1.9M, measured). `--cold` skips the warm-up.
 * Exit status 2 (nothing matched) for a missing file or a malformed line.
 *
 * The engine records a chunk's events in an EventBuffer, which allocates
 * nothing per event; they become objects and JSON lines only while the
 * clock is stopped.
 *
 * Why chunks rather than every event kept until the end: memory stays
 * bounded by the commands alone, and the matching runs faster. Measured on
 * the 1,000,000-command bench:engine workload (1.5M events), with the npm
 * script's --max-semi-space-size=128:
 * - one buffer for every event: match_rate 1.5–1.7M;
 * - chunks of 4,096 events: 2.8–3.2M;
 * - chunks of 65,536 events (about 42,000 commands): 3.1–3.2M;
 * - chunks of 262,144 events: 3.0–3.3M.
 * Counting events rather than commands keeps a chunk bounded whatever the
 * workload's trades per command.
 */
import type { Writable } from 'node:stream';
import { CommandFileError, readCommandFile } from './commandFile';
import { addTrades, EventLineWriter, noTrades, TradeTotals } from './eventOutput';
import { EventBuffer } from './eventBuffer';
import { MatchingEngine } from './matchingEngine';
import type { Command } from './types';

const USAGE_ERROR = 2;

/** Commands are matched between two reads of the clock until their events reach this many; those are written before the next chunk. */
const CHUNK_EVENTS = 65_536;

interface ReplayTotals extends TradeTotals {
  events: number;
  matchingSeconds: number;
}

/** Every command through one engine, in order, its events written as JSON lines to `output`. */
async function replay(commands: Command[], output: Writable): Promise<ReplayTotals> {
  const engine = new MatchingEngine();
  const lines = new EventLineWriter(output);
  const totals: ReplayTotals = { ...noTrades(), events: 0, matchingSeconds: 0 };
  const events = new EventBuffer();
  let matchingNanoseconds = 0n;
  for (let next = 0; next < commands.length; ) {
    const start = process.hrtime.bigint();
    while (next < commands.length && events.length < CHUNK_EVENTS) engine.processInto(commands[next++], events);
    matchingNanoseconds += process.hrtime.bigint() - start;
    totals.events += events.length;
    addTrades(totals, events);
    // A reader gone early (`| head`) ends the output, not the replay: the summary still counts every command.
    await lines.write(events);
    events.clear();
  }
  totals.matchingSeconds = Number(matchingNanoseconds) / 1e9;
  return totals;
}

const USAGE = 'usage: npm run --silent engine:replay -- [--cold] FILE   (one JSON command per line; --cold: no JIT warm-up)\n';

/** The warm-up matches at most this many commands in all, … */
const WARM_UP_COMMANDS = 200_000;
/** … in rounds over the file's first commands, each round on a fresh engine … */
const WARM_UP_PREFIX = 50_000;
/** … and at most this many rounds (a tiny file needs no more). */
const WARM_UP_ROUNDS = 64;

/**
 * Matches the file's first commands on throwaway engines, their events
 * dropped: V8 compiles the engine's code with feedback from this very input.
 * The engine is pure and holds no state between instances, so the replay
 * that follows gives the same events as without it.
 */
function warmUp(commands: Command[]): void {
  const prefix = Math.min(commands.length, WARM_UP_PREFIX);
  const events = new EventBuffer();
  for (let round = 0, matched = 0; round < WARM_UP_ROUNDS && matched < WARM_UP_COMMANDS; round++, matched += prefix) {
    const engine = new MatchingEngine();
    for (let i = 0; i < prefix; i++) {
      engine.processInto(commands[i], events);
      if (events.length >= CHUNK_EVENTS) events.clear();
    }
    events.clear();
  }
}

async function main(args: string[]): Promise<number> {
  const cold = args[0] === '--cold';
  const files = cold ? args.slice(1) : args;
  if (files.length !== 1 || files[0].startsWith('--')) {
    process.stderr.write(USAGE);
    return USAGE_ERROR;
  }
  let commands: Command[];
  try {
    commands = readCommandFile(files[0]);
  } catch (error) {
    if (!(error instanceof CommandFileError)) throw error;
    process.stderr.write(`engine:replay: ${error.message}\n`);
    return USAGE_ERROR;
  }

  if (!cold) warmUp(commands);
  const { events, trades, volume, notional, matchingSeconds } = await replay(commands, process.stdout);
  const matchRate = matchingSeconds > 0 ? Math.round(commands.length / matchingSeconds) : 0;
  process.stderr.write(
    `commands=${commands.length} events=${events} trades=${trades} volume=${volume} notional=${notional} match_rate=${matchRate}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`engine:replay: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
