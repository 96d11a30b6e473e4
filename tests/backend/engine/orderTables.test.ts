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
    for (let i = 0; i < count; i++) assert.equal(ids.add(`order-${i}`), true);
    for (let i = 0; i < count; i += 7) assert.equal(ids.add(`order-${i}`), false);
    assert.equal(ids.add('order-x'), true);
    const expected = Array.from({ length: count }, (_, i) => `order-${i}`);
    assert.deepEqual(ids.values(), [...expected, 'order-x']);
  });

  it('AcceptedOrderIds refuses ids in no order (the hash table alone), across many chunks of its id list', () => {
    const ids = new AcceptedOrderIds();
    const count = 30_000;
    // A fixed permutation of 0..count-1 (7919 is prime, so coprime with count): ids arrive far out of order.
    const shuffled = Array.from({ length: count }, (_, i) => `id-${(i * 7919) % count}`);
    for (const id of shuffled) assert.equal(ids.add(id), true, id);
    for (let i = count - 1; i >= 0; i -= 3) assert.equal(ids.add(shuffled[i]), false, shuffled[i]);
    assert.deepEqual(ids.values(), shuffled);
  });

  it('AcceptedOrderIds tells apart ids whose hashes collide or whose numeric suffixes are equal', () => {
    // Forced hash collisions: 'other' hashes like '7'.
    const ids = new AcceptedOrderIds((id) => orderIdHash(id === 'other' ? '7' : id));
    // Same counter value, different digit counts, prefixes or lengths beyond nine digits.
    const distinct = ['7', '07', '007', 'a7', 'a07', '1234567890', '2234567890', '', 'x', 'ü7'];
    for (const id of distinct) assert.equal(ids.add(id), true, id);
    // Only the exact id is a duplicate.
    assert.equal(ids.add('other'), true);
    for (const id of distinct) assert.equal(ids.add(id), false, id);
    assert.equal(ids.add('other'), false);
  });

  it('AcceptedOrderIds refuses repeats in its table whatever number the hash function returns', () => {
    // Every id hashes to the same number, one an Int32Array cannot hold as it is.
    const ids = new AcceptedOrderIds(() => 0xffff_fff0);
    const ascending = Array.from({ length: 100 }, (_, i) => String(100 + i));
    // Far behind the greatest id so far: these go to the hash table, not the sorted run.
    const late = Array.from({ length: 50 }, (_, i) => String(i));
    for (const id of [...ascending, ...late]) assert.equal(ids.add(id), true, id);
    for (const id of [...late, ...ascending]) assert.equal(ids.add(id), false, id);
  });

  it("AcceptedOrderIds.hashOf is the table's hash of any id, reusing the one the last add computed for that id", () => {
    const hashed: string[] = [];
    const ids = new AcceptedOrderIds((id) => {
      hashed.push(id);
      return orderIdHash(id);
    });
    const ascending = Array.from({ length: 100 }, (_, i) => String(100 + i));
    for (const id of ascending) ids.add(id);
    // The sorted run takes ascending ids without hashing them: hashOf computes.
    assert.deepEqual(hashed, []);
    assert.equal(ids.hashOf('150'), orderIdHash('150'));
    assert.deepEqual(hashed, ['150']);
    // Far behind the greatest id: the add hashes it for the table, and hashOf reuses that hash, for an equal string too.
    assert.equal(ids.add('5'), true);
    assert.deepEqual(hashed, ['150', '5']);
    assert.equal(ids.hashOf('5'), orderIdHash('5'));
    assert.equal(ids.hashOf(String(5)), orderIdHash('5'));
    assert.deepEqual(hashed, ['150', '5']);
    // Any other id is hashed anew, never given the remembered hash.
    assert.equal(ids.hashOf('6'), orderIdHash('6'));
    assert.deepEqual(hashed, ['150', '5', '6']);
  });

  it('AcceptedOrderIds refuses exactly the ids seen before, whatever order they arrive in', () => {
    // Ids from a small space, so that repeats are common: counters with and without prefixes or leading
    // zeros, runs that arrive ascending (the fast path) or descending, mixed with ids out of order, and arbitrary strings.
    const id = fc.oneof(
      fc.integer({ min: 0, max: 400 }).map(String),
      fc.integer({ min: 0, max: 400 }).map((n) => `0${n}`),
      fc.tuple(fc.constantFrom('a', 'b', 'c7-'), fc.integer({ min: 0, max: 60 })).map(([prefix, n]) => prefix + n),
      fc.string({ maxLength: 3 }),
    );
    const run = fc.integer({ min: 0, max: 500 }).chain((start) =>
      fc.integer({ min: 1, max: 40 }).map((length) => Array.from({ length }, (_, i) => String(start + i))),
    );
    // Reversed runs: ids a little late, inserted into the sorted run rather than the table.
    const arrivals = fc
      .array(fc.oneof(id.map((one) => [one]), run, run.map((ids) => ids.reverse())), { minLength: 1, maxLength: 300 })
      .map((parts) => parts.flat());
    fc.assert(
      fc.property(arrivals, (ids) => {
        const table = new AcceptedOrderIds();
        const model = new Set<string>();
        const order: string[] = [];
        for (const orderId of ids) {
          const fresh = !model.has(orderId);
          assert.equal(table.add(orderId), fresh, orderId);
          if (fresh) {
            model.add(orderId);
            order.push(orderId);
          }
        }
        assert.deepEqual(table.values(), order);
      }),
      { numRuns: 300 },
    );
  });

  it('AcceptedOrderIds finds an id of the sorted run that comes again after ids out of order', () => {
    const ids = new AcceptedOrderIds();
    for (let i = 1; i <= 5000; i++) assert.equal(ids.add(String(i)), true);
    // Shortlex order: '999' < '1000' (shorter first), 'b' and '0042' are not after '5000'.
    for (const late of ['b', '0042', '42a', '5001', '10000', '9999']) assert.equal(ids.add(late), true, late);
    for (const again of ['1', '999', '1000', '4999', '5000', '5001', '9999', '10000', 'b', '0042', '42a']) {
      assert.equal(ids.add(again), false, again);
    }
    assert.deepEqual(ids.values().slice(4998), ['4999', '5000', 'b', '0042', '42a', '5001', '10000', '9999']);
  });

  it('AcceptedOrderIds refuses exactly the ids seen before when they arrive in no order (random ids, the table alone)', () => {
    // Seeded pseudo-random ids: after a few thousand of them the sorted run is given up.
    let state = 12345;
    const randomId = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return `r${state.toString(36)}`;
    };
    const ids = new AcceptedOrderIds();
    const model = new Set<string>();
    const order: string[] = [];
    const generated: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      // One arrival in five repeats an earlier id, from before and after the switch alike.
      const id = i % 5 === 4 ? generated[(i * 7919) % generated.length] : randomId();
      generated.push(id);
      assert.equal(ids.add(id), !model.has(id), id);
      if (!model.has(id)) {
        model.add(id);
        order.push(id);
      }
    }
    for (const id of generated.slice(0, 200)) assert.equal(ids.add(id), false, id);
    assert.deepEqual(ids.values(), order);
  });

  it('orderIdHash is never 0 and keeps consecutive counters in neighbouring slots', () => {
    fc.assert(fc.property(fc.string(), (id) => orderIdHash(id) !== 0));
    const base = orderIdHash('c1-1600');
    for (let i = 1; i < 16; i++) assert.equal(orderIdHash(`c1-${1600 + i}`), base + i);
  });

  it('orderIdHash tells apart ids that differ in any one character, at odd or even positions, and spreads them', () => {
    // A UUID-like id with each of its characters changed in turn, through 16 values each.
    const base = '70f92d51-274f-4e06-9b3d-cfc68baeb13x';
    const ids = new Set<string>();
    for (let position = 0; position < base.length; position++) {
      for (const char of '0123456789abcdef') ids.add(base.slice(0, position) + char + base.slice(position + 1));
    }
    const hashes = new Set([...ids].map(orderIdHash));
    assert.equal(hashes.size, ids.size);
    // Spread over a table's slots as random values would be (about 510 of 4,096 slots for 546 ids), not
    // only over every 16th slot, as an id without a numeric suffix was.
    const slots = new Set([...hashes].map((hash) => hash & 4095));
    assert.ok(slots.size > 450, `${ids.size} ids in ${slots.size} slots`);
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
