import type { PriceLevel } from './priceLevel';

/** The handle of no order: the end of a FIFO or of the free list. */
export const NO_ORDER = -1;

const INITIAL_CAPACITY = 1024;

/** Per handle in `links`: next, previous, the id's hash, unused (4 int32, 16 bytes). */
const LINK_STRIDE = 4;
const NEXT = 0;
const PREVIOUS = 1;
const ID_HASH = 2;
/** Per handle in `amounts`: open quantity, arrival sequence (2 numbers, 16 bytes). */
const AMOUNT_STRIDE = 2;
const REMAINING = 0;
const SEQUENCE = 1;
/** Per handle in `refs`: order id, account, level. */
const REF_STRIDE = 3;
const ORDER_ID = 0;
const ACCOUNT = 1;
const LEVEL = 2;

/**
 * The resting orders of all books, indexed by an integer handle, each order
 * linked into its price level's FIFO through next/previous.
 *
 * Why not one object per order: a cancel or a fill touches the order and its
 * neighbours. Objects spread over the heap cost a cache and TLB miss each,
 * and each one survives a scavenge and is copied. Here an order's fields sit
 * together in three arrays (links, amounts, references: three cache lines at
 * most, rather than one per field), these arrays stay as small as the open
 * book, and the handles of finished orders are reused (a free list threaded
 * through next), so that memory stays hot and resting an order allocates nothing.
 */
export class OrderStore {
  private links = new Int32Array(0);
  /**
   * Quantities in integer lots and sequences (the price is the level's). A
   * plain array, not a Float64Array: V8 keeps small integers in it as they
   * are (Smis), while a number read from a Float64Array is a double, and a
   * level's running total became a boxed double field. Measured in
   * alternating passes when events were still objects, which boxed such a
   * double too: deep books (--symbols 1 --spread 50000) ×1.11, thin books
   * (--symbols 2000) ×1.10, the default workload ×1.01–1.03. Since events
   * are rows of an EventBuffer, in alternating bench runs of a process each:
   * deep books ×1.03, the default workload ×0.99 (noise).
   * Quantities beyond 2^31 turn the array to doubles by themselves, still
   * exact up to 2^53.
   */
  private readonly amounts: number[] = [];
  private refs: (string | PriceLevel | null | undefined)[] = [];
  private freeHead = NO_ORDER;

  constructor() {
    this.growTo(INITIAL_CAPACITY);
  }

  next(handle: number): number {
    return this.links[handle * LINK_STRIDE + NEXT];
  }

  orderId(handle: number): string {
    return this.refs[handle * REF_STRIDE + ORDER_ID] as string;
  }

  account(handle: number): string | undefined {
    return this.refs[handle * REF_STRIDE + ACCOUNT] as string | undefined;
  }

  /** The level the order rests at; null once released. */
  level(handle: number): PriceLevel | null {
    return this.refs[handle * REF_STRIDE + LEVEL] as PriceLevel | null;
  }

  /** Open quantity in integer lots. */
  remaining(handle: number): number {
    return this.amounts[handle * AMOUNT_STRIDE + REMAINING];
  }

  /** Arrival order across the engine: snapshots list orders in time priority. */
  sequence(handle: number): number {
    return this.amounts[handle * AMOUNT_STRIDE + SEQUENCE];
  }

  /** The id's hash, recorded by the OpenOrderTable so that removing the order does not hash again. */
  idHash(handle: number): number {
    return this.links[handle * LINK_STRIDE + ID_HASH];
  }

  setIdHash(handle: number, hash: number): void {
    this.links[handle * LINK_STRIDE + ID_HASH] = hash;
  }

  /** A handle for a new resting order, not yet linked into any level. */
  allocate(orderId: string, account: string | undefined, quantity: number, sequence: number): number {
    if (this.freeHead === NO_ORDER) this.growTo(this.capacity() * 2);
    const handle = this.freeHead;
    this.freeHead = this.next(handle);
    this.refs[handle * REF_STRIDE + ORDER_ID] = orderId;
    this.refs[handle * REF_STRIDE + ACCOUNT] = account;
    this.amounts[handle * AMOUNT_STRIDE + REMAINING] = quantity;
    this.amounts[handle * AMOUNT_STRIDE + SEQUENCE] = sequence;
    return handle;
  }

  /** Give the handle back once the order has left its level. */
  release(handle: number): void {
    const refs = handle * REF_STRIDE;
    this.refs[refs + LEVEL] = null;
    this.refs[refs + ORDER_ID] = '';
    this.refs[refs + ACCOUNT] = undefined;
    this.links[handle * LINK_STRIDE + NEXT] = this.freeHead;
    this.freeHead = handle;
  }

  /** Queue the order last at `level`: it has the lowest time priority there. */
  append(level: PriceLevel, handle: number): void {
    const links = this.links;
    const at = handle * LINK_STRIDE;
    this.refs[handle * REF_STRIDE + LEVEL] = level;
    links[at + PREVIOUS] = level.tail;
    links[at + NEXT] = NO_ORDER;
    if (level.tail === NO_ORDER) level.head = handle;
    else links[level.tail * LINK_STRIDE + NEXT] = handle;
    level.tail = handle;
    level.totalQuantity += this.remaining(handle);
    level.orderCount++;
  }

  /** Take `quantity` from a resting order, which keeps its place in the queue while anything is left. */
  fill(level: PriceLevel, handle: number, quantity: number): void {
    this.amounts[handle * AMOUNT_STRIDE + REMAINING] -= quantity;
    level.totalQuantity -= quantity;
  }

  unlink(level: PriceLevel, handle: number): void {
    const links = this.links;
    const at = handle * LINK_STRIDE;
    const previous = links[at + PREVIOUS];
    const next = links[at + NEXT];
    if (previous === NO_ORDER) level.head = next;
    else links[previous * LINK_STRIDE + NEXT] = next;
    if (next === NO_ORDER) level.tail = previous;
    else links[next * LINK_STRIDE + PREVIOUS] = previous;
    level.totalQuantity -= this.remaining(handle);
    level.orderCount--;
  }

  /** Handles the arrays have room for. */
  private capacity(): number {
    return this.links.length / LINK_STRIDE;
  }

  private growTo(capacity: number): void {
    const oldCapacity = this.capacity();
    const links = new Int32Array(capacity * LINK_STRIDE);
    links.set(this.links);
    this.links = links;
    for (let at = this.amounts.length; at < capacity * AMOUNT_STRIDE; at++) this.amounts.push(0);
    for (let handle = oldCapacity; handle < capacity; handle++) this.refs.push('', undefined, null);
    // Thread the new handles onto the free list, lowest first.
    for (let handle = capacity - 1; handle >= oldCapacity; handle--) {
      links[handle * LINK_STRIDE + NEXT] = this.freeHead;
      this.freeHead = handle;
    }
  }
}
