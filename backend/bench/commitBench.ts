/**
 * `node dist/backend/bench/commitBench.js`: the cost of the engine service's
 * batch commit (backend/db/journal.ts commitBatch) alone, against a private
 * PostgreSQL with fsync and synchronous_commit on (the defaults: durability as
 * in production).
 *
 * Realistic synthetic batches are generated once (a small price-time matcher
 * over 8 symbols: limit orders around a mid so about 40% of orders trade,
 * some resting and filled by later batches, IOC/FOK/market remainders
 * cancelled; accounts from a pool of 200, half the orders with a
 * clientOrderId) and committed sequentially by each variant into its own
 * database on the same server. Variants run interleaved, in chunks, so that
 * the machine's noise and the tables' growth hit them alike; the first chunk
 * of each is a warm-up.
 *
 * Per variant it prints batches/s and orders/s of the sequential commit loop,
 * the mean commit latency, this (node) process's CPU per order
 * (process.cpuUsage), PostgreSQL's CPU per order (utime+stime of the
 * postmaster and its children, and of its reaped children, from /proc) and the
 * WAL bytes per order.
 *
 * Variants: "before" (the commit and schema before backend/db/migrations/003
 * and the hand-built array literals), "after" (journal.ts commitBatch with
 * every migration) and the experiments measured on the way (see
 * BENCH_VARIANTS=list), kept to re-measure them.
 *
 * Environment: BENCH_BATCHES (default 3000), BENCH_BATCH_COMMANDS (27),
 * BENCH_CHUNK (batches per turn, default 250), BENCH_VARIANTS (comma-separated
 * names, default "before,after"; `BENCH_VARIANTS=list` prints them),
 * BENCH_PG_SETTINGS="name=value,…" (extra server settings, for experiments;
 * never fsync/synchronous_commit for figures that count), BENCH_KEEP=1 keeps
 * the data folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Pool } from 'pg';
import pino from 'pino';
import type { Side, TimeInForce } from '../engine/types';
import { BatchCommit, commitBatch, StoredOrder, StoredTrade } from '../db/journal';
import { Migration, readMigrations, runMigrations } from '../db/migrate';
import type { Queryable } from '../db/orders';
import { startPostgres } from '../../local/dataTier';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 3000);
const BATCH_COMMANDS = Number(process.env.BENCH_BATCH_COMMANDS ?? 27);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 250);
const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA', 'META', 'TSLA', 'SPY'];
const MID_TICKS = 10_000;
const CLOCK_TICKS_PER_SECOND = 100;

// ---------------------------------------------------------------------------------------------
// PostgreSQL's CPU, from /proc (as backend/bench/gatewayBench.ts does, which exports nothing;
// here the postmaster's reaped children, e.g. autovacuum workers, are counted too).

function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime (+ cutime + cstime: children waited for) of a process, in clock ticks. */
function cpuTicks(pid: number, withReaped = false): number {
  const fields = statFields(pid);
  if (fields === undefined) return 0;
  return Number(fields[11]) + Number(fields[12]) + (withReaped ? Number(fields[13]) + Number(fields[14]) : 0);
}

function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((candidate) => Number(statFields(candidate)?.[1]) === pid);
}

function postgresTicks(postmaster: number): number {
  return childrenOf(postmaster).reduce((sum, pid) => sum + cpuTicks(pid), cpuTicks(postmaster, true));
}

// ---------------------------------------------------------------------------------------------
// Synthetic batches: what the engine service would commit for BATCH_COMMANDS new orders each.

