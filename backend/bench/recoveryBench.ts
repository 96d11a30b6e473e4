/**
 * `npm run bench:recovery [-- --orders N]`: what an engine shard's restart
 * costs with N orders resting on its books (default 500,000): the time to read
 * them back from PostgreSQL and rebuild the books, and the memory it takes.
 *
 * A private PostgreSQL (every migration applied) is filled with N resting
 * orders and half as many finished ones, committed by `commitBatch` as the
 * engine service commits them (8 symbols, bids below the mid and asks above,
 * so nothing crosses; accounts from a pool of 200; ids as a gateway issues
 * them). Then a fresh node process does what an engine does when it starts,
 * `loadShardJournal` then `ShardState.fromJournal`, and prints the seconds
 * each took, the heap in use after each (the journal read back, then the
 * journal and the books together), the heap that stays after a full GC (the
 * books alone) and the process's peak resident memory.
 *
 * Use it to size `resources.engineMemory`: in a container, Node's heap limit
 * is about half the container's memory limit unless --max-old-space-size says
 * otherwise. BENCH_KEEP=1 keeps the data folder.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as v8 from 'node:v8';
import pino from 'pino';
import { DEFAULT_SYMBOLS } from '../config/symbols';
import type { Side } from '../engine/types';
import { COMMIT_CONNECTION_SETTINGS, commitBatch, INITIAL_CHECKPOINT, loadShardJournal, StoredOrder } from '../db/journal';
import { runMigrations } from '../db/migrate';
import { createPool } from '../db/pool';
import { ShardState } from '../engineService/shardState';
import { OrderIdGenerator } from '../gateway/orderIds';
import { startPostgres } from '../../local/dataTier';
import { seededRandom } from '../../loadtest/seededRandom';

const SYMBOLS = DEFAULT_SYMBOLS.split(',');
const MID_TICKS = 10_000;
const ORDERS_PER_BATCH = 5_000;
const SHARD = 0;

/** What the measuring process prints, as one JSON line. */
interface Measured {
  resting: number;
  readSeconds: number;
  buildSeconds: number;
  heapAfterReadBytes: number;
  heapAfterBuildBytes: number;
  liveHeapBytes: number;
  baseHeapBytes: number;
  heapLimitBytes: number;
  maxRssBytes: number;
}

/** Commits `resting` open orders and `finished` filled ones for shard SHARD, in batches, showing progress. */
async function seed(databaseUrl: string, resting: number, finished: number): Promise<void> {
  const pool = createPool(databaseUrl, { max: 1, applicationName: 'bench-recovery-seed', serverSettings: COMMIT_CONNECTION_SETTINGS }, pino({ level: 'warn' }));
  try {
    await pool.query('INSERT INTO engine_checkpoints (shard, stream_id, last_seq) VALUES ($1, $2, 0)', [SHARD, INITIAL_CHECKPOINT]);
    const random = seededRandom(20_261_127);
    const ids = new OrderIdGenerator('RECOVERY');
    const startMs = Date.UTC(2026, 0, 1);
    const total = resting + finished;
    let seq = 0;
    let checkpoint = INITIAL_CHECKPOINT;
    let shown = 0;
    for (let made = 0; made < total; ) {
      const orders: StoredOrder[] = [];
      for (; orders.length < ORDERS_PER_BATCH && made < total; made++) {
        const side: Side = random() < 0.5 ? 'buy' : 'sell';
        const away = 1 + Math.floor(random() * 500);
        const quantity = 1 + Math.floor(random() * 100);
        // Finished orders are spread among the resting ones, as in a day's table.
        const open = Math.floor(((made + 1) * resting) / total) > Math.floor((made * resting) / total);
        orders.push({
          orderId: ids.next(startMs + Math.floor(made / 4)),
          account: `acct-${Math.floor(random() * 200)}`,
          symbol: SYMBOLS[Math.floor(random() * SYMBOLS.length)],
          side,
          type: 'limit',
          price: side === 'buy' ? MID_TICKS - away : MID_TICKS + away,
          quantity,
          timeInForce: 'GTC',
          status: open ? 'new' : 'filled',
          ackStatus: 'new',
          filledQuantity: open ? 0 : quantity,
          leavesQuantity: open ? quantity : 0,
          seq: ++seq,
        });
      }
      const next = `${1_800_000_000_000 + made}-0`;
      const outcome = await commitBatch(pool, { shard: SHARD, previousCheckpoint: checkpoint, checkpoint: next, lastSeq: seq, orders, orderUpdates: [], trades: [] });
      if (outcome !== 'committed') throw new Error(`seeding: batch ending at order ${made} was ${outcome}`);
      checkpoint = next;
      if (made * 10 >= (shown + 1) * total || made === total) {
        shown = Math.floor((made * 10) / total);
        process.stdout.write(`  seeded ${made.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} orders\n`);
      }
    }
    await pool.query('VACUUM ANALYZE orders');
  } finally {
    await pool.end();
  }
}

