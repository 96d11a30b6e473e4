/**
 * The engine service's journal in PostgreSQL: what a shard needs to resume
 * (checkpoint, last seq, resting orders in time priority) and the commit of
 * one batch's effects.
 */
import type { Pool } from 'pg';
import type { RestingOrder, Side } from '../engine/types';
import type { OrderStatus, OrderView } from '../streams';
import type { Queryable } from './orders';

/** An order as the engine service keeps it and stores it: its view without the fills, and two columns of its own. */
export interface StoredOrder extends Omit<OrderView, 'fills'> {
  /** The status right after its own command (see the orders table). */
  ackStatus: OrderStatus;
  /** Position in the shard's processing order. */
  seq: number;
}

export interface StoredTrade {
  tradeId: string;
  seq: number;
  symbol: string;
  price: number;
  quantity: number;
  makerOrderId: string;
  takerOrderId: string;
  takerSide: Side;
}

/**
 * An order resting on the book, as the journal gives it back for a restart:
 * what the engine needs to queue it again (`quantity` is the open quantity,
 * as in a snapshot) and the quantity first ordered, from which its filled
 * quantity follows.
 */
export interface StoredRestingOrder extends RestingOrder {
  account: string;
  orderedQuantity: number;
}

/** The new state of an order committed by an earlier batch (a maker that traded, a cancelled order). */
export interface OrderUpdate {
  orderId: string;
  status: OrderStatus;
  filledQuantity: number;
  leavesQuantity: number;
  reason?: string;
}

/** The update that takes an order committed earlier to the state of `order`. */
export function orderUpdateOf({ orderId, status, filledQuantity, leavesQuantity, reason }: StoredOrder): OrderUpdate {
  const update: OrderUpdate = { orderId, status, filledQuantity, leavesQuantity };
  if (reason !== undefined) update.reason = reason;
  return update;
}

/** The stream id before any entry: nothing committed yet. */
export const INITIAL_CHECKPOINT = '0-0';

export interface ShardJournal {
  /** The last orders:{shard} entry whose effects are committed. */
  checkpoint: string;
  lastSeq: number;
  /** Open orders, earliest seq first. */
  restingOrders: StoredRestingOrder[];
}

export interface BatchCommit {
  shard: number;
  /** The checkpoint this batch starts from: the commit is refused if another writer moved it. */
  previousCheckpoint: string;
  checkpoint: string;
  lastSeq: number;
  /** Every order the batch created, each once, in its state after the batch. */
  orders: StoredOrder[];
  /** Every order of an earlier batch that this one changed, each once, in its state after the batch. */
  orderUpdates: OrderUpdate[];
  trades: StoredTrade[];
}

export async function readCheckpoint(db: Queryable, shard: number): Promise<string | undefined> {
  const result = await db.query<{ stream_id: string }>('SELECT stream_id FROM engine_checkpoints WHERE shard = $1', [shard]);
  return result.rows[0]?.stream_id;
}

/** Rows fetched at a time when a shard's resting orders are read back: a book of any size is read in bounded pieces. */
export const RESTING_ORDERS_FETCH = 10_000;

interface RestingOrderRow {
  order_id: string;
  account: string;
  symbol: string;
  side: Side;
  price: string;
  quantity: string;
  leaves_quantity: string;
}

/**
 * Everything a shard resumes from, read in one repeatable-read snapshot. The
 * resting orders come through a cursor, `fetchSize` rows at a time, each
 * turned at once into the few fields a restart needs, with one copy of each
 * account, symbol and side string: a book of hundreds of thousands of orders
 * is read without holding them all as full rows (about 2 KB an order at its
 * peak before, enough to exhaust a 512 MiB container's heap).
 */
