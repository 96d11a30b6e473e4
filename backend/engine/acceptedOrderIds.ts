const INITIAL_SLOTS = 1 << 12;

/**
 * Every order id the engine has ever accepted, so that a duplicate is refused.
 *
 * It grows with every order (a million entries after a million orders). At
 * that size a built-in Set costs several dependent cache and TLB misses per
 * lookup (bucket, entry chain, key string); here a probe reads one typed
 * array of [hash, position] pairs (open addressing, linear probing, at most
 * half full), so it usually touches one cache line, and ids are compared only
 * when the 32-bit hashes match.
 */
export class AcceptedOrderIds {
  /** In acceptance order; a slot's position indexes it. */
  private readonly ids: string[] = [];
  /** Slot i is [hash, position] at 2i, 2i + 1; hash 0 marks it empty. */
  private slots: Int32Array = new Int32Array(2 * INITIAL_SLOTS);
  private slotMask = INITIAL_SLOTS - 1;

  /** Add `id`, whose orderIdHash is `hash`; false (and no change) if it was already there. */
  add(id: string, hash: number): boolean {
    if (2 * (this.ids.length + 1) > this.slotMask + 1) this.grow();
    const slots = this.slots;
    let slot = hash & this.slotMask;
    for (; slots[2 * slot] !== 0; slot = (slot + 1) & this.slotMask) {
      if (slots[2 * slot] === hash && this.ids[slots[2 * slot + 1]] === id) return false;
    }
    slots[2 * slot] = hash;
    slots[2 * slot + 1] = this.ids.length;
    this.ids.push(id);
    return true;
  }

  /** Every id, in acceptance order. */
  values(): readonly string[] {
    return this.ids;
  }

  private grow(): void {
    const old = this.slots;
    const slotCount = old.length;
    this.slots = new Int32Array(2 * slotCount);
    this.slotMask = slotCount - 1;
    for (let oldSlot = 0; oldSlot < slotCount; oldSlot++) {
      const hash = old[2 * oldSlot];
      if (hash === 0) continue;
      let slot = hash & this.slotMask;
      while (this.slots[2 * slot] !== 0) slot = (slot + 1) & this.slotMask;
      this.slots[2 * slot] = hash;
      this.slots[2 * slot + 1] = old[2 * oldSlot + 1];
    }
  }
}