/** In a fresh process: an engine's start, measured. */
async function measure(databaseUrl: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('the measuring process needs --expose-gc');
  const heapUsed = () => v8.getHeapStatistics().used_heap_size;
  const pool = createPool(databaseUrl, { max: 1, applicationName: 'bench-recovery', serverSettings: COMMIT_CONNECTION_SETTINGS }, pino({ level: 'warn' }));
  try {
    await pool.query('SELECT 1');
    gc();
    const baseHeapBytes = heapUsed();
    const readStart = process.hrtime.bigint();
    let journal: Awaited<ReturnType<typeof loadShardJournal>> | undefined = await loadShardJournal(pool, SHARD);
    const readSeconds = Number(process.hrtime.bigint() - readStart) / 1e9;
    const heapAfterReadBytes = heapUsed();
    const buildStart = process.hrtime.bigint();
    const state = ShardState.fromJournal(journal);
    const buildSeconds = Number(process.hrtime.bigint() - buildStart) / 1e9;
    const heapAfterBuildBytes = heapUsed();
    const resting = journal.restingOrders.length;
    journal = undefined;
    gc();
    const measured: Measured = {
      resting,
      readSeconds,
      buildSeconds,
      heapAfterReadBytes,
      heapAfterBuildBytes,
      liveHeapBytes: heapUsed(),
      baseHeapBytes,
      heapLimitBytes: v8.getHeapStatistics().heap_size_limit,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    if (state.openOrderCount !== resting) throw new Error(`${state.openOrderCount} open orders rebuilt of ${resting} read`);
    process.stdout.write(`${JSON.stringify(measured)}\n`);
  } finally {
    await pool.end();
  }
}

function measureInChild(databaseUrl: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', __filename, '--measure', databaseUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the measuring process exited with ${code}`));
      else resolve(JSON.parse(output.trim().split('\n').pop()!) as Measured);
    });
  });
}

const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { orders: { type: 'string', default: '500000' }, measure: { type: 'string' } } });
  if (values.measure !== undefined) return measure(values.measure);
  const resting = Number(values.orders);
  if (!Number.isSafeInteger(resting) || resting < 1) throw new Error(`--orders must be a positive integer (got ${values.orders})`);
  const finished = Math.floor(resting / 2);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-recovery-bench-'));
  fs.chmodSync(root, 0o755);
  const postgres = await startPostgres({ dataDir: path.join(root, 'postgres'), logFile: path.join(root, 'postgres.log') });
  try {
    await runMigrations(postgres.url, pino({ level: 'warn' }));
    process.stdout.write(`seeding shard ${SHARD}: ${resting.toLocaleString('en-US')} resting orders and ${finished.toLocaleString('en-US')} finished ones\n`);
    await seed(postgres.url, resting, finished);
    process.stdout.write('measuring an engine start in a fresh process\n');
    const m = await measureInChild(postgres.url);
    const perOrder = (bytes: number) => `${((bytes - m.baseHeapBytes) / m.resting).toFixed(0)} B per resting order`;
    process.stdout.write(
      [
        `resting orders read back      ${m.resting.toLocaleString('en-US')} in ${m.readSeconds.toFixed(2)} s (loadShardJournal)`,
        `books rebuilt                 in ${m.buildSeconds.toFixed(2)} s (ShardState.fromJournal)`,
        `heap after the read           ${megabytes(m.heapAfterReadBytes)} (${perOrder(m.heapAfterReadBytes)})`,
        `heap with journal and books   ${megabytes(m.heapAfterBuildBytes)} (${perOrder(m.heapAfterBuildBytes)})`,
        `heap that stays (books)       ${megabytes(m.liveHeapBytes)} (${perOrder(m.liveHeapBytes)}) after a full GC`,
        `peak resident memory          ${megabytes(m.maxRssBytes)} (heap limit of this process ${megabytes(m.heapLimitBytes)})`,
      ].join('\n') + '\n',
    );
  } finally {
    await postgres.stop();
    if (process.env.BENCH_KEEP !== '1') fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`recovery bench: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
