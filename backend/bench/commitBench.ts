/**
 * `npm run bench:commit`: the cost of the engine service's batch commit
 * (backend/db/journal.ts commitBatch) alone, against a private PostgreSQL with
 * fsync and synchronous_commit on (the defaults: durability as in production).
 *
 * Realistic synthetic batches are generated once (a small price-time matcher
 * over 8 symbols: limit orders around a mid so about 40% of orders trade,
 * some resting and filled by later batches, IOC/FOK/market remainders
 * cancelled; accounts from a pool of 200, half the orders with a
 * clientOrderId; the same batches on every run) and committed sequentially,
 * over one pooled connection as the engine service does, into a database with
 * every migration applied. The first BENCH_WARMUP batches are a warm-up, not
 * counted.
 *
 * It prints batches/s and orders/s of the sequential commit loop, the mean
 * commit latency, this (node) process's CPU per order (process.cpuUsage),
 * PostgreSQL's CPU per order (the postmaster and its live and reaped children,
 * from /proc) and the WAL bytes per order.
 *
 * To compare two versions of the commit (SQL, encoding, migrations), run it
 * on each checkout (`npm run bench:commit` in both, on the same quiet machine)
 * and compare the figures.
 *
 * Environment: BENCH_BATCHES (measured batches, default 3000),
 * BENCH_WARMUP (batches before them, default 250), BENCH_BATCH_COMMANDS (new
 * orders per batch, default 27), BENCH_PG_SETTINGS="name=value,…" (extra
 * server settings, for experiments; never fsync/synchronous_commit for
 * figures that count), BENCH_KEEP=1 keeps the data folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Pool } from 'pg';
import pino from 'pino';
import { DEFAULT_SYMBOLS } from '../config/symbols';
import type { Side, TimeInForce } from '../engine/types';
import { BatchCommit, COMMIT_CONNECTION_SETTINGS, commitBatch, orderUpdateOf, StoredOrder, StoredTrade } from '../db/journal';
import { runMigrations } from '../db/migrate';
import { createPool } from '../db/pool';
import type { Queryable } from '../db/orders';
import { OrderIdGenerator } from '../gateway/orderIds';
import { startPostgres } from '../../local/dataTier';
import { postgresCpuSeconds } from '../../local/processCpu';
import { seededRandom } from '../../loadtest/seededRandom';
import { integerSetting, pairsSetting, refuseArguments, UsageError } from '../../local/flags';

/** What the environment sets (see above); a bad value or any argument is a UsageError. */
function readSettings(args: readonly string[]) {
  refuseArguments(args, ['BENCH_BATCHES', 'BENCH_WARMUP', 'BENCH_BATCH_COMMANDS', 'BENCH_PG_SETTINGS', 'BENCH_KEEP']);
  return {
    batches: integerSetting('BENCH_BATCHES', 3000, 1, 10_000_000),
    warmup: integerSetting('BENCH_WARMUP', 250, 0, 10_000_000),
    batchCommands: integerSetting('BENCH_BATCH_COMMANDS', 27, 1, 100_000),
    postgres: pairsSetting('BENCH_PG_SETTINGS'),
    keep: process.env.BENCH_KEEP === '1',
  };
}
const SYMBOLS = DEFAULT_SYMBOLS.split(',');
const MID_TICKS = 10_000;

// ---------------------------------------------------------------------------------------------
// Synthetic batches: what the engine service would commit for BENCH_BATCH_COMMANDS new orders each.

export interface GeneratedWork {
  batches: BatchCommit[];
  orderRows: number;
  tradeRows: number;
  commands: number;
  ordersTrading: number;
}

/** One side of one symbol's book: price levels, each a FIFO of resting orders. */
class BookSide {
  readonly levels = new Map<number, StoredOrder[]>();
  constructor(private readonly side: Side) {}

  best(): number | undefined {
    let best: number | undefined;
    for (const [price, queue] of this.levels) {
      if (queue.length === 0) continue;
      if (best === undefined || (this.side === 'buy' ? price > best : price < best)) best = price;
    }
    return best;
  }

  add(order: StoredOrder): void {
    const queue = this.levels.get(order.price!) ?? [];
    queue.push(order);
    this.levels.set(order.price!, queue);
  }

  available(limit: number | undefined, takerSide: Side): number {
    let total = 0;
    for (const [price, queue] of this.levels) {
      if (limit !== undefined && (takerSide === 'buy' ? price > limit : price < limit)) continue;
      for (const order of queue) total += order.leavesQuantity;
    }
    return total;
  }
}

