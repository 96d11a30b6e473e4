/**
 * The load tester's order mix: several symbols, both sides, limit and market,
 * limit prices scattered around a mid so that a share of them cross and
 * trade. The same mix as loadtest/wrk/orders.lua, so the HTTP load tester and
 * the wrk benchmark exercise the engine alike.
 */
import { OrderType, Side, TimeInForce } from '../backend/engine/types';
import { DEFAULT_SYMBOLS, parseSymbols, SymbolSpec, ticksToPrice } from '../backend/config/symbols';
import { seededRandom } from './seededRandom';

/** The body of `POST /api/orders`. */
export interface OrderRequestBody {
  symbol: string;
  side: Side;
  type: OrderType;
  /** Decimal string on the symbol's tick grid; limit orders only. */
  price?: string;
  quantity: number;
  timeInForce: TimeInForce;
  account: string;
  clientOrderId: string;
}

export interface OrderMix {
  /** `SYMBOLS` syntax (SYMBOL or SYMBOL:TICK, comma separated). Default: the services' default symbols. */
  symbols?: string;
  /** Mid price in ticks. Default 10000 (100.00 at tick 0.01). */
  midTicks?: number;
  /** Limit prices fall within this many ticks of the mid. Default 40. */
  spreadTicks?: number;
  /** Share of market (IOC) orders. Default 0.1. */
  marketShare?: number;
  /** Share of limit orders priced through the mid, so that they trade. Default 0.25. */
  crossingShare?: number;
  /** Largest order quantity. Default 50. */
  maxQuantity?: number;
  /** Number of distinct accounts. Default 200. */
  accounts?: number;
  /** Seed of the pseudo-random sequence: the same seed gives the same orders. Default 1. */
  seed?: number;
  /** Prefix of every clientOrderId; make it unique per run (see `newRunId`). */
  runId: string;
}

/** A short identifier that differs between runs, for clientOrderIds that never repeat. */
export function newRunId(): string {
  return `lt${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}

/** Returns a function that yields the next order of the mix on each call. */
export function orderGenerator(mix: OrderMix): () => OrderRequestBody {
  const specs: SymbolSpec[] = [...parseSymbols(mix.symbols ?? DEFAULT_SYMBOLS).values()];
  const midTicks = mix.midTicks ?? 10_000;
  const spreadTicks = mix.spreadTicks ?? 40;
  const marketShare = mix.marketShare ?? 0.1;
  const crossingShare = mix.crossingShare ?? 0.25;
  const maxQuantity = mix.maxQuantity ?? 50;
  const accounts = mix.accounts ?? 200;
  const random = seededRandom(mix.seed ?? 1);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  let sequence = 0;

  return () => {
    const spec = specs[Math.floor(random() * specs.length)];
    const side: Side = random() < 0.5 ? 'buy' : 'sell';
    const common = {
      symbol: spec.symbol,
      side,
      quantity: between(1, maxQuantity),
      account: `acct-${between(1, accounts)}`,
      clientOrderId: `${mix.runId}-${++sequence}`,
    };
    if (random() < marketShare) return { ...common, type: 'market', timeInForce: 'IOC' };
    // Buys rest below the mid and sells above it, except the crossing share, which trades.
    const distance = between(1, spreadTicks) * (random() < crossingShare ? -1 : 1);
    const ticks = side === 'buy' ? midTicks - distance : midTicks + distance;
    return { ...common, type: 'limit', price: ticksToPrice(ticks, spec), timeInForce: 'GTC' };
  };
}
