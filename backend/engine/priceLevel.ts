import type { BookSide } from './bookSide';
import { NO_ORDER } from './orderStore';

/**
 * All resting orders at one price on one side of one book: a FIFO (oldest
 * first, i.e. time priority) of OrderStore handles, with running totals so
 * that top of book and depth cost nothing to read.
 */
export class PriceLevel {
  head = NO_ORDER;
  tail = NO_ORDER;
  totalQuantity = 0;
  orderCount = 0;

  constructor(
    readonly price: number,
    readonly bookSide: BookSide,
  ) {}
}