/** A deterministic generator (mulberry32), so every run commits the same batches. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CROCKFORD_BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function base32(value: number, width: number): string {
  let text = '';
  for (let i = 0; i < width; i++) {
    text = CROCKFORD_BASE32[value % 32] + text;
    value = Math.floor(value / 32);
  }
  return text;
}

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
  const node = Array.from({ length: 8 }, () => CROCKFORD_BASE32[Math.floor(random() * 32)]).join('');
  const startMs = Date.UTC(2025, 0, 1);
  const books = new Map(SYMBOLS.map((symbol) => [symbol, { buy: new BookSide('buy'), sell: new BookSide('sell') }]));
  let seq = 0;
  let command = 0;
  let checkpoint = '0-0';
  const work: GeneratedWork = { batches: [], orderRows: 0, tradeRows: 0, commands: 0, ordersTrading: 0 };
  for (let b = 0; b < batchCount; b++) {
    const changed = new Map<string, StoredOrder>();
    const trades: StoredTrade[] = [];
    for (let c = 0; c < commandsPerBatch; c++, command++) {
      const symbol = SYMBOLS[Math.floor(random() * SYMBOLS.length)];
      const side: Side = random() < 0.5 ? 'buy' : 'sell';
      const roll = random();
      const order: StoredOrder = {
        orderId: base32(startMs + Math.floor(command / 4), 10) + base32(command % 4, 4) + node,
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
        changed.set(maker.orderId, maker);
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
      changed.set(order.orderId, order);
    }
    const previousCheckpoint = checkpoint;
    checkpoint = `${1_700_000_000_000 + b}-0`;
    // Snapshots: the resting orders go on changing in later batches.
    const orders = [...changed.values()].map((order) => ({ ...order }));
    work.batches.push({ shard: 0, previousCheckpoint, checkpoint, lastSeq: seq, orders, trades });
    work.orderRows += orders.length;
    work.tradeRows += trades.length;
    work.commands += commandsPerBatch;
  }
  return work;
}

// ---------------------------------------------------------------------------------------------
// Variants: a schema (migrations, then extra SQL) and a commit function.

type Commit = (db: Queryable, batch: BatchCommit) => Promise<'committed' | 'fenced'>;

interface Variant {
  description: string;
  /** Which migrations (by version prefix) to apply; all when absent. */
  migrations?: (version: string) => boolean;
  extraSql?: string;
  commit: Commit;
}

/** The commit as it was before this work (node-postgres serializes 24 JS arrays), kept to compare against. */
const LEGACY_SQL = `
WITH fence AS (
  UPDATE engine_checkpoints SET stream_id = $25, last_seq = $26, updated_at = now()
  WHERE shard = $1 AND stream_id = $27
  RETURNING shard
), batch_orders AS (
  INSERT INTO orders (order_id, shard, seq, account, client_order_id, symbol, side, order_type, price, quantity,
                      time_in_force, status, ack_status, filled_quantity, leaves_quantity, reason)
  SELECT o.order_id, $1, o.seq, o.account, o.client_order_id, o.symbol, o.side, o.order_type, o.price, o.quantity,
         o.time_in_force, o.status, o.ack_status, o.filled_quantity, o.leaves_quantity, o.reason
  FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[],
              $10::bigint[], $11::text[], $12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::text[])
       AS o(order_id, seq, account, client_order_id, symbol, side, order_type, price, quantity,
            time_in_force, status, ack_status, filled_quantity, leaves_quantity, reason)
  WHERE EXISTS (SELECT 1 FROM fence)
  ON CONFLICT (order_id) DO UPDATE SET
    status = EXCLUDED.status, filled_quantity = EXCLUDED.filled_quantity,
    leaves_quantity = EXCLUDED.leaves_quantity, reason = EXCLUDED.reason, updated_at = now()
), batch_trades AS (
  INSERT INTO trades (trade_id, shard, seq, symbol, price, quantity, maker_order_id, taker_order_id, taker_side)
  SELECT t.trade_id, $1, t.seq, t.symbol, t.price, t.quantity, t.maker_order_id, t.taker_order_id, t.taker_side
  FROM unnest($17::text[], $18::bigint[], $19::text[], $20::bigint[], $21::bigint[], $22::text[], $23::text[], $24::text[])
       AS t(trade_id, seq, symbol, price, quantity, maker_order_id, taker_order_id, taker_side)
  WHERE EXISTS (SELECT 1 FROM fence)
)
SELECT count(*)::int AS moved FROM fence`;

