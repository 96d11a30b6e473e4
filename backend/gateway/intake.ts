/**
 * The checks the JSON schema cannot express (price presence by order type,
 * the symbol's tick grid) and the turn of a valid request into an engine command.
 */
import type { NewOrderRequest } from '../api/schemas';
import { priceToTicks, SymbolSpec } from '../config/symbols';
import type { NewOrderCommand } from '../engine/types';
import { ApiError } from './errors';

export function newOrderCommand(body: NewOrderRequest, spec: SymbolSpec, orderId: string): NewOrderCommand | ApiError {
  const command: NewOrderCommand = {
    op: 'new',
    orderId,
    symbol: body.symbol,
    side: body.side,
    type: body.type,
    quantity: body.quantity,
    timeInForce: body.timeInForce,
    account: body.account,
  };
  if (body.type === 'market') {
    if (body.price !== undefined) return ApiError.invalid('price', 'price is not allowed for market orders');
    return command;
  }
  if (body.price === undefined) return ApiError.invalid('price', 'price is required for limit orders');
  const ticks = priceToTicks(body.price, spec);
  if (typeof ticks !== 'number') {
    return ApiError.invalid('price', `price ${JSON.stringify(body.price)} is ${ticks} (${spec.symbol} tick ${spec.tick})`);
  }
  command.price = ticks;
  return command;
}

/**
 * What makes two requests "the same order" for idempotency: equal fingerprints
 * under one (account, clientOrderId) are a retry, different ones a conflict.
 * Prices compare as ticks, so "101.10" and 101.1 are the same.
 */
export function orderFingerprint(order: Pick<NewOrderCommand, 'symbol' | 'side' | 'type' | 'price' | 'quantity' | 'timeInForce'>): string {
  return [order.symbol, order.side, order.type, order.price ?? '', order.quantity, order.timeInForce ?? 'GTC'].join('|');
}
