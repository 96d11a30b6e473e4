const INITIAL_SLOTS = 1 << 12;

/**
 * Every order id the engine has ever accepted, so that a duplicate is refused.
 *
 * It grows with every order (a million entries after a million orders), and
 * nearly every lookup is for a new id, so what matters is how cheaply a probe
 * reaches an empty slot and how cheaply the table grows. A probe reads only
 * `fingerprints`, 16 bits a slot (open addressing, linear probing, at most
 * half full): 4 MB at a million ids, a quarter of what [hash, position] pairs
 * take, so fewer cache and TLB misses. The full id is compared only on a
 * fingerprint match, through `positionBySlot`, which a probe for a new id
 * rarely reads. orderIdHash puts consecutive ids in neighbouring slots, so
 * that ids issued in order mostly probe cache lines touched just before.
 */
export class AcceptedOrderIds {
  /** In acceptance order. */
  private readonly ids: string[] = [];
  /** The orderIdHash of ids[i], so that growing the table does not hash every id again. */
  private hashes = new Int32Array(INITIAL_SLOTS >> 1);
  /** Per slot: 16 bits of the id's hash, never 0; 0 marks an empty slot. */
  private fingerprints = new Uint16Array(INITIAL_SLOTS);
  /** Per occupied slot: the id's index in `ids`. */
  private positionBySlot = new Int32Array(INITIAL_SLOTS);
  private slotMask = INITIAL_SLOTS - 1;

  /** Add `id`, whose orderIdHash is `hash`; false (and no change) if it was already there. */
  add(id: string, hash: number): boolean {
    const count = this.ids.length;
    if (2 * (count + 1) > this.slotMask + 1) this.grow();
    const fingerprints = this.fingerprints;
    const mask = this.slotMask;
    const fingerprint = fingerprintOf(hash);
    let slot = hash & mask;
    for (; fingerprints[slot] !== 0; slot = (slot + 1) & mask) {
      if (fingerprints[slot] === fingerprint && this.ids[this.positionBySlot[slot]] === id) return false;
    }
    fingerprints[slot] = fingerprint;
    this.positionBySlot[slot] = count;
    this.hashes[count] = hash;
    this.ids.push(id);
    return true;
  }

  /** Every id, in acceptance order. */
  values(): readonly string[] {
    return this.ids;
  }

  private grow(): void {
    const slotCount = 2 * this.fingerprints.length;
    const fingerprints = new Uint16Array(slotCount);
    const positionBySlot = new Int32Array(slotCount);
    const mask = slotCount - 1;
    const hashes = new Int32Array(slotCount >> 1);
    hashes.set(this.hashes);
    for (let position = 0; position < this.ids.length; position++) {
      const hash = hashes[position];
      let slot = hash & mask;
      while (fingerprints[slot] !== 0) slot = (slot + 1) & mask;
      fingerprints[slot] = fingerprintOf(hash);
      positionBySlot[slot] = position;
    }
    this.fingerprints = fingerprints;
    this.positionBySlot = positionBySlot;
    this.hashes = hashes;
    this.slotMask = mask;
  }
}

/** The top 16 bits of the hash (the low bits pick the slot), made non-zero. */
function fingerprintOf(hash: number): number {
  return (hash >>> 16) | 1;
}
