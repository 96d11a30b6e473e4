/**
 * The topology under load through a real nginx, gateways, engine, Redis and
 * PostgreSQL: least_conn spreads the orders, and a gateway killed with
 * SIGKILL costs only the requests it had in flight and no acknowledged order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import { readLocalOutputs, LocalOutputs } from '../../local/outputs';
import { stackPaths } from '../../local/paths';
import { isRunning } from '../../local/processes';
import { crashStackProcess, restartProcess, upStack } from '../../local/stack';
import { LoadOptions, runLoad } from '../../loadtest/run';
import { LoadStats } from '../../loadtest/stats';
import { TempStack, tempStack } from './tempStack';

const BACKENDS = ['backend-1', 'backend-2', 'backend-3', 'backend-4'];
const CONNECTIONS = 16;

function share(stats: LoadStats, backend: string): number {
  return (stats.backendCounts.get(backend) ?? 0) / stats.responses;
}

/** The orderId of every acknowledged (201) order, from the response body. */
function acknowledgedInto(orderIds: string[]): LoadOptions['onResponse'] {
  return (status, body) => {
    if (status === 201) orderIds.push((JSON.parse(body) as { orderId: string }).orderId);
  };
}

async function postOrder(url: string, clientOrderId: string): Promise<Response> {
  return fetch(`${url}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ symbol: 'AAPL', side: 'buy', type: 'limit', price: '99.00', quantity: 1, timeInForce: 'GTC', account: 'probe', clientOrderId }),
  });
}

describe('local stack under load (nginx least_conn, failover)', function () {
  this.timeout(120_000);
  let stack: TempStack;
  let outputs: LocalOutputs;
  const load = (options: Partial<LoadOptions> & { runId: string }) =>
    runLoad({ url: outputs.loadBalancerUrl, durationMs: 3000, connections: CONNECTIONS, maxRequests: 200_000, mix: { runId: options.runId }, ...options });

  before(async () => {
    stack = await tempStack();
    await upStack({ dir: stack.dir, backends: 4, workers: 1, shards: 1, port: stack.port });
    outputs = readLocalOutputs(stackPaths(stack.dir));
  });
  after(() => stack?.cleanUp());

  it('spreads the orders over all four gateways, each with a fair share', async () => {
    const { stats } = await load({ runId: 'spread' });
    assert.ok(stats.responses > 100, `${stats.responses} responses`);
    assert.equal(stats.failed, 0, JSON.stringify(Object.fromEntries(stats.statusCounts)));
    for (const backend of BACKENDS) assert.ok(share(stats, backend) >= 0.1, `${backend}: ${share(stats, backend)}`);
  });

  it('a gateway killed during load costs only its in-flight requests, and no acknowledged order', async () => {
    const acknowledged: string[] = [];
    let reachedSteadyLoad: () => void;
    const steady = new Promise<void>((resolve) => (reachedSteadyLoad = resolve));
    const running = load({
      runId: 'failover',
      durationMs: 6000,
      onResponse: acknowledgedInto(acknowledged),
      onTick: (stats) => (stats.backendCounts.get('backend-2') ?? 0) > 200 && reachedSteadyLoad(),
    });

    await Promise.race([steady, running.then(() => assert.fail('the load ended before backend-2 had answered 200 orders'))]);
    const victim = await crashStackProcess(stack.dir, 'backend-2');
    assert.equal(isRunning(victim), false);

    // Requests sent a second after the crash (the grace the failover promise allows): nginx finds the
    // gateway's port closed before sending and tries another. Sooner, an order can still leave on an idle
    // keepalive connection to the dead gateway whose close nginx has not handled yet; a POST that has
    // left is never sent twice, so that one gets a 502.
    await sleep(1000);
    const probes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await postOrder(outputs.loadBalancerUrl, `probe-after-crash-${i}`);
      probes.push(response.status);
      if (response.status === 201) acknowledged.push(((await response.json()) as { orderId: string }).orderId);
    }
    assert.deepEqual(probes, Array(20).fill(201));

    const { stats } = await running;
    assert.ok(stats.failed <= CONNECTIONS, `${stats.failed} failed requests, more than the ${CONNECTIONS} that can be in flight`);
    assert.ok(stats.succeeded > 0);

    const db = new Client({ connectionString: outputs.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ found: string }>('SELECT count(*) AS found FROM orders WHERE order_id = ANY($1::text[])', [acknowledged]);
      assert.equal(Number(rows[0].found), acknowledged.length, 'every acknowledged order is in PostgreSQL');
    } finally {
      await db.end();
    }
  });

  it('a restarted gateway takes traffic again', async () => {
    const restarted = await restartProcess(stack.dir, 'backend-2');
    assert.ok(isRunning(restarted));
    const { stats } = await load({ runId: 'restarted' });
    assert.equal(stats.failed, 0, JSON.stringify({ statuses: Object.fromEntries(stats.statusCounts), errors: stats.errors, timeouts: stats.timeouts }));
    // Cold while the others are warm, it gets less than a quarter (0.21–0.23 measured); a gateway nginx
    // never sends to gets none.
    assert.ok(share(stats, 'backend-2') >= 0.05, `backend-2: ${share(stats, 'backend-2')}`);
  });
});
