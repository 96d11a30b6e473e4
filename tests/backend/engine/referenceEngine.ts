import { commandDefect, isAbsent } from '../../../backend/engine/commandValidation';
import type { Command, EngineEvent, Side } from '../../../backend/engine/types';

interface ReferenceOrder {
  orderId: string;
  symbol: string;
  side: Side;
  price: number;
  remaining: number;
  account?: string;
  arrival: number;
}

/**
 * The matching rules written as plainly as possible (a list of resting
 * orders, sorted on every match) to check the real engine against: same
 * commands, same events. Validation is shared; matching is not.
 */
export class ReferenceEngine {
  private resting: ReferenceOrder[] = [];
  private readonly seen = new Set<string>();
  private arrivals = 0;

  process(command: Command): EngineEvent[] {
    const defect = commandDefect(command);
    const fields = (typeof command === 'object' && command !== null ? command : {}) as Record<string, unknown>;
    const refuse = (reason: string): EngineEvent[] => [
      {
        type: 'rejected',
        symbol: typeof fields.symbol === 'string' ? fields.symbol : '',
        orderId: typeof fields.orderId === 'string' ? fields.orderId : '',
        command: fields.op === 'cancel' ? 'cancel' : 'new',
        reason,
      } as EngineEvent,
    ];
    if (defect !== undefined) return refuse(defect);

    if (command.op === 'cancel') {
      const order = this.resting.find((o) => o.orderId === command.orderId && (isAbsent(command.symbol) || o.symbol === command.symbol));
      if (order === undefined) return refuse('unknown-order');
      this.resting = this.resting.filter((o) => o !== order);
      return [{ type: 'cancelled', symbol: order.symbol, orderId: order.orderId, remainingQuantity: order.remaining, reason: 'user' }];
    }

    if (this.seen.has(command.orderId)) return refuse('duplicate-order-id');
    this.seen.add(command.orderId);
    const { orderId, symbol, side, quantity } = command;
    const account = command.account ?? undefined;
    const market = command.type === 'market';
    const timeInForce = market ? 'IOC' : (command.timeInForce ?? 'GTC');
    const accepted: Record<string, unknown> = {
      type: 'accepted', symbol, orderId, side, orderType: command.type, quantity, timeInForce,
    };
    if (!market) accepted.price = command.price;
    if (account !== undefined) accepted.account = account;
    const events: EngineEvent[] = [accepted as unknown as EngineEvent];

    const reachable = this.resting
      .filter((o) => o.symbol === symbol && o.side !== side)
      .filter((o) => market || (side === 'buy' ? o.price <= command.price! : o.price >= command.price!))
      .sort((a, b) => (side === 'buy' ? a.price - b.price : b.price - a.price) || a.arrival - b.arrival);

    if (timeInForce === 'FOK') {
      const liquidity = reachable
        .filter((o) => account === undefined || o.account !== account)
        .reduce((sum, o) => sum + o.remaining, 0);
      if (liquidity < quantity) {
        events.push({ type: 'cancelled', symbol, orderId, remainingQuantity: quantity, reason: 'fok' });
        return events;
      }
    }

    let remaining = quantity;
    let fills = 0;
    for (const maker of reachable) {
      if (remaining === 0) break;
      if (account !== undefined && maker.account === account) {
        events.push({ type: 'cancelled', symbol, orderId: maker.orderId, remainingQuantity: maker.remaining, reason: 'self-trade' });
        maker.remaining = 0;
        continue;
      }
      const filled = Math.min(remaining, maker.remaining);
      remaining -= filled;
      maker.remaining -= filled;
      fills++;
      events.push({
        type: 'trade', symbol, tradeId: `${orderId}-${fills}`, makerOrderId: maker.orderId, takerOrderId: orderId,
        takerSide: side, price: maker.price, quantity: filled,
      });
    }
    this.resting = this.resting.filter((o) => o.remaining > 0);

    if (remaining > 0 && timeInForce === 'GTC') {
      this.resting.push({ orderId, symbol, side, price: command.price!, remaining, account, arrival: this.arrivals++ });
    } else if (remaining > 0) {
      events.push({ type: 'cancelled', symbol, orderId, remainingQuantity: remaining, reason: 'unfilled' });
    }
    return events;
  }
}
