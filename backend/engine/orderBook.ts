import { BookSide, toBookLevel } from './bookSide';
import type { OrderStore } from './orderStore';
import type { BookDepth, Side, TopOfBook } from './types';

/** One symbol's book: resting bids and asks. */
export class OrderBook {
  readonly bids: BookSide;
  readonly asks: BookSide;

  constructor(
    readonly symbol: string,
    orders: OrderStore,
  ) {
    this.bids = new BookSide(symbol, 'buy', orders);
    this.asks = new BookSide(symbol, 'sell', orders);
  }

  /** The side where orders of `side` rest. */
  ownSide(side: Side): BookSide {
    return side === 'buy' ? this.bids : this.asks;
  }

  /** The side an incoming order of `side` trades against. */
  oppositeSide(side: Side): BookSide {
    return side === 'buy' ? this.asks : this.bids;
  }

  topOfBook(): TopOfBook {
    const top: TopOfBook = { symbol: this.symbol };
    const bid = this.bids.best();
    const ask = this.asks.best();
    if (bid !== undefined) top.bid = toBookLevel(bid);
    if (ask !== undefined) top.ask = toBookLevel(ask);
    return top;
  }

  depth(levels: number): BookDepth {
    return { symbol: this.symbol, bids: this.bids.depth(levels), asks: this.asks.depth(levels) };
  }
}