const legacyCommit: Commit = async (db, batch) => {
  const { orders, trades } = batch;
  const result = await db.query<{ moved: number }>({
    name: 'commit-batch-legacy',
    text: LEGACY_SQL,
    values: [
      batch.shard,
      orders.map((o) => o.orderId),
      orders.map((o) => o.seq),
      orders.map((o) => o.account),
      orders.map((o) => o.clientOrderId),
      orders.map((o) => o.symbol),
      orders.map((o) => o.side),
      orders.map((o) => o.type),
      orders.map((o) => o.price),
      orders.map((o) => o.quantity),
      orders.map((o) => o.timeInForce),
      orders.map((o) => o.status),
      orders.map((o) => o.ackStatus),
      orders.map((o) => o.filledQuantity),
      orders.map((o) => o.leavesQuantity),
      orders.map((o) => o.reason),
      trades.map((t) => t.tradeId),
      trades.map((t) => t.seq),
      trades.map((t) => t.symbol),
      trades.map((t) => t.price),
      trades.map((t) => t.quantity),
      trades.map((t) => t.makerOrderId),
      trades.map((t) => t.takerOrderId),
      trades.map((t) => t.takerSide),
      batch.checkpoint,
      batch.lastSeq,
      batch.previousCheckpoint,
    ],
  });
  return result.rows[0].moved === 1 ? 'committed' : 'fenced';
};


// --- experiments -------------------------------------------------------------------------------

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;
function quoted(value: string | undefined): string {
  if (value === undefined || value === null) return 'NULL';
  return NEEDS_ESCAPE.test(value) ? `"${value.replace(ESCAPED, '\\$&')}"` : `"${value}"`;
}
function textArray<T>(rows: readonly T[], pick: (row: T) => string | undefined): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) out += (i === 0 ? '' : ',') + quoted(pick(rows[i]));
  return `${out}}`;
}
function intArray<T>(rows: readonly T[], pick: (row: T) => number | undefined): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) {
    const value = pick(rows[i]);
    out += (i === 0 ? '' : ',') + (value === undefined || value === null ? 'NULL' : String(value));
  }
  return `${out}}`;
}

/** Same SQL as before, the array literals built here (one pass per column). */
const textArraysCommit: Commit = async (db, batch) => {
  const { orders, trades } = batch;
  const result = await db.query<{ moved: number }>({
    name: 'commit-batch-text',
    text: LEGACY_SQL,
    values: [
      batch.shard,
      textArray(orders, (o) => o.orderId),
      intArray(orders, (o) => o.seq),
      textArray(orders, (o) => o.account),
      textArray(orders, (o) => o.clientOrderId),
      textArray(orders, (o) => o.symbol),
      textArray(orders, (o) => o.side),
      textArray(orders, (o) => o.type),
      intArray(orders, (o) => o.price),
      intArray(orders, (o) => o.quantity),
      textArray(orders, (o) => o.timeInForce),
      textArray(orders, (o) => o.status),
      textArray(orders, (o) => o.ackStatus),
      intArray(orders, (o) => o.filledQuantity),
      intArray(orders, (o) => o.leavesQuantity),
      textArray(orders, (o) => o.reason),
      textArray(trades, (t) => t.tradeId),
      intArray(trades, (t) => t.seq),
      textArray(trades, (t) => t.symbol),
      intArray(trades, (t) => t.price),
      intArray(trades, (t) => t.quantity),
      textArray(trades, (t) => t.makerOrderId),
      textArray(trades, (t) => t.takerOrderId),
      textArray(trades, (t) => t.takerSide),
      batch.checkpoint,
      batch.lastSeq,
      batch.previousCheckpoint,
    ],
  });
  return result.rows[0].moved === 1 ? 'committed' : 'fenced';
};

