/**
 * Matching engine benchmark: `npm run bench:engine [-- --commands N --seed S --symbols N --spread N --ids counter|uuid --write FILE --compare]`.
 *
 * Builds a seeded workload (8 symbols; ~70% limit orders around a drifting
 * mid, a quarter of them crossing the spread; ~20% cancels of resting orders;
 * ~10% market orders; order ids "1", "2", …), then:
 * - throughput: one warm-up pass, then 5 timed passes each on a fresh engine,
 *   no timer read per command; prints the median commands/s;
 * - latency: one more pass, separate from those, with process.hrtime.bigint()
 *   read around every command (the timer's own cost, printed, is included);
 *   prints p50/p99/p99.9;
 * - latency floor: in the same pass, by turns with the commands, the same
 *   timing around a computation of constant cost about as long as an average
 *   command (see latencyPass): the percentiles such a command would show on
 *   this machine at these moments.
 * The throughput and latency passes use `processInto` with one EventBuffer
 * cleared every BATCH_EVENTS events, as a service loop over a batch of
 * commands would.
 * `--write FILE` also writes the workload as JSON lines for `npm run engine:replay`.
 * `--compare` then plays the workload through nodejs-order-book too (see
 * backend/bench/referenceBook.ts; its FOK orders without account): checks
 * that both make the same trades and prints both rates, measured in
 * alternating passes of the same run, each in a worker of its own after a
 * warm-up pass (see inWorker), and their ratio.
 * `--symbols N` spreads the same mix of commands over N symbols (thin books:
 * with 2000, about one order a price level); `--ids uuid` gives the orders
 * random UUIDs instead of a counter (seeded too) and changes nothing else.
 * `--spread N` places the resting limit orders up to N ticks behind the
 * touch instead of 20: deep books (with 50000, tens of thousands of levels a
 * side), where a new level lands anywhere in the book.
 */
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { writeCommandFile } from './commandFile';
import { uniformCommand } from './commandValidation';
import { EventBuffer } from './eventBuffer';
import { addTrades, noTrades } from './eventOutput';
import { MatchingEngine } from './matchingEngine';
import type { Command, NewOrderCommand, Side } from './types';
import { seededRandom } from '../../loadtest/seededRandom';
import { comparable, ComparableTrade, playOnBoth, ReferenceBooks } from '../bench/referenceBook';
import { fromTypingFolder, integerFlag, parseFlags, UsageError } from '../../local/flags';

/** The default workload's symbols: its own, not the stack's DEFAULT_SYMBOLS, so that the workload stays the same. */
const WORKLOAD_SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF', 'GGG', 'HHH'];
const MAX_SYMBOLS = 100_000;
const MAX_COMMANDS = 100_000_000;
/** One string per account, shared by its orders, as JSON.parse (which interns short strings) would give them. */
const ACCOUNTS = Array.from({ length: 200 }, (_, i) => `acct-${i}`);
const START_MID = 10_000;
/** How far behind the touch, in ticks, a limit order that does not cross may rest: 0 to SPREAD - 1. */
const SPREAD = 20;
const MAX_SPREAD = 1_000_000;
const PASSES = 5;

interface OpenOrderRef {
  orderId: string;
  symbol: string;
}

type IdStyle = 'counter' | 'uuid';

interface WorkloadShape {
  symbols: string[];
  ids: IdStyle;
  /** Resting orders go 0 to spread - 1 ticks behind the touch. */
  spread: number;
}

/** The symbols of `--symbols count`: the default eight by name, more as S1, S2, … */
function symbolNames(count: number): string[] {
  return count <= WORKLOAD_SYMBOLS.length ? WORKLOAD_SYMBOLS.slice(0, count) : Array.from({ length: count }, (_, i) => `S${i + 1}`);
}

/** Version-4-style UUIDs from their own seeded stream, so that the rest of the workload is the same as with counter ids. */
function uuidGenerator(seed: number): () => string {
  const random = seededRandom(seed ^ 0x5bd1e995);
  const hex = (digits: number) => {
    let text = '';
    while (text.length < digits) text += Math.floor(random() * 0x1_0000_0000).toString(16).padStart(8, '0');
    return text.slice(0, digits);
  };
  return () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
}

/**
 * The workload. A reference engine runs alongside the generator only so that
 * cancels name orders that are really resting at that point.
 */
