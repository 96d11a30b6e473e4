/** The engine service's batch logic around the pure engine (no I/O): effects to commit, reports to publish. */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { StoredRestingOrder } from '../../../backend/db/journal';
import { clientOrderKey } from '../../../backend/db/orders';
import type { NewOrderCommand, RoutedCommand } from '../../../backend/engine';
import { ShardState } from '../../../backend/engineService/shardState';
import type { CommandEnvelope } from '../../../backend/streams';
import { commandSequence, MALFORMED_COMMANDS, SYMBOLS } from '../engine/commandArbitraries';

const emptyJournal = { checkpoint: '0-0', lastSeq: 0, restingOrders: [] };

function placing(orderId: string, order: Partial<NewOrderCommand>, clientOrderId?: string): CommandEnvelope {
  const command: NewOrderCommand = { op: 'new', orderId, symbol: 'AAPL', side: 'buy', type: 'limit', price: 100, quantity: 5, timeInForce: 'GTC', account: `acct-${orderId}`, ...order };
  return { command, replyTo: 'gw.0', requestId: orderId, ...(clientOrderId === undefined ? {} : { clientOrderId }) };
}

describe('ShardState (the engine service around the pure engine)', function () {
  it('turns crossing orders of one batch into each order once in its final state, the trades, and one report per command', function () {
    const state = ShardState.fromJournal(emptyJournal);
    const effects = state.apply(
      [placing('s1', { side: 'sell', quantity: 5 }), placing('b1', { quantity: 2 }), placing('b2', { quantity: 3 })],
      new Map(),
    );
    const byId = new Map(effects.orders.map((order) => [order.orderId, order]));
    assert.equal(effects.orders.length, 3);
    assert.deepEqual([byId.get('s1')!.status, byId.get('s1')!.ackStatus, byId.get('s1')!.leavesQuantity], ['filled', 'new', 0]);
    assert.deepEqual(effects.trades.map((trade) => [trade.tradeId, trade.makerOrderId, trade.quantity]), [['b1-1', 's1', 2], ['b2-1', 's1', 3]]);
    assert.deepEqual(effects.reports.map(({ report }) => report.kind === 'order' && [report.order.orderId, report.order.status, report.order.fills.length]), [
      ['s1', 'new', 0],
      ['b1', 'filled', 1],
      ['b2', 'filled', 1],
    ]);
    assert.deepEqual(effects.orders.map((order) => order.seq).sort(), [1, 2, 4]);
    assert.equal(effects.lastSeq, 5, 'orders and trades share the shard sequence');
    assert.equal(state.openOrderCount, 0);
  });

  it('stores and reports no price for a market order, even one that came with a price (the engine ignores it)', function () {
    const state = ShardState.fromJournal(emptyJournal);
    const effects = state.apply(
      [placing('s1', { side: 'sell', price: 101, quantity: 2 }), placing('m1', { type: 'market', price: 99, quantity: 3, timeInForce: 'IOC' })],
      new Map(),
    );
    const market = effects.orders.find((order) => order.orderId === 'm1')!;
    assert.equal(market.price, undefined);
    assert.deepEqual([market.status, market.filledQuantity, market.leavesQuantity], ['cancelled', 2, 0], 'it took s1 at 101, beyond the price it came with');
    const report = effects.reports.find(({ report }) => report.requestId === 'm1')!.report;
    assert.equal(report.kind === 'order' && 'price' in report.order, false);
  });

  it('answers a client order id already used (stored, or earlier in the batch) with a duplicate report and matches nothing', function () {
    const state = ShardState.fromJournal(emptyJournal);
    const stored = new Map([[clientOrderKey('acct-x', 'c-stored'), 'old-order']]);
    const effects = state.apply(
      [
        placing('o1', { account: 'acct-x' }, 'c-stored'),
        placing('o2', { account: 'acct-x' }, 'c-new'),
        placing('o3', { account: 'acct-x' }, 'c-new'),
      ],
      stored,
    );
    assert.deepEqual(effects.reports.map(({ report }) => report), [
      { kind: 'duplicate', requestId: 'o1', existingOrderId: 'old-order' },
      effects.reports[1].report,
      { kind: 'duplicate', requestId: 'o3', existingOrderId: 'o2' },
    ]);
    assert.deepEqual(effects.orders.map((order) => order.orderId), ['o2']);
  });

  it('cancels an open order, and reports a cancel of an unknown one as rejected', function () {
    const state = ShardState.fromJournal(emptyJournal);
    state.apply([placing('r1', {})], new Map());
    const effects = state.apply(
      [
        { command: { op: 'cancel', orderId: 'r1', symbol: 'AAPL' }, replyTo: 'gw.0', requestId: 'c1' },
        { command: { op: 'cancel', orderId: 'nope', symbol: 'AAPL' }, replyTo: 'gw.0', requestId: 'c2' },
      ],
      new Map(),
    );
    assert.deepEqual(effects.reports.map(({ report }) => report), [
      { kind: 'cancel', requestId: 'c1', orderId: 'r1', outcome: 'cancelled' },
      { kind: 'cancel', requestId: 'c2', orderId: 'nope', outcome: 'rejected', reason: 'unknown-order' },
    ]);
    // An order of an earlier batch: only its state columns are written.
    assert.deepEqual(effects.orders, []);
    assert.deepEqual(effects.orderUpdates, [{ orderId: 'r1', status: 'cancelled', filledQuantity: 0, leavesQuantity: 0, reason: 'user' }]);
  });

  it('rebuilds the books from stored resting orders in the order given (seq order, time priority), and fills them by their ordered quantity', function () {
    const resting = (orderId: string, orderedQuantity: number, quantity: number): StoredRestingOrder => ({
      orderId, account: `acct-${orderId}`, symbol: 'AAPL', side: 'sell', price: 100, quantity, orderedQuantity,
    });
    const state = ShardState.fromJournal({ checkpoint: '5-0', lastSeq: 7, restingOrders: [resting('early', 8, 5), resting('late', 5, 5)] });
    assert.deepEqual(state.topOfBook('AAPL').ask, { price: 100, quantity: 10, orders: 2 });
    const effects = state.apply([placing('taker', { quantity: 6 })], new Map());
    assert.deepEqual(effects.trades.map((trade) => [trade.makerOrderId, trade.quantity]), [['early', 5], ['late', 1]]);
    assert.equal(effects.trades[0].seq, 9, 'the sequence continues after the journal');
    assert.deepEqual(effects.orderUpdates, [
      { orderId: 'early', status: 'filled', filledQuantity: 8, leavesQuantity: 0 },
      { orderId: 'late', status: 'partially_filled', filledQuantity: 1, leavesQuantity: 4 },
    ]);
    assert.deepEqual(effects.orders.map((order) => [order.orderId, order.status]), [['taker', 'filled']]);
    assert.equal(state.openOrderCount, 1);
  });
});

