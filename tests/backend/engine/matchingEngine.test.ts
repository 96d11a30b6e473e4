import assert from 'node:assert/strict';
import { MatchingEngine } from '../../../backend/engine';
import type { Command, EngineSnapshot } from '../../../backend/engine';
import { MALFORMED_COMMANDS } from './commandArbitraries';
import { cancel, limit, market, run, summarize, tradesOf } from './engineCommands';

describe('MatchingEngine', () => {
  let engine: MatchingEngine;
  beforeEach(() => {
    engine = new MatchingEngine();
  });

  describe('limit GTC', () => {
    it('accepts and rests an order that does not cross', () => {
      const events = engine.process(limit('b1', 'buy', 100, 5, { account: 'a1' }));
      assert.deepEqual(events, [
        { type: 'accepted', symbol: 'AAA', orderId: 'b1', side: 'buy', orderType: 'limit', price: 100, quantity: 5, timeInForce: 'GTC', account: 'a1' },
      ]);
      assert.equal(engine.isOpen('b1'), true);
      assert.deepEqual(engine.topOfBook('AAA'), { symbol: 'AAA', bid: { price: 100, quantity: 5, orders: 1 } });
    });

    it('trades at the maker price, best price first, then oldest first within a price', () => {
      run(engine, limit('s1', 'sell', 101, 2), limit('s2', 'sell', 100, 2), limit('s3', 'sell', 100, 2), limit('s4', 'sell', 102, 2));
      const events = engine.process(limit('b1', 'buy', 105, 7));
      assert.deepEqual(tradesOf(events), [
        ['s2', 'b1', 100, 2],
        ['s3', 'b1', 100, 2],
        ['s1', 'b1', 101, 2],
        ['s4', 'b1', 102, 1],
      ]);
      assert.deepEqual(
        events.filter((e) => e.type === 'trade').map((e) => e.type === 'trade' && e.tradeId),
        ['b1-1', 'b1-2', 'b1-3', 'b1-4'],
      );
      assert.deepEqual(engine.topOfBook('AAA').ask, { price: 102, quantity: 1, orders: 1 });
    });

    it('numbers a taker\'s trades 1, 2, 3… in its trade ids, however many makers it sweeps', () => {
      const makers = Array.from({ length: 70 }, (_, i) => limit(`s${i}`, 'sell', 100 + (i % 3), 1));
      run(engine, ...makers);
      const tradeIds = engine.process(market('b1', 'buy', 70)).flatMap((e) => (e.type === 'trade' ? [e.tradeId] : []));
      assert.deepEqual(tradeIds, Array.from({ length: 70 }, (_, i) => `b1-${i + 1}`));
    });

    it('keeps small and huge quantities exact side by side (past 2^31, up to 2^53)', () => {
      // The order store holds small quantities as small integers and turns to doubles for the first huge one.
      const huge = 2 ** 40 + 7;
      run(engine, limit('s1', 'sell', 100, 5), limit('s2', 'sell', 101, huge), limit('s3', 'sell', 101, 2 ** 53 - 1 - huge));
      assert.deepEqual(tradesOf(engine.process(limit('b1', 'buy', 100, 3))), [['s1', 'b1', 100, 3]]);
      assert.deepEqual(tradesOf(engine.process(limit('b2', 'buy', 101, huge - 5))), [
        ['s1', 'b2', 100, 2],
        ['s2', 'b2', 101, huge - 7],
      ]);
      assert.deepEqual(engine.topOfBook('AAA').ask, { price: 101, quantity: 2 ** 53 - 1 - huge + 7, orders: 2 });
      assert.deepEqual(summarize(engine.process(cancel('s2'))), ['cancelled s2 7 user']);
      assert.deepEqual(engine.snapshot().orders.map((order) => order.quantity), [2 ** 53 - 1 - huge]);
    });

    it('trades only at prices at or better than its limit, then rests the remainder', () => {
      run(engine, limit('s1', 'sell', 100, 3), limit('s2', 'sell', 101, 3));
      const events = engine.process(limit('b1', 'buy', 100, 5));
      assert.deepEqual(summarize(events), ['accepted b1', 'trade s1>b1 100x3']);
      assert.deepEqual(engine.depth('AAA', 5), {
        symbol: 'AAA',
        bids: [{ price: 100, quantity: 2, orders: 1 }],
        asks: [{ price: 101, quantity: 3, orders: 1 }],
      });
    });

    it('keeps the time priority of a partially filled resting order', () => {
      run(engine, limit('s1', 'sell', 100, 5), limit('s2', 'sell', 100, 5), limit('b1', 'buy', 100, 2));
      assert.deepEqual(tradesOf(engine.process(limit('b2', 'buy', 100, 4))), [
        ['s1', 'b2', 100, 3],
        ['s2', 'b2', 100, 1],
      ]);
    });

    it('matches a sell against the highest bid first', () => {
      run(engine, limit('b1', 'buy', 99, 1), limit('b2', 'buy', 101, 1), limit('b3', 'buy', 100, 1));
      assert.deepEqual(tradesOf(engine.process(limit('s1', 'sell', 99, 3))), [
        ['b2', 's1', 101, 1],
        ['b3', 's1', 100, 1],
        ['b1', 's1', 99, 1],
      ]);
    });

    it('keeps one book per symbol', () => {
      run(engine, limit('s1', 'sell', 100, 1), limit('b1', 'buy', 100, 1, { symbol: 'BBB' }));
      assert.equal(engine.isOpen('s1'), true);
      assert.equal(engine.isOpen('b1'), true);
      assert.deepEqual(engine.symbols(), ['AAA', 'BBB']);
    });

    it('keeps a book for any symbol text, names of Object.prototype members and numbers included', () => {
      const symbols = ['__proto__', 'constructor', 'toString', '10', '2', 'AAA'];
      symbols.forEach((symbol, i) => run(engine, limit(`s${i}`, 'sell', 100 + i, 1 + i, { symbol })));
      // Every book holds only its own order, and symbols() keeps the order of first appearance.
      assert.deepEqual(engine.symbols(), symbols);
      symbols.forEach((symbol, i) => {
        assert.deepEqual(engine.topOfBook(symbol), { symbol, ask: { price: 100 + i, quantity: 1 + i, orders: 1 } });
      });
      assert.deepEqual(engine.topOfBook('hasOwnProperty'), { symbol: 'hasOwnProperty' });
    });
  });

  describe('IOC', () => {
    it('cancels the unfilled remainder instead of resting it', () => {
      run(engine, limit('s1', 'sell', 100, 3));
      const events = engine.process(limit('b1', 'buy', 100, 5, { timeInForce: 'IOC' }));
      assert.deepEqual(summarize(events), ['accepted b1', 'trade s1>b1 100x3', 'cancelled b1 2 unfilled']);
      assert.equal(engine.isOpen('b1'), false);
      assert.deepEqual(engine.topOfBook('AAA'), { symbol: 'AAA' });
    });
  });

  describe('FOK', () => {
    it('fills completely at once, across levels', () => {
      run(engine, limit('s1', 'sell', 100, 3), limit('s2', 'sell', 101, 3));
      const events = engine.process(limit('b1', 'buy', 101, 6, { timeInForce: 'FOK' }));
      assert.deepEqual(summarize(events), ['accepted b1', 'trade s1>b1 100x3', 'trade s2>b1 101x3']);
    });

    it('does nothing at all when it cannot fill completely', () => {
      run(engine, limit('s1', 'sell', 100, 3), limit('s2', 'sell', 102, 3));
      const before = engine.snapshot();
      const events = engine.process(limit('b1', 'buy', 101, 4, { timeInForce: 'FOK' }));
      assert.deepEqual(events.slice(1), [{ type: 'cancelled', symbol: 'AAA', orderId: 'b1', remainingQuantity: 4, reason: 'fok' }]);
      assert.deepEqual(engine.snapshot().orders, before.orders);
    });

    it('does not count the same account\'s resting orders as liquidity, and a failed FOK leaves them resting', () => {
      run(engine, limit('s1', 'sell', 100, 3, { account: 'a1' }), limit('s2', 'sell', 100, 3, { account: 'a2' }));
      const events = engine.process(limit('b1', 'buy', 100, 4, { timeInForce: 'FOK', account: 'a1' }));
      assert.deepEqual(summarize(events), ['accepted b1', 'cancelled b1 4 fok']);
      assert.equal(engine.isOpen('s1'), true);
    });

    it('decides exactly at the top of the safe-integer range', () => {
      const big = 2 ** 52;
      run(engine, limit('s1', 'sell', 100, big), limit('s2', 'sell', 100, big - 2));
      assert.deepEqual(summarize(engine.process(limit('b1', 'buy', 100, 2 * big - 1, { timeInForce: 'FOK' }))), ['accepted b1', `cancelled b1 ${2 * big - 1} fok`]);
      assert.deepEqual(tradesOf(engine.process(limit('b2', 'buy', 100, 2 * big - 2, { timeInForce: 'FOK' }))), [
        ['s1', 'b2', 100, big],
        ['s2', 'b2', 100, big - 2],
      ]);
    });

    it('when it fills, cancels the same account\'s resting orders it meets on the way', () => {
      run(engine, limit('s1', 'sell', 100, 3, { account: 'a1' }), limit('s2', 'sell', 100, 3, { account: 'a2' }));
      const events = engine.process(limit('b1', 'buy', 100, 3, { timeInForce: 'FOK', account: 'a1' }));
      assert.deepEqual(summarize(events), ['accepted b1', 'cancelled s1 3 self-trade', 'trade s2>b1 100x3']);
    });
  });

  describe('market', () => {
    it('sweeps the book and cancels the remainder; it never rests', () => {
      run(engine, limit('b1', 'buy', 100, 2), limit('b2', 'buy', 98, 2));
      const events = engine.process(market('s1', 'sell', 5));
      assert.deepEqual(events[0], {
        type: 'accepted', symbol: 'AAA', orderId: 's1', side: 'sell', orderType: 'market', quantity: 5, timeInForce: 'IOC',
      });
      assert.deepEqual(summarize(events.slice(1)), ['trade b1>s1 100x2', 'trade b2>s1 98x2', 'cancelled s1 1 unfilled']);
      assert.equal(engine.isOpen('s1'), false);
    });

    it('on an empty book is accepted then cancelled whole', () => {
      assert.deepEqual(summarize(engine.process(market('b1', 'buy', 5))), ['accepted b1', 'cancelled b1 5 unfilled']);
    });

    it('behaves as IOC even when asked for FOK', () => {
      run(engine, limit('s1', 'sell', 100, 2));
      const events = engine.process(market('b1', 'buy', 5, { timeInForce: 'FOK' }));
      assert.deepEqual(summarize(events), ['accepted b1', 'trade s1>b1 100x2', 'cancelled b1 3 unfilled']);
    });

    it('ignores a price it carries (0, or one the book is beyond): it is no limit', () => {
      run(engine, limit('s1', 'sell', 100, 2), limit('s2', 'sell', 105, 2));
      for (const [orderId, price] of [['b1', 99], ['b2', 0]] as const) {
        const events = engine.process(market(orderId, 'buy', 1, { price }));
        assert.deepEqual(events[0], {
          type: 'accepted', symbol: 'AAA', orderId, side: 'buy', orderType: 'market', quantity: 1, timeInForce: 'IOC',
        });
      }
      assert.deepEqual(summarize(engine.process(market('b3', 'buy', 5, { price: 1 }))), ['accepted b3', 'trade s2>b3 105x2', 'cancelled b3 3 unfilled']);
    });
  });

  describe('cancel', () => {
    it('cancels the open remainder of a resting order', () => {
      run(engine, limit('s1', 'sell', 100, 5), limit('b1', 'buy', 100, 2));
      assert.deepEqual(engine.process(cancel('s1')), [
        { type: 'cancelled', symbol: 'AAA', orderId: 's1', remainingQuantity: 3, reason: 'user' },
      ]);
      assert.equal(engine.isOpen('s1'), false);
      assert.deepEqual(engine.depth('AAA', 10), { symbol: 'AAA', bids: [], asks: [] });
    });

    it('refuses an order never seen, already finished, or named under another symbol', () => {
      run(engine, limit('s1', 'sell', 100, 5), limit('b1', 'buy', 100, 5), limit('s2', 'sell', 101, 1));
      assert.deepEqual(engine.process(cancel('nope')), [
        { type: 'rejected', symbol: 'AAA', orderId: 'nope', command: 'cancel', reason: 'unknown-order' },
      ]);
      assert.deepEqual(summarize(run(engine, cancel('s1'), cancel('s2', 'BBB'), cancel('s2'), cancel('s2'))), [
        'rejected s1 unknown-order',
        'rejected s2 unknown-order',
        'cancelled s2 1 user',
        'rejected s2 unknown-order',
      ]);
    });

    it('finds the order by its id alone when the cancel names no symbol (null counts as none)', () => {
      run(engine, limit('s1', 'sell', 100, 5), { ...limit('z1', 'buy', 90, 2), symbol: 'ZZZ' });
      assert.deepEqual(engine.process({ op: 'cancel', orderId: 'z1' }), [
        { type: 'cancelled', symbol: 'ZZZ', orderId: 'z1', remainingQuantity: 2, reason: 'user' },
      ]);
      assert.deepEqual(summarize(run(engine, { op: 'cancel', orderId: 's1', symbol: null } as unknown as Command, { op: 'cancel', orderId: 's1' })), [
        'cancelled s1 5 user',
        'rejected s1 unknown-order',
      ]);
      assert.deepEqual(engine.process({ op: 'cancel', orderId: 'nope' }), [
        { type: 'rejected', symbol: '', orderId: 'nope', command: 'cancel', reason: 'unknown-order' },
      ]);
    });

    it('removes an order from the middle of a level without disturbing the others\' priority', () => {
      run(engine, limit('s1', 'sell', 100, 1), limit('s2', 'sell', 100, 1), limit('s3', 'sell', 100, 1), cancel('s2'));
      assert.deepEqual(engine.topOfBook('AAA').ask, { price: 100, quantity: 2, orders: 2 });
      assert.deepEqual(tradesOf(engine.process(market('b1', 'buy', 2))).map(([maker]) => maker), ['s1', 's3']);
    });
  });

  describe('self-trade prevention', () => {
    it('cancels the resting order of the same account and goes on matching', () => {
      run(engine, limit('s1', 'sell', 100, 2, { account: 'a2' }), limit('s2', 'sell', 100, 2, { account: 'a1' }), limit('s3', 'sell', 100, 2, { account: 'a2' }));
      const events = engine.process(limit('b1', 'buy', 100, 3, { account: 'a1' }));
      assert.deepEqual(summarize(events), ['accepted b1', 'trade s1>b1 100x2', 'cancelled s2 2 self-trade', 'trade s3>b1 100x1']);
      assert.equal(engine.isOpen('s2'), false);
    });

    it('rests the incoming order once only its own orders stood in the way', () => {
      run(engine, limit('s1', 'sell', 100, 2, { account: 'a1' }));
      const events = engine.process(limit('b1', 'buy', 101, 3, { account: 'a1' }));
      assert.deepEqual(summarize(events), ['accepted b1', 'cancelled s1 2 self-trade']);
      assert.deepEqual(engine.topOfBook('AAA'), { symbol: 'AAA', bid: { price: 101, quantity: 3, orders: 1 } });
    });

    it('leaves orders without an account alone', () => {
      run(engine, limit('s1', 'sell', 100, 2));
      assert.deepEqual(tradesOf(engine.process(limit('b1', 'buy', 100, 2))), [['s1', 'b1', 100, 2]]);
    });

    it('does not touch own orders the incoming order would not reach', () => {
      run(engine, limit('s1', 'sell', 100, 2, { account: 'a2' }), limit('s2', 'sell', 100, 2, { account: 'a1' }));
      assert.deepEqual(summarize(engine.process(limit('b1', 'buy', 100, 2, { account: 'a1' }))), ['accepted b1', 'trade s1>b1 100x2']);
      assert.equal(engine.isOpen('s2'), true);
    });
  });

  describe('rejections', () => {
    const cases: [string, Command | unknown, string][] = [
      ['zero quantity', limit('x', 'buy', 100, 0), 'invalid-quantity'],
      ['negative quantity', limit('x', 'buy', 100, -3), 'invalid-quantity'],
      ['fractional quantity', limit('x', 'buy', 100, 1.5), 'invalid-quantity'],
      ['quantity beyond the safe integers', limit('x', 'buy', 100, 2 ** 53), 'invalid-quantity'],
      ['limit without a price', { op: 'new', orderId: 'x', symbol: 'AAA', side: 'buy', type: 'limit', quantity: 1 }, 'missing-price'],
      ['limit with a null price', limit('x', 'buy', null as unknown as number, 1), 'missing-price'],
      ['zero price', limit('x', 'buy', 0, 1), 'invalid-price'],
      ['fractional price', limit('x', 'buy', 100.25, 1), 'invalid-price'],
      ['price as a string', limit('x', 'buy', '100' as unknown as number, 1), 'invalid-price'],
      ['unknown op', { op: 'amend', orderId: 'x', symbol: 'AAA' }, 'invalid-command'],
      ['unknown side', limit('x', 'hold' as 'buy', 100, 1), 'invalid-command'],
      ['unknown type', { ...limit('x', 'buy', 100, 1), type: 'stop' }, 'invalid-command'],
      ['unknown timeInForce', limit('x', 'buy', 100, 1, { timeInForce: 'DAY' as 'GTC' }), 'invalid-command'],
      ['missing symbol', { ...limit('x', 'buy', 100, 1), symbol: undefined }, 'invalid-command'],
      ['missing orderId', { ...limit('x', 'buy', 100, 1), orderId: undefined }, 'invalid-command'],
      ['account not a string', limit('x', 'buy', 100, 1, { account: 12 as unknown as string }), 'invalid-command'],
      ['cancel with a symbol that is not text', { op: 'cancel', orderId: 'x', symbol: 7 }, 'invalid-command'],
      ['cancel without an orderId', { op: 'cancel', symbol: 'AAA' }, 'invalid-command'],
    ];
    for (const [name, command, reason] of cases) {
      it(`refuses ${name} with ${reason}`, () => {
        const events = engine.process(command as Command);
        assert.equal(events.length, 1);
        assert.equal(events[0].type, 'rejected');
        assert.equal(events[0].type === 'rejected' && events[0].reason, reason);
      });
    }

    it('names the refused command and order, with \'\' for fields that are missing', () => {
      assert.deepEqual(engine.process(limit('x', 'buy', 0, 1)), [
        { type: 'rejected', symbol: 'AAA', orderId: 'x', command: 'new', reason: 'invalid-price' },
      ]);
      assert.deepEqual(engine.process(null as unknown as Command), [
        { type: 'rejected', symbol: '', orderId: '', command: 'new', reason: 'invalid-command' },
      ]);
    });

    it('never throws, whatever it is given', () => {
      const strange = [...MALFORMED_COMMANDS, undefined, true, Symbol('x'), () => 1, { op: 'new', orderId: {}, symbol: [] }, Object.create(null)];
      for (const value of strange) {
        const events = engine.process(value as Command);
        assert.equal(events.length, 1);
        assert.equal(events[0].type, 'rejected');
      }
      assert.deepEqual(engine.symbols(), []);
    });

    it('refuses a duplicate orderId, whether the first order is resting or finished', () => {
      run(engine, limit('s1', 'sell', 100, 1), market('m1', 'buy', 5));
      assert.deepEqual(summarize(run(engine, limit('m1', 'buy', 90, 1), limit('s1', 'buy', 90, 1), cancel('m1'))), [
        'rejected m1 duplicate-order-id',
        'rejected s1 duplicate-order-id',
        'rejected m1 unknown-order',
      ]);
    });

    it('leaves no trace of a refused order: its id can be used again', () => {
      run(engine, limit('b1', 'buy', 0, 1));
      assert.deepEqual(summarize(engine.process(limit('b1', 'buy', 100, 1))), ['accepted b1']);
    });
  });

  describe('top of book and depth', () => {
    it('aggregates quantity and order count per level, best first, up to the number of levels asked', () => {
      run(
        engine,
        limit('b1', 'buy', 99, 1), limit('b2', 'buy', 100, 2), limit('b3', 'buy', 100, 3), limit('b4', 'buy', 98, 4),
        limit('s1', 'sell', 103, 5), limit('s2', 'sell', 101, 6),
      );
      assert.deepEqual(engine.depth('AAA', 2), {
        symbol: 'AAA',
        bids: [{ price: 100, quantity: 5, orders: 2 }, { price: 99, quantity: 1, orders: 1 }],
        asks: [{ price: 101, quantity: 6, orders: 1 }, { price: 103, quantity: 5, orders: 1 }],
      });
      assert.deepEqual(engine.topOfBook('AAA'), {
        symbol: 'AAA', bid: { price: 100, quantity: 5, orders: 2 }, ask: { price: 101, quantity: 6, orders: 1 },
      });
      assert.deepEqual(engine.depth('AAA', 0), { symbol: 'AAA', bids: [], asks: [] });
    });

    it('answers empty for a symbol it has never seen', () => {
      assert.deepEqual(engine.topOfBook('ZZZ'), { symbol: 'ZZZ' });
      assert.deepEqual(engine.depth('ZZZ', 5), { symbol: 'ZZZ', bids: [], asks: [] });
    });
  });

  describe('snapshot and restore', () => {
    it('lists resting orders in time priority and finished ids', () => {
      run(
        engine,
        limit('s1', 'sell', 101, 5, { account: 'a1' }), limit('b1', 'buy', 99, 2), limit('s2', 'sell', 100, 4, { symbol: 'BBB' }),
        market('m1', 'buy', 2), cancel('b1'),
      );
      assert.deepEqual(engine.snapshot(), {
        orders: [
          { orderId: 's1', symbol: 'AAA', side: 'sell', price: 101, quantity: 3, account: 'a1' },
          { orderId: 's2', symbol: 'BBB', side: 'sell', price: 100, quantity: 4 },
        ],
        finishedOrderIds: ['b1', 'm1'],
      });
    });

    it('restores books that match on exactly as before, and still refuses finished ids', () => {
      run(engine, limit('s1', 'sell', 100, 5), limit('s2', 'sell', 100, 5), limit('s3', 'sell', 99, 1), market('m1', 'buy', 2));
      const restored = MatchingEngine.restore(JSON.parse(JSON.stringify(engine.snapshot())) as EngineSnapshot);
      const next = [limit('b1', 'buy', 100, 7), limit('m1', 'buy', 100, 1)];
      assert.deepEqual(run(restored, ...next), run(engine, ...next));
      assert.deepEqual(restored.depth('AAA', 5), engine.depth('AAA', 5));
    });

    it('forgets finished ids on request: they are accepted again, resting ones still refused, the books unchanged', () => {
      run(engine, limit('s1', 'sell', 100, 5), limit('s2', 'sell', 101, 5), market('m1', 'buy', 2), limit('i1', 'buy', 90, 1, { timeInForce: 'IOC' }));
      const twin = MatchingEngine.restore({ orders: engine.snapshot().orders, finishedOrderIds: [] });
      engine.forgetFinishedOrderIds();
      assert.deepEqual(engine.snapshot(), twin.snapshot());
      const next = [limit('m1', 'buy', 100, 1), limit('s1', 'buy', 101, 1), limit('i1', 'buy', 101, 9, { timeInForce: 'IOC' }), cancel('s2')];
      const events = run(engine, ...next);
      assert.deepEqual(summarize(events), [
        'accepted m1', 'trade s1>m1 100x1',
        'rejected s1 duplicate-order-id',
        'accepted i1', 'trade s1>i1 100x2', 'trade s2>i1 101x5', 'cancelled i1 2 unfilled',
        'rejected s2 unknown-order',
      ]);
      assert.deepEqual(events, run(twin, ...next));
    });

    it('restores from resting orders alone', () => {
      const restored = MatchingEngine.restore({
        orders: [
          { orderId: 's1', symbol: 'AAA', side: 'sell', price: 100, quantity: 5 },
          { orderId: 's2', symbol: 'AAA', side: 'sell', price: 100, quantity: 5, account: 'a1' },
        ],
        finishedOrderIds: [],
      });
      assert.deepEqual(summarize(restored.process(limit('b1', 'buy', 100, 7, { account: 'a1' }))), [
        'accepted b1', 'trade s1>b1 100x5', 'cancelled s2 5 self-trade',
      ]);
    });

    it('refuses a snapshot no engine could have made', () => {
      const order = { orderId: 's1', symbol: 'AAA', side: 'sell' as const, price: 100, quantity: 5 };
      const corrupt: [string, unknown][] = [
        ['not an object', null],
        ['orders missing', { finishedOrderIds: [] }],
        ['bad quantity', { orders: [{ ...order, quantity: 0 }], finishedOrderIds: [] }],
        ['bad price', { orders: [{ ...order, price: 1.5 }], finishedOrderIds: [] }],
        ['bad side', { orders: [{ ...order, side: 'x' }], finishedOrderIds: [] }],
        ['id listed twice', { orders: [order, order], finishedOrderIds: [] }],
        ['resting and finished', { orders: [order], finishedOrderIds: ['s1'] }],
        ['crossed book', { orders: [order, { ...order, orderId: 'b1', side: 'buy', price: 100 }], finishedOrderIds: [] }],
      ];
      for (const [name, snapshot] of corrupt) {
        assert.throws(() => MatchingEngine.restore(snapshot as EngineSnapshot), TypeError, name);
      }
    });
  });

  it('keeps track of many thousands of orders (the order index grows)', () => {
    const count = 20_000;
    for (let i = 0; i < count; i++) engine.process(limit(`b${i}`, 'buy', 100 - (i % 50), 1));
    for (let i = 0; i < count; i += 2) engine.process(cancel(`b${i}`));
    for (let i = 0; i < count; i++) assert.equal(engine.isOpen(`b${i}`), i % 2 === 1);
    assert.equal(engine.process(limit('b7', 'buy', 1, 1))[0].type, 'rejected');
    assert.equal(engine.process(limit('b8', 'buy', 1, 1))[0].type, 'rejected');
    const snapshot = engine.snapshot();
    assert.equal(snapshot.orders.length, count / 2);
    assert.equal(snapshot.finishedOrderIds.length, count / 2);
    assert.equal(MatchingEngine.restore(snapshot).process(limit('b9', 'buy', 1, 1))[0].type, 'rejected');
  });
});
