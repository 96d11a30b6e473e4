import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BookSide } from '../../../backend/engine/bookSide';
import { MatchingEngine } from '../../../backend/engine/matchingEngine';
import { OrderStore } from '../../../backend/engine/orderStore';
import type { PriceLevel } from '../../../backend/engine/priceLevel';
import type { Command, Side } from '../../../backend/engine/types';
import { ReferenceEngine } from './referenceEngine';

/** Levels created and removed anywhere in the side: well over one chunk's worth of levels (CHUNK_LEVELS, 256). */
const sideOperations = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ add: fc.integer({ min: 1, max: 4000 }) }) },
    { weight: 1, arbitrary: fc.record({ remove: fc.nat() }) },
  ),
  { minLength: 1500, maxLength: 3000 },
);

/** The model's prices best first: descending for bids, ascending for asks. */
function bestFirst(prices: Iterable<number>, side: Side): number[] {
  return [...prices].sort((a, b) => (side === 'buy' ? b - a : a - b));
}

describe('BookSide', () => {
  for (const side of ['buy', 'sell'] as const) {
    it(`keeps a ${side} side's levels in price order, one per price, however many come and go`, () => {
      fc.assert(
        fc.property(sideOperations, (operations) => {
          const bookSide = new BookSide('AAA', side, new OrderStore());
          const model = new Map<number, PriceLevel>();
          const remove = (pick: number) => {
            const prices = [...model.keys()];
            const price = prices[pick % prices.length];
            bookSide.removeLevel(model.get(price) as PriceLevel);
            model.delete(price);
          };
          const check = (step: number, whole: boolean) => {
            let best: number | undefined;
            for (const price of model.keys()) if (best === undefined || (side === 'buy' ? price > best : price < best)) best = price;
            assert.equal(bookSide.best()?.price, best, `best after step ${step}`);
            if (!whole) return;
            const expected = bestFirst(model.keys(), side);
            assert.deepEqual(bookSide.levelsBestFirst().map((level) => level.price), expected);
            assert.deepEqual(bookSide.depth(5).map((level) => level.price), expected.slice(0, 5));
          };
          operations.forEach((operation, step) => {
            if ('add' in operation) {
              const level = bookSide.levelAt(operation.add);
              assert.equal(level.price, operation.add);
              const known = model.get(operation.add);
              if (known !== undefined) assert.equal(level, known, `a second level at ${operation.add}`);
              model.set(operation.add, level);
            } else if (model.size > 0) {
              remove(operation.remove);
            }
            check(step, step % 97 === 0 || step === operations.length - 1);
          });
          // Then every level left is removed, so that chunks empty too, down to an empty side.
          for (let step = 0; model.size > 0; step++) {
            remove(step * 7919);
            check(operations.length + step, step % 97 === 0 || model.size === 0);
          }
        }),
        { numRuns: 15 },
      );
    });
  }
});

describe('MatchingEngine on deep books', () => {
  it('gives the plain reference implementation\'s events with thousands of price levels a side', () => {
    const order = fc.record({
      buy: fc.boolean(),
      // Two wide bands that overlap a little: books of about a thousand levels a side, and some crossing.
      price: fc.integer({ min: 1, max: 1200 }),
      quantity: fc.integer({ min: 1, max: 50 }),
      cancel: fc.nat({ max: 9 }),
      sweep: fc.nat({ max: 199 }),
      target: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(order, { minLength: 2000, maxLength: 2500 }), (specs) => {
        const commands: Command[] = [];
        specs.forEach(({ buy, price, quantity, cancel, sweep, target }, i) => {
          const orderId = `o${i}`;
          if (cancel === 0 && i > 0) commands.push({ op: 'cancel', orderId: `o${target % i}`, symbol: 'AAA' });
          else if (sweep === 0) commands.push({ op: 'new', orderId, symbol: 'AAA', side: buy ? 'buy' : 'sell', type: 'market', quantity: 2000 });
          else {
            const limit = buy ? price : price + 1000;
            commands.push({ op: 'new', orderId, symbol: 'AAA', side: buy ? 'buy' : 'sell', type: 'limit', price: limit, quantity, timeInForce: 'GTC' });
          }
        });
        // Then sweeps of both whole sides: every level is traded, in the order the book holds them.
        commands.push({ op: 'new', orderId: 'sweep-bids', symbol: 'AAA', side: 'sell', type: 'market', quantity: 1e9 });
        commands.push({ op: 'new', orderId: 'sweep-asks', symbol: 'AAA', side: 'buy', type: 'market', quantity: 1e9 });
        const engine = new MatchingEngine();
        const reference = new ReferenceEngine();
        for (const command of commands) assert.deepEqual(engine.process(command), reference.process(command));
        assert.deepEqual(engine.depth('AAA', 1), { symbol: 'AAA', bids: [], asks: [] });
      }),
      { numRuns: 4 },
    );
  });
});
