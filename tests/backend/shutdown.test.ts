/**
 * Graceful shutdown of the real processes: SIGTERM stops accepting, lets the
 * orders in flight get their answers, closes the connections and exits 0.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { strict as assert } from 'node:assert';
import { ordersStreamFor, payloadOf } from '../../backend/streams';
import { useDataTier } from '../harness/dataTier';
import { JsonResponse, request } from '../harness/http';
import { EngineProcess, GatewayProcess, RESTART_TOLERANT_LIMITS, startEngine, startGatewayInProcess, startGatewayProcess } from '../harness/services';
import { withRedis } from '../harness/streams';

const IN_FLIGHT = 20;

/** How many commands the orders stream holds (the engine is paused, so none is consumed). */
function enqueuedCommands(redisUrl: string): Promise<number> {
  return withRedis(redisUrl, async (redis) => {
    const entries = (await redis.xrange(ordersStreamFor(0), '-', '+')) as [string, string[]][];
    return entries.reduce((sum, [, fields]) => sum + JSON.parse(payloadOf(fields) ?? '[]').length, 0);
  });
}

describe('graceful shutdown (SIGTERM, real processes)', function () {
  const tier = useDataTier();
  let engine: EngineProcess;

  before(async function () {
    engine = await startEngine(tier);
  });

  after(async function () {
    await engine?.stop();
  });

  it('gateway (two workers): answers the orders in flight, then exits 0', async function () {
    const gateway: GatewayProcess = await startGatewayProcess(tier, { gatewayId: 'gw-term', workers: 2 });
    // With the engine paused, the orders stay in flight until it resumes.
    process.kill(engine.pid, 'SIGSTOP');
    const enqueuedBefore = await enqueuedCommands(tier.redisUrl);
    const answers: Promise<JsonResponse>[] = [];
    for (let i = 0; i < IN_FLIGHT; i++) {
      answers.push(
        request('POST', `${gateway.url}/api/orders`, {
          body: { symbol: 'AAPL', side: i % 2 === 0 ? 'buy' : 'sell', type: 'limit', price: '50.00', quantity: 1, account: `term-${i}` },
          headers: { connection: 'close' },
        }),
      );
    }
    while ((await enqueuedCommands(tier.redisUrl)) < enqueuedBefore + IN_FLIGHT) await sleep(10);

    const exited = gateway.stop('SIGTERM');
    process.kill(engine.pid, 'SIGCONT');
    const statuses = (await Promise.all(answers)).map((answer) => answer.status);
    assert.deepEqual(statuses, Array(IN_FLIGHT).fill(201));
    assert.deepEqual(await exited, { code: 0, signal: null }, gateway.output());
  });

  it('engine: finishes its batch and exits 0; a new engine takes the orders enqueued meanwhile', async function () {
    // In process: this test is about the engine's exit; the order waits through a cold engine start.
    const gateway = await startGatewayInProcess(tier, { gatewayId: 'gw-term-2', limits: RESTART_TOLERANT_LIMITS });
    try {
      const first = await request('POST', `${gateway.url}/api/orders`, {
        body: { symbol: 'MSFT', side: 'sell', type: 'limit', price: '20.00', quantity: 2, account: 'term-seller' },
      });
      assert.equal(first.status, 201);
      assert.deepEqual(await engine.stop('SIGTERM'), { code: 0, signal: null }, engine.output());

      const enqueuedBefore = await enqueuedCommands(tier.redisUrl);
      const pending = request('POST', `${gateway.url}/api/orders`, {
        body: { symbol: 'MSFT', side: 'buy', type: 'limit', price: '20.00', quantity: 2, account: 'term-buyer' },
      });
      while ((await enqueuedCommands(tier.redisUrl)) === enqueuedBefore) await sleep(10);
      engine = await startEngine(tier);
      const answer = await pending;
      assert.equal(answer.status, 201);
      assert.equal(answer.body.status, 'filled');
    } finally {
      await gateway.app.close();
    }
  });
});