export function generateWork(batchCount: number, commandsPerBatch: number): GeneratedWork {
  const random = seededRandom(20_240_601);
  // Four orders per millisecond: ids as a gateway issues them, the same from run to run.
  const orderIds = new OrderIdGenerator('BENCH000');
  const startMs = Date.UTC(2025, 0, 1);
  const books = new Map(SYMBOLS.map((symbol) => [symbol, { buy: new BookSide('buy'), sell: new BookSide('sell') }]));
  let seq = 0;
  let command = 0;
  let checkpoint = '0-0';
  const work: GeneratedWork = { batches: [], orderRows: 0, tradeRows: 0, commands: 0, ordersTrading: 0 };
  for (let b = 0; b < batchCount; b++) {
    // Orders this batch creates, and orders of earlier batches it changes (makers): inserted and updated rows.
    const created = new Map<string, StoredOrder>();
    const updated = new Map<string, StoredOrder>();
    const trades: StoredTrade[] = [];
    for (let c = 0; c < commandsPerBatch; c++, command++) {
      const symbol = SYMBOLS[Math.floor(random() * SYMBOLS.length)];
      const side: Side = random() < 0.5 ? 'buy' : 'sell';
      const roll = random();
      const order: StoredOrder = {
        orderId: orderIds.next(startMs + Math.floor(command / 4)),
        account: `acct-${Math.floor(random() * 200)}`,
        symbol,
        side,
        type: roll < 0.05 ? 'market' : 'limit',
        quantity: 1 + Math.floor(random() * 100),
        timeInForce: roll < 0.05 || roll >= 0.2 ? 'GTC' : roll < 0.15 ? 'IOC' : 'FOK',
        status: 'new',
        ackStatus: 'new',
        filledQuantity: 0,
        leavesQuantity: 0,
        seq: ++seq,
      };
      order.leavesQuantity = order.quantity;
      if (command % 2 === 0) order.clientOrderId = `bench-${command}`;
      if (order.type === 'limit') {
        const offset = Math.floor(random() * 6) - 2;
        order.price = side === 'buy' ? MID_TICKS - offset : MID_TICKS + offset;
      }
      const book = books.get(symbol)!;
      const [own, opposite] = side === 'buy' ? [book.buy, book.sell] : [book.sell, book.buy];
      const tif: TimeInForce = order.timeInForce;
      const canMatch = tif !== 'FOK' || opposite.available(order.price, side) >= order.quantity;
      let fills = 0;
      while (canMatch && order.leavesQuantity > 0) {
        const best = opposite.best();
        if (best === undefined || (order.price !== undefined && (side === 'buy' ? best > order.price : best < order.price))) break;
        const queue = opposite.levels.get(best)!;
        const maker = queue[0];
        const quantity = Math.min(maker.leavesQuantity, order.leavesQuantity);
        for (const party of [maker, order]) {
          party.filledQuantity += quantity;
          party.leavesQuantity -= quantity;
          party.status = party.leavesQuantity === 0 ? 'filled' : 'partially_filled';
        }
        if (maker.leavesQuantity === 0) queue.shift();
        if (!created.has(maker.orderId)) updated.set(maker.orderId, maker);
        trades.push({
          tradeId: `${order.orderId}-${++fills}`,
          seq: ++seq,
          symbol,
          price: best,
          quantity,
          makerOrderId: maker.orderId,
          takerOrderId: order.orderId,
          takerSide: side,
        });
      }
      if (fills > 0) work.ordersTrading++;
      if (order.leavesQuantity > 0 && (order.type === 'market' || tif !== 'GTC')) {
        order.status = 'cancelled';
        order.reason = tif === 'FOK' ? 'fok' : 'unfilled';
        order.leavesQuantity = 0;
      }
      order.ackStatus = order.status;
      if (order.leavesQuantity > 0) own.add(order);
      created.set(order.orderId, order);
    }
    const previousCheckpoint = checkpoint;
    checkpoint = `${1_700_000_000_000 + b}-0`;
    // Snapshots: the resting orders go on changing in later batches.
    const orders = [...created.values()].map((order) => ({ ...order }));
    const orderUpdates = [...updated.values()].map(orderUpdateOf);
    work.batches.push({ shard: 0, previousCheckpoint, checkpoint, lastSeq: seq, orders, orderUpdates, trades });
    work.orderRows += orders.length + orderUpdates.length;
    work.tradeRows += trades.length;
    work.commands += commandsPerBatch;
  }
  return work;
}

// ---------------------------------------------------------------------------------------------

interface Totals {
  batches: number;
  orders: number;
  elapsedNs: bigint;
  nodeMicros: number;
  nodeSystemMicros: number;
  postgresSeconds: number;
  walBytes: number;
}

async function walLsn(db: Queryable): Promise<bigint> {
  const result = await db.query<{ lsn: string }>(`SELECT (pg_current_wal_insert_lsn() - '0/0')::text AS lsn`);
  return BigInt(result.rows[0].lsn);
}

