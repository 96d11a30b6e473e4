import type { PriceLevel } from './priceLevel';

/** The handle of no order: the end of a FIFO or of the free list. */
export const NO_ORDER = -1;

const INITIAL_CAPACITY = 1024;

/**
 * The resting orders of all books, as parallel arrays indexed by an integer
 * handle (struct of arrays), each order linked into its price level's FIFO
 * through `next`/`previous`.
 *
 * Why not one object per order: a cancel or a fill touches the order and its
 * neighbours. Objects spread over the heap cost a cache and TLB miss each,
 * and each one survives a scavenge and is copied; these arrays stay as small
 * as the open book, and the handles of finished orders are reused (a free
 * list threaded through `next`), so that memory stays hot and resting an
 * order allocates nothing.
 */
export class OrderStore {
  orderId: string[] = [];
  account: (string | undefined)[] = [];
  level: (PriceLevel | null)[] = [];
  /** Open quantity in integer lots; Float64Array holds every safe integer exactly. (The price is the level's.) */
  remaining = new Float64Array(0);
  /** Arrival order across the engine: snapshots list orders in time priority. */
  sequence = new Float64Array(0);
  /** The id's hash, recorded by the OpenOrderTable so that removing the order does not hash again. */
  idHash = new Int32Array(0);
  next = new Int32Array(0);
  previous = new Int32Array(0);
  private freeHead = NO_ORDER;

  constructor() {
    this.growTo(INITIAL_CAPACITY);
  }

  /** A handle for a new resting order, not yet linked into any level. */
  allocate(orderId: string, account: string | undefined, quantity: number, sequence: number): number {
    if (this.freeHead === NO_ORDER) this.growTo(this.next.length * 2);
    const handle = this.freeHead;
    this.freeHead = this.next[handle];
    this.orderId[handle] = orderId;
    this.account[handle] = account;
    this.remaining[handle] = quantity;
    this.sequence[handle] = sequence;
    return handle;
  }

  /** Give the handle back once the order has left its level. */
  release(handle: number): void {
    this.level[handle] = null;
    this.orderId[handle] = '';
    this.account[handle] = undefined;
    this.next[handle] = this.freeHead;
    this.freeHead = handle;
  }

  /** Queue the order last at `level`: it has the lowest time priority there. */
  append(level: PriceLevel, handle: number): void {
    this.level[handle] = level;
    this.previous[handle] = level.tail;
    this.next[handle] = NO_ORDER;
    if (level.tail === NO_ORDER) level.head = handle;
    else this.next[level.tail] = handle;
    level.tail = handle;
    level.totalQuantity += this.remaining[handle];
    level.orderCount++;
  }

  /** Take `quantity` from a resting order, which keeps its place in the queue while anything is left. */
  fill(level: PriceLevel, handle: number, quantity: number): void {
    this.remaining[handle] -= quantity;
    level.totalQuantity -= quantity;
  }

  unlink(level: PriceLevel, handle: number): void {
    const previous = this.previous[handle];
    const next = this.next[handle];
    if (previous === NO_ORDER) level.head = next;
    else this.next[previous] = next;
    if (next === NO_ORDER) level.tail = previous;
    else this.previous[next] = previous;
    level.totalQuantity -= this.remaining[handle];
    level.orderCount--;
  }

  private growTo(capacity: number): void {
    const oldCapacity = this.next.length;
    this.remaining = grown(this.remaining, capacity);
    this.sequence = grown(this.sequence, capacity);
    this.idHash = grown(this.idHash, capacity);
    this.next = grown(this.next, capacity);
    this.previous = grown(this.previous, capacity);
    for (let handle = oldCapacity; handle < capacity; handle++) {
      this.orderId.push('');
      this.account.push(undefined);
      this.level.push(null);
    }
    // Thread the new handles onto the free list, lowest first.
    for (let handle = capacity - 1; handle >= oldCapacity; handle--) {
      this.next[handle] = this.freeHead;
      this.freeHead = handle;
    }
  }
}

function grown<T extends Float64Array | Int32Array>(array: T, capacity: number): T {
  const larger = new (array.constructor as new (length: number) => T)(capacity);
  larger.set(array);
  return larger;
}
