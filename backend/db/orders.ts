/**
 * Reading orders back from PostgreSQL, as `OrderView`s: the current state
 * (for GET and cancel) and the original acknowledgement (for idempotent
 * retries and for reports re-published after an engine restart).
 */
import type { Pool, PoolClient } from 'pg';
import type { OrderType, Side, TimeInForce } from '../engine/types';
import { Fill, isOpenStatus, OrderStatus, OrderView } from '../streams';

export type Queryable = Pick<Pool | PoolClient, 'query'>;

/** The columns of the orders table that describe an order's state, as pg returns them. */
export interface OrderColumns {
  order_id: string;
  client_order_id: string | null;
  account: string;
  symbol: string;
  side: Side;
  order_type: OrderType;
  price: string | null;
  quantity: string;
  time_in_force: TimeInForce;
  status: OrderStatus;
  ack_status: OrderStatus;
  filled_quantity: string;
  leaves_quantity: string;
  reason: string | null;
}

interface OrderRow extends OrderColumns {
  fills: Fill[];
}

const ORDER_COLUMNS = `o.order_id, o.client_order_id, o.account, o.symbol, o.side, o.order_type, o.price, o.quantity,
  o.time_in_force, o.status, o.ack_status, o.filled_quantity, o.leaves_quantity, o.reason`;

/** A JSON array of the fills matching `condition`, in execution order. */
const fillsWhere = (condition: string) => `(SELECT coalesce(json_agg(json_build_object('tradeId', t.trade_id, 'price', t.price, 'quantity', t.quantity) ORDER BY t.seq), '[]'::json)
  FROM trades t WHERE ${condition}) AS fills`;

/** Trade ids are `${takerOrderId}-${n}`: a taker's fills are the primary key range [id + '-', id + '.') in byte order. */
const IS_TAKER = `(t.trade_id >= o.order_id || '-' COLLATE "C" AND t.trade_id < o.order_id || '.' COLLATE "C")`;
const ALL_FILLS = fillsWhere(`${IS_TAKER} OR t.maker_order_id = o.order_id`);
/** An order's own fills as the taker: the only fills it can have when its command has just run. */
const TAKER_FILLS = fillsWhere(IS_TAKER);

/** What an order is, as its `new` command gave it: the part of a row the views and the engine's journal read alike. */
export type OrderIdentity = Pick<OrderView, 'orderId' | 'clientOrderId' | 'account' | 'symbol' | 'side' | 'type' | 'price' | 'quantity' | 'timeInForce'>;

export function orderIdentityOf(row: OrderColumns): OrderIdentity {
  const order: OrderIdentity = {
    orderId: row.order_id,
    account: row.account,
    symbol: row.symbol,
    side: row.side,
    type: row.order_type,
    quantity: Number(row.quantity),
    timeInForce: row.time_in_force,
  };
  if (row.client_order_id !== null) order.clientOrderId = row.client_order_id;
  if (row.price !== null) order.price = Number(row.price);
  return order;
}

function viewOf(row: OrderRow, status: OrderStatus, filledQuantity: number, leavesQuantity: number, reason: string | null): OrderView {
  const view: OrderView = {
    ...orderIdentityOf(row),
    status,
    filledQuantity,
    leavesQuantity,
    fills: row.fills.map((fill) => ({ tradeId: fill.tradeId, price: Number(fill.price), quantity: Number(fill.quantity) })),
  };
  if (reason !== null) view.reason = reason;
  return view;
}

const currentView = (row: OrderRow): OrderView =>
  viewOf(row, row.status, Number(row.filled_quantity), Number(row.leaves_quantity), row.reason);

function acknowledgementView(row: OrderRow): OrderView {
  const filled = row.fills.reduce((sum, fill) => sum + Number(fill.quantity), 0);
  const open = isOpenStatus(row.ack_status);
  return viewOf(row, row.ack_status, filled, open ? Number(row.quantity) - filled : 0, open ? null : row.reason);
}

/** The order's current state with all its fills (as maker and as taker). */
export async function findOrder(db: Queryable, orderId: string): Promise<OrderView | undefined> {
  const result = await db.query<OrderRow>(`SELECT ${ORDER_COLUMNS}, ${ALL_FILLS} FROM orders o WHERE o.order_id = $1`, [orderId]);
  return result.rows.length > 0 ? currentView(result.rows[0]) : undefined;
}

/** An account's latest orders, newest first (order ids are time ordered). */
export async function findOrdersByAccount(db: Queryable, account: string, limit: number): Promise<OrderView[]> {
  const result = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS}, ${ALL_FILLS} FROM orders o WHERE o.account = $1 ORDER BY o.order_id DESC LIMIT $2`,
    [account, limit],
  );
  return result.rows.map(currentView);
}

/** The acknowledgements the orders got (or would have got) right after their own command. */
export async function findAcknowledgements(db: Queryable, orderIds: string[]): Promise<Map<string, OrderView>> {
  if (orderIds.length === 0) return new Map();
  const result = await db.query<OrderRow>(`SELECT ${ORDER_COLUMNS}, ${TAKER_FILLS} FROM orders o WHERE o.order_id = ANY($1::text[])`, [orderIds]);
  return new Map(result.rows.map((row) => [row.order_id, acknowledgementView(row)]));
}

/** Which of these (account, clientOrderId) pairs are taken, keyed by `clientOrderKey`. */
export async function findClientOrderIds(db: Queryable, pairs: { account: string; clientOrderId: string }[]): Promise<Map<string, string>> {
  if (pairs.length === 0) return new Map();
  const result = await db.query<{ account: string; client_order_id: string; order_id: string }>(
    `SELECT o.account, o.client_order_id, o.order_id FROM orders o
     JOIN unnest($1::text[], $2::text[]) AS k(account, client_order_id)
       ON o.account = k.account AND o.client_order_id = k.client_order_id`,
    [pairs.map((pair) => pair.account), pairs.map((pair) => pair.clientOrderId)],
  );
  return new Map(result.rows.map((row) => [clientOrderKey(row.account, row.client_order_id), row.order_id]));
}

export function clientOrderKey(account: string, clientOrderId: string): string {
  return JSON.stringify([account, clientOrderId]);
}
