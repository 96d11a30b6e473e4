import { BlockedBloomFilter } from './blockedBloomFilter';

const INITIAL_CAPACITY = 1 << 12;

/**
 * Every order id the engine has ever accepted, so that a duplicate is refused.
 *
 * It grows with every order: a million entries after a million orders, and at
 * that size any hash table outgrows the caches, so each probe costs a memory
 * miss (measured ~150 ns here, more than half of the whole per-command budget).
 * So a new id is first checked against a small Bloom filter, which stays in
 * cache and almost always says "certainly new"; the id is then just appended.
 * Only when the filter says "maybe seen" (a duplicate, or ~1% of false
 * positives) is the exact table consulted, after catching up with the ids
 * appended since its last use: inserted in one batch, those misses overlap
 * instead of stalling one command each.
 */
export class AcceptedOrderIds {
  /** In acceptance order. */
  private readonly ids: string[] = [];
  /** hashes[i] is the orderIdHash of ids[i]. */
  private hashes: Int32Array = new Int32Array(INITIAL_CAPACITY);
  private readonly filter = new BlockedBloomFilter();
  /** Exact index of ids[0 … indexed): open addressing, linear probing; slot i is [hash, position] at 2i, 2i + 1; hash 0 is empty. */
  private slots: Int32Array = new Int32Array(2 * INITIAL_CAPACITY);
  private slotMask = INITIAL_CAPACITY - 1;
  private indexed = 0;

  /** Add `id`, whose orderIdHash is `hash`; false (and no change) if it was already there. */
  add(id: string, hash: number): boolean {
    if (this.filter.mayContain(hash) && this.indexedContains(id, hash)) return false;
    const position = this.ids.length;
    if (position === this.hashes.length) this.hashes = doubled(this.hashes);
    this.ids.push(id);
    this.hashes[position] = hash;
    if (!this.filter.hasRoomForOneMore()) this.filter.grow(this.hashes, position);
    this.filter.add(hash);
    return true;
  }

  /** Every id, in acceptance order. */
  values(): readonly string[] {
    return this.ids;
  }

  private indexedContains(id: string, hash: number): boolean {
    this.catchUp();
    const slots = this.slots;
    for (let slot = hash & this.slotMask; slots[2 * slot] !== 0; slot = (slot + 1) & this.slotMask) {
      if (slots[2 * slot] === hash && this.ids[slots[2 * slot + 1]] === id) return true;
    }
    return false;
  }

  /** Index every id appended since the last catch-up, keeping the table at most half full. */
  private catchUp(): void {
    const count = this.ids.length;
    if (2 * count > this.slotMask + 1) {
      let slotCount = this.slotMask + 1;
      while (2 * count > slotCount) slotCount *= 2;
      this.slots = new Int32Array(2 * slotCount);
      this.slotMask = slotCount - 1;
      this.indexed = 0;
    }
    for (let position = this.indexed; position < count; position++) this.place(this.hashes[position], position);
    this.indexed = count;
  }

  private place(hash: number, position: number): void {
    let slot = hash & this.slotMask;
    while (this.slots[2 * slot] !== 0) slot = (slot + 1) & this.slotMask;
    this.slots[2 * slot] = hash;
    this.slots[2 * slot + 1] = position;
  }
}

function doubled(array: Int32Array): Int32Array {
  const larger = new Int32Array(2 * array.length);
  larger.set(array);
  return larger;
}
