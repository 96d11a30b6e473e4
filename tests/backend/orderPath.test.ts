/**
 * The order path end to end through HTTP: the gateway (built in-process by its
 * app factory) and the engine service (a real process), on real Redis and
 * PostgreSQL. Each test trades its own symbol and accounts, so the tests do
 * not depend on each other's books.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { strict as assert } from 'node:assert';
import { idempotencyKeyFor } from '../../backend/streams';
import { useDataTier } from '../harness/dataTier';
import { client, Client, JsonResponse, request } from '../harness/http';
import { countRows } from '../harness/postgres';
import { EngineProcess, InProcessGateway, startEngine, startGatewayInProcess } from '../harness/services';
import { lastEnqueuedIds, withRedis } from '../harness/streams';

let accountCounter = 0;
/** A fresh account name, so tests never trade with (or self-trade against) each other. */
const newAccount = () => `acct-${++accountCounter}`;

interface OrderInput {
  symbol: string;
  side: 'buy' | 'sell';
  type?: 'limit' | 'market';
  price?: string | number;
  quantity: number;
  timeInForce?: 'GTC' | 'IOC' | 'FOK';
  account?: string;
  clientOrderId?: string;
}

function orderBody(input: OrderInput): Record<string, unknown> {
  return { type: 'limit', account: newAccount(), ...input };
}

