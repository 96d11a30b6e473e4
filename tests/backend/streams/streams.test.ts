/** Pure parts of the order path: shard hash, codec, stream ids, order ids, price presentation. */
import { strict as assert } from 'node:assert';
import { parseSymbols } from '../../../backend/config/symbols';
import { averagePrice } from '../../../backend/gateway/presenter';
import { OrderIdGenerator } from '../../../backend/gateway/orderIds';
import {
  compareStreamIds,
  decodeCommands,
  decodeReports,
  encodeCommands,
  encodeReports,
  idempotencyKeyFor,
  OrderView,
  shardOf,
  stableHash,
} from '../../../backend/streams';

describe('streams', function () {
  it('hash symbols to shards stably (FNV-1a): the same on every process and release', function () {
    assert.equal(stableHash('AAPL'), 1489842955);
    assert.deepEqual(['AAPL', 'META', 'NVDA', 'SPY'].map((symbol) => shardOf(symbol, 4)), [3, 0, 2, 1]);
    for (const symbol of ['AAPL', 'BRK.B']) assert.equal(shardOf(symbol, 1), 0);
  });

  it('keep idempotency keys of different (account, clientOrderId) pairs apart', function () {
    assert.notEqual(idempotencyKeyFor('a:b', 'c'), idempotencyKeyFor('a', 'b:c'));
  });

  it('round-trip command envelopes and reports, and name what is malformed', function () {
    const envelopes = [
      { command: { op: 'new' as const, orderId: 'o1', symbol: 'AAPL', side: 'buy' as const, type: 'limit' as const, price: 10_000, quantity: 5, timeInForce: 'GTC' as const, account: 'a' }, replyTo: 'gw.0', requestId: 'o1', clientOrderId: 'c1' },
      { command: { op: 'cancel' as const, orderId: 'o1', symbol: 'AAPL' }, replyTo: 'gw.0', requestId: 'r2' },
    ];
    assert.deepEqual(decodeCommands(encodeCommands(envelopes)), { items: envelopes, errors: [] });
    const reports = [{ kind: 'duplicate' as const, requestId: 'o1', existingOrderId: 'o0' }];
    assert.deepEqual(decodeReports(encodeReports(reports)), { items: reports, errors: [] });

    const mixed = JSON.stringify([envelopes[0], { ...envelopes[0], command: { ...envelopes[0].command, quantity: 0 } }, 'junk']);
    assert.deepEqual(decodeCommands(mixed), { items: [envelopes[0]], errors: ['item 1: command.quantity is invalid', 'item 2: not an object'] });
    assert.deepEqual(decodeCommands('{'), { items: [], errors: ['payload is not JSON'] });
    assert.deepEqual(decodeCommands(undefined), { items: [], errors: ['no "p" field'] });
  });

  it('compare stream ids numerically, not as text', function () {
    assert.equal(compareStreamIds('9-0', '10-0'), -1);
    assert.equal(compareStreamIds('10-2', '10-10'), -1);
    assert.equal(compareStreamIds('10-10', '10-10'), 0);
    assert.equal(compareStreamIds('1700000000001-0', '0-0'), 1);
  });
});

describe('order ids', function () {
  it('are unique and sort by time, also within one millisecond and when the clock steps back', function () {
    const ids = new OrderIdGenerator('NDE00001');
    const produced = [ids.next(1000), ids.next(1000), ids.next(999), ids.next(2000), ids.next(2000)];
    assert.deepEqual([...produced].sort(), produced);
    assert.equal(new Set(produced).size, produced.length);
    assert.match(produced[0], /^[0-9A-HJKMNP-TV-Z]{22}$/);
  });

  it('from two processes sort by time first', function () {
    const [early, late] = [new OrderIdGenerator('ZZZZZZZZ').next(1000), new OrderIdGenerator('00000000').next(1001)];
    assert.ok(early < late);
  });
});

describe('average price', function () {
  const spec = parseSymbols('AAPL,BRK.B:0.05,BIG:5').get('AAPL')!;
  const view = (fills: [number, number][]) => ({ fills: fills.map(([price, quantity], i) => ({ tradeId: `t${i}`, price, quantity })) }) as OrderView;

  it('is the volume-weighted fill price in the tick decimals, with more decimals only when needed', function () {
    assert.equal(averagePrice(view([]), spec), null);
    assert.equal(averagePrice(view([[10_000, 3]]), spec), '100.00');
    assert.equal(averagePrice(view([[5001, 5], [5002, 3]]), spec), '50.01375');
    assert.equal(averagePrice(view([[1, 1], [2, 2]]), spec), '0.016667');
    assert.equal(averagePrice(view([[3, 1], [4, 1]]), parseSymbols('BIG:5').get('BIG')!), '17.5');
  });
});
