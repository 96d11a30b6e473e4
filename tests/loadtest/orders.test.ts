import * as assert from 'node:assert/strict';
import { DEFAULT_SYMBOLS } from '../../backend/config/symbols';
import { orderGenerator } from '../../loadtest/orders';

describe('loadtest order mix', () => {
  const sample = (seed: number, count: number) => {
    const next = orderGenerator({ runId: 'run1', seed });
    return Array.from({ length: count }, () => next());
  };

  it('varies symbols, sides and types, and prices limit orders around the mid so that some cross', () => {
    const orders = sample(7, 2000);
    assert.deepEqual(new Set(orders.map((o) => o.symbol)), new Set(DEFAULT_SYMBOLS.split(',')));
    assert.deepEqual(new Set(orders.map((o) => o.side)), new Set(['buy', 'sell']));
    assert.deepEqual(new Set(orders.map((o) => o.type)), new Set(['limit', 'market']));

    const limits = orders.filter((o) => o.type === 'limit');
    for (const order of limits) {
      assert.match(order.price!, /^\d+\.\d{2}$/, 'on the 0.01 grid');
      const ticksFromMid = Math.round(Number(order.price) * 100) - 10_000;
      assert.ok(ticksFromMid !== 0 && Math.abs(ticksFromMid) <= 40, `${order.price} within 40 ticks of 100.00`);
    }
    const crossing = limits.filter((o) => (o.side === 'buy' ? Number(o.price) > 100 : Number(o.price) < 100));
    assert.ok(crossing.length > limits.length / 10, `${crossing.length} of ${limits.length} limit orders cross the mid`);

    for (const order of orders.filter((o) => o.type === 'market')) {
      assert.equal(order.price, undefined);
      assert.equal(order.timeInForce, 'IOC');
    }
    for (const order of orders) assert.ok(Number.isInteger(order.quantity) && order.quantity >= 1);
  });

  it('gives every order its own clientOrderId under the run id', () => {
    const ids = sample(1, 5000).map((o) => o.clientOrderId);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.every((id) => id.startsWith('run1-')));
  });

  it('repeats itself for the same seed and differs for another', () => {
    assert.deepEqual(sample(3, 50), sample(3, 50));
    assert.notDeepEqual(sample(3, 50), sample(4, 50));
  });

  it('keeps limit prices on each symbol\'s own tick grid', () => {
    const next = orderGenerator({ runId: 'r', symbols: 'BRK.A:0.25', midTicks: 400 });
    for (let i = 0; i < 200; i++) {
      const order = next();
      if (order.price !== undefined) assert.equal(Math.round(Number(order.price) * 100) % 25, 0, order.price);
    }
  });
});