describe('order path (gateway in-process, engine process, real Redis and PostgreSQL)', function () {
  const tier = useDataTier();
  let engine: EngineProcess;
  let gateway: InProcessGateway;
  let api: Client;

  before(async function () {
    engine = await startEngine(tier);
    gateway = await startGatewayInProcess(tier, { gatewayId: 'gw-path' });
    api = client(gateway.url);
  });

  after(async function () {
    await gateway?.app.close();
    await engine?.stop();
  });

  const place = (input: OrderInput) => api.post('/api/orders', orderBody(input));

  describe('matching', function () {
    it('trades crossing orders on both sides, with partial fills at the maker price', async function () {
      const sell = await place({ symbol: 'AAPL', side: 'sell', price: '100.00', quantity: 10 });
      assert.equal(sell.status, 201);
      assert.equal(sell.body.status, 'new');
      assert.equal(sell.body.leavesQuantity, 10);
      assert.deepEqual(sell.body.fills, []);
      assert.equal(sell.body.averagePrice, null);

      const buy = await place({ symbol: 'AAPL', side: 'buy', price: 100.5, quantity: 4 });
      assert.equal(buy.status, 201);
      assert.equal(buy.body.status, 'filled');
      assert.equal(buy.body.filledQuantity, 4);
      assert.equal(buy.body.leavesQuantity, 0);
      assert.equal(buy.body.price, '100.50');
      assert.equal(buy.body.averagePrice, '100.00');
      assert.equal(buy.body.fills.length, 1);
      assert.deepEqual({ price: buy.body.fills[0].price, quantity: buy.body.fills[0].quantity }, { price: '100.00', quantity: 4 });

      const maker = await api.get(`/api/orders/${sell.body.orderId}`);
      assert.equal(maker.status, 200);
      assert.equal(maker.body.status, 'partially_filled');
      assert.equal(maker.body.filledQuantity, 4);
      assert.equal(maker.body.leavesQuantity, 6);
      assert.equal(maker.body.fills[0].tradeId, buy.body.fills[0].tradeId);

      const bigBuy = await place({ symbol: 'AAPL', side: 'buy', price: '100.00', quantity: 8 });
      assert.equal(bigBuy.body.status, 'partially_filled');
      assert.equal(bigBuy.body.filledQuantity, 6);
      assert.equal(bigBuy.body.leavesQuantity, 2);
      assert.equal((await api.get(`/api/orders/${sell.body.orderId}`)).body.status, 'filled');
    });

    it('fills across price levels best price first and averages the fill price', async function () {
      const account = newAccount();
      await place({ symbol: 'MSFT', side: 'sell', price: '50.02', quantity: 5, account });
      await place({ symbol: 'MSFT', side: 'sell', price: '50.01', quantity: 5, account });
      const buy = await place({ symbol: 'MSFT', side: 'buy', price: '50.02', quantity: 8 });
      assert.equal(buy.body.status, 'filled');
      assert.deepEqual(
        buy.body.fills.map((fill: { price: string; quantity: number }) => [fill.price, fill.quantity]),
        [['50.01', 5], ['50.02', 3]],
      );
      assert.equal(buy.body.averagePrice, '50.01375');
    });

    it('IOC trades what it can and cancels the rest', async function () {
      await place({ symbol: 'GOOG', side: 'sell', price: '10.00', quantity: 3 });
      const ioc = await place({ symbol: 'GOOG', side: 'buy', price: '10.00', quantity: 5, timeInForce: 'IOC' });
      assert.equal(ioc.status, 201);
      assert.equal(ioc.body.status, 'cancelled');
      assert.equal(ioc.body.filledQuantity, 3);
      assert.equal(ioc.body.leavesQuantity, 0);
      assert.equal(ioc.body.reason, 'unfilled');
      const book = await api.get('/api/book/GOOG');
      assert.deepEqual(book.body, { symbol: 'GOOG', bid: null, ask: null });
    });

    it('FOK fills completely or not at all', async function () {
      await place({ symbol: 'AMZN', side: 'sell', price: '20.00', quantity: 5 });
      const refused = await place({ symbol: 'AMZN', side: 'buy', price: '20.00', quantity: 6, timeInForce: 'FOK' });
      assert.equal(refused.body.status, 'cancelled');
      assert.equal(refused.body.filledQuantity, 0);
      assert.equal(refused.body.reason, 'fok');
      assert.equal((await api.get('/api/book/AMZN')).body.ask.quantity, 5);

      const filled = await place({ symbol: 'AMZN', side: 'buy', price: '20.00', quantity: 5, timeInForce: 'FOK' });
      assert.equal(filled.body.status, 'filled');
      assert.equal(filled.body.filledQuantity, 5);
    });

    it('market orders take liquidity at any price and never rest', async function () {
      await place({ symbol: 'NVDA', side: 'buy', price: '7.00', quantity: 2 });
      await place({ symbol: 'NVDA', side: 'buy', price: '6.99', quantity: 2 });
      const market = await place({ symbol: 'NVDA', side: 'sell', type: 'market', quantity: 5 });
      assert.equal(market.status, 201);
      assert.equal(market.body.price, null);
      assert.equal(market.body.status, 'cancelled');
      assert.equal(market.body.filledQuantity, 4);
      assert.equal(market.body.averagePrice, '6.995');

      const noLiquidity = await place({ symbol: 'NVDA', side: 'sell', type: 'market', quantity: 1 });
      assert.equal(noLiquidity.body.status, 'cancelled');
      assert.equal(noLiquidity.body.filledQuantity, 0);
    });

    it('respects the tick of each symbol', async function () {
      const onGrid = await place({ symbol: 'BRK.B', side: 'buy', price: '300.05', quantity: 1 });
      assert.equal(onGrid.status, 201);
      assert.equal(onGrid.body.price, '300.05');
      const offGrid = await place({ symbol: 'BRK.B', side: 'buy', price: '300.01', quantity: 1 });
      assert.equal(offGrid.status, 400);
      assert.equal(offGrid.body.field, 'price');
    });
  });

  describe('top of book and reads', function () {
    it('answers the best bid and ask with aggregated quantity and order count', async function () {
      await place({ symbol: 'META', side: 'buy', price: '99.98', quantity: 3 });
      await place({ symbol: 'META', side: 'buy', price: '99.99', quantity: 2 });
      await place({ symbol: 'META', side: 'buy', price: '99.99', quantity: 4 });
      await place({ symbol: 'META', side: 'sell', price: '100.02', quantity: 7 });
      const book = await api.get('/api/book/META');
      assert.equal(book.status, 200);
      assert.deepEqual(book.body, {
        symbol: 'META',
        bid: { price: '99.99', quantity: 6, orders: 2 },
        ask: { price: '100.02', quantity: 7, orders: 1 },
      });
      const unknown = await api.get('/api/book/NOPE');
      assert.equal(unknown.status, 404);
      assert.match(unknown.body.message, /unknown symbol NOPE/);
    });

    it("lists an account's orders newest first, and 404s an unknown order", async function () {
      const account = newAccount();
      const ids: string[] = [];
      for (const price of ['1.01', '1.02', '1.03']) {
        ids.push((await place({ symbol: 'TSLA', side: 'buy', price, quantity: 1, account })).body.orderId);
      }
      const listed = await api.get(`/api/orders?account=${account}&limit=2`);
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.orders.map((order: { orderId: string }) => order.orderId), [ids[2], ids[1]]);
      const missing = await api.get('/api/orders/01NOTANORDER');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error, 'not_found');
    });
  });

  describe('cancel', function () {
    it('cancels a resting order, then refuses to cancel it again (409); unknown order 404', async function () {
      const resting = await place({ symbol: 'SPY', side: 'sell', price: '400.00', quantity: 10 });
      await place({ symbol: 'SPY', side: 'buy', price: '400.00', quantity: 3 });
      const cancelled = await api.delete(`/api/orders/${resting.body.orderId}`);
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.body.status, 'cancelled');
      assert.equal(cancelled.body.filledQuantity, 3);
      assert.equal(cancelled.body.leavesQuantity, 0);
      assert.equal(cancelled.body.reason, 'user');
      assert.deepEqual((await api.get('/api/book/SPY')).body.ask, null);

      const again = await api.delete(`/api/orders/${resting.body.orderId}`);
      assert.equal(again.status, 409);
      assert.match(again.body.message, /already cancelled/);

      const unknown = await api.delete('/api/orders/01NOTANORDER');
      assert.equal(unknown.status, 404);
    });

    it('refuses to cancel a filled order (409)', async function () {
      await place({ symbol: 'QQQ', side: 'sell', price: '300.00', quantity: 1 });
      const filled = await place({ symbol: 'QQQ', side: 'buy', price: '300.00', quantity: 1 });
      assert.equal(filled.body.status, 'filled');
      const refused = await api.delete(`/api/orders/${filled.body.orderId}`);
      assert.equal(refused.status, 409);
      assert.match(refused.body.message, /already filled/);
    });
  });

  describe('idempotent retries (account + clientOrderId)', function () {
    it('returns the original result to a retry and 409 to a different body', async function () {
      const body = orderBody({ symbol: 'IBM', side: 'buy', price: '150.00', quantity: 5, clientOrderId: 'retry-1' });
      const first = await api.post('/api/orders', body);
      assert.equal(first.status, 201);
      await place({ symbol: 'IBM', side: 'sell', price: '150.00', quantity: 5 });

      const retry = await api.post('/api/orders', { ...body, price: 150 });
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.body, first.body, 'the original acknowledgement, not the current state');

      const different = await api.post('/api/orders', { ...body, quantity: 6 });
      assert.equal(different.status, 409);
      assert.equal(different.body.field, 'clientOrderId');
      assert.equal(different.body.orderId, first.body.orderId);
    });

    it('gives concurrent duplicates, on two gateways, one order', async function () {
      const second = await startGatewayInProcess(tier, { gatewayId: 'gw-path-2' });
      try {
        const body = orderBody({ symbol: 'ORCL', side: 'sell', price: '80.00', quantity: 2, clientOrderId: 'concurrent-1' });
        const answers = await Promise.all(
          Array.from({ length: 8 }, (_, i) => request('POST', `${i % 2 === 0 ? gateway.url : second.url}/api/orders`, { body })),
        );
        assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201]);
        assert.equal(new Set(answers.map((answer) => answer.body.orderId)).size, 1);
        const stored = await countRows(tier.databaseUrl, 'SELECT count(*) FROM orders WHERE client_order_id = $1', ['concurrent-1']);
        assert.equal(stored, 1);
      } finally {
        await second.app.close();
      }
    });

    it('still finds the original in PostgreSQL when the Redis claim is gone', async function () {
      const body = orderBody({ symbol: 'INTC', side: 'buy', price: '30.00', quantity: 1, clientOrderId: 'lost-claim' });
      const first = await api.post('/api/orders', body);
      assert.equal(first.status, 201);
      await withRedis(tier.redisUrl, (redis) => redis.del(idempotencyKeyFor(body.account as string, 'lost-claim')));

      const retry = await api.post('/api/orders', body);
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.body, first.body);
      await withRedis(tier.redisUrl, (redis) => redis.del(idempotencyKeyFor(body.account as string, 'lost-claim')));
      const conflicting = await api.post('/api/orders', { ...body, side: 'sell' });
      assert.equal(conflicting.status, 409);
      assert.equal(await countRows(tier.databaseUrl, 'SELECT count(*) FROM orders WHERE client_order_id = $1', ['lost-claim']), 1);
    });
  });

  describe('bad input: 4xx naming the field, and nothing enqueued', function () {
    const valid = () => orderBody({ symbol: 'AMD', side: 'buy', price: '10.00', quantity: 1 });
    const cases: { name: string; body: () => unknown; headers?: Record<string, string>; status: number; field: string; message: RegExp }[] = [
      { name: 'malformed JSON', body: () => '{"symbol": "AMD",', status: 400, field: 'body', message: /not valid JSON/ },
      { name: 'a JSON array', body: () => '[1, 2]', status: 400, field: 'body', message: /body must be object/ },
      { name: 'an empty body', body: () => '', status: 400, field: 'body', message: /body is empty/ },
      { name: 'content type not JSON', body: () => 'symbol=AMD', headers: { 'content-type': 'text/plain' }, status: 415, field: 'content-type', message: /application\/json/ },
      { name: 'a body over 4 KiB', body: () => ({ ...valid(), clientOrderId: 'x'.repeat(5000) }), status: 413, field: 'body', message: /body/ },
      { name: 'a missing field', body: () => ({ ...valid(), quantity: undefined }), status: 400, field: 'quantity', message: /quantity is required/ },
      { name: 'an unknown field', body: () => ({ ...valid(), leverage: 10 }), status: 400, field: 'leverage', message: /unknown field leverage/ },
      { name: 'quantity as a string', body: () => ({ ...valid(), quantity: '1' }), status: 400, field: 'quantity', message: /quantity must be integer/ },
      { name: 'price of the wrong type', body: () => ({ ...valid(), price: true }), status: 400, field: 'price', message: /price must be a decimal string or a number/ },
      { name: 'quantity zero', body: () => ({ ...valid(), quantity: 0 }), status: 400, field: 'quantity', message: /quantity must be >= 1/ },
      { name: 'quantity negative', body: () => ({ ...valid(), quantity: -5 }), status: 400, field: 'quantity', message: /quantity must be >= 1/ },
      { name: 'quantity fractional', body: () => ({ ...valid(), quantity: 1.5 }), status: 400, field: 'quantity', message: /quantity must be integer/ },
      { name: 'price negative', body: () => ({ ...valid(), price: '-10.00' }), status: 400, field: 'price', message: /price "-10.00" is not positive/ },
      { name: 'price zero', body: () => ({ ...valid(), price: 0 }), status: 400, field: 'price', message: /not positive/ },
      { name: 'price off the tick grid', body: () => ({ ...valid(), price: '10.001' }), status: 400, field: 'price', message: /off the tick grid/ },
      { name: 'price not a decimal', body: () => ({ ...valid(), price: '1e3' }), status: 400, field: 'price', message: /not a decimal/ },
      { name: 'a limit order without price', body: () => ({ ...valid(), price: undefined }), status: 400, field: 'price', message: /price is required for limit orders/ },
      { name: 'a market order with price', body: () => ({ ...valid(), type: 'market' }), status: 400, field: 'price', message: /price is not allowed for market orders/ },
      { name: 'an unknown symbol', body: () => ({ ...valid(), symbol: 'NOPE' }), status: 400, field: 'symbol', message: /symbol must be one of AAPL/ },
      { name: 'an unknown side', body: () => ({ ...valid(), side: 'short' }), status: 400, field: 'side', message: /side must be one of buy, sell/ },
      { name: 'an unknown time in force', body: () => ({ ...valid(), timeInForce: 'DAY' }), status: 400, field: 'timeInForce', message: /timeInForce must be one of GTC, IOC, FOK/ },
      { name: 'an account with spaces', body: () => ({ ...valid(), account: 'a b' }), status: 400, field: 'account', message: /account must match/ },
    ];

    for (const testCase of cases) {
      it(`refuses ${testCase.name} (${testCase.status}, field ${testCase.field})`, async function () {
        const before = await lastEnqueuedIds(tier.redisUrl, 1);
        const answer = await request('POST', `${gateway.url}/api/orders`, { body: testCase.body(), headers: testCase.headers });
        assert.equal(answer.status, testCase.status, JSON.stringify(answer.body));
        assert.equal(answer.body.field, testCase.field);
        assert.match(answer.body.message, testCase.message);
        assert.equal(typeof answer.body.error, 'string');
        assert.equal(answer.headers.get('x-backend-id'), 'gw-path');
        assert.deepEqual(await lastEnqueuedIds(tier.redisUrl, 1), before, 'nothing may be enqueued');
      });
    }
  });

  describe('overload and deadlines', function () {
    it('answers 503 with Retry-After beyond the in-flight bound, 504 with the orderId past the deadline', async function () {
      // A deadline long enough that the two waiting orders are surely still in flight when the third
      // arrives, even on a busy machine, and short enough for a test.
      const small = await startGatewayInProcess(tier, { gatewayId: 'gw-small', limits: { maxInFlight: 2, reportDeadlineMs: 2000 } });
      // With the engine paused, nothing gets a report: the first two wait, the third finds no room.
      process.kill(engine.pid, 'SIGSTOP');
      try {
        const order = (i: number) => orderBody({ symbol: 'NFLX', side: 'buy', price: '90.00', quantity: 1 + i });
        const waiting = [0, 1].map((i) => request('POST', `${small.url}/api/orders`, { body: order(i) }));
        while (small.app.metrics.inFlightCount() < 2) await sleep(5);
        const refused = await request('POST', `${small.url}/api/orders`, { body: order(2) });
        assert.equal(refused.status, 503, JSON.stringify(refused.body));
        assert.equal(refused.body.error, 'overloaded');
        assert.equal(refused.headers.get('retry-after'), '1');

        const timedOut = await Promise.all(waiting);
        assert.deepEqual(timedOut.map((answer) => answer.status), [504, 504]);
        process.kill(engine.pid, 'SIGCONT');
        // Still executed: GET tells.
        for (const answer of timedOut) {
          assert.match(answer.body.message, new RegExp(answer.body.orderId));
          let stored: JsonResponse;
          do stored = await api.get(`/api/orders/${answer.body.orderId}`);
          while (stored.status === 404);
          assert.equal(stored.body.status, 'new');
        }
      } finally {
        process.kill(engine.pid, 'SIGCONT');
        await small.app.close();
      }
    });
  });

  describe('operations', function () {
    it('serves /health, /ready, /metrics and the OpenAPI document, all with X-Backend-Id', async function () {
      const health = await api.get('/health');
      assert.equal(health.status, 200);
      assert.equal(health.body.gatewayId, 'gw-path');
      const ready = await api.get('/ready');
      assert.deepEqual([ready.status, ready.body], [200, { status: 'ready', redis: 'up', postgres: 'up' }]);
      const metrics = await api.get('/metrics');
      assert.match(metrics.body, /gateway_orders_total\{[^}]*outcome="filled"/);
      assert.match(metrics.body, /http_request_duration_seconds_bucket/);
      const docs = await api.get('/docs/json');
      assert.ok(docs.body.paths['/api/orders'].post.requestBody);
      assert.ok(docs.body.components.schemas.Order);
      const notFound = await api.get('/nowhere');
      assert.equal(notFound.status, 404);
      for (const answer of [health, ready, metrics, docs, notFound]) assert.equal(answer.headers.get('x-backend-id'), 'gw-path');

      const engineMetrics = await request('GET', `${engine.metricsUrl}/metrics`);
      assert.match(engineMetrics.body, /engine_trades_total\{shard="0"\} [1-9]/);
      const engineHealth = await request('GET', `${engine.metricsUrl}/health`);
      assert.equal(engineHealth.body.live, true);
    });
  });
});