/** New orders (seq above the stored last_seq) by a plain INSERT, the others by the upsert. */
const SPLIT_SQL = `
WITH prior AS (
  SELECT last_seq FROM engine_checkpoints WHERE shard = $1
), fence AS (
  UPDATE engine_checkpoints SET stream_id = $25, last_seq = $26, updated_at = now()
  WHERE shard = $1 AND stream_id = $27
  RETURNING shard
), o AS (
  SELECT * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[],
              $10::bigint[], $11::text[], $12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::text[])
       AS o(order_id, seq, account, client_order_id, symbol, side, order_type, price, quantity,
            time_in_force, status, ack_status, filled_quantity, leaves_quantity, reason)
  WHERE EXISTS (SELECT 1 FROM fence)
), new_orders AS (
  INSERT INTO orders (order_id, shard, seq, account, client_order_id, symbol, side, order_type, price, quantity,
                      time_in_force, status, ack_status, filled_quantity, leaves_quantity, reason)
  SELECT o.order_id, $1, o.seq, o.account, o.client_order_id, o.symbol, o.side, o.order_type, o.price, o.quantity,
         o.time_in_force, o.status, o.ack_status, o.filled_quantity, o.leaves_quantity, o.reason
  FROM o WHERE o.seq > (SELECT last_seq FROM prior)
), changed_orders AS (
  INSERT INTO orders (order_id, shard, seq, account, client_order_id, symbol, side, order_type, price, quantity,
                      time_in_force, status, ack_status, filled_quantity, leaves_quantity, reason)
  SELECT o.order_id, $1, o.seq, o.account, o.client_order_id, o.symbol, o.side, o.order_type, o.price, o.quantity,
         o.time_in_force, o.status, o.ack_status, o.filled_quantity, o.leaves_quantity, o.reason
  FROM o WHERE o.seq <= (SELECT last_seq FROM prior)
  ON CONFLICT (order_id) DO UPDATE SET
    status = EXCLUDED.status, filled_quantity = EXCLUDED.filled_quantity,
    leaves_quantity = EXCLUDED.leaves_quantity, reason = EXCLUDED.reason, updated_at = now()
), batch_trades AS (
  INSERT INTO trades (trade_id, shard, seq, symbol, price, quantity, maker_order_id, taker_order_id, taker_side)
  SELECT t.trade_id, $1, t.seq, t.symbol, t.price, t.quantity, t.maker_order_id, t.taker_order_id, t.taker_side
  FROM unnest($17::text[], $18::bigint[], $19::text[], $20::bigint[], $21::bigint[], $22::text[], $23::text[], $24::text[])
       AS t(trade_id, seq, symbol, price, quantity, maker_order_id, taker_order_id, taker_side)
  WHERE EXISTS (SELECT 1 FROM fence)
)
SELECT count(*)::int AS moved FROM fence`;

const withSql = (name: string, text: string, base: Commit): Commit => (db, batch) =>
  base({ query: (config: { values: unknown[] }) => db.query({ ...config, name, text }) } as unknown as Queryable, batch);

const MERGED_CHECKS = `DO $$ DECLARE c record; BEGIN
  FOR c IN SELECT conrelid::regclass AS rel, conname FROM pg_constraint WHERE contype = 'c' AND conrelid IN ('orders'::regclass, 'trades'::regclass) LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.rel, c.conname);
  END LOOP; END $$;
ALTER TABLE orders ADD CONSTRAINT orders_check CHECK (
  side IN ('buy', 'sell') AND order_type IN ('limit', 'market') AND price > 0 AND quantity > 0
  AND time_in_force IN ('GTC', 'IOC', 'FOK')
  AND status IN ('new', 'partially_filled', 'filled', 'cancelled', 'rejected')
  AND ack_status IN ('new', 'partially_filled', 'filled', 'cancelled', 'rejected')
  AND filled_quantity >= 0 AND leaves_quantity >= 0);
ALTER TABLE trades ADD CONSTRAINT trades_check CHECK (price > 0 AND quantity > 0 AND taker_side IN ('buy', 'sell'));`;

