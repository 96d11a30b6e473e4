import { orderIdHash } from './orderIdHash';
import { NO_ORDER, type OrderStore } from './orderStore';

const INITIAL_SLOTS = 1 << 10;

/**
 * Open orders by id → OrderStore handle: what a cancel looks up.
 *
 * Separate from the ever-growing AcceptedOrderIds on purpose: it holds only
 * what rests now (tens of thousands, not millions), so it stays small enough
 * for the caches, where cancels and fills look it up. Open addressing with linear
 * probing over one typed array of [hash, handle] pairs; removal shifts the
 * following entries back instead of leaving tombstones, so probe runs stay
 * short however many orders come and go.
 */
export class OpenOrderTable {
  /** Slot i is [hash, handle] at 2i, 2i + 1; hash 0 marks it empty. */
  private slots = new Int32Array(2 * INITIAL_SLOTS);
  private slotMask = INITIAL_SLOTS - 1;
  private count = 0;

  constructor(private readonly orders: OrderStore) {}

  /** Index the order resting as `handle` under its id (whose orderIdHash is `hash`), which must not be open already. */
  insert(handle: number, hash: number): void {
    if (2 * (this.count + 1) > this.slotMask + 1) this.grow();
    this.orders.setIdHash(handle, hash);
    this.place(hash, handle);
    this.count++;
  }

  /** The handle of the open order `id`, or NO_ORDER. */
  find(id: string): number {
    const hash = orderIdHash(id);
    const slots = this.slots;
    for (let slot = hash & this.slotMask; slots[2 * slot] !== 0; slot = (slot + 1) & this.slotMask) {
      const handle = slots[2 * slot + 1];
      if (slots[2 * slot] === hash && this.orders.orderId(handle) === id) return handle;
    }
    return NO_ORDER;
  }

  /** Forget the order resting as `handle`; call before its handle is released. */
  remove(handle: number): void {
    const slots = this.slots;
    const mask = this.slotMask;
    let hole = this.orders.idHash(handle) & mask;
    while (slots[2 * hole + 1] !== handle || slots[2 * hole] === 0) hole = (hole + 1) & mask;
    // Backward-shift deletion: pull later entries of the run into the hole when their home slot allows it.
    for (let slot = (hole + 1) & mask; slots[2 * slot] !== 0; slot = (slot + 1) & mask) {
      const home = slots[2 * slot] & mask;
      if (((slot - home) & mask) >= ((slot - hole) & mask)) {
        slots[2 * hole] = slots[2 * slot];
        slots[2 * hole + 1] = slots[2 * slot + 1];
        hole = slot;
      }
    }
    slots[2 * hole] = 0;
    this.count--;
  }

  private place(hash: number, handle: number): void {
    let slot = hash & this.slotMask;
    while (this.slots[2 * slot] !== 0) slot = (slot + 1) & this.slotMask;
    this.slots[2 * slot] = hash;
    this.slots[2 * slot + 1] = handle;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * old.length);
    this.slotMask = old.length - 1;
    for (let oldSlot = 0; oldSlot < old.length; oldSlot += 2) {
      if (old[oldSlot] !== 0) this.place(old[oldSlot], old[oldSlot + 1]);
    }
  }
}
