/**
 * Outages of the data tier, on a Redis and a PostgreSQL of this suite's own
 * (stopped and restarted in place): the gateway reports not ready and refuses
 * orders with 503, the engine waits and retries instead of crashing, and
 * nothing acknowledged is lost; both recover by themselves.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { runMigrations } from '../../backend/db/migrate';
import { RunningPostgres, RunningRedis, startPostgres, startRedis } from '../../local/dataTier';
import type { SuiteDataTier } from '../harness/dataTier';
import { client, Client, JsonResponse } from '../harness/http';
import { countRows } from '../harness/postgres';
import { EngineProcess, InProcessGateway, RESTART_TOLERANT_LIMITS, startEngine, startGatewayInProcess } from '../harness/services';
import { lastEnqueuedIds } from '../harness/streams';

describe('data tier outages (own Redis and PostgreSQL, restarted in place)', function () {
  let root: string;
  let postgres: RunningPostgres;
  let redis: RunningRedis;
  let tier: SuiteDataTier;
  let engine: EngineProcess;
  let gateway: InProcessGateway;
  let api: Client;
  let orderCounter = 0;

  const startOwnPostgres = (port?: number) =>
    startPostgres({ dataDir: path.join(root, 'postgres'), logFile: path.join(root, 'postgres.log'), port, settings: { fsync: 'off' } });
  const startOwnRedis = (port?: number) => startRedis({ dataDir: path.join(root, 'redis'), logFile: path.join(root, 'redis.log'), port });
  const order = () => ({ symbol: 'AAPL', side: 'buy', type: 'limit', price: '1.00', quantity: 1, account: 'outage', clientOrderId: `o-${++orderCounter}` });

  /** Polls until `path` answers `status` (recovery takes as long as reconnection takes). */
  async function until(path: string, status: number): Promise<JsonResponse> {
    for (;;) {
      const answer = await api.get(path);
      if (answer.status === status) return answer;
      await sleep(50);
    }
  }

  before(async function () {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-outage-'));
    fs.chmodSync(root, 0o755);
    [postgres, redis] = await Promise.all([startOwnPostgres(), startOwnRedis()]);
    await runMigrations(postgres.url, pino({ level: 'silent' }));
    tier = { redisUrl: redis.url, databaseUrl: postgres.url } as SuiteDataTier;
    engine = await startEngine(tier);
    gateway = await startGatewayInProcess(tier, { gatewayId: 'gw-outage', limits: RESTART_TOLERANT_LIMITS });
    api = client(gateway.url);
  });

  after(async function () {
    await gateway?.app.close();
    await engine?.stop();
    await Promise.all([postgres?.stop(), redis?.stop()]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('PostgreSQL down: not ready, orders 503, the engine retries its batch; nothing acknowledged is lost', async function () {
    const first = await api.post('/api/orders', order());
    assert.equal(first.status, 201);

    // An order the engine has read but cannot commit while PostgreSQL is down.
    process.kill(engine.pid, 'SIGSTOP');
    const enqueued = await lastEnqueuedIds(redis.url, 1);
    const inFlight = api.post('/api/orders', order());
    while ((await lastEnqueuedIds(redis.url, 1))[0] === enqueued[0]) await sleep(5);
    await postgres.stop();
    process.kill(engine.pid, 'SIGCONT');

    const notReady = await api.get('/ready');
    assert.deepEqual([notReady.status, notReady.body], [503, { status: 'unavailable', redis: 'up', postgres: 'down' }]);
    const refused = await api.post('/api/orders', order());
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');

    postgres = await startOwnPostgres(postgres.port);
    const acknowledged = await inFlight;
    assert.equal(acknowledged.status, 201, JSON.stringify(acknowledged.body));
    await until('/ready', 200);
    const after = await api.post('/api/orders', order());
    assert.equal(after.status, 201);

    const ids = [first, acknowledged, after].map((answer) => answer.body.orderId);
    assert.equal(await countRows(postgres.url, 'SELECT count(*) FROM orders WHERE order_id = ANY($1)', [ids]), 3);
    assert.equal(engine.running(), true, 'the engine waited for PostgreSQL instead of exiting');
  });

  it('Redis down: not ready, orders 503; after Redis restarts empty, orders flow again', async function () {
    await redis.stop();
    const notReady = await api.get('/ready');
    assert.deepEqual([notReady.status, notReady.body], [503, { status: 'unavailable', redis: 'down', postgres: 'up' }]);
    assert.equal((await api.post('/api/orders', order())).status, 503);
    assert.equal((await api.get('/api/book/AAPL')).status, 503);

    redis = await startOwnRedis(redis.port);
    await until('/ready', 200);
    let placed: JsonResponse;
    do placed = await api.post('/api/orders', order());
    while (placed.status === 503);
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    assert.equal(await countRows(postgres.url, 'SELECT count(*) FROM orders WHERE order_id = $1', [placed.body.orderId]), 1);
  });
});
