/**
 * The tradable symbols and their tick grids, and the conversion between the
 * API's decimal prices and the engine's integer ticks (no floating point).
 */

export interface SymbolSpec {
  symbol: string;
  /** Tick size as a decimal string, e.g. "0.01". */
  tick: string;
  /** Decimal places of the tick. */
  decimals: number;
  /** Tick size in units of 10^-decimals (e.g. "0.05" → decimals 2, tickUnits 5). */
  tickUnits: bigint;
}

export const DEFAULT_TICK = '0.01';
export const DEFAULT_SYMBOLS = 'AAPL,MSFT,GOOG,AMZN,NVDA,META,TSLA,SPY';

const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.]{0,15}$/;
const DECIMAL_PATTERN = /^(\d+)(?:\.(\d+))?$/;

export class SymbolConfigError extends Error {}

/** Parses `SYMBOLS`: a comma list of `SYMBOL` or `SYMBOL:TICK` (tick default 0.01). */
export function parseSymbols(list: string | undefined): Map<string, SymbolSpec> {
  const source = list === undefined || list.trim() === '' ? DEFAULT_SYMBOLS : list;
  const specs = new Map<string, SymbolSpec>();
  for (const entry of source.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [symbol, tick = DEFAULT_TICK, ...rest] = entry.split(':');
    if (rest.length > 0 || !SYMBOL_PATTERN.test(symbol)) {
      throw new SymbolConfigError(`SYMBOLS: "${entry}" is not SYMBOL or SYMBOL:TICK (symbol: A-Z, 0-9, dot; tick: a positive decimal such as 0.01)`);
    }
    const match = DECIMAL_PATTERN.exec(tick);
    const decimals = match?.[2]?.length ?? 0;
    const tickUnits = match ? BigInt(match[1] + (match[2] ?? '')) : 0n;
    if (!match || tickUnits <= 0n) {
      throw new SymbolConfigError(`SYMBOLS: tick "${tick}" of ${symbol} must be a positive decimal such as 0.01`);
    }
    if (specs.has(symbol)) throw new SymbolConfigError(`SYMBOLS: ${symbol} is listed twice`);
    specs.set(symbol, { symbol, tick, decimals, tickUnits });
  }
  if (specs.size === 0) throw new SymbolConfigError('SYMBOLS: the list is empty');
  return specs;
}

/** The `SYMBOLS` text of `specs`, each as `SYMBOL`, or `SYMBOL:TICK` when its tick is not the default: parseSymbols reads it back. */
export function formatSymbols(specs: Map<string, SymbolSpec>): string {
  return [...specs.values()].map(({ symbol, tick }) => (tick === DEFAULT_TICK ? symbol : `${symbol}:${tick}`)).join(',');
}

/** Why a price was refused, phrased for an API error message. */
export type PriceError = 'not a decimal' | 'not positive' | 'off the tick grid' | 'too large';

/**
 * Converts an API price (decimal string or number) to integer ticks, or says
 * why it cannot. Numbers go through their shortest decimal form, so 101.1 is "101.1".
 */
export function priceToTicks(price: string | number, spec: SymbolSpec): number | PriceError {
  const text = typeof price === 'number' ? String(price) : price.trim();
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) return text.startsWith('-') ? 'not positive' : 'not a decimal';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > spec.decimals) return 'off the tick grid';
  const digits = match[1] + fraction.padEnd(spec.decimals, '0');
  // Up to 15 digits a double holds the units exactly: the usual case, without BigInt's allocations.
  if (digits.length <= 15) {
    const units = Number(digits);
    const tickUnits = Number(spec.tickUnits);
    if (units === 0) return 'not positive';
    if (units % tickUnits !== 0) return 'off the tick grid';
    return units / tickUnits;
  }
  const units = BigInt(digits);
  if (units === 0n) return 'not positive';
  if (units % spec.tickUnits !== 0n) return 'off the tick grid';
  const ticks = units / spec.tickUnits;
  if (ticks > BigInt(Number.MAX_SAFE_INTEGER)) return 'too large';
  return Number(ticks);
}

/** Formats integer ticks as the API's decimal string, with the tick's decimals ("101.10"). */
export function ticksToPrice(ticks: number | bigint, spec: SymbolSpec): string {
  const exact = typeof ticks === 'number' ? ticks * Number(spec.tickUnits) : NaN;
  return unitsToDecimal(Number.isSafeInteger(exact) ? String(exact) : (BigInt(ticks) * spec.tickUnits).toString(), spec.decimals);
}

/** Places the decimal point `decimals` digits from the right of a non-negative integer's digits. */
export function unitsToDecimal(digits: string, decimals: number): string {
  if (decimals === 0) return digits;
  const padded = digits.padStart(decimals + 1, '0');
  return `${padded.slice(0, -decimals)}.${padded.slice(-decimals)}`;
}
