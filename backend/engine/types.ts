/**
 * The matching engine's commands and events: the one copy shared by the
 * gateway, the engine service, the streams codec and the tests.
 *
 * Prices are integer ticks and quantities integer lots; no floating point
 * crosses this boundary.
 */

export type Side = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';

export const SIDES: readonly Side[] = ['buy', 'sell'];
export const ORDER_TYPES: readonly OrderType[] = ['limit', 'market'];
export const TIMES_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];

/** Enter an order. `price` (ticks) is required for limit orders; a market order's is ignored. */
export interface NewOrderCommand {
  op: 'new';
  orderId: string;
  symbol: string;
  side: Side;
  type: OrderType;
  /** Limit price in integer ticks; limit orders only. */
  price?: number;
  /** Integer lots, > 0. */
  quantity: number;
  /** Default GTC. Market orders behave as IOC whatever is given. */
  timeInForce?: TimeInForce;
  /** Orders of the same account never trade with each other (self-trade prevention). */
  account?: string;
}

/** Cancel the open remainder of an order, found by its id; `symbol`, when given, must be the order's. */
export interface CancelOrderCommand {
  op: 'cancel';
  orderId: string;
  symbol?: string;
}

export type Command = NewOrderCommand | CancelOrderCommand;

/** A command that names its symbol, as every command on the streams does: they are routed to shards by symbol. */
export type RoutedCommand = NewOrderCommand | (CancelOrderCommand & { symbol: string });

/** The order passed validation; for a limit GTC order it rests unless it trades. */
export interface AcceptedEvent {
  type: 'accepted';
  symbol: string;
  orderId: string;
  side: Side;
  orderType: OrderType;
  price?: number;
  quantity: number;
  timeInForce: TimeInForce;
  account?: string;
}

/** One fill. Always at the maker's (resting order's) price. */
export interface TradeEvent {
  type: 'trade';
  symbol: string;
  /** Deterministic: `${takerOrderId}-${n}`, n = 1, 2, … within the taker's command. */
  tradeId: string;
  makerOrderId: string;
  takerOrderId: string;
  /** The side of the incoming (taker) order. */
  takerSide: Side;
  price: number;
  quantity: number;
}

/**
 * Why an order's remainder was cancelled:
 * - `user`: a cancel command;
 * - `unfilled`: the unfilled remainder of an IOC or market order;
 * - `fok`: a FOK order that could not fill completely at once (nothing traded);
 * - `self-trade`: a resting order removed because an incoming order of the same account would have traded with it.
 */
export type CancelReason = 'user' | 'unfilled' | 'fok' | 'self-trade';

export interface CancelledEvent {
  type: 'cancelled';
  symbol: string;
  orderId: string;
  /** The quantity that will now never trade. */
  remainingQuantity: number;
  reason: CancelReason;
}

/**
 * Why a command was refused. A rejected `new` leaves no trace in the book;
 * a rejected `cancel` leaves the book as it was.
 * - `unknown-order`: cancel of an order that is not open (never seen, or already finished).
 */
export type RejectReason =
  | 'duplicate-order-id'
  | 'unknown-order'
  | 'invalid-quantity'
  | 'missing-price'
  | 'invalid-price'
  | 'invalid-command';

export interface RejectedEvent {
  type: 'rejected';
  symbol: string;
  orderId: string;
  /** Which command was refused. */
  command: Command['op'];
  reason: RejectReason;
}

export type EngineEvent = AcceptedEvent | TradeEvent | CancelledEvent | RejectedEvent;

/** An aggregated price level. */
export interface BookLevel {
  price: number;
  quantity: number;
  orders: number;
}

export interface TopOfBook {
  symbol: string;
  bid?: BookLevel;
  ask?: BookLevel;
}

export interface BookDepth {
  symbol: string;
  /** Best first: highest bid first. */
  bids: BookLevel[];
  /** Best first: lowest ask first. */
  asks: BookLevel[];
}

/** A resting order as held in a snapshot (and as rebuilt from PostgreSQL on recovery). */
export interface RestingOrder {
  orderId: string;
  symbol: string;
  side: Side;
  price: number;
  /** Open quantity still resting. */
  quantity: number;
  account?: string;
}

/**
 * Everything needed to continue matching exactly where a run stopped.
 * `orders` lists resting orders in time priority (earliest first);
 * `finishedOrderIds` lets a restored engine still refuse duplicate order ids.
 */
export interface EngineSnapshot {
  orders: RestingOrder[];
  finishedOrderIds: string[];
}
