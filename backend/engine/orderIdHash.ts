/**
 * A 32-bit hash of an order id for the engine's open-addressed tables: FNV-1a
 * over UTF-16 code units, then a murmur-style finalizer so that similar ids
 * (sequential ones above all) spread over the slots. Never 0: 0 marks an empty slot.
 */
export function orderIdHash(id: string): number {
  let hash = 0x811c9dc5 | 0; // | 0: an int32 from the start, or the loop runs on doubles
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash === 0 ? 1 : hash;
}
