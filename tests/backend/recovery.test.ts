/**
 * Crash recovery with real processes: the engine is killed with SIGKILL while
 * orders stream in, then restarted. Every order that got a 201 must be in
 * PostgreSQL exactly once with its fills, no command may be matched twice,
 * and the rebuilt books must match what PostgreSQL says rests.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { strict as assert } from 'node:assert';
import { useDataTier } from '../harness/dataTier';
import { request } from '../harness/http';
import { queryRows } from '../harness/postgres';
import { EngineProcess, GatewayProcess, RESTART_TOLERANT_LIMITS, startEngine, startGatewayInProcess, startGatewayProcess } from '../harness/services';
import { withRedis } from '../harness/streams';

const SYMBOLS = ['AAPL', 'MSFT'];
const CLIENTS = 16;

interface Acknowledged {
  orderId: string;
  symbol: string;
  fills: { tradeId: string; price: string; quantity: number }[];
}

describe('engine crash recovery (SIGKILL under load, real processes)', function () {
  const tier = useDataTier();
  let gateway: GatewayProcess;
  let engine: EngineProcess;

  before(async function () {
    engine = await startEngine(tier);
    gateway = await startGatewayProcess(tier, { gatewayId: 'gw-crash' });
  });

  after(async function () {
    await gateway?.stop();
    await engine?.stop();
  });

  it('keeps every acknowledged order exactly once and matches nothing twice', async function () {
    const acknowledged: Acknowledged[] = [];
    const otherStatuses: number[] = [];
    let stopLoad = false;
    let sequence = 0;

    // Each client sends orders one after another: crossing prices around 100.00 so that trades happen.
    const client = async (clientIndex: number) => {
      while (!stopLoad) {
        const n = sequence++;
        const side = n % 2 === 0 ? 'buy' : 'sell';
        const offset = (n % 5) - 2;
        const body = {
          symbol: SYMBOLS[n % SYMBOLS.length],
          side,
          type: 'limit',
          price: ((side === 'buy' ? 10_000 + offset : 10_000 - offset) / 100).toFixed(2),
          quantity: 1 + (n % 7),
          timeInForce: n % 11 === 0 ? 'IOC' : 'GTC',
          account: `crash-${clientIndex}`,
          clientOrderId: `crash-${n}`,
        };
        const answer = await request('POST', `${gateway.url}/api/orders`, { body }).catch(() => ({ status: 0, body: undefined }));
        if (answer.status === 201) acknowledged.push(answer.body);
        else otherStatuses.push(answer.status);
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));

    const acknowledgedBeyond = async (count: number) => {
      while (acknowledged.length < count) await sleep(10);
    };
    for (const crash of [1, 2]) {
      await acknowledgedBeyond(acknowledged.length + 300);
      const beforeKill = acknowledged.length;
      await engine.stop('SIGKILL');
      engine = await startEngine(tier);
      await acknowledgedBeyond(acknowledged.length + 100);
      assert.ok(acknowledged.length > beforeKill, `orders flow again after crash ${crash}`);
    }
    stopLoad = true;
    await load;

    const ids = acknowledged.map((order) => order.orderId);
    assert.equal(new Set(ids).size, ids.length, 'no orderId acknowledged twice');
    const stored = await queryRows<{ order_id: string; count: string }>(
      tier.databaseUrl,
      'SELECT order_id, count(*) FROM orders WHERE order_id = ANY($1) GROUP BY order_id',
      [ids],
    );
    assert.equal(stored.length, ids.length, 'every acknowledged order is in PostgreSQL');
    assert.ok(stored.every((row) => row.count === '1'));

    const fills = acknowledged.flatMap((order) => order.fills.map((fill) => ({ ...fill, orderId: order.orderId })));
    const trades = await queryRows<{ trade_id: string; price: string; quantity: string; taker_order_id: string }>(
      tier.databaseUrl,
      'SELECT trade_id, price, quantity, taker_order_id FROM trades WHERE trade_id = ANY($1)',
      [fills.map((fill) => fill.tradeId)],
    );
    const tradeById = new Map(trades.map((trade) => [trade.trade_id, trade]));
    for (const fill of fills) {
      const trade = tradeById.get(fill.tradeId);
      assert.ok(trade, `fill ${fill.tradeId} of ${fill.orderId} is stored`);
      assert.equal(Number(trade.quantity), fill.quantity);
      assert.equal((Number(trade.price) / 100).toFixed(2), fill.price);
    }

    // Nothing matched twice: each order's filled quantity is exactly the sum of its trades, never above its quantity.
    const inconsistent = await queryRows(
      tier.databaseUrl,
      `SELECT o.order_id FROM orders o
       LEFT JOIN LATERAL (SELECT coalesce(sum(t.quantity), 0) AS traded FROM trades t
                          WHERE t.maker_order_id = o.order_id OR t.taker_order_id = o.order_id) t ON true
       WHERE o.filled_quantity <> t.traded OR o.filled_quantity + o.leaves_quantity > o.quantity`,
    );
    assert.deepEqual(inconsistent, []);
    const duplicatedClientIds = await queryRows(
      tier.databaseUrl,
      'SELECT account, client_order_id FROM orders GROUP BY account, client_order_id HAVING count(*) > 1',
    );
    assert.deepEqual(duplicatedClientIds, []);

    // The rebuilt books agree with PostgreSQL's resting orders.
    for (const symbol of SYMBOLS) {
      const [best] = await queryRows<{ bid: string | null; ask: string | null }>(
        tier.databaseUrl,
        `SELECT max(price) FILTER (WHERE side = 'buy') AS bid, min(price) FILTER (WHERE side = 'sell') AS ask
         FROM orders WHERE symbol = $1 AND leaves_quantity > 0`,
        [symbol],
      );
      const book = await request('GET', `${gateway.url}/api/book/${symbol}`);
      assert.equal(book.body.bid?.price ?? null, best.bid === null ? null : (Number(best.bid) / 100).toFixed(2));
      assert.equal(book.body.ask?.price ?? null, best.ask === null ? null : (Number(best.ask) / 100).toFixed(2));
    }
    assert.ok(otherStatuses.every((status) => status === 504 || status === 503), `only timeouts or refusals besides 201: ${otherStatuses}`);
  });

  it('re-publishes, without matching again, a batch committed but not acknowledged before the crash', async function () {
    const replayGateway = await startGatewayInProcess(tier, { gatewayId: 'gw-replay', limits: RESTART_TOLERANT_LIMITS });
    try {
      const maker = await request('POST', `${gateway.url}/api/orders`, {
        body: { symbol: 'GOOG', side: 'sell', type: 'limit', price: '10.00', quantity: 5, account: 'replay-maker' },
      });
      assert.equal(maker.status, 201);
      // A reply stream of the wrong type makes the engine's publication fail after the commit,
      // holding it exactly between "committed" and "acknowledged" until it is killed.
      const replyStream = 'reports:gw-replay.0';
      await withRedis(tier.redisUrl, (redis) => redis.set(replyStream, 'not a stream'));
      const taker = request('POST', `${replayGateway.url}/api/orders`, {
        body: { symbol: 'GOOG', side: 'buy', type: 'limit', price: '10.00', quantity: 2, account: 'replay-taker' },
      });
      let stored: { order_id: string }[] = [];
      while (stored.length === 0) {
        stored = await queryRows(tier.databaseUrl, "SELECT order_id FROM orders WHERE account = 'replay-taker'");
      }
      await engine.stop('SIGKILL');
      await withRedis(tier.redisUrl, (redis) => redis.del(replyStream));
      engine = await startEngine(tier);

      const answer = await taker;
      assert.equal(answer.status, 201);
      assert.equal(answer.body.orderId, stored[0].order_id);
      assert.equal(answer.body.status, 'filled');
      assert.equal(answer.body.fills.length, 1);
      const trades = await queryRows(tier.databaseUrl, 'SELECT trade_id FROM trades WHERE taker_order_id = $1', [answer.body.orderId]);
      assert.equal(trades.length, 1, 'matched once');
      const metrics = await request('GET', `${engine.metricsUrl}/metrics`);
      assert.match(metrics.body, /engine_replayed_commands_total\{shard="0"\} [1-9]/);
    } finally {
      await replayGateway.app.close();
    }
  });
});
