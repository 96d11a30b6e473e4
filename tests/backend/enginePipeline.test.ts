/**
 * The engine pipelines its batches: batch N+1 is read and matched while batch
 * N's statement is at PostgreSQL. When PostgreSQL then refuses batch N, N+1
 * was matched on books that never existed and must be matched again. Here
 * batch N is held at PostgreSQL (the test locks the checkpoint row) until the
 * engine has matched N+1, then refused (a client order id already stored).
 */
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { decodeReports, ENGINE_CONSUMER_GROUP, ExecutionReport, ordersStreamFor, PAYLOAD_FIELD, reportsStreamFor, topOfBookKeyFor } from '../../backend/streams';
import type { CommandEnvelope } from '../../backend/streams';
import { useDataTier } from '../harness/dataTier';
import { queryRows } from '../harness/postgres';
import { engineTotals } from '../../backend/bench/engineFigures';
import { request } from '../harness/http';
import { EngineProcess, startEngine } from '../harness/services';
import { withRedis } from '../harness/streams';

const REPLY_TO = 'pipeline-test';
const STREAM = ordersStreamFor(0);

function newOrder(orderId: string, side: 'buy' | 'sell', price: number, account: string, clientOrderId?: string): CommandEnvelope {
  const envelope: CommandEnvelope = {
    command: { op: 'new', orderId, symbol: 'IBM', side, type: 'limit', price, quantity: 1, timeInForce: 'GTC', account },
    replyTo: REPLY_TO,
    requestId: orderId,
  };
  if (clientOrderId !== undefined) envelope.clientOrderId = clientOrderId;
  return envelope;
}

describe('engine pipeline: a batch refused by PostgreSQL while the next one is matched', function () {
  const tier = useDataTier();
  let engine: EngineProcess;
  before(async function () {
    engine = await startEngine(tier);
  });
  after(async function () {
    await engine?.stop();
  });

  /** How many batches the engine matched while the previous one was still at PostgreSQL. */
  async function batchesMatchedAhead(): Promise<number> {
    const metrics = await request('GET', `${engine.metricsUrl}/metrics`);
    return engineTotals(metrics.body).matchedAhead;
  }

  it('matches the next batch again on the rebuilt books', async function () {
    await withRedis(tier.redisUrl, async (redis) => {
      const enqueue = (envelopes: CommandEnvelope[]) => redis.xadd(STREAM, '*', PAYLOAD_FIELD, JSON.stringify(envelopes));
      const delivered = async () => Number(((await redis.xpending(STREAM, ENGINE_CONSUMER_GROUP)) as [number])[0]);
      const reports = async (): Promise<ExecutionReport[]> => {
        const entries = (await redis.xrange(reportsStreamFor(REPLY_TO), '-', '+')) as [string, string[]][];
        return entries.flatMap(([, fields]) => decodeReports(fields[1]).items);
      };

      // PostgreSQL holds (acct-dup, dup) already; Redis has no claim for it (the engine's first attempt does not ask).
      // S0 rests at 9.00.
      await enqueue([newOrder('P0', 'buy', 800, 'acct-dup', 'dup'), newOrder('S0', 'sell', 900, 'acct-s')]);
      while ((await reports()).length < 2) await sleep(20);

      const lock = new Client({ connectionString: tier.databaseUrl });
      await lock.connect();
      try {
        await lock.query('BEGIN');
        await lock.query('SELECT * FROM engine_checkpoints WHERE shard = 0 FOR UPDATE');
        // Batch N: a buy that takes S0 but reuses the stored client order id, so the statement is refused.
        await enqueue([newOrder('N1', 'buy', 900, 'acct-dup', 'dup')]);
        while ((await delivered()) < 1) await sleep(20);
        // Batch N+1, read and matched while N waits on the lock: on N's books S0 is gone and M1 rests;
        // on the real ones (N1 is a duplicate, never stored) M1 takes S0.
        const aheadBefore = await batchesMatchedAhead();
        await enqueue([newOrder('M1', 'buy', 900, 'acct-m')]);
        // Until the engine has matched it, not only read it: the path this test is about.
        while ((await batchesMatchedAhead()) === aheadBefore) await sleep(20);
      } finally {
        await lock.query('ROLLBACK');
        await lock.end();
      }

      while ((await reports()).length < 4) await sleep(20);
      const byRequest = new Map((await reports()).map((report) => [report.requestId, report]));
      assert.deepEqual(byRequest.get('N1'), { kind: 'duplicate', requestId: 'N1', existingOrderId: 'P0' });
      const m1 = byRequest.get('M1');
      assert.equal(m1?.kind, 'order');
      assert.equal(m1.kind === 'order' && m1.order.status, 'filled', 'M1 takes S0: N1 never existed');
    });

    const orders = await queryRows<{ order_id: string; status: string }>(tier.databaseUrl, 'SELECT order_id, status FROM orders ORDER BY order_id');
    assert.deepEqual(orders, [
      { order_id: 'M1', status: 'filled' },
      { order_id: 'P0', status: 'new' },
      { order_id: 'S0', status: 'filled' },
    ]);
    assert.deepEqual(await queryRows(tier.databaseUrl, 'SELECT maker_order_id, taker_order_id FROM trades'), [{ maker_order_id: 'S0', taker_order_id: 'M1' }]);
    const book = await withRedis(tier.redisUrl, (redis) => redis.get(topOfBookKeyFor('IBM')));
    assert.deepEqual(JSON.parse(book ?? 'null'), { symbol: 'IBM', bid: { price: 800, quantity: 1, orders: 1 } });
  });
});