const jsonSql = (fn: 'json' | 'jsonb') => `
WITH fence AS (
  UPDATE engine_checkpoints SET stream_id = $4, last_seq = $5, updated_at = now()
  WHERE shard = $1 AND stream_id = $6
  RETURNING shard
), batch_orders AS (
  INSERT INTO orders (order_id, shard, seq, account, client_order_id, symbol, side, order_type, price, quantity,
                      time_in_force, status, ack_status, filled_quantity, leaves_quantity, reason)
  SELECT o."orderId", $1, o.seq, o.account, o."clientOrderId", o.symbol, o.side, o.type, o.price, o.quantity,
         o."timeInForce", o.status, o."ackStatus", o."filledQuantity", o."leavesQuantity", o.reason
  FROM ${fn}_to_recordset($2::${fn}) AS o("orderId" text, seq bigint, account text, "clientOrderId" text, symbol text, side text,
       type text, price bigint, quantity bigint, "timeInForce" text, status text, "ackStatus" text, "filledQuantity" bigint,
       "leavesQuantity" bigint, reason text)
  WHERE EXISTS (SELECT 1 FROM fence)
  ON CONFLICT (order_id) DO UPDATE SET
    status = EXCLUDED.status, filled_quantity = EXCLUDED.filled_quantity,
    leaves_quantity = EXCLUDED.leaves_quantity, reason = EXCLUDED.reason, updated_at = now()
), batch_trades AS (
  INSERT INTO trades (trade_id, shard, seq, symbol, price, quantity, maker_order_id, taker_order_id, taker_side)
  SELECT t."tradeId", $1, t.seq, t.symbol, t.price, t.quantity, t."makerOrderId", t."takerOrderId", t."takerSide"
  FROM ${fn}_to_recordset($3::${fn}) AS t("tradeId" text, seq bigint, symbol text, price bigint, quantity bigint,
       "makerOrderId" text, "takerOrderId" text, "takerSide" text)
  WHERE EXISTS (SELECT 1 FROM fence)
)
SELECT count(*)::int AS moved FROM fence`;

const jsonCommit = (fn: 'json' | 'jsonb'): Commit => {
  const text = jsonSql(fn);
  return async (db, batch) => {
    const result = await db.query<{ moved: number }>({
      name: `commit-batch-${fn}`,
      text,
      values: [batch.shard, JSON.stringify(batch.orders), JSON.stringify(batch.trades), batch.checkpoint, batch.lastSeq, batch.previousCheckpoint],
    });
    return result.rows[0].moved === 1 ? 'committed' : 'fenced';
  };
};

const upTo002 = (version: string) => version < '003';

const VARIANTS: Record<string, Variant> = {
  before: { description: 'the commit and schema before this work (migrations 001-002)', migrations: upTo002, commit: legacyCommit },
  'text-arrays': { description: 'before, with the array literals built by hand', migrations: upTo002, commit: textArraysCommit },
  json: { description: 'before, with orders and trades as two json parameters (json_to_recordset)', migrations: upTo002, commit: jsonCommit('json') },
  jsonb: { description: 'as json, with jsonb_to_recordset', migrations: upTo002, commit: jsonCommit('jsonb') },
  roundtrip: {
    description: 'no commit at all: one prepared SELECT per batch (the floor of a round trip)',
    migrations: upTo002,
    commit: async (db) => ((await db.query<{ moved: number }>({ name: 'noop', text: 'SELECT $1::int AS moved', values: [1] })).rows[0].moved === 1 ? 'committed' : 'fenced'),
  },
  'no-account-index': { description: 'text-arrays without orders_by_account', migrations: upTo002, commit: textArraysCommit, extraSql: 'DROP INDEX orders_by_account' },
  'partial-unique': {
    description: 'text-arrays, the unique (account, client_order_id) as a partial unique index WHERE client_order_id IS NOT NULL',
    migrations: upTo002,
    commit: textArraysCommit,
    extraSql: `ALTER TABLE orders DROP CONSTRAINT orders_account_client_order_id_key;
      CREATE UNIQUE INDEX orders_account_client_order_id_key ON orders (account, client_order_id) WHERE client_order_id IS NOT NULL`,
  },
  'no-unique': { description: 'text-arrays without the unique (account, client_order_id) (to know its cost)', migrations: upTo002, commit: textArraysCommit, extraSql: 'ALTER TABLE orders DROP CONSTRAINT orders_account_client_order_id_key' },
  'no-maker-index': { description: 'text-arrays without trades_by_maker', migrations: upTo002, commit: textArraysCommit, extraSql: 'DROP INDEX trades_by_maker' },
  'no-checks': {
    description: 'text-arrays without the CHECK constraints of orders and trades',
    migrations: upTo002,
    commit: textArraysCommit,
    extraSql: `DO $$ DECLARE c record; BEGIN
      FOR c IN SELECT conrelid::regclass AS rel, conname FROM pg_constraint WHERE contype = 'c' AND conrelid IN ('orders'::regclass, 'trades'::regclass) LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.rel, c.conname);
      END LOOP; END $$`,
  },
  split: { description: 'text-arrays, new orders by plain INSERT (seq > stored last_seq), the others upserted', migrations: upTo002, commit: withSql('commit-split', SPLIT_SQL, textArraysCommit) },
  'merged-checks': { description: 'text-arrays, one CHECK per table instead of one per column', migrations: upTo002, commit: textArraysCommit, extraSql: MERGED_CHECKS },
  'hash-maker-index': { description: 'text-arrays, trades_by_maker as a hash index', migrations: upTo002, commit: textArraysCommit, extraSql: 'DROP INDEX trades_by_maker; CREATE INDEX trades_by_maker ON trades USING hash (maker_order_id)' },
  'after-no-003': { description: 'backend/db/journal.ts commitBatch with migrations 001-002 (the encoding alone)', migrations: upTo002, commit: commitBatch },
  after: { description: 'backend/db/journal.ts commitBatch with every migration', commit: commitBatch },
};

