/**
 * The deployed Redis's memory bound (components/sharedDataTier.ts) against a
 * real Redis: once idempotency claims fill it, the eviction policy makes room
 * by dropping the oldest claims, so orders keep being enqueued.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { CommandBatcher } from '../../../backend/gateway/commandBatcher';
import { CommandEnvelope, idempotencyKeyFor, REDIS_EVICTION_POLICY } from '../../../backend/streams';
import { RunningRedis, startRedis } from '../../../local/dataTier';

const STREAM = 'orders:0';
const ROUNDS = 40;
const PER_ROUND = 500;

function envelope(n: number): CommandEnvelope {
  const orderId = `o-${String(n).padStart(8, '0')}`;
  return {
    command: { op: 'new', orderId, symbol: 'AAPL', side: 'buy', type: 'limit', price: 10_000, quantity: 5, timeInForce: 'GTC', account: 'acct-1' },
    replyTo: 'gw.0',
    requestId: orderId,
    clientOrderId: `c-${n}`,
  };
}

describe('idempotency claims in a full Redis (REDIS_EVICTION_POLICY)', function () {
  let root: string;
  let server: RunningRedis;
  let redis: Redis;

  before(async function () {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-claim-eviction-'));
    server = await startRedis({ dataDir: path.join(root, 'redis'), logFile: path.join(root, 'redis.log') });
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });

  after(async function () {
    redis?.disconnect();
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Sends ROUNDS × PER_ROUND orders with a clientOrderId into a Redis holding 3 MB of data at most, trimming the stream as the engine does. */
  async function fill(policy: string): Promise<{ refused: number; claims: number }> {
    await redis.flushall();
    await redis.config('SET', 'maxmemory', '3mb');
    await redis.config('SET', 'maxmemory-policy', policy);
    const batcher = new CommandBatcher(redis);
    let refused = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const sends = Array.from({ length: PER_ROUND }, (_, i) => {
        const n = round * PER_ROUND + i;
        const claim = { key: idempotencyKeyFor('acct-1', `c-${n}`), value: `o-${n} AAPL|buy|limit|10000|5|GTC`, ttlSeconds: 86_400 };
        return batcher.send(STREAM, envelope(n), claim).then(
          (previous) => assert.equal(previous, undefined),
          () => refused++,
        );
      });
      await Promise.all(sends);
      await redis.xtrim(STREAM, 'MAXLEN', 0);
    }
    await redis.config('SET', 'maxmemory', '0');
    return { refused, claims: Number(await redis.dbsize()) - (await redis.exists(STREAM)) };
  }

  /** How many of one round's claims are still in Redis. */
  async function claimsKept(round: number): Promise<number> {
    const keys = Array.from({ length: PER_ROUND }, (_, i) => idempotencyKeyFor('acct-1', `c-${round * PER_ROUND + i}`));
    return redis.exists(...keys);
  }

  it('evicts the oldest claims and takes every order; without eviction Redis refuses orders', async function () {
    const evicting = await fill(REDIS_EVICTION_POLICY);
    assert.equal(evicting.refused, 0);
    assert.ok(evicting.claims < ROUNDS * PER_ROUND, `${evicting.claims} claims kept of ${ROUNDS * PER_ROUND}: none evicted`);
    // Redis picks what to evict from samples of keys (maxmemory-samples), so
    // any single old claim may survive: about 8% of the oldest round does.
    // What the policy promises is the shape: the oldest go, the newest stay.
    const oldestKept = await claimsKept(0);
    const newestKept = await claimsKept(ROUNDS - 1);
    assert.ok(oldestKept < PER_ROUND / 4, `${oldestKept} of the oldest round's ${PER_ROUND} claims kept: the oldest did not make room`);
    assert.ok(newestKept > PER_ROUND * 0.95, `${newestKept} of the newest round's ${PER_ROUND} claims kept: the newest were evicted`);

    const refusing = await fill('noeviction');
    assert.ok(refusing.refused > 0, 'Redis at its maxmemory without eviction refuses the claims');
  });
});
