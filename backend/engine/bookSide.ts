import { NO_ORDER, type OrderStore } from './orderStore';
import { PriceLevel } from './priceLevel';
import type { BookLevel, Side } from './types';

/**
 * One side of one symbol's book: its price levels in an array sorted worst to
 * best, so the best level is the last element: taking or emptying it is an
 * O(1) pop, and new orders, which mostly arrive near the touch, are inserted
 * near the end. A book holds tens of levels a side, so a binary search finds
 * one in a few steps, cheaper than keeping a price → level map in step.
 */
export class BookSide {
  private readonly levels: PriceLevel[] = [];
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
    const count = this.levels.length;
    return count === 0 ? undefined : this.levels[count - 1];
  }

  /** Whether a level at `price` on this side trades with an incoming order limited to `limitPrice`. */
  reaches(price: number, limitPrice: number): boolean {
    return this.direction === 1 ? price >= limitPrice : price <= limitPrice;
  }

  /** The level at `price`, created (in sorted place) if there is none. */
  levelAt(price: number): PriceLevel {
    const index = this.indexAfterWorseLevels(price);
    const candidate = index === 0 ? undefined : this.levels[index - 1];
    if (candidate !== undefined && candidate.price === price) return candidate;
    const level = new PriceLevel(price, this);
    const levels = this.levels;
    // Shift by hand rather than splice: splice allocates an array for what it removes, on every call.
    levels.push(level);
    for (let i = levels.length - 1; i > index; i--) levels[i] = levels[i - 1];
    levels[index] = level;
    return level;
  }

  removeLevel(level: PriceLevel): void {
    const levels = this.levels;
    if (levels[levels.length - 1] !== level) {
      for (let i = this.indexAfterWorseLevels(level.price) - 1; i < levels.length - 1; i++) levels[i] = levels[i + 1];
    }
    levels.pop();
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
    for (let i = this.levels.length - 1; i >= 0; i--) {
      const level = this.levels[i];
      if (limitPrice !== undefined && !this.reaches(level.price, limitPrice)) return false;
      for (let order = level.head; order !== NO_ORDER; order = this.orders.next(order)) {
        if (account !== undefined && this.orders.account(order) === account) continue;
        missing -= this.orders.remaining(order);
        if (missing <= 0) return true;
      }
    }
    return false;
  }

  levelsBestFirst(): PriceLevel[] {
    return this.levels.slice().reverse();
  }

  /** The best `count` levels, best first. */
  depth(count: number): BookLevel[] {
    const result: BookLevel[] = [];
    const last = Math.max(this.levels.length - count, 0);
    for (let i = this.levels.length - 1; i >= last; i--) result.push(toBookLevel(this.levels[i]));
    return result;
  }

  private isBetter(price: number, than: number): boolean {
    return this.direction === 1 ? price > than : price < than;
  }

  /** Binary search: the index of the first level better than `price`; a level at `price` sits just before it. */
  private indexAfterWorseLevels(price: number): number {
    let low = 0;
    let high = this.levels.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.isBetter(this.levels[middle].price, price)) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

export function toBookLevel(level: PriceLevel): BookLevel {
  return { price: level.price, quantity: level.totalQuantity, orders: level.orderCount };
}