// ---------------------------------------------------------------------------------------------

interface Totals {
  batches: number;
  orders: number;
  elapsedNs: bigint;
  nodeMicros: number;
  nodeSystemMicros: number;
  postgresTicks: number;
  walBytes: number;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function walLsn(db: Queryable): Promise<bigint> {
  const result = await db.query<{ lsn: string }>(`SELECT (pg_current_wal_insert_lsn() - '0/0')::text AS lsn`);
  return BigInt(result.rows[0].lsn);
}

async function main(): Promise<void> {
  const names = (process.env.BENCH_VARIANTS ?? 'before,after').split(',').filter((name) => name !== '');
  if (names.includes('list')) {
    for (const [name, variant] of Object.entries(VARIANTS)) process.stdout.write(`${name.padEnd(22)} ${variant.description}\n`);
    return;
  }
  for (const name of names) if (!(name in VARIANTS)) throw new Error(`unknown variant ${name} (BENCH_VARIANTS=list lists them)`);

  const generateStart = process.hrtime.bigint();
  const work = generateWork(BATCHES, BATCH_COMMANDS);
  process.stdout.write(
    `${work.batches.length} batches of ${BATCH_COMMANDS} new orders: ${(work.orderRows / work.batches.length).toFixed(1)} order rows` +
      ` and ${(work.tradeRows / work.batches.length).toFixed(1)} trades per batch, ${((work.ordersTrading / work.commands) * 100).toFixed(0)}% of new orders trade` +
      ` (generated in ${(Number(process.hrtime.bigint() - generateStart) / 1e6).toFixed(0)} ms)\n`,
  );

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-commit-bench-'));
  fs.chmodSync(root, 0o755);
  const settings = Object.fromEntries((process.env.BENCH_PG_SETTINGS ?? '').split(',').filter((pair) => pair.includes('=')).map((pair) => pair.split('=', 2)));
  const postgres = await startPostgres({ dataDir: path.join(root, 'postgres'), logFile: path.join(root, 'postgres.log'), settings });
  const pools: Pool[] = [];
  try {
    const admin = new Client({ connectionString: postgres.url });
    await admin.connect();
    const shown = await admin.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_compression', 'wal_buffers', 'server_version') ORDER BY name`,
    );
    process.stdout.write(`PostgreSQL: ${shown.rows.map((row) => `${row.name}=${row.setting}`).join(' ')}\n`);
    const all = readMigrations();
    const variants = names.map((name, index) => ({ name, index, ...VARIANTS[name] }));
    for (const variant of variants) {
      const database = `bench_${variant.index}`;
      await admin.query(`CREATE DATABASE ${database}`);
      const url = withDatabase(postgres.url, database);
      const migrations: Migration[] = all.filter((migration) => (variant.migrations ?? (() => true))(migration.version));
      await runMigrations(url, pino({ level: 'warn' }), migrations);
      const client = new Client({ connectionString: url });
      await client.connect();
      if (variant.extraSql) await client.query(variant.extraSql);
      // As loadShardJournal does when an engine starts.
      await client.query(`INSERT INTO engine_checkpoints (shard, stream_id, last_seq) VALUES (0, '0-0', 0)`);
      await client.end();
      // Like the engine service: a pool (its first connection is opened by the warm-up).
      const pool = new Pool({ connectionString: url, max: 1, application_name: `bench-${variant.name}` });
      pool.on('error', () => undefined);
      pools.push(pool);
    }
    await admin.end();

    const totals: Totals[] = variants.map(() => ({ batches: 0, orders: 0, elapsedNs: 0n, nodeMicros: 0, nodeSystemMicros: 0, postgresTicks: 0, walBytes: 0 }));
    const chunks = Math.ceil(work.batches.length / CHUNK);
    process.stdout.write(`${variants.map((v) => v.name).join(', ')}: ${chunks} turns of ${CHUNK} batches each (the first one a warm-up)\n`);
    for (let chunk = 0; chunk < chunks; chunk++) {
      const slice = work.batches.slice(chunk * CHUNK, (chunk + 1) * CHUNK);
      // Alternate the order of the variants from turn to turn.
      const order = chunk % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        const pool = pools[variant.index];
        const lsnBefore = await walLsn(pool);
        const ticksBefore = postgresTicks(postgres.pid);
        const cpuBefore = process.cpuUsage();
        const started = process.hrtime.bigint();
        for (const batch of slice) {
          const outcome = await variant.commit(pool, batch);
          if (outcome !== 'committed') throw new Error(`${variant.name}: batch ${batch.checkpoint} was ${outcome}`);
        }
        const elapsed = process.hrtime.bigint() - started;
        const cpu = process.cpuUsage(cpuBefore);
        const ticks = postgresTicks(postgres.pid) - ticksBefore;
        const wal = Number((await walLsn(pool)) - lsnBefore);
        if (chunk === 0) continue;
        const total = totals[variant.index];
        total.batches += slice.length;
        // Per order = per new order (command), as the gateway bench counts them.
        total.orders += slice.length * BATCH_COMMANDS;
        total.elapsedNs += elapsed;
        total.nodeMicros += cpu.user + cpu.system;
        total.nodeSystemMicros += cpu.system;
        total.postgresTicks += ticks;
        total.walBytes += wal;
      }
    }