function buildWorkload(count: number, seed: number, { symbols, ids, spread }: WorkloadShape): Command[] {
  const random = seededRandom(seed);
  const below = (n: number) => Math.floor(random() * n);
  const nextUuid = ids === 'uuid' ? uuidGenerator(seed) : undefined;
  // Far enough from 0 that every price stays positive however deep the books.
  const mids = symbols.map(() => Math.max(START_MID, 2 * spread));
  const tracker = new MatchingEngine();
  const cancellable: OpenOrderRef[] = [];
  const commands: Command[] = [];

  const pickRestingOrder = (): OpenOrderRef | undefined => {
    for (let attempt = 0; attempt < 16 && cancellable.length > 0; attempt++) {
      const index = below(cancellable.length);
      const candidate = cancellable[index];
      cancellable[index] = cancellable[cancellable.length - 1];
      cancellable.pop();
      if (tracker.isOpen(candidate.orderId)) return candidate;
    }
    return undefined;
  };

  for (let i = 1; i <= count; i++) {
    const orderId = nextUuid === undefined ? String(i) : nextUuid();
    const symbolIndex = below(symbols.length);
    const symbol = symbols[symbolIndex];
    if (random() < 0.05) mids[symbolIndex] += random() < 0.5 ? -1 : 1;
    const mid = mids[symbolIndex];
    const side: Side = random() < 0.5 ? 'buy' : 'sell';
    const account = ACCOUNTS[below(ACCOUNTS.length)];
    const kind = random();

    let command: Command | undefined;
    if (kind < 0.2) {
      const target = pickRestingOrder();
      if (target !== undefined) command = { op: 'cancel', orderId: target.orderId, symbol: target.symbol };
    } else if (kind < 0.3) {
      command = { op: 'new', orderId, symbol, side, type: 'market', quantity: 1 + below(100), account };
    }
    if (command === undefined) {
      const crossing = random() < 0.25;
      const offset = crossing ? -(1 + below(5)) : below(spread);
      const price = side === 'buy' ? mid - offset : mid + 1 + offset;
      const tifRoll = random();
      const timeInForce = !crossing || tifRoll < 0.6 ? 'GTC' : tifRoll < 0.85 ? 'IOC' : 'FOK';
      const order: NewOrderCommand = {
        op: 'new', orderId, symbol, side, type: 'limit', price, quantity: 1 + below(100), timeInForce, account,
      };
      command = order;
    }
    // In the shapes engine:replay gives its commands, so that both time the engine on the same kind of input.
    command = uniformCommand(command);
    commands.push(command);
    tracker.process(command);
    if (command.op === 'new' && tracker.isOpen(orderId)) cancellable.push({ orderId, symbol });
  }
  return commands;
}

interface PassResult {
  seconds: number;
  events: number;
  trades: number;
  resting: number;
}

/**
 * Events go into one EventBuffer reused across commands and cleared once it
 * holds this many, as a service loop handles a batch: `process()` would
 * build an object per event, which the engine itself does not need.
 */
const BATCH_EVENTS = 1024;

/**
 * One pass on a fresh engine. Trades are counted (a look at every event) only
 * when asked, for the warm-up pass: every pass gives the same events, and the
 * timed passes then time the engine, not the harness's bookkeeping.
 */
