/** Ids differing only in the low RUN_BITS bits of their numeric suffix hash to neighbouring slots. */
const RUN_BITS = 4;
const RUN_MASK = (1 << RUN_BITS) - 1;
/** 10^9 - 1 fits an int32: longer digit suffixes hash their leading digits with the prefix. */
const MAX_SUFFIX_DIGITS = 9;

/**
 * A 32-bit hash of an order id for the engine's open-addressed tables. Never
 * 0: 0 marks an empty slot.
 *
 * Order ids are usually a prefix and a counter ("42", "c7-1043"), issued in
 * order. The accepted-id table holds every id ever seen (megabytes), so a
 * well-spread hash costs a cache miss per new order. Here the counter's low
 * RUN_BITS bits are kept as the hash's low bits and everything else (the
 * prefix, the digit count, the counter's high bits) is mixed into the high
 * bits: runs of 16 consecutive ids land in neighbouring slots, one or two
 * cache lines, while different runs and other ids still spread over the table.
 * The mix is FNV-1a over UTF-16 code units (in two lanes) and a murmur-style finalizer.
 */
export function orderIdHash(id: string): number {
  let prefixEnd = id.length;
  let suffix = 0;
  for (let scale = 1; prefixEnd > 0 && id.length - prefixEnd < MAX_SUFFIX_DIGITS; scale *= 10) {
    const digit = id.charCodeAt(prefixEnd - 1) - 48;
    if (digit < 0 || digit > 9) break;
    suffix += digit * scale;
    prefixEnd--;
  }
  let hash = 0x811c9dc5 | 0; // | 0: an int32 from the start, or the loop runs on doubles
  // Two independent lanes, even and odd positions: the processor runs both chains of multiplications at
  // once, so a long id (a UUID) takes about half as long to hash as with one chain.
  let odd = 0x050c5d1f | 0;
  let i = 0;
  for (; i + 1 < prefixEnd; i += 2) {
    hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
    odd = Math.imul(odd ^ id.charCodeAt(i + 1), 0x01000193);
  }
  if (i < prefixEnd) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  hash ^= Math.imul(odd, 0x85ebca6b);
  hash = Math.imul(hash ^ (id.length - prefixEnd), 0x01000193);
  hash = Math.imul(hash ^ (suffix >>> RUN_BITS), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  // Without a numeric suffix there is no counter to keep in neighbouring slots: every bit is the mix
  // (with the counter's bits, all 0 here, such ids would all start their probes at every 16th slot).
  if (prefixEnd < id.length) hash = (hash << RUN_BITS) | (suffix & RUN_MASK);
  return hash === 0 ? 1 : hash;
}
