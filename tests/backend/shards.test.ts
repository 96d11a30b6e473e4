/**
 * Two engine shards behind one gateway process running two cluster workers:
 * each symbol's orders go to its own shard's stream and engine, and each
 * worker gets its reports on its own stream.
 */
import { strict as assert } from 'node:assert';
import { ordersStreamFor, shardOf } from '../../backend/streams';
import { useDataTier } from '../harness/dataTier';
import { request } from '../harness/http';
import { queryRows } from '../harness/postgres';
import { EngineProcess, GatewayProcess, startEngine, startGatewayProcess } from '../harness/services';
import { lastEnqueuedIds, withRedis } from '../harness/streams';

const ENGINE_SHARDS = 2;
/** One symbol per shard (checked below, so a change of hash cannot silently make this a one-shard test). */
const SYMBOL_OF_SHARD = ['META', 'AAPL'];

describe('two engine shards, gateway with two workers (real processes)', function () {
  const tier = useDataTier();
  const engines: EngineProcess[] = [];
  let gateway: GatewayProcess;

  before(async function () {
    for (let shard = 0; shard < ENGINE_SHARDS; shard++) engines.push(await startEngine(tier, { shard, engineShards: ENGINE_SHARDS }));
    gateway = await startGatewayProcess(tier, { gatewayId: 'gw-shards', engineShards: ENGINE_SHARDS, workers: 2 });
  });

  after(async function () {
    await gateway?.stop();
    await Promise.all(engines.map((engine) => engine.stop()));
  });

  it('routes each symbol to its shard, where its orders match', async function () {
    SYMBOL_OF_SHARD.forEach((symbol, shard) => assert.equal(shardOf(symbol, ENGINE_SHARDS), shard));
    for (const [shard, symbol] of SYMBOL_OF_SHARD.entries()) {
      const before = await lastEnqueuedIds(tier.redisUrl, ENGINE_SHARDS);
      const sell = await request('POST', `${gateway.url}/api/orders`, {
        body: { symbol, side: 'sell', type: 'limit', price: '10.00', quantity: 3, account: `seller-${shard}` },
      });
      assert.equal(sell.status, 201);
      const after = await lastEnqueuedIds(tier.redisUrl, ENGINE_SHARDS);
      assert.notEqual(after[shard], before[shard], `${symbol} went to ${ordersStreamFor(shard)}`);
      assert.equal(after[1 - shard], before[1 - shard], 'and nothing to the other shard');

      // Several buys on fresh connections, so both workers take some and get their reports.
      const buys = await Promise.all(
        [1, 1, 1].map((quantity, i) =>
          request('POST', `${gateway.url}/api/orders`, {
            body: { symbol, side: 'buy', type: 'limit', price: '10.00', quantity, account: `buyer-${shard}-${i}` },
            headers: { connection: 'close' },
          }),
        ),
      );
      assert.deepEqual(buys.map((buy) => [buy.status, buy.body.status]), [[201, 'filled'], [201, 'filled'], [201, 'filled']]);
      assert.equal(buys.every((buy) => buy.headers.get('x-backend-id') === 'gw-shards'), true);
      const maker = await request('GET', `${gateway.url}/api/orders/${sell.body.orderId}`);
      assert.equal(maker.body.status, 'filled');
    }
    const reportsPerWorker = await withRedis(tier.redisUrl, (redis) => Promise.all([0, 1].map((worker) => redis.xlen(`reports:gw-shards.${worker}`))));
    assert.ok(reportsPerWorker.every((count) => count > 0), `each worker got reports on its own stream: ${reportsPerWorker}`);
    const stored = await queryRows<{ symbol: string; shard: number }>(tier.databaseUrl, 'SELECT DISTINCT symbol, shard FROM orders ORDER BY shard');
    assert.deepEqual(stored, SYMBOL_OF_SHARD.map((symbol, shard) => ({ symbol, shard })));
  });

  it('answers each shard\'s top of book', async function () {
    await request('POST', `${gateway.url}/api/orders`, { body: { symbol: 'META', side: 'buy', type: 'limit', price: '9.00', quantity: 1, account: 'b1' } });
    await request('POST', `${gateway.url}/api/orders`, { body: { symbol: 'AAPL', side: 'sell', type: 'limit', price: '11.00', quantity: 2, account: 's1' } });
    assert.deepEqual((await request('GET', `${gateway.url}/api/book/META`)).body.bid, { price: '9.00', quantity: 1, orders: 1 });
    assert.deepEqual((await request('GET', `${gateway.url}/api/book/AAPL`)).body.ask, { price: '11.00', quantity: 2, orders: 1 });
  });
});
