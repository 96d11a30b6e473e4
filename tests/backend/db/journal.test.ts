/** The engine service's batch commit (backend/db/journal.ts) against a real PostgreSQL. */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Client, Pool } from 'pg';
import { arrayLiteral, BatchCommit, COMMIT_CONNECTION_SETTINGS, commitBatch, INITIAL_CHECKPOINT, loadShardJournal, OrderUpdate, orderUpdateOf, StoredOrder, StoredTrade } from '../../../backend/db/journal';
import { findClientOrderIds, OrderColumns, orderIdentityOf, Queryable } from '../../../backend/db/orders';
import { useDataTier } from '../../harness/dataTier';

/** Strings that an array literal encoder gets wrong when it quotes or escapes carelessly. */
const NASTY = [
  '',
  ' ',
  '  padded  ',
  '"',
  '""',
  '\\',
  '\\\\',
  '\\"',
  'a"b\\c',
  'ends with backslash\\',
  ',',
  'a,b',
  '{',
  '}',
  '{}',
  '{"a","b"}',
  '{a,b}',
  'NULL',
  'null',
  '"NULL"',
  "it's",
  '\t\n\r\v\f',
  'é漢字🚀 ñ',
  '\u00a0non-breaking',
  'x'.repeat(300),
];

let orderCounter = 0;

function order(fields: Partial<StoredOrder> = {}): StoredOrder {
  const n = ++orderCounter;
  return {
    orderId: `01JOURNALTEST${String(n).padStart(9, '0')}`,
    account: 'acct-1',
    symbol: 'AAPL',
    side: 'buy',
    type: 'limit',
    price: 10_000,
    quantity: 10,
    timeInForce: 'GTC',
    status: 'new',
    ackStatus: 'new',
    filledQuantity: 0,
    leavesQuantity: 10,
    seq: n,
    ...fields,
  };
}

/** A row of the orders table with the columns a StoredOrder needs. */
interface StoredOrderRow extends OrderColumns {
  seq: string;
}

/** What commitBatch stored for an order, read back. */
function storedOrderOf(row: StoredOrderRow): StoredOrder {
  const stored: StoredOrder = {
    ...orderIdentityOf(row),
    status: row.status,
    ackStatus: row.ack_status,
    filledQuantity: Number(row.filled_quantity),
    leavesQuantity: Number(row.leaves_quantity),
    seq: Number(row.seq),
  };
  if (row.reason !== null) stored.reason = row.reason;
  return stored;
}

function trade(taker: StoredOrder, maker: StoredOrder, fields: Partial<StoredTrade> = {}): StoredTrade {
  return {
    tradeId: `${taker.orderId}-1`,
    seq: taker.seq + 1,
    symbol: taker.symbol,
    price: maker.price ?? 10_000,
    quantity: 1,
    makerOrderId: maker.orderId,
    takerOrderId: taker.orderId,
    takerSide: taker.side,
    ...fields,
  };
}

