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
  const event: AcceptedEvent = {
    type: 'accepted',
    symbol: command.symbol,
    orderId: command.orderId,
    side: command.side,
    orderType: command.type,
    quantity: command.quantity,
    timeInForce,
  };
  if (command.type === 'limit') event.price = command.price;
  if (account !== undefined) event.account = account;
  return event;
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
    tradeId: `${takerOrderId}-${fillNumber}`,
    makerOrderId,
    takerOrderId,
    takerSide,
    price,
    quantity,
  };
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
