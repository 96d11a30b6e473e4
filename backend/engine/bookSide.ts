import { NO_ORDER, type OrderStore } from './orderStore';
import { PriceLevel } from './priceLevel';
import type { BookLevel, Side } from './types';

/**
 * The most levels a chunk holds: one more, and it is split in two. The
 * default bench:engine workload's books hold 20 to 140 levels a side: one
 * chunk, as before chunks existed.
 */
const CHUNK_LEVELS = 256;

/**
 * One side of one symbol's book: its price levels sorted worst to best, so
 * the best level is the last: taking or emptying it is an O(1) pop, and new
 * orders, which mostly arrive near the touch, are inserted near the end.
 *
 * The sorted levels are cut into chunks of at most CHUNK_LEVELS, in order
 * (every level of a chunk is worse than every level of the next), so that a
 * level created or removed deep in the book shifts the levels of its chunk,
 * not of the whole side. On `bench:engine -- --symbols 1 --spread 50000`
 * (tens of thousands of levels a side) that is about ten times the rate of
 * one sorted array, and p99.9 per command 5.5–9.5 µs instead of 160–185 µs
 * (the README has the figures).
 */
export class BookSide {
  /**
   * The best level is the last of the last chunk. No chunk is empty but the
   * only one, of a side without levels: kept, so that a side that empties and
   * fills again, as thin books do all the time, allocates no new arrays.
   */
  private readonly chunks: PriceLevel[][] = [[]];
  /**
   * The levels' prices, chunk by chunk: `chunkPrices[c][i]` is
   * `chunks[c][i].price`. The searches read these packed arrays of numbers,
   * which the caches hold, rather than the levels, objects all over the heap.
   * In alternating passes: deep books (--symbols 1 --spread 50000) ×1.07–1.14,
   * the default workload ×1.02, thin books (--symbols 2000) ×0.94, where a
   * side's few levels were cheap to search and its second array is one more
   * to touch.
   */
  private readonly chunkPrices: number[][] = [[]];
  /** The last chunk, holding the best levels: read by every match. */
  private top: PriceLevel[] = this.chunks[0];
  /** The last chunk's prices. */
  private topPrices: number[] = this.chunkPrices[0];
  /** Higher prices are better for bids (+1), lower for asks (-1). */
  private readonly direction: 1 | -1;

  constructor(
    readonly symbol: string,
    readonly side: Side,
    private readonly orders: OrderStore,
  ) {
    this.direction = side === 'buy' ? 1 : -1;
  }

  best(): PriceLevel | undefined {
    // Never index -1: an out-of-range index makes V8 look the key up as a property name, on a slow path.
    const top = this.top;
    const count = top.length;
    return count === 0 ? undefined : top[count - 1];
  }

  /** Whether a level at `price` on this side trades with an incoming order limited to `limitPrice`. */
  reaches(price: number, limitPrice: number): boolean {
    return this.direction === 1 ? price >= limitPrice : price <= limitPrice;
  }

  /** The level at `price`, created (in sorted place) if there is none. */
  levelAt(price: number): PriceLevel {
    // One chunk with room, the usual book: no chunk to find, none to split. Taking
    // the general path every time made the default workload 2–5% slower.
    if (this.chunks.length === 1 && this.top.length < CHUNK_LEVELS) return this.levelInChunk(this.top, this.topPrices, price);
    return this.levelInChunks(price);
  }

  removeLevel(level: PriceLevel): void {
    const top = this.top;
    if (top[top.length - 1] === level) {
      top.pop();
      this.topPrices.pop();
      if (top.length === 0 && this.chunks.length > 1) this.removeChunk(this.chunks.length - 1);
    } else {
      this.removeDeeperLevel(level);
    }
  }

  /**
   * Whether an incoming order could take `quantity` right now at prices up to
   * `limitPrice` (any price when undefined), not counting resting orders of
   * `account`, which self-trade prevention would cancel rather than trade with.
   * It walks the orders it would match (not the level totals), so that it
   * only ever subtracts safe integers from a safe integer: exact.
   */
  canFill(quantity: number, limitPrice: number | undefined, account: string | undefined): boolean {
    let missing = quantity;
    for (let c = this.chunks.length - 1; c >= 0; c--) {
      const chunk = this.chunks[c];
      for (let i = chunk.length - 1; i >= 0; i--) {
        const level = chunk[i];
        if (limitPrice !== undefined && !this.reaches(level.price, limitPrice)) return false;
        for (let order = level.head; order !== NO_ORDER; order = this.orders.next(order)) {
          if (account !== undefined && this.orders.account(order) === account) continue;
          missing -= this.orders.remaining(order);
          if (missing <= 0) return true;
        }
      }
    }
    return false;
  }