describe('journal: commitBatch', function () {
  const tier = useDataTier();
  // In a describe of its own, so that its connection is closed before the suite's database is dropped.
  describe('against PostgreSQL', function () {
    let db: Client;
    let shardCounter = 0;

    before(async function () {
      db = new Client({ connectionString: tier.databaseUrl });
      await db.connect();
    });
    after(async function () {
      await db?.end();
    });

    /** A shard of its own for each test, its checkpoint at '0-0'. */
    async function newShard(): Promise<{
      shard: number;
      next: (orders: StoredOrder[], trades?: StoredTrade[], orderUpdates?: OrderUpdate[]) => BatchCommit;
    }> {
      const shard = 1000 + ++shardCounter;
      await db.query(`INSERT INTO engine_checkpoints (shard, stream_id, last_seq) VALUES ($1, '0-0', 0)`, [shard]);
      let checkpoint = '0-0';
      let entry = 0;
      return {
        shard,
        next(orders, trades = [], orderUpdates = []) {
          const batch: BatchCommit = {
            shard,
            previousCheckpoint: checkpoint,
            checkpoint: `${++entry}-0`,
            lastSeq: Math.max(0, ...orders.map((o) => o.seq), ...trades.map((t) => t.seq)),
            orders,
            orderUpdates,
            trades,
          };
          checkpoint = batch.checkpoint;
          return batch;
        },
      };
    }

    async function storedOrders(ids: string[]): Promise<StoredOrder[]> {
      const result = await db.query<StoredOrderRow>(
        `SELECT order_id, seq, account, client_order_id, symbol, side, order_type, price, quantity, time_in_force, status,
                ack_status, filled_quantity, leaves_quantity, reason
         FROM orders WHERE order_id = ANY($1::text[]) ORDER BY seq`,
        [ids],
      );
      return result.rows.map(storedOrderOf);
    }

    async function checkpointOf(shard: number): Promise<{ stream_id: string; last_seq: string }> {
      return (await db.query('SELECT stream_id, last_seq FROM engine_checkpoints WHERE shard = $1', [shard])).rows[0];
    }

    describe('array literals', function () {
      it('round-trip nasty strings, NULLs and numbers through PostgreSQL text[] and bigint[]', async function () {
        const texts: (string | null | undefined)[] = [...NASTY, null, undefined, 'after nulls'];
        const back = await db.query<{ a: (string | null)[] }>('SELECT $1::text[] AS a', [arrayLiteral(texts)]);
        assert.deepEqual(back.rows[0].a, texts.map((text) => text ?? null));

        const numbers = [0, 1, 10_000, Number.MAX_SAFE_INTEGER, -5, undefined, null, 42];
        const numbersBack = await db.query<{ a: (string | null)[] }>('SELECT $1::bigint[] AS a', [arrayLiteral(numbers)]);
        assert.deepEqual(numbersBack.rows[0].a, numbers.map((n) => (n === undefined || n === null ? null : String(n))));

        const empty = await db.query<{ t: string[]; b: string[] }>('SELECT $1::text[] AS t, $2::bigint[] AS b', [arrayLiteral([]), arrayLiteral([])]);
        assert.deepEqual(empty.rows[0], { t: [], b: [] });
      });

      it('round-trip any unicode string (property)', async function () {
        this.timeout(60_000);
        // NUL is not storable in PostgreSQL text, and lone surrogates are not UTF-8: neither can round-trip.
        const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
        const storable = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\u0000') && !loneSurrogate.test(s));
        const specials = fc.constantFrom(...NASTY);
        await fc.assert(
          fc.asyncProperty(fc.array(fc.option(fc.oneof(storable, specials, fc.stringMatching(/^[ "\\,{}NUL]{0,8}$/)), { nil: null }), { maxLength: 20 }), async (values) => {
            const back = await db.query<{ a: (string | null)[] }>('SELECT $1::text[] AS a', [arrayLiteral(values)]);
            assert.deepEqual(back.rows[0].a, values);
          }),
          { numRuns: 300 },
        );
      });

      it('carry nasty strings in every text column of a committed batch, unchanged', async function () {
        const { next } = await newShard();
        const orders = NASTY.map((text, i) =>
          order({ account: `${text}#${i}`, clientOrderId: text, symbol: text, reason: text, status: 'cancelled', leavesQuantity: 0 }),
        );
        const plain = order({ symbol: 'MSFT' });
        const trades = [trade(orders[3], plain, { symbol: NASTY[8] })];
        assert.equal(await commitBatch(db, next([...orders, plain], trades)), 'committed');
        assert.deepEqual(await storedOrders([...orders, plain].map((o) => o.orderId)), [...orders, plain]);
        const stored = await db.query('SELECT trade_id, seq, symbol, price, quantity, maker_order_id, taker_order_id, taker_side FROM trades WHERE trade_id = $1', [
          trades[0].tradeId,
        ]);
        assert.deepEqual(stored.rows[0], {
          trade_id: trades[0].tradeId,
          seq: String(trades[0].seq),
          symbol: NASTY[8],
          price: String(trades[0].price),
          quantity: '1',
          maker_order_id: plain.orderId,
          taker_order_id: orders[3].orderId,
          taker_side: 'buy',
        });
      });
    });

    it('inserts new orders, updates earlier ones (state columns and updated_at), inserts trades and moves the checkpoint', async function () {
      const { shard, next } = await newShard();
      const maker = order({ side: 'sell', clientOrderId: 'maker-1' });
      assert.equal(await commitBatch(db, next([maker])), 'committed');
      // As text, compared in SQL: a JS Date keeps only milliseconds, and two commits can be closer than that.
      const [{ updated_at: firstUpdate }] = (await db.query('SELECT updated_at::text FROM orders WHERE order_id = $1', [maker.orderId])).rows;

      const taker = order({ quantity: 4, leavesQuantity: 0, filledQuantity: 4, status: 'filled', ackStatus: 'filled' });
      const filledMaker: StoredOrder = { ...maker, status: 'partially_filled', filledQuantity: 4, leavesQuantity: 6 };
      const fill = trade(taker, maker, { quantity: 4 });
      const batch = next([taker], [fill], [orderUpdateOf(filledMaker)]);
      assert.equal(await commitBatch(db, batch), 'committed');

      assert.deepEqual(await storedOrders([maker.orderId, taker.orderId]), [filledMaker, taker]);
      const [row] = (
        await db.query('SELECT updated_at > $2::timestamptz AS moved, updated_at > created_at AS after_creation FROM orders WHERE order_id = $1', [
          maker.orderId,
          firstUpdate,
        ])
      ).rows;
      assert.equal(row.moved, true, 'updated_at moves on update');
      assert.equal(row.after_creation, true);
      assert.equal((await db.query('SELECT count(*)::int AS n FROM trades WHERE taker_order_id = $1', [taker.orderId])).rows[0].n, 1);
      assert.deepEqual(await checkpointOf(shard), { stream_id: batch.checkpoint, last_seq: String(batch.lastSeq) });

      // A cancel: reason set; an order without price or client order id (market) stays NULL there.
      const cancelled: StoredOrder = { ...filledMaker, status: 'cancelled', leavesQuantity: 0, reason: 'user' };
      const market = order({ type: 'market', price: undefined, timeInForce: 'IOC', status: 'cancelled', ackStatus: 'cancelled', leavesQuantity: 0, reason: 'unfilled' });
      delete market.price;
      assert.equal(await commitBatch(db, next([market], [], [orderUpdateOf(cancelled)])), 'committed');
      assert.deepEqual(await storedOrders([maker.orderId, market.orderId]), [cancelled, market]);
    });

    it("is fenced when the checkpoint is not where the writer left it, and then writes nothing", async function () {
      const { shard, next } = await newShard();
      const first = order();
      assert.equal(await commitBatch(db, next([first])), 'committed');
      const before = await checkpointOf(shard);

      const other = order();
      const cancelledFirst: StoredOrder = { ...first, status: 'cancelled', leavesQuantity: 0, reason: 'user' };
      const stale: BatchCommit = { ...next([order(), other], [trade(other, first)], [orderUpdateOf(cancelledFirst)]), previousCheckpoint: '0-0' };
      assert.equal(await commitBatch(db, stale), 'fenced');

      assert.deepEqual(await checkpointOf(shard), before);
      assert.deepEqual(await storedOrders([first.orderId, ...stale.orders.map((o) => o.orderId)]), [first]);
      assert.equal((await db.query('SELECT count(*)::int AS n FROM trades WHERE taker_order_id = $1', [other.orderId])).rows[0].n, 0);
    });

    it('fails as a whole on a duplicate (account, client_order_id), and only then', async function () {
      const { shard, next } = await newShard();
      const original = order({ account: 'acct-dup', clientOrderId: 'retry-me' });
      // NULL client order ids never conflict; the same client order id in another account is another key.
      const noClientId = [order({ account: 'acct-dup' }), order({ account: 'acct-dup' })];
      const otherAccount = order({ account: 'acct-other', clientOrderId: 'retry-me' });
      assert.equal(await commitBatch(db, next([original, ...noClientId, otherAccount])), 'committed');
      const before = await checkpointOf(shard);

      const innocent = order({ account: 'acct-dup', clientOrderId: 'fresh' });
      const duplicate = order({ account: 'acct-dup', clientOrderId: 'retry-me' });
      const filledOriginal = { ...original, status: 'filled' as const, filledQuantity: 10, leavesQuantity: 0 };
      const batch = next([innocent, duplicate], [trade(innocent, original)], [orderUpdateOf(filledOriginal)]);
      await assert.rejects(commitBatch(db, batch), (error: { code?: string; constraint?: string }) => {
        assert.equal(error.code, '23505');
        assert.equal(error.constraint, 'orders_account_client_order_id_key');
        return true;
      });

      assert.deepEqual(await checkpointOf(shard), before);
      assert.deepEqual(await storedOrders([original.orderId, innocent.orderId, duplicate.orderId]), [original]);
      assert.equal((await db.query('SELECT count(*)::int AS n FROM trades WHERE taker_order_id = $1', [innocent.orderId])).rows[0].n, 0);
    });

    it('reads a shard back: its checkpoint, and its resting orders in seq order, fetched in pieces', async function () {
      const { shard, next } = await newShard();
      const placed = Array.from({ length: 11 }, (_, i) =>
        order({ symbol: i % 2 === 0 ? 'AAPL' : 'MSFT', account: `acct-${i % 3}`, quantity: 10 + i, leavesQuantity: 10 + i, price: 9_990 + i }),
      );
      // Finished orders and other shards' orders are not read back; a partly filled one rests with what is left.
      placed[2] = { ...placed[2], status: 'filled', filledQuantity: placed[2].quantity, leavesQuantity: 0 };
      placed[5] = { ...placed[5], status: 'partially_filled', filledQuantity: 4, leavesQuantity: placed[5].quantity - 4 };
      const batch = next(placed.slice().reverse());
      assert.equal(await commitBatch(db, batch), 'committed');
      const { next: nextOther } = await newShard();
      assert.equal(await commitBatch(db, nextOther([order()])), 'committed');

      const pool = new Pool({ connectionString: tier.databaseUrl, max: 1 });
      try {
        const journal = await loadShardJournal(pool, shard, 3);
        assert.equal(journal.checkpoint, batch.checkpoint);
        assert.equal(journal.lastSeq, batch.lastSeq);
        const expected = placed
          .filter((o) => o.leavesQuantity > 0)
          .map((o) => ({ orderId: o.orderId, account: o.account, symbol: o.symbol, side: o.side, price: o.price, quantity: o.leavesQuantity, orderedQuantity: o.quantity }));
        assert.equal(expected.length, 10);
        assert.deepEqual(journal.restingOrders, expected);
        // A shard never seen before starts from the beginning of its stream, with an empty book.
        assert.deepEqual(await loadShardJournal(pool, 999_999, 3), { checkpoint: INITIAL_CHECKPOINT, lastSeq: 0, restingOrders: [] });
      } finally {
        await pool.end();
      }
    });

    it("looks the updated orders up by primary key on the engine's connections, however small the table was when planned", async function () {
      const { next } = await newShard();
      const maker = order({ side: 'sell' });
      assert.equal(await commitBatch(db, next([maker])), 'committed');
      const taker = order({ quantity: 4, leavesQuantity: 0, filledQuantity: 4, status: 'filled', ackStatus: 'filled' });
      const batch = next([taker], [trade(taker, maker, { quantity: 4 })], [orderUpdateOf({ ...maker, status: 'partially_filled', filledQuantity: 4, leavesQuantity: 6 })]);
      const explain = new Client({ connectionString: tier.databaseUrl, options: COMMIT_CONNECTION_SETTINGS });
      await explain.connect();
      try {
        let plan = '';
        const explaining: Queryable = {
          // The plan the engine's connection caches: generic, made while the table is as small as it is here.
          query: (async (config: { text: string; values: unknown[] }) => {
            await explain.query('SET plan_cache_mode = force_generic_plan');
            await explain.query(`PREPARE probe AS ${config.text}`);
            const literals = config.values.map((value) => (value === null || value === undefined ? 'NULL' : explain.escapeLiteral(String(value))));
            const explained = await explain.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE probe(${literals.join(', ')})`);
            plan = explained.rows.map((row) => row['QUERY PLAN']).join('\n');
            return { rows: [{ moved: 0 }] };
          }) as unknown as Queryable['query'],
        };
        await commitBatch(explaining, batch);
        const updates = plan.slice(plan.indexOf('CTE order_updates'));
        assert.match(updates, /Index Scan using orders_pkey on orders/, plan);
        assert.doesNotMatch(updates, /Seq Scan on orders/, plan);
      } finally {
        await explain.end();
      }
    });

    it('keeps the client order id lookup on the unique index', async function () {
      // Capture the plan of the query findClientOrderIds sends, with sequential scans discouraged.
      const explain = new Client({ connectionString: tier.databaseUrl });
      await explain.connect();
      try {
        await explain.query('SET enable_seqscan = off');
        let plan = '';
        const explaining: Queryable = {
          query: (async (sql: string, values: unknown[]) => {
            plan = (await explain.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, values)).rows.map((row) => row['QUERY PLAN']).join('\n');
            return { rows: [] };
          }) as unknown as Queryable['query'],
        };
        await findClientOrderIds(explaining, [{ account: 'acct-1', clientOrderId: 'x' }, { account: 'acct-2', clientOrderId: 'y' }]);
        assert.match(plan, /orders_account_client_order_id_key/, plan);
      } finally {
        await explain.end();
      }
    });
  });
});