function throughputPass(commands: Command[], countTrades = false): PassResult {
  const engine = new MatchingEngine();
  const batch = new EventBuffer();
  let events = 0;
  const totals = noTrades();
  const start = process.hrtime.bigint();
  for (let i = 0; i < commands.length; i++) {
    engine.processInto(commands[i], batch);
    if (batch.length >= BATCH_EVENTS) {
      if (countTrades) addTrades(totals, batch);
      events += batch.length;
      batch.clear();
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (countTrades) addTrades(totals, batch);
  return { seconds, events: events + batch.length, trades: totals.trades, resting: engine.snapshot().orders.length };
}

/** The latency pass alternates blocks of this many timed commands and as many timings of the floor's computation. */
const FLOOR_BLOCK = 1000;

/** Sorted timings in nanoseconds: of every command, and of as many runs of the floor's computation. */
interface LatencyTimings {
  commands: Float64Array;
  floor: Float64Array;
}

/**
 * Every command timed on a fresh engine, and in between, by blocks, the
 * latency floor: the same timing around fixedWork(floorSteps), a computation
 * of constant cost. The floor's slowest timings are the machine's own stalls
 * (the core taken by another process or by the hypervisor, an interrupt, a
 * scavenge of the timer's bigints): a command of constant cost would show
 * them. Noise on a shared machine comes and goes within seconds, so the two
 * are taken by turns, over the same moments, rather than one after the other.
 */
function latencyPass(commands: Command[], floorSteps: number): LatencyTimings {
  const engine = new MatchingEngine();
  const batch = new EventBuffer();
  const latencies = new Float64Array(commands.length);
  const floor = new Float64Array(commands.length);
  for (let blockStart = 0; blockStart < commands.length; blockStart += FLOOR_BLOCK) {
    const blockEnd = Math.min(blockStart + FLOOR_BLOCK, commands.length);
    for (let i = blockStart; i < blockEnd; i++) {
      if (batch.length >= BATCH_EVENTS) batch.clear();
      const start = process.hrtime.bigint();
      engine.processInto(commands[i], batch);
      latencies[i] = Number(process.hrtime.bigint() - start);
    }
    timeFixedWork(floorSteps, floor, blockStart, blockEnd);
  }
  return { commands: latencies.sort(), floor: floor.sort() };
}

/** A fixed computation of `steps` steps; `seed` keeps the compiler from computing it once for all calls. */
function fixedWork(steps: number, seed: number): number {
  let value = seed;
  for (let step = 0; step < steps; step++) value = (Math.imul(value, 31) + step) | 0;
  return value;
}

/** Times fixedWork(steps) into `timings` from `from` to `to` (excluded), as the latency pass times a command. */
function timeFixedWork(steps: number, timings: Float64Array, from: number, to: number): void {
  let sink = 0;
  for (let i = from; i < to; i++) {
    const start = process.hrtime.bigint();
    sink ^= fixedWork(steps, i);
    timings[i] = Number(process.hrtime.bigint() - start);
  }
  // The result is read, so that no compiler can drop the work.
  if (sink === 0.5) throw new Error('unreachable');
}

/** Calibration rounds of fixedWork, and timings in each. */
const CALIBRATION_ROUNDS = 8;
const CALIBRATION_TIMINGS = 20_000;

/** The steps of fixedWork whose median timing (hrtime.bigint around it, as in the latency pass) is about `nanoseconds`. */
function fixedWorkSteps(nanoseconds: number): number {
  const timings = new Float64Array(CALIBRATION_TIMINGS);
  let steps = 1;
  for (let round = 0; round < CALIBRATION_ROUNDS; round++) {
    timeFixedWork(steps, timings, 0, timings.length);
    const median = timings.sort()[timings.length >> 1];
    const nextSteps = Math.max(1, Math.round((steps * nanoseconds) / Math.max(median, 1)));
    if (nextSteps === steps) break;
    steps = nextSteps;
  }
  return steps;
}

function timerOverheadNanoseconds(): number {
  const samples = new Float64Array(100_000);
  for (let i = 0; i < samples.length; i++) {
    const start = process.hrtime.bigint();
    samples[i] = Number(process.hrtime.bigint() - start);
  }
  return samples.sort()[samples.length >> 1];
}

/** nodejs-order-book takes about 10 s a pass of 1M commands: fewer passes than ours. */
const REFERENCE_PASSES = 3;

type ComparedBook = 'ours' | 'nodejs-order-book';

/** The seeded workload a compare worker builds for itself: see inWorker. */
interface WorkloadSpec {
  count: number;
  seed: number;
  shape: WorkloadShape;
}
/** What a worker of compareWithReference does with the workload (as `comparable` sends it). */
type CompareTask = { task: 'trades'; workload: WorkloadSpec } | { task: 'pass'; book: ComparedBook; workload: WorkloadSpec };
/** A 'trades' worker's answer: how many trades both made, or where they first differ. */
interface TradesReply {
  trades: number;
  difference?: string;
}
/** A 'pass' worker's answer: one timed pass of its book, on a fresh instance. */
interface PassReply {
  seconds: number;
}

/**
 * One book's timed pass over `commands` on a fresh instance, after a whole
 * untimed pass on another, as the throughput passes follow a warm-up pass:
 * the code compiled and the heap grown to the workload's size (after a
 * warm-up on its first 100,000 commands only, our deep-book passes ran 17%
 * slower than in the throughput passes).
 */
function comparePassSeconds(book: ComparedBook, commands: Command[]): number {
  if (book === 'ours') {
    throughputPass(commands);
    return throughputPass(commands).seconds;
  }
  referencePassSeconds(commands);
  return referencePassSeconds(commands);
}

function referencePassSeconds(commands: Command[]): number {
  const reference = new ReferenceBooks();
  const start = process.hrtime.bigint();
  for (let i = 0; i < commands.length; i++) reference.process(commands[i]);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** The first place where the two trade lists differ, or undefined when they are the same. */
function firstDifference(ours: ComparableTrade[], theirs: ComparableTrade[]): string | undefined {
  const text = (trade: ComparableTrade | undefined) => (trade === undefined ? 'nothing' : JSON.stringify(trade));
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    if (text(ours[i]) !== text(theirs[i])) return `trade ${i + 1}: ours ${text(ours[i])}, nodejs-order-book ${text(theirs[i])}`;
  }
  return undefined;
}

/** The body of a worker started by inWorker. */
function compareWorker(task: CompareTask): void {
  const { count, seed, shape } = task.workload;
  const commands = comparable(buildWorkload(count, seed, shape));
  if (task.task === 'pass') {
    parentPort?.postMessage({ seconds: comparePassSeconds(task.book, commands) } satisfies PassReply);
    return;
  }
  const { ours, theirs } = playOnBoth(commands);
  parentPort?.postMessage({ trades: ours.length, difference: firstDifference(ours, theirs) } satisfies TradesReply);
}

/**
 * Runs `task` in a worker of its own (a fresh V8 heap) and waits until the
 * worker has exited, its heap gone with it.
 * Passes in this thread, one after the other, each paid at times for the
 * garbage of the one before: nodejs-order-book leaves about a gigabyte a
 * pass (one of our deep-book passes after one of its: 0.74M, against 1.14M
 * before and after), and ours ran at 2.0M or 2.7M by turns on the default
 * workload, as full collections of the heap the bench itself holds fell in
 * them or not. In a worker each pass of either book starts alike.
 * The worker builds the seeded workload itself rather than take a copy:
 * a copy's strings ("buy", "AAA", …) are a million separate strings, each
 * compared character by character, where a workload's, or JSON.parse's, are
 * shared (ours ran 1.88M on the copy against 2.77M on its own workload).
 */
function inWorker<Reply>(task: CompareTask): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let reply: Reply | undefined;
    const worker = new Worker(__filename, { workerData: task });
    worker.on('message', (message: Reply) => {
      reply = message;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (reply !== undefined) resolve(reply);
      else reject(new Error(`a --compare worker exited with status ${code} and no answer`));
    });
  });
}

