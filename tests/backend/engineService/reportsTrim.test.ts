/**
 * A gateway's report stream keeps about the last 10 s of reports by Redis's
 * clock (REPORTS_KEPT_MS in the engine service): older entries go as the
 * engine adds new ones, so Redis holds a bounded share of the report flow
 * whatever the number of gateways.
 */
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeReports, ordersStreamFor, PAYLOAD_FIELD, reportsStreamFor } from '../../../backend/streams';
import type { CommandEnvelope } from '../../../backend/streams';
import { useDataTier } from '../../harness/dataTier';
import { useEngine } from '../../harness/services';
import { withRedis } from '../../harness/streams';

const REPLY_TO = 'trim-test';

function order(orderId: string): CommandEnvelope {
  return {
    command: { op: 'new', orderId, symbol: 'IBM', side: 'buy', type: 'limit', price: 700, quantity: 1, timeInForce: 'GTC', account: 'acct-trim' },
    replyTo: REPLY_TO,
    requestId: orderId,
  };
}

describe('engine service: report streams trimmed by age', function () {
  const tier = useDataTier();
  useEngine(tier);

  it('drops report entries older than 10 s by Redis time as it adds new ones, and keeps the recent ones', async function () {
    await withRedis(tier.redisUrl, async (redis) => {
      const stream = reportsStreamFor(REPLY_TO);
      const [seconds] = await redis.time();
      // Entries a gateway never read: 150 a minute old, one 5 s old (still within the 10 s kept). Trimming is
      // approximate (`MINID ~`): Redis drops whole nodes of 100 entries, so the first 100 must go, the 5 s old one stay.
      const now = Number(seconds) * 1000;
      for (let i = 0; i < 150; i++) await redis.xadd(stream, `${now - 60_000}-${i}`, PAYLOAD_FIELD, '[]');
      await redis.xadd(stream, `${now - 5_000}-0`, PAYLOAD_FIELD, '[]');
      const requestIds = async () => {
        const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
        return entries.flatMap(([, fields]) => decodeReports(fields[1]).items.map((report) => report.requestId));
      };
      // The first publication tells the engine Redis's clock; the next ones trim by it.
      for (const orderId of ['T1', 'T2', 'T3']) {
        await redis.xadd(ordersStreamFor(0), '*', PAYLOAD_FIELD, JSON.stringify([order(orderId)]));
        while (!(await requestIds()).includes(orderId)) await sleep(20);
      }
      const ids = ((await redis.xrange(stream, '-', '+')) as [string, string[]][]).map(([id]) => id);
      const old = ids.filter((id) => id.startsWith(`${now - 60_000}-`));
      assert.ok(old.length <= 50, `${old.length} of the 150 minute-old entries are still there`);
      assert.ok(ids.includes(`${now - 5_000}-0`), 'the 5 s old entry is gone');
      assert.deepEqual(await requestIds(), ['T1', 'T2', 'T3']);
    });
  });
});