  levelsBestFirst(): PriceLevel[] {
    const levels: PriceLevel[] = [];
    for (let c = this.chunks.length - 1; c >= 0; c--) {
      const chunk = this.chunks[c];
      for (let i = chunk.length - 1; i >= 0; i--) levels.push(chunk[i]);
    }
    return levels;
  }

  /** The best `count` levels, best first. */
  depth(count: number): BookLevel[] {
    const result: BookLevel[] = [];
    for (let c = this.chunks.length - 1; c >= 0 && result.length < count; c--) {
      const chunk = this.chunks[c];
      for (let i = chunk.length - 1; i >= 0 && result.length < count; i--) result.push(toBookLevel(chunk[i]));
    }
    return result;
  }

  /** levelAt for any number of chunks, splitting the chunk a new level makes too large. */
  private levelInChunks(price: number): PriceLevel {
    const chunkIndex = this.chunkFor(price);
    const chunk = this.chunks[chunkIndex];
    const prices = this.chunkPrices[chunkIndex];
    const level = this.levelInChunk(chunk, prices, price);
    if (chunk.length > CHUNK_LEVELS) {
      const half = chunk.length >> 1;
      insertAt(this.chunks, chunkIndex + 1, chunk.splice(half));
      insertAt(this.chunkPrices, chunkIndex + 1, prices.splice(half));
      this.keepTop();
    }
    return level;
  }

  /** The level at `price` in `chunk` (whose prices are `prices`), inserted in sorted place if there is none. */
  private levelInChunk(chunk: PriceLevel[], prices: number[], price: number): PriceLevel {
    const index = this.indexAfterWorsePrices(prices, price);
    if (index > 0 && prices[index - 1] === price) return chunk[index - 1];
    const level = new PriceLevel(price, this);
    insertAt(chunk, index, level);
    insertAt(prices, index, price);
    return level;
  }

  /** removeLevel of a level that is not the best. */
  private removeDeeperLevel(level: PriceLevel): void {
    const chunkIndex = this.chunkFor(level.price);
    const chunk = this.chunks[chunkIndex];
    const prices = this.chunkPrices[chunkIndex];
    const index = this.indexAfterWorsePrices(prices, level.price) - 1;
    removeAt(chunk, index);
    removeAt(prices, index);
    if (chunk.length === 0) this.removeChunk(chunkIndex);
  }

  private removeChunk(chunkIndex: number): void {
    removeAt(this.chunks, chunkIndex);
    removeAt(this.chunkPrices, chunkIndex);
    this.keepTop();
  }

  /** Points `top` and `topPrices` at the last chunk, after the chunks changed. */
  private keepTop(): void {
    const count = this.chunks.length;
    this.top = this.chunks[count - 1];
    this.topPrices = this.chunkPrices[count - 1];
  }

  private isBetter(price: number, than: number): boolean {
    return this.direction === 1 ? price > than : price < than;
  }

  /** The chunk where a level at `price` is or belongs: the first whose best level is not worse than `price`, else the last. */
  private chunkFor(price: number): number {
    const chunkPrices = this.chunkPrices;
    let high = chunkPrices.length - 1;
    if (high === 0 || this.isBetter(price, lastPrice(chunkPrices[high - 1]))) return high; // the touch's chunk: most of them
    let low = 0;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.isBetter(price, lastPrice(chunkPrices[middle]))) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Binary search in a chunk's prices: the index of its first level better than `price`; a level at `price` sits just before it. */
  private indexAfterWorsePrices(prices: number[], price: number): number {
    let low = 0;
    let high = prices.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.isBetter(prices[middle], price)) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

function lastPrice(prices: number[]): number {
  return prices[prices.length - 1];
}

/** Put `item` at `index` of `items`, shifting the rest by hand: splice would allocate an array for what it removes, on every call. */
function insertAt<T>(items: T[], index: number, item: T): void {
  items.push(item);
  for (let i = items.length - 1; i > index; i--) items[i] = items[i - 1];
  items[index] = item;
}

/** Take the item at `index` out of `items`, shifting the rest by hand (no array allocated, as in insertAt). */
function removeAt<T>(items: T[], index: number): void {
  for (let i = index; i < items.length - 1; i++) items[i] = items[i + 1];
  items.pop();
}

export function toBookLevel(level: PriceLevel): BookLevel {
  return { price: level.price, quantity: level.totalQuantity, orders: level.orderCount };
}