/** `--compare`: the same trades as nodejs-order-book, then both rates in alternating passes. Exits 1 if the trades differ. */
async function compareWithReference(workload: WorkloadSpec): Promise<void> {
  const { trades, difference } = await inWorker<TradesReply>({ task: 'trades', workload });
  if (difference !== undefined) {
    console.log(`compare: the trades differ from nodejs-order-book's at ${difference}`);
    process.exitCode = 1;
    return;
  }
  console.log(`compare: the same ${trades} trades as nodejs-order-book, in the same order (FOK orders sent without account)`);
  const rates: Record<ComparedBook, number[]> = { ours: [], 'nodejs-order-book': [] };
  for (let pass = 0; pass < REFERENCE_PASSES; pass++) {
    for (const book of ['ours', 'nodejs-order-book'] as const) {
      rates[book].push(workload.count / (await inWorker<PassReply>({ task: 'pass', book, workload })).seconds);
    }
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];
  const ours = median(rates.ours);
  const theirs = median(rates['nodejs-order-book']);
  console.log(
    `compare: ours ${figure(ours)} commands/s, nodejs-order-book ${figure(theirs)} commands/s ` +
      `(medians of ${REFERENCE_PASSES} alternating passes, each in a worker of its own): ×${(ours / theirs).toFixed(1)}`,
  );
}

/** A rate as the bench prints it: whole commands a second, thousands separated (3,012,345). */
function figure(rate: number): string {
  return Math.round(rate).toLocaleString('en-US');
}

function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

const USAGE =
  'usage: bench:engine -- [--commands 1000000] [--seed 42] [--symbols 8] [--spread 20] [--ids counter|uuid] [--write FILE] [--compare]';

interface BenchOptions {
  count: number;
  seed: number;
  shape: WorkloadShape;
  writeTo?: string;
  compare: boolean;
}