/** Commits the batches in order, one after the other, and what that cost. */
async function commitAll(pool: Pool, postmaster: number, batches: BatchCommit[], batchCommands: number): Promise<Totals> {
  const lsnBefore = await walLsn(pool);
  const postgresBefore = postgresCpuSeconds(postmaster);
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (const batch of batches) {
    const outcome = await commitBatch(pool, batch);
    if (outcome !== 'committed') throw new Error(`batch ${batch.checkpoint} was ${outcome}`);
  }
  const elapsedNs = process.hrtime.bigint() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const postgresSeconds = postgresCpuSeconds(postmaster) - postgresBefore;
  const walBytes = Number((await walLsn(pool)) - lsnBefore);
  return {
    batches: batches.length,
    // Per order = per new order (command), as the gateway bench counts them.
    orders: batches.length * batchCommands,
    elapsedNs,
    nodeMicros: cpu.user + cpu.system,
    nodeSystemMicros: cpu.system,
    postgresSeconds,
    walBytes,
  };
}

async function main(): Promise<void> {
  const { batches, warmup, batchCommands, postgres: postgresSettings, keep } = readSettings(process.argv.slice(2));
  const generateStart = process.hrtime.bigint();
  const work = generateWork(warmup + batches, batchCommands);
  process.stdout.write(
    `${work.batches.length} batches of ${batchCommands} new orders: ${(work.orderRows / work.batches.length).toFixed(1)} order rows` +
      ` and ${(work.tradeRows / work.batches.length).toFixed(1)} trades per batch, ${((work.ordersTrading / work.commands) * 100).toFixed(0)}% of new orders trade` +
      ` (generated in ${(Number(process.hrtime.bigint() - generateStart) / 1e6).toFixed(0)} ms)\n`,
  );

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-commit-bench-'));
  fs.chmodSync(root, 0o755);
  const postgres = await startPostgres({ dataDir: path.join(root, 'postgres'), logFile: path.join(root, 'postgres.log'), settings: postgresSettings });
  // The engine service's kind of pool (its first connection is opened by the warm-up).
  const logger = pino({ level: 'warn' });
  const pool = createPool(postgres.url, { max: 1, applicationName: 'bench-commit', serverSettings: COMMIT_CONNECTION_SETTINGS }, logger);
  try {
    await runMigrations(postgres.url, logger);
    const shown = await pool.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_compression', 'wal_buffers', 'server_version') ORDER BY name`,
    );
    process.stdout.write(`PostgreSQL: ${shown.rows.map((row) => `${row.name}=${row.setting}`).join(' ')}\n`);
    // As loadShardJournal does when an engine starts.
    await pool.query(`INSERT INTO engine_checkpoints (shard, stream_id, last_seq) VALUES (0, '0-0', 0)`);

    process.stdout.write(`commitBatch: ${warmup} batches of warm-up, then ${batches} measured\n`);
    await commitAll(pool, postgres.pid, work.batches.slice(0, warmup), batchCommands);
    const total = await commitAll(pool, postgres.pid, work.batches.slice(warmup), batchCommands);

    const seconds = Number(total.elapsedNs) / 1e9;
    const pgMicros = total.postgresSeconds * 1e6;
    process.stdout.write(
      `\n${'batches/s'.padStart(9)} ${'orders/s'.padStart(9)} ${'commit ms'.padStart(9)} ${'node µs/order (sys)'.padStart(19)} ${'PG µs/order'.padStart(11)} ${'WAL B/order'.padStart(11)}\n`,
    );
    process.stdout.write(
      `${(total.batches / seconds).toFixed(0).padStart(9)} ${(total.orders / seconds).toFixed(0).padStart(9)}` +
        ` ${((seconds * 1000) / total.batches).toFixed(2).padStart(9)} ${`${(total.nodeMicros / total.orders).toFixed(1)} (${(total.nodeSystemMicros / total.orders).toFixed(1)})`.padStart(19)}` +
        ` ${(pgMicros / total.orders).toFixed(1).padStart(11)} ${(total.walBytes / total.orders).toFixed(0).padStart(11)}\n`,
    );
    process.stdout.write('(per order = per new order; the commit loop is sequential, over one connection)\n');
    const stats = await pool.query<{ upd: string; hot: string; size: string }>(
      `SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot, pg_size_pretty(pg_total_relation_size('orders')) AS size FROM pg_stat_user_tables WHERE relname = 'orders'`,
    );
    const row = stats.rows[0];
    process.stdout.write(`orders updated ${row.upd} times, ${row.hot} HOT; orders with its indexes ${row.size}\n`);
  } finally {
    await pool.end();
    await postgres.stop();
    if (!keep) fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    if (error instanceof UsageError) process.stderr.write(`bench:commit: ${error.message}\n`);
    else process.stderr.write(`commit bench: ${error.stack ?? error.message}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
