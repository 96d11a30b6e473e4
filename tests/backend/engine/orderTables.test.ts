import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AcceptedOrderIds } from '../../../backend/engine/acceptedOrderIds';
import { OpenOrderTable } from '../../../backend/engine/openOrderTable';
import { orderIdHash } from '../../../backend/engine/orderIdHash';
import { NO_ORDER, OrderStore } from '../../../backend/engine/orderStore';

describe('order id tables', () => {
  it('AcceptedOrderIds refuses every id seen before, across growth, and lists ids in acceptance order', () => {
    const ids = new AcceptedOrderIds();
    const count = 50_000;
    for (let i = 0; i < count; i++) assert.equal(ids.add(`order-${i}`, orderIdHash(`order-${i}`)), true);
    for (let i = 0; i < count; i += 7) assert.equal(ids.add(`order-${i}`, orderIdHash(`order-${i}`)), false);
    assert.equal(ids.add('order-x', orderIdHash('order-x')), true);
    assert.equal(ids.values().length, count + 1);
    assert.equal(ids.values()[12_345], 'order-12345');
  });

  it('AcceptedOrderIds tells apart ids whose hashes collide or whose numeric suffixes are equal', () => {
    const ids = new AcceptedOrderIds();
    // Same counter value, different digit counts, prefixes or lengths beyond nine digits.
    const distinct = ['7', '07', '007', 'a7', 'a07', '1234567890', '2234567890', '', 'x', 'ü7'];
    for (const id of distinct) assert.equal(ids.add(id, orderIdHash(id)), true, id);
    // Forced hash collisions: only the exact id is a duplicate.
    assert.equal(ids.add('other', orderIdHash('7')), true);
    for (const id of distinct) assert.equal(ids.add(id, orderIdHash(id)), false, id);
    assert.equal(ids.add('other', orderIdHash('7')), false);
  });

  it('orderIdHash is never 0 and keeps consecutive counters in neighbouring slots', () => {
    fc.assert(fc.property(fc.string(), (id) => orderIdHash(id) !== 0));
    const base = orderIdHash('c1-1600');
    for (let i = 1; i < 16; i++) assert.equal(orderIdHash(`c1-${1600 + i}`), base + i);
  });

  it('OpenOrderTable finds exactly the orders inserted and not removed, whatever the order of operations', () => {
    // Few distinct ids and many operations: long probe runs, removals in the middle of runs, growth.
    const operation = fc.record({ id: fc.integer({ min: 0, max: 3000 }), insert: fc.boolean() });
    fc.assert(
      fc.property(fc.array(operation, { minLength: 500, maxLength: 4000 }), (operations) => {
        const store = new OrderStore();
        const table = new OpenOrderTable(store);
        const model = new Map<string, number>();
        for (const { id, insert } of operations) {
          const orderId = `o${id}`;
          const handle = model.get(orderId);
          if (insert && handle === undefined) {
            const added = store.allocate(orderId, undefined, 1, 0);
            table.insert(added, orderIdHash(orderId));
            model.set(orderId, added);
          } else if (!insert && handle !== undefined) {
            table.remove(handle);
            store.release(handle);
            model.delete(orderId);
          }
        }
        for (let id = 0; id <= 3000; id++) assert.equal(table.find(`o${id}`), model.get(`o${id}`) ?? NO_ORDER);
      }),
      { numRuns: 30 },
    );
  });
});
