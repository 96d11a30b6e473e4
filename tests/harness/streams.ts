/** Looks at the Redis streams from a test: what was enqueued, without consuming anything. */
import { Redis } from 'ioredis';
import { ordersStreamFor } from '../../backend/streams';

/** The last id ever added to each orders:{shard} stream (unchanged ⇔ nothing was enqueued, trimming aside). */
export async function lastEnqueuedIds(redisUrl: string, engineShards: number): Promise<string[]> {
  const redis = new Redis(redisUrl, { protocol: 2 });
  try {
    const ids: string[] = [];
    for (let shard = 0; shard < engineShards; shard++) {
      const info = (await redis.call('XINFO', 'STREAM', ordersStreamFor(shard)).catch(() => [])) as unknown[];
      const at = info.indexOf('last-generated-id');
      ids.push(at >= 0 ? String(info[at + 1]) : '(no stream)');
    }
    return ids;
  } finally {
    redis.disconnect();
  }
}

/** Runs `action` with a Redis connection to `redisUrl`. */
export async function withRedis<T>(redisUrl: string, action: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(redisUrl, { protocol: 2 });
  try {
    return await action(redis);
  } finally {
    redis.disconnect();
  }
}