    process.stdout.write(`\n${'variant'.padEnd(22)} ${'batches/s'.padStart(9)} ${'orders/s'.padStart(9)} ${'commit ms'.padStart(9)} ${'node µs/order (sys)'.padStart(19)} ${'PG µs/order'.padStart(11)} ${'WAL B/order'.padStart(11)}\n`);
    for (const variant of variants) {
      const total = totals[variant.index];
      const seconds = Number(total.elapsedNs) / 1e9;
      const pgMicros = (total.postgresTicks / CLOCK_TICKS_PER_SECOND) * 1e6;
      process.stdout.write(
        `${variant.name.padEnd(22)} ${(total.batches / seconds).toFixed(0).padStart(9)} ${(total.orders / seconds).toFixed(0).padStart(9)}` +
          ` ${((seconds * 1000) / total.batches).toFixed(2).padStart(9)} ${`${(total.nodeMicros / total.orders).toFixed(1)} (${(total.nodeSystemMicros / total.orders).toFixed(1)})`.padStart(19)}` +
          ` ${(pgMicros / total.orders).toFixed(1).padStart(11)} ${(total.walBytes / total.orders).toFixed(0).padStart(11)}\n`,
      );
    }
    process.stdout.write('(per order = per new order; the commit loop is sequential, one connection per variant)\n');
    for (const variant of variants) {
      const stats = await pools[variant.index].query<{ upd: string; hot: string; size: string }>(
        `SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot, pg_size_pretty(pg_total_relation_size('orders')) AS size FROM pg_stat_user_tables WHERE relname = 'orders'`,
      );
      const row = stats.rows[0];
      process.stdout.write(`${variant.name}: orders updated ${row.upd} times, ${row.hot} HOT; orders with its indexes ${row.size}\n`);
    }
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
    await postgres.stop();
    if (process.env.BENCH_KEEP !== '1') fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`commit bench: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
