import type { EngineSnapshot, RestingOrder } from './types';

/**
 * Refuse a snapshot that could not have come from a running engine. Unlike a
 * command, a bad snapshot is not the client's mistake but corrupt state, so it
 * throws: matching on a silently repaired book would be worse than not starting.
 */
export function assertValidSnapshot(snapshot: EngineSnapshot): void {
  if (typeof snapshot !== 'object' || snapshot === null) throw new TypeError('snapshot: not an object');
  if (!Array.isArray(snapshot.orders)) throw new TypeError('snapshot: orders must be an array');
  if (!Array.isArray(snapshot.finishedOrderIds)) throw new TypeError('snapshot: finishedOrderIds must be an array');
  snapshot.orders.forEach((order, index) => {
    const defect = restingOrderDefect(order);
    if (defect !== undefined) throw new TypeError(`snapshot: orders[${index}]: ${defect}`);
  });
  snapshot.finishedOrderIds.forEach((orderId, index) => {
    if (!isNonEmptyString(orderId)) throw new TypeError(`snapshot: finishedOrderIds[${index}] must be a non-empty string`);
  });
}

function restingOrderDefect(order: RestingOrder): string | undefined {
  if (typeof order !== 'object' || order === null) return 'not an object';
  if (!isNonEmptyString(order.orderId)) return 'orderId must be a non-empty string';
  if (!isNonEmptyString(order.symbol)) return 'symbol must be a non-empty string';
  if (order.side !== 'buy' && order.side !== 'sell') return 'side must be buy or sell';
  if (!isPositiveInteger(order.price)) return 'price must be a positive integer';
  if (!isPositiveInteger(order.quantity)) return 'quantity must be a positive integer';
  if (order.account !== undefined && order.account !== null && typeof order.account !== 'string') {
    return 'account must be a string';
  }
  return undefined;
}

function isNonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function isPositiveInteger(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) > 0;
}
