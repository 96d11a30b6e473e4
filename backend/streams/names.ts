/**
 * Names of the Redis streams and keys shared by the gateway and the engine
 * service, and the one stable symbol → shard hash.
 *
 * - `orders:{shard}`: commands for one engine shard, read by the consumer group `engine`.
 * - `reports:{replyTo}`: execution reports for one gateway process. `replyTo` is
 *   `{gatewayId}.{workerIndex}`, so each cluster worker reads only the reports of
 *   the requests it holds (one reader per stream, no routing between workers).
 * - `book:{symbol}`: the top of book the engine publishes after each batch.
 * - `idem:{account}:{clientOrderId}`: the idempotency claim of a client order id.
 */

export const ENGINE_CONSUMER_GROUP = 'engine';

export function ordersStreamFor(shard: number): string {
  return `orders:${shard}`;
}

/** The reply address of one gateway process: `{gatewayId}.{workerIndex}`. */
export function replyAddressFor(gatewayId: string, workerIndex: number): string {
  return `${gatewayId}.${workerIndex}`;
}

export function reportsStreamFor(replyTo: string): string {
  return `reports:${replyTo}`;
}

export function topOfBookKeyFor(symbol: string): string {
  return `book:${symbol}`;
}

export function idempotencyKeyFor(account: string, clientOrderId: string): string {
  // Length-prefixed so that ("a:b", "c") and ("a", "b:c") never share a key.
  return `idem:${account.length}:${account}:${clientOrderId}`;
}

/** FNV-1a, 32 bits, over the UTF-8 bytes: the same on every process and platform. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The engine shard that owns a symbol. */
export function shardOf(symbol: string, engineShards: number): number {
  return stableHash(symbol) % engineShards;
}

/**
 * How Redis makes room once it holds its `maxmemory`: it evicts the keys with
 * an expiry that is nearest, which are only the idempotency claims (24 h each,
 * so the oldest go first; streams and top of book have no expiry and stay).
 * A claim is a fast path in front of PostgreSQL's unique (account,
 * client_order_id), which keeps answering retries once the claim is gone.
 * Without it, claims pile up for 24 hours (about 210 bytes each: a 512 MiB
 * Redis is full after some 2.5 million orders with a clientOrderId) and Redis
 * refuses every write, or is killed at its memory limit and reloads them all.
 */
export const REDIS_EVICTION_POLICY = 'volatile-ttl';
/** The share of its memory Redis may fill with data: the rest is for its AOF rewrites (a fork) and client buffers. */
export const REDIS_MAXMEMORY_SHARE = 0.5;
