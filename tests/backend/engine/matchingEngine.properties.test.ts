import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MatchingEngine } from '../../../backend/engine';
import type { Command, EngineEvent, EngineSnapshot, Side } from '../../../backend/engine';
import { commandSequence, SYMBOLS } from './commandArbitraries';
import { ReferenceEngine } from './referenceEngine';

// Enough runs to meet every rule many times over while keeping the suite to a few seconds.
const RUNS = { numRuns: 300 };

interface ShadowOrder {
  symbol: string;
  side: Side;
  price: number;
  remaining: number;
  arrival: number;
}

/**
 * Runs commands through a fresh engine and checks, after every command, the
 * invariants that must hold whatever the rules in detail: quantity is
 * conserved per order, the book is never crossed at rest, every trade is at
 * the maker's price against the maker with time priority, FOK orders never
 * fill partially, IOC and market orders never rest.
 */
function checkInvariants(commands: Command[]): void {
  const engine = new MatchingEngine();
  // The book as the events describe it, to judge each trade against.
  const shadow = new Map<string, ShadowOrder>();
  const original = new Map<string, number>();
  const filled = new Map<string, number>();
  const cancelledQuantity = new Map<string, number>();
  const add = (totals: Map<string, number>, orderId: string, quantity: number) => totals.set(orderId, (totals.get(orderId) ?? 0) + quantity);
  let arrivals = 0;

  for (const command of commands) {
    const events = engine.process(command);
    const accepted = events[0]?.type === 'accepted' ? events[0] : undefined;
    let takerFilled = 0;
    for (const event of events) {
      if (event.type === 'accepted') {
        original.set(event.orderId, event.quantity);
      } else if (event.type === 'trade') {
        const maker = shadow.get(event.makerOrderId);
        assert.ok(maker, `trade ${event.tradeId} against ${event.makerOrderId}, which is not resting`);
        assert.equal(event.price, maker.price, 'trade at the maker price');
        assert.notEqual(maker.side, event.takerSide);
        const better = [...shadow.entries()].find(
          ([id, other]) =>
            id !== event.makerOrderId && other.symbol === maker.symbol && other.side === maker.side &&
            ((maker.side === 'sell' ? other.price < maker.price : other.price > maker.price) ||
              (other.price === maker.price && other.arrival < maker.arrival)),
        );
        assert.equal(better, undefined, `${event.makerOrderId} traded before ${better?.[0]}, which has priority`);
        maker.remaining -= event.quantity;
        assert.ok(maker.remaining >= 0);
        if (maker.remaining === 0) shadow.delete(event.makerOrderId);
        add(filled, event.makerOrderId, event.quantity);
        add(filled, event.takerOrderId, event.quantity);
        takerFilled += event.quantity;
      } else if (event.type === 'cancelled') {
        add(cancelledQuantity, event.orderId, event.remainingQuantity);
        shadow.delete(event.orderId);
      }
    }

    if (accepted !== undefined) {
      const { orderId, timeInForce, quantity } = accepted;
      const cancelledNow = events.some((event) => event.type === 'cancelled' && event.orderId === orderId);
      if (timeInForce === 'FOK') {
        assert.ok(takerFilled === 0 || takerFilled === quantity, `FOK ${orderId} filled ${takerFilled} of ${quantity}`);
      }
      if (timeInForce !== 'GTC' || accepted.orderType === 'market') assert.equal(engine.isOpen(orderId), false);
      const rests = takerFilled < quantity && !cancelledNow;
      assert.equal(engine.isOpen(orderId), rests);
      if (rests) {
        shadow.set(orderId, { symbol: accepted.symbol, side: accepted.side, price: accepted.price as number, remaining: quantity - takerFilled, arrival: arrivals++ });
      }
    }

    for (const symbol of SYMBOLS) {
      const { bid, ask } = engine.topOfBook(symbol);
      if (bid !== undefined && ask !== undefined) assert.ok(bid.price < ask.price, `${symbol} crossed: ${bid.price} >= ${ask.price}`);
    }
  }

  const resting = new Map(engine.snapshot().orders.map((order) => [order.orderId, order.quantity]));
  assert.deepEqual(new Map([...shadow].map(([id, order]) => [id, order.remaining])), resting);
  for (const [orderId, quantity] of original) {
    const accounted = (filled.get(orderId) ?? 0) + (resting.get(orderId) ?? 0) + (cancelledQuantity.get(orderId) ?? 0);
    assert.equal(accounted, quantity, `order ${orderId}: filled + resting + cancelled = ${accounted}, entered ${quantity}`);
  }
}

function runAll(engine: MatchingEngine, commands: Command[]): EngineEvent[][] {
  return commands.map((command) => engine.process(command));
}

describe('MatchingEngine properties', () => {
  it('conserves quantity, never rests crossed, trades at the maker price with time priority, FOK all-or-nothing, IOC and market never rest', () => {
    fc.assert(fc.property(commandSequence({ reuseIds: true }), checkInvariants), RUNS);
  });

  it('gives exactly the events of the plain reference implementation', () => {
    fc.assert(
      fc.property(commandSequence({ reuseIds: true }), (commands) => {
        const engine = new MatchingEngine();
        const reference = new ReferenceEngine();
        for (const command of commands) assert.deepEqual(engine.process(command), reference.process(command));
      }),
      RUNS,
    );
  });

  it('is deterministic: the same commands give the same events', () => {
    fc.assert(
      fc.property(commandSequence({ reuseIds: true }), (commands) => {
        assert.deepEqual(runAll(new MatchingEngine(), commands), runAll(new MatchingEngine(), commands));
      }),
      RUNS,
    );
  });

  it('continues after snapshot (through JSON) and restore exactly as an uninterrupted run', () => {
    fc.assert(
      fc.property(commandSequence({ reuseIds: true }), fc.nat(), (commands, cutAt) => {
        const cut = cutAt % (commands.length + 1);
        const uninterrupted = new MatchingEngine();
        const expected = runAll(uninterrupted, commands);

        const first = new MatchingEngine();
        runAll(first, commands.slice(0, cut));
        const snapshot = JSON.parse(JSON.stringify(first.snapshot())) as EngineSnapshot;
        const restored = MatchingEngine.restore(snapshot);
        assert.deepEqual(runAll(restored, commands.slice(cut)), expected.slice(cut));
        for (const symbol of SYMBOLS) assert.deepEqual(restored.depth(symbol, 20), uninterrupted.depth(symbol, 20));
      }),
      RUNS,
    );
  });

  it('continues exactly as well when restored from resting orders only (ids never reused)', () => {
    fc.assert(
      fc.property(commandSequence({ reuseIds: false }), fc.nat(), (commands, cutAt) => {
        const cut = cutAt % (commands.length + 1);
        const expected = runAll(new MatchingEngine(), commands);
        const first = new MatchingEngine();
        runAll(first, commands.slice(0, cut));
        const restored = MatchingEngine.restore({ orders: first.snapshot().orders, finishedOrderIds: [] });
        assert.deepEqual(runAll(restored, commands.slice(cut)), expected.slice(cut));
      }),
      RUNS,
    );
  });
});