describe('ShardState forgetting finished order ids (memory bounded by the resting orders)', function () {
  /** Gateway-like batches: every new order has an account, every command its symbol, nothing malformed, ids unique. */
  const batches = commandSequence({ reuseIds: false, maxLength: 120 })
    .map((commands) =>
      commands
        .filter((command): command is RoutedCommand => !MALFORMED_COMMANDS.includes(command) && command.symbol !== undefined)
        .map((command): CommandEnvelope => {
          if (command.op === 'new' && command.account === undefined) command.account = 'a0';
          return { command, replyTo: 'gw.0', requestId: `r-${command.orderId}` };
        }),
    )
    .chain((envelopes) =>
      fc.array(fc.integer({ min: 1, max: 8 }), { minLength: envelopes.length, maxLength: envelopes.length }).map((sizes) => {
        const split: CommandEnvelope[][] = [];
        for (let i = 0, s = 0; i < envelopes.length; i += sizes[s++]) split.push(envelopes.slice(i, i + sizes[s]));
        return split;
      }),
    );

  it('matches exactly as without forgetting: the same effects and reports for every batch, the same top of book after it', function () {
    let forgettings = 0;
    fc.assert(
      fc.property(batches, (split) => {
        const forgetting = ShardState.fromJournal(emptyJournal, 3);
        const reference = ShardState.fromJournal(emptyJournal);
        for (const batch of split) {
          assert.deepEqual(forgetting.apply(batch, new Map()), reference.apply(batch, new Map()));
          for (const symbol of SYMBOLS) assert.deepEqual(forgetting.topOfBook(symbol), reference.topOfBook(symbol));
        }
        assert.equal(forgetting.openOrderCount, reference.openOrderCount);
        assert.equal(reference.finishedIdsForgotten, 0);
        forgettings += forgetting.finishedIdsForgotten;
      }),
      { numRuns: 200 },
    );
    assert.ok(forgettings > 100, `finished ids were forgotten ${forgettings} times over all runs`);
  });

  it('forgets once the orders accepted since the last time are both the given number and as many as the resting ones; then refuses only resting ids', function () {
    const state = ShardState.fromJournal(emptyJournal, 2);
    const resting = (orderId: string) => placing(orderId, { side: 'sell' });
    const unfilled = (orderId: string) => placing(orderId, { price: 90, timeInForce: 'IOC' });
    state.apply([resting('s1'), resting('s2'), unfilled('i1')], new Map());
    assert.equal(state.finishedIdsForgotten, 1, '3 accepted, 2 resting');
    state.apply([resting('s3'), unfilled('i2')], new Map());
    assert.equal(state.finishedIdsForgotten, 1, '2 accepted, 3 resting: not yet');
    state.apply([unfilled('i3')], new Map());
    assert.equal(state.finishedIdsForgotten, 2, '3 accepted, 3 resting');

    const effects = state.apply([resting('s1'), unfilled('i1'), placing('taker', { quantity: 7 })], new Map());
    assert.deepEqual(effects.reports[0].report, { kind: 'duplicate', requestId: 's1', existingOrderId: 's1' }, 'a resting id is still refused');
    const again = effects.reports[1].report;
    assert.deepEqual(again.kind === 'order' && [again.order.orderId, again.order.status], ['i1', 'cancelled'], 'a finished id is accepted again');
    assert.deepEqual(
      effects.trades.map((trade) => [trade.makerOrderId, trade.quantity]),
      [['s1', 5], ['s2', 2]],
      'time priority is kept',
    );
    assert.equal(state.topOfBook('AAPL').ask?.quantity, 8);
  });
});
