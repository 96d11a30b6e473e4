import assert from 'node:assert/strict';
import fc from 'fast-check';
import { comparable, playOnBoth } from '../../../backend/bench/referenceBook';
import { MatchingEngine } from '../../../backend/engine';
import { commandDefect, uniformCommand } from '../../../backend/engine/commandValidation';
import type { Command } from '../../../backend/engine';
import { commandSequence, SYMBOLS } from './commandArbitraries';

const RUNS = { numRuns: 300 };

/** Every level of `symbol` as [price, quantity], bids best first, then asks best first. */
function ourLevels(engine: MatchingEngine, symbol: string) {
  const depth = engine.depth(symbol, Number.MAX_SAFE_INTEGER);
  const pairs = (levels: typeof depth.bids) => levels.map((level): [number, number] => [level.price, level.quantity]);
  return { bids: pairs(depth.bids), asks: pairs(depth.asks) };
}

describe('matching engine against nodejs-order-book (an implementation nobody here wrote)', () => {
  it('makes the same trades, in the same order, and leaves the same books', () => {
    fc.assert(
      fc.property(commandSequence({ reuseIds: false }), (generated) => {
        // The reference validates in its own way: compare on well-formed commands only.
        const { engine, reference, ours, theirs } = playOnBoth(comparable(generated.filter((command) => commandDefect(command) === undefined)));
        assert.deepEqual(ours, theirs);
        for (const symbol of SYMBOLS) assert.deepEqual(ourLevels(engine, symbol), reference.levels(symbol));
      }),
      RUNS,
    );
  });

  it('sees a difference when there is one: a FOK with an account, whose own order it counts as liquidity', () => {
    const commands: Command[] = [
      { op: 'new', orderId: 'own', symbol: 'AAA', side: 'sell', type: 'limit', price: 100, quantity: 5, account: 'a1' },
      { op: 'new', orderId: 'other', symbol: 'AAA', side: 'sell', type: 'limit', price: 100, quantity: 5, account: 'a2' },
      { op: 'new', orderId: 'fok', symbol: 'AAA', side: 'buy', type: 'limit', price: 100, quantity: 8, timeInForce: 'FOK', account: 'a1' },
    ];
    const { ours, theirs } = playOnBoth(commands);
    // Ours: only 5 lots of other accounts, so the FOK changes nothing. The reference: 10 lots, so it
    // matches, cancels the own order, fills 5 and rests the other 3.
    assert.deepEqual(ours, []);
    assert.deepEqual(theirs, [{ symbol: 'AAA', makerOrderId: 'other', takerOrderId: 'fok', price: 100, quantity: 5 }]);
    // Without the account, as `comparable` sends it, both fill the FOK whole: 5 + 3 in time priority.
    const sent = comparable(commands);
    assert.equal(sent[2].op === 'new' && sent[2].account, undefined);
    // In the shape of every other new order the engine is fed (uniformCommand's), not a third one.
    assert.deepEqual(Object.keys(sent[2]), Object.keys(uniformCommand(commands[0])));
    assert.equal(sent[0], commands[0]);
    assert.deepEqual(playOnBoth(sent).ours, [
      { symbol: 'AAA', makerOrderId: 'own', takerOrderId: 'fok', price: 100, quantity: 5 },
      { symbol: 'AAA', makerOrderId: 'other', takerOrderId: 'fok', price: 100, quantity: 3 },
    ]);
  });
});
