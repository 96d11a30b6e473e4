import type { CancelOrderCommand, Command, EngineEvent, NewOrderCommand, Side } from '../../../backend/engine/types';
import type { MatchingEngine } from '../../../backend/engine';

/** Terse builders for the commands the tests send. Symbol AAA unless said otherwise. */

export function limit(orderId: string, side: Side, price: number, quantity: number, extra: Partial<NewOrderCommand> = {}): NewOrderCommand {
  return { op: 'new', orderId, symbol: 'AAA', side, type: 'limit', price, quantity, ...extra };
}

export function market(orderId: string, side: Side, quantity: number, extra: Partial<NewOrderCommand> = {}): NewOrderCommand {
  return { op: 'new', orderId, symbol: 'AAA', side, type: 'market', quantity, ...extra };
}

export function cancel(orderId: string, symbol = 'AAA'): CancelOrderCommand {
  return { op: 'cancel', orderId, symbol };
}

/** Process every command; all their events, in order. */
export function run(engine: MatchingEngine, ...commands: Command[]): EngineEvent[] {
  return commands.flatMap((command) => engine.process(command));
}

/** Trades as [maker, taker, price, quantity]. */
export function tradesOf(events: EngineEvent[]): [string, string, number, number][] {
  return events.flatMap((event) =>
    event.type === 'trade' ? [[event.makerOrderId, event.takerOrderId, event.price, event.quantity] as [string, string, number, number]] : [],
  );
}

/** Events as short strings, e.g. `accepted b1`, `trade s1>b1 100x5`, `cancelled s2 3 self-trade`, `rejected x unknown-order`. */
export function summarize(events: EngineEvent[]): string[] {
  return events.map((event) => {
    switch (event.type) {
      case 'accepted':
        return `accepted ${event.orderId}`;
      case 'trade':
        return `trade ${event.makerOrderId}>${event.takerOrderId} ${event.price}x${event.quantity}`;
      case 'cancelled':
        return `cancelled ${event.orderId} ${event.remainingQuantity} ${event.reason}`;
      case 'rejected':
        return `rejected ${event.orderId} ${event.reason}`;
    }
  });
}
