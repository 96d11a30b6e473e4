import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventBuffer, MatchingEngine } from '../../../backend/engine';
import type { Command, EngineEvent } from '../../../backend/engine';
import { commandSequence } from './commandArbitraries';
import { cancel, limit, market } from './engineCommands';

/** Every command through processInto into one buffer, cleared after the commands at `clearAfter`; the events read before each clear and at the end. */
function recordAll(commands: Command[], clearAfter: ReadonlySet<number> = new Set()): EngineEvent[] {
  const engine = new MatchingEngine();
  const buffer = new EventBuffer();
  const read: EngineEvent[] = [];
  commands.forEach((command, index) => {
    engine.processInto(command, buffer);
    if (clearAfter.has(index)) {
      read.push(...buffer.events());
      buffer.clear();
      assert.equal(buffer.length, 0);
    }
  });
  return [...read, ...buffer.events()];
}

function processAll(commands: Command[]): EngineEvent[] {
  const engine = new MatchingEngine();
  return commands.flatMap((command) => engine.process(command));
}

describe('EventBuffer', () => {
  it('gives back, across clears, the events process() returns command by command', () => {
    fc.assert(
      fc.property(commandSequence({ reuseIds: true, maxLength: 150 }), fc.uniqueArray(fc.nat(150)), (commands, clears) => {
        assert.deepEqual(recordAll(commands, new Set(clears)), processAll(commands));
      }),
      { numRuns: 200 },
    );
  });

  it('grows past its first storage within one command and across commands, losing nothing', () => {
    // 3,000 makers and one taker sweeping them all: 6,001 events without a clear, 3,001 of them from the last command.
    const makers = Array.from({ length: 3000 }, (_, i) => limit(`s${i}`, 'sell', 100 + (i % 5), 1 + (i % 3)));
    const commands = [...makers, market('b', 'buy', 10 ** 6)];
    const events = recordAll(commands);
    assert.equal(events.length, 3000 + 1 + 3000 + 1);
    assert.deepEqual(events, processAll(commands));
    const trades = events.filter((event) => event.type === 'trade');
    assert.deepEqual(
      trades.map((event) => event.tradeId),
      trades.map((_, i) => `b-${i + 1}`),
    );
    assert.deepEqual(events.at(-1), { type: 'cancelled', symbol: 'AAA', orderId: 'b', remainingQuantity: 10 ** 6 - 6000, reason: 'unfilled' });
  });

  it('reads trades without building them, and refuses to read a price or quantity of anything else', () => {
    const engine = new MatchingEngine();
    const buffer = new EventBuffer();
    for (const command of [limit('s1', 'sell', 101, 2 ** 40), limit('b1', 'buy', 101, 7), cancel('s1')]) engine.processInto(command, buffer);
    assert.deepEqual(
      Array.from({ length: buffer.length }, (_, i) => buffer.isTrade(i)),
      [false, false, true, false],
    );
    assert.equal(buffer.tradePrice(2), 101);
    assert.equal(buffer.tradeQuantity(2), 7);
    assert.throws(() => buffer.tradePrice(0), /event 0 is not a trade/);
    assert.throws(() => buffer.tradeQuantity(3), /event 3 is not a trade/);
  });

  it('refuses an index outside what was recorded since the last clear', () => {
    const engine = new MatchingEngine();
    const buffer = new EventBuffer();
    engine.processInto(limit('b1', 'buy', 100, 5), buffer);
    engine.processInto(limit('b2', 'buy', 100, 5), buffer);
    buffer.clear();
    engine.processInto(cancel('b1'), buffer);
    assert.deepEqual(buffer.event(0), { type: 'cancelled', symbol: 'AAA', orderId: 'b1', remainingQuantity: 5, reason: 'user' });
    for (const index of [-1, 1, 0.5, Number.NaN]) assert.throws(() => buffer.event(index), RangeError, `index ${index}`);
    assert.throws(() => buffer.isTrade(1), RangeError);
  });

  it('writes each kind of event with its fields in the documented order (the JSON lines of engine:replay)', () => {
    const engine = new MatchingEngine();
    const lines = [
      limit('s1', 'sell', 100, 3, { account: 'a1' }),
      market('b1', 'buy', 5, { account: 'a2' }),
      limit('s1', 'sell', 100, 1),
      { op: 'cancel', orderId: 'nope' } as Command,
    ].flatMap((command) => engine.process(command).map((event) => JSON.stringify(event)));
    assert.deepEqual(lines, [
      '{"type":"accepted","symbol":"AAA","orderId":"s1","side":"sell","orderType":"limit","quantity":3,"timeInForce":"GTC","price":100,"account":"a1"}',
      '{"type":"accepted","symbol":"AAA","orderId":"b1","side":"buy","orderType":"market","quantity":5,"timeInForce":"IOC","account":"a2"}',
      '{"type":"trade","symbol":"AAA","tradeId":"b1-1","makerOrderId":"s1","takerOrderId":"b1","takerSide":"buy","price":100,"quantity":3}',
      '{"type":"cancelled","symbol":"AAA","orderId":"b1","remainingQuantity":2,"reason":"unfilled"}',
      '{"type":"rejected","symbol":"AAA","orderId":"s1","command":"new","reason":"duplicate-order-id"}',
      '{"type":"rejected","symbol":"","orderId":"nope","command":"cancel","reason":"unknown-order"}',
    ]);
  });
});
