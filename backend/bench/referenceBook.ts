/**
 * The engine's commands played through nodejs-order-book, an order book
 * nobody here wrote (the fastest we know of on npm), one book per symbol:
 * for `bench:engine -- --compare` (the rates of both in the same run, and
 * the trades of both compared) and for the test that checks our trades
 * against it. A development tool: nothing in the services imports it.
 *
 * Where the two differ, and how commands are made comparable:
 * - Self-trade prevention: its EXPIRE_MAKER cancels the resting order of the
 *   taker's account and goes on matching, as ours does.
 * - FOK with an account: it counts the taker's own resting orders as
 *   liquidity, then cancels them as it matches, so such an order can fill in
 *   part and rest; ours counts other accounts' orders only. `comparable`
 *   gives FOK orders no account (both then count every order).
 * - Market orders have no id there: trades are compared with an empty
 *   taker id for them (`comparableTrade`).
 */
import { LimitOrderOptions, MarketOrderOptions, OrderBook, SelfTradePreventionMode, Side } from 'nodejs-order-book';
import { MatchingEngine } from '../engine';
import { isAbsent, uniformCommand } from '../engine/commandValidation';
import type { Command, EngineEvent } from '../engine/types';

/** A trade as both books can describe it. */
export interface ComparableTrade {
  symbol: string;
  makerOrderId: string;
  /** '' for a market order, which has no id in nodejs-order-book. */
  takerOrderId: string;
  price: number;
  quantity: number;
}

/** `commands` with FOK orders sent without an account (see above); other commands are the same objects. */
export function comparable(commands: readonly Command[]): Command[] {
  return commands.map((command) => {
    if (command.op !== 'new' || command.timeInForce !== 'FOK' || command.account === undefined) return command;
    // Through uniformCommand, with the account undefined rather than left out: one shape for every new
    // order, as the engine is fed everywhere else (uniformCommand says what a third shape costs).
    return uniformCommand({ ...command, account: undefined });
  });
}

/** The trades among our engine's `events` for `command`, described as nodejs-order-book's are. */
export function comparableTrades(command: Command, events: readonly EngineEvent[]): ComparableTrade[] {
  const isMarket = command.op === 'new' && command.type === 'market';
  return events.flatMap((event) =>
    event.type === 'trade'
      ? [{ symbol: event.symbol, makerOrderId: event.makerOrderId, takerOrderId: isMarket ? '' : event.takerOrderId, price: event.price, quantity: event.quantity }]
      : [],
  );
}

/** `commands` played on a fresh engine of ours and on fresh nodejs-order-book books, with each one's trades. */
export interface PlayedOnBoth {
  engine: MatchingEngine;
  reference: ReferenceBooks;
  ours: ComparableTrade[];
  theirs: ComparableTrade[];
}

export function playOnBoth(commands: readonly Command[]): PlayedOnBoth {
  const played: PlayedOnBoth = { engine: new MatchingEngine(), reference: new ReferenceBooks(), ours: [], theirs: [] };
  for (const command of commands) {
    played.ours.push(...comparableTrades(command, played.engine.process(command)));
    played.reference.process(command, (trade) => played.theirs.push(trade));
  }
  return played;
}

export class ReferenceBooks {
  private readonly books = new Map<string, OrderBook>();

  /**
   * Applies a well-formed command (the reference has its own validation,
   * which nothing here compares). Its trades, in execution order, go to
   * `onTrade` when given.
   */
  process(command: Command, onTrade?: (trade: ComparableTrade) => void): void {
    if (command.op === 'cancel') {
      // By id, in the book named, or in whichever holds it when none is (as our engine does).
      const books = isAbsent(command.symbol) ? [...this.books.values()] : [this.bookFor(command.symbol)];
      for (const book of books) book.cancel(command.orderId);
      return;
    }
    const book = this.bookFor(command.symbol);
    const order: MarketOrderOptions = { side: command.side === 'buy' ? Side.BUY : Side.SELL, size: command.quantity };
    if (command.account !== undefined) {
      order.accountId = command.account;
      order.stpMode = SelfTradePreventionMode.EXPIRE_MAKER;
    }
    const takerOrderId = command.type === 'market' ? '' : command.orderId;
    const result =
      command.type === 'market'
        ? book.market(order)
        : book.limit({ ...order, id: command.orderId, price: command.price as number, timeInForce: command.timeInForce as LimitOrderOptions['timeInForce'] });
    if (onTrade === undefined) return;
    // `done`: the makers it took whole (and the taker, once filled); `partial`: the maker it took in part, last.
    for (const maker of result.done) {
      // Only limit orders are ever placed here, so every order done has a price.
      if (maker.id === takerOrderId || !('price' in maker)) continue;
      onTrade({ symbol: command.symbol, makerOrderId: maker.id, takerOrderId, price: maker.price, quantity: maker.size });
    }
    const partial = result.partial;
    if (partial !== null && partial.id !== takerOrderId && result.partialQuantityProcessed > 0) {
      onTrade({ symbol: command.symbol, makerOrderId: partial.id, takerOrderId, price: partial.price, quantity: result.partialQuantityProcessed });
    }
  }

  /** Every resting price level of `symbol` as [price, quantity], bids best first, then asks best first. */
  levels(symbol: string): { bids: [number, number][]; asks: [number, number][] } {
    const [asks, bids] = this.books.get(symbol)?.depth() ?? [[], []];
    return { bids: [...bids].sort((a, b) => b[0] - a[0]), asks: [...asks].sort((a, b) => a[0] - b[0]) };
  }

  private bookFor(symbol: string): OrderBook {
    let book = this.books.get(symbol);
    if (book === undefined) {
      book = new OrderBook();
      this.books.set(symbol, book);
    }
    return book;
  }
}
