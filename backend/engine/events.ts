import type {
  AcceptedEvent,
  CancelReason,
  CancelledEvent,
  NewOrderCommand,
  RejectReason,
  RejectedEvent,
  Side,
  TimeInForce,
  TradeEvent,
} from './types';

/** Builders for the engine's events: optional fields are left out rather than set to undefined. */

export function accepted(command: NewOrderCommand, timeInForce: TimeInForce, account: string | undefined): AcceptedEvent {
  const { symbol, orderId, side, type: orderType, quantity } = command;
  // One literal per combination of optional fields, rather than adding them one by one: every event of a
  // combination then has the same hidden class from the start, and the property order (hence the JSON) is the same.
  if (orderType === 'limit') {
    const price = command.price;
    if (account === undefined) return { type: 'accepted', symbol, orderId, side, orderType, quantity, timeInForce, price };
    return { type: 'accepted', symbol, orderId, side, orderType, quantity, timeInForce, price, account };
  }
  if (account === undefined) return { type: 'accepted', symbol, orderId, side, orderType, quantity, timeInForce };
  return { type: 'accepted', symbol, orderId, side, orderType, quantity, timeInForce, account };
}

export function trade(
  symbol: string,
  takerOrderId: string,
  fillNumber: number,
  makerOrderId: string,
  takerSide: Side,
  price: number,
  quantity: number,
): TradeEvent {
  return {
    type: 'trade',
    symbol,
    tradeId: takerOrderId + fillSuffix(fillNumber),
    makerOrderId,
    takerOrderId,
    takerSide,
    price,
    quantity,
  };
}

/** '-1', '-2', …: most orders fill a few times, so a trade id is one concatenation, with no number formatting. */
const FILL_SUFFIXES = Array.from({ length: 64 }, (_, index) => `-${index}`);

function fillSuffix(fillNumber: number): string {
  return fillNumber < FILL_SUFFIXES.length ? FILL_SUFFIXES[fillNumber] : `-${fillNumber}`;
}

export function cancelled(symbol: string, orderId: string, remainingQuantity: number, reason: CancelReason): CancelledEvent {
  return { type: 'cancelled', symbol, orderId, remainingQuantity, reason };
}

/**
 * A refusal of `command`, which may be malformed: missing text fields are
 * reported as ''; an unrecognised op is reported as a refused `new`.
 */
export function rejected(command: unknown, reason: RejectReason): RejectedEvent {
  const fields = (typeof command === 'object' && command !== null ? command : {}) as Record<string, unknown>;
  return {
    type: 'rejected',
    symbol: typeof fields.symbol === 'string' ? fields.symbol : '',
    orderId: typeof fields.orderId === 'string' ? fields.orderId : '',
    command: fields.op === 'cancel' ? 'cancel' : 'new',
    reason,
  };
}