export async function loadShardJournal(pool: Pool, shard: number, fetchSize = RESTING_ORDERS_FETCH): Promise<ShardJournal> {
  const client = await pool.connect();
  try {
    await client.query(
      `INSERT INTO engine_checkpoints (shard, stream_id, last_seq) VALUES ($1, $2, 0) ON CONFLICT (shard) DO NOTHING`,
      [shard, INITIAL_CHECKPOINT],
    );
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const checkpoint = await client.query<{ stream_id: string; last_seq: string }>(
      'SELECT stream_id, last_seq FROM engine_checkpoints WHERE shard = $1',
      [shard],
    );
    await client.query(
      `DECLARE resting_orders NO SCROLL CURSOR FOR
       SELECT order_id, account, symbol, side, price, quantity, leaves_quantity
       FROM orders WHERE shard = $1 AND leaves_quantity > 0 ORDER BY seq`,
      [shard],
    );
    const restingOrders: StoredRestingOrder[] = [];
    const oneCopy = new Map<string, string>();
    const shared = <T extends string>(text: T): T => {
      const copy = oneCopy.get(text);
      if (copy !== undefined) return copy as T;
      oneCopy.set(text, text);
      return text;
    };
    for (;;) {
      const { rows } = await client.query<RestingOrderRow>(`FETCH ${fetchSize} FROM resting_orders`);
      for (const row of rows) {
        restingOrders.push({
          orderId: row.order_id,
          account: shared(row.account),
          symbol: shared(row.symbol),
          side: shared(row.side),
          price: Number(row.price),
          quantity: Number(row.leaves_quantity),
          orderedQuantity: Number(row.quantity),
        });
      }
      if (rows.length < fetchSize) break;
    }
    await client.query('COMMIT');
    return {
      checkpoint: checkpoint.rows[0].stream_id,
      lastSeq: Number(checkpoint.rows[0].last_seq),
      restingOrders,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * New orders, the new state of earlier ones, trades and the checkpoint in ONE
 * statement: data-modifying CTEs run atomically, so this is one transaction
 * and one round trip, each part one multi-row insert or update from unnest'ed
 * arrays. Earlier orders are updated by id with their state columns alone, so
 * the engine service keeps only an open order's quantities, not its whole row
 * (a book of hundreds of thousands of orders stays small). The checkpoint moves
 * only from where this writer left it (the fence); otherwise nothing is written.
 * A unique (account, client_order_id) violation fails the whole statement.
 *
 * The arrays are sent as array literals built by `arrayLiterals` (text
 * parameters that PostgreSQL parses as text[] or bigint[]): node-postgres's
 * own serialization of JS arrays (prepareValue/escapeElement per element) was
 * most of the commit's cost in the engine process.
 */
const COMMIT_BATCH_SQL = `
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
), order_updates AS (
  UPDATE orders SET status = u.status, filled_quantity = u.filled_quantity, leaves_quantity = u.leaves_quantity,
                    reason = u.reason, updated_at = now()
  FROM unnest($28::text[], $29::text[], $30::bigint[], $31::bigint[], $32::text[])
       AS u(order_id, status, filled_quantity, leaves_quantity, reason)
  WHERE orders.order_id = u.order_id AND EXISTS (SELECT 1 FROM fence)
)
SELECT count(*)::int AS moved FROM fence`;

const NEEDS_ESCAPE = /["\\]/;
const TO_ESCAPE = /["\\]/g;

/**
 * One element of a PostgreSQL array literal: NULL (unquoted) for null or
 * undefined, numbers as they print (integers need no quotes; anything else is
 * refused by bigint's input, as before), everything else double-quoted with
 * `\` and `"` backslash-escaped (the only characters that need it inside
 * quotes; commas, braces, spaces, the word NULL and any unicode are then taken
 * literally).
 */
function arrayElement(value: string | number | null | undefined): string {
  if (value === undefined || value === null) return 'NULL';
  if (typeof value === 'number') return String(value);
  const text = String(value);
  return NEEDS_ESCAPE.test(text) ? `"${text.replace(TO_ESCAPE, '\\$&')}"` : `"${text}"`;
}

/** A one-dimensional PostgreSQL array literal of the values, e.g. `{"a",NULL,"b\"c"}` or `{1,2,NULL}`. */
export function arrayLiteral(values: readonly (string | number | null | undefined)[]): string {
  return arrayLiterals(values, [(value) => value])[0];
}

/** The array literals of the given columns of `rows`, built in one pass over the rows. */
function arrayLiterals<T>(rows: readonly T[], columns: readonly ((row: T) => string | number | null | undefined)[]): string[] {
  const literals = columns.map(() => '{');
  for (let r = 0; r < rows.length; r++) {
    const separator = r === 0 ? '' : ',';
    for (let c = 0; c < columns.length; c++) literals[c] += separator + arrayElement(columns[c](rows[r]));
  }
  for (let c = 0; c < columns.length; c++) literals[c] += '}';
  return literals;
}

/** The columns $2..$16 of COMMIT_BATCH_SQL, in order. */
const ORDER_COLUMNS: readonly ((order: StoredOrder) => string | number | undefined)[] = [
  (o) => o.orderId,
  (o) => o.seq,
  (o) => o.account,
  (o) => o.clientOrderId,
  (o) => o.symbol,
  (o) => o.side,
  (o) => o.type,
  (o) => o.price,
  (o) => o.quantity,
  (o) => o.timeInForce,
  (o) => o.status,
  (o) => o.ackStatus,
  (o) => o.filledQuantity,
  (o) => o.leavesQuantity,
  (o) => o.reason,
];

/** The columns $28..$32 of COMMIT_BATCH_SQL, in order. */
const UPDATE_COLUMNS: readonly ((update: OrderUpdate) => string | number | undefined)[] = [
  (u) => u.orderId,
  (u) => u.status,
  (u) => u.filledQuantity,
  (u) => u.leavesQuantity,
  (u) => u.reason,
];

/** The columns $17..$24 of COMMIT_BATCH_SQL, in order. */
const TRADE_COLUMNS: readonly ((trade: StoredTrade) => string | number)[] = [
  (t) => t.tradeId,
  (t) => t.seq,
  (t) => t.symbol,
  (t) => t.price,
  (t) => t.quantity,
  (t) => t.makerOrderId,
  (t) => t.takerOrderId,
  (t) => t.takerSide,
];

/**
 * Server settings for the connections that send COMMIT_BATCH_SQL: no hash or
 * merge joins. The statement is planned once per connection, often while the
 * orders table is still small; a plan that joins the updates to the table by
 * scanning it, cheapest then, would scan the whole table for every batch
 * after (bench:commit measured 5 times the PostgreSQL time per order before
 * autovacuum's first ANALYZE). Without those joins the only plan left looks
 * each updated order up by its primary key. Every other statement of the
 * engine service reads a few rows by key or scans one table, so this costs
 * nothing elsewhere.
 */
export const COMMIT_CONNECTION_SETTINGS = '-c enable_hashjoin=off -c enable_mergejoin=off';

/** 'fenced' when the checkpoint was not where this writer left it: another engine owns the shard. */
export async function commitBatch(db: Queryable, batch: BatchCommit): Promise<'committed' | 'fenced'> {
  // Named: parsed and planned once per connection.
  const result = await db.query<{ moved: number }>({
    name: 'commit-batch',
    text: COMMIT_BATCH_SQL,
    values: [
      batch.shard,
      ...arrayLiterals(batch.orders, ORDER_COLUMNS),
      ...arrayLiterals(batch.trades, TRADE_COLUMNS),
      batch.checkpoint,
      batch.lastSeq,
      batch.previousCheckpoint,
      ...arrayLiterals(batch.orderUpdates, UPDATE_COLUMNS),
    ],
  });
  return result.rows[0].moved === 1 ? 'committed' : 'fenced';
}