/** The bench's flags; a bad one is a UsageError. */
function parseBenchFlags(argv: string[]): BenchOptions {
  const { values } = parseFlags(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        commands: { type: 'string' },
        seed: { type: 'string' },
        symbols: { type: 'string' },
        spread: { type: 'string' },
        ids: { type: 'string' },
        write: { type: 'string' },
        compare: { type: 'boolean' },
      },
    }),
  );
  const ids = values.ids ?? 'counter';
  if (ids !== 'counter' && ids !== 'uuid') throw new UsageError(`--ids "${ids}" must be counter or uuid`);
  if (values.write === '') throw new UsageError('--write needs a file name');
  return {
    count: integerFlag('commands', values.commands, 1, MAX_COMMANDS) ?? 1_000_000,
    seed: integerFlag('seed', values.seed, 0, 0xffff_ffff) ?? 42,
    shape: {
      symbols: symbolNames(integerFlag('symbols', values.symbols, 1, MAX_SYMBOLS) ?? WORKLOAD_SYMBOLS.length),
      ids,
      spread: integerFlag('spread', values.spread, 1, MAX_SPREAD) ?? SPREAD,
    },
    writeTo: values.write === undefined ? undefined : fromTypingFolder(values.write),
    compare: values.compare ?? false,
  };
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseBenchFlags(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench:engine: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const { count, seed, shape, writeTo, compare } = options;

  const commands = buildWorkload(count, seed, shape);
  const counts = { new: 0, cancel: 0, market: 0 };
  for (const command of commands) {
    if (command.op === 'cancel') counts.cancel++;
    else if (command.type === 'market') counts.market++;
    else counts.new++;
  }
  console.log(
    `workload: ${count} commands, seed ${seed}, ${shape.symbols.length} symbols, ${shape.ids} ids` +
      `${shape.spread === SPREAD ? '' : `, resting up to ${shape.spread} ticks behind the touch`}: ` +
      `${counts.new} limit, ${counts.cancel} cancel, ${counts.market} market`,
  );
  if (writeTo !== undefined) {
    try {
      writeCommandFile(writeTo, commands);
    } catch (error) {
      console.error(`bench:engine: cannot write the workload to ${writeTo}: ${(error as Error).message}`);
      process.exitCode = 2;
      return;
    }
    console.log(`workload written to ${writeTo}`);
  }

  const warmUp = throughputPass(commands, true);
  console.log(`per pass: ${warmUp.events} events, ${warmUp.trades} trades, ${warmUp.resting} orders resting at the end`);
  const rates: number[] = [];
  for (let pass = 0; pass < PASSES; pass++) rates.push(count / throughputPass(commands).seconds);
  rates.sort((a, b) => a - b);
  const median = rates[PASSES >> 1];
  console.log(
    `throughput: ${figure(median)} commands/s ` +
      `(median of ${PASSES} passes; min ${figure(rates[0])}, max ${figure(rates[PASSES - 1])})`,
  );

  const overhead = timerOverheadNanoseconds();
  // The floor's computation lasts about as long as an average command of the throughput passes, timer included.
  const averageCommandNanoseconds = 1e9 / median;
  const latency = latencyPass(commands, fixedWorkSteps(averageCommandNanoseconds + overhead));
  const micros = (nanoseconds: number) => `${(nanoseconds / 1000).toFixed(2)} µs`;
  const percentiles = (sorted: Float64Array) =>
    `p50 ${micros(percentile(sorted, 0.5))}, p99 ${micros(percentile(sorted, 0.99))}, p99.9 ${micros(percentile(sorted, 0.999))}`;
  console.log(
    `latency per command: ${percentiles(latency.commands)}, max ${micros(latency.commands[latency.commands.length - 1])} ` +
      `(hrtime.bigint around every command; includes ~${overhead} ns timer cost)`,
  );
  // On a shared machine a good part of the slowest 0.1% can be the machine's, not the engine's: say how much.
  console.log(
    `latency floor: ${percentiles(latency.floor)} (the same timing around a computation of constant cost, about as long ` +
      `as an average command, in blocks of ${FLOOR_BLOCK.toLocaleString('en-US')} by turns with the commands: the machine's own stalls)`,
  );
  if (compare) await compareWithReference({ count, seed, shape });
}

if (isMainThread) {
  main().catch((error: unknown) => {
    console.error(`bench:engine: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  });
} else {
  compareWorker(workerData as CompareTask);
}
