/** Turns the engine's integer ticks back into the API's decimal strings. */
import type { ApiOrder, ApiTopOfBook } from '../api/schemas';
import type { BookLevel, TopOfBook } from '../engine/types';
import { SymbolSpec, ticksToPrice, unitsToDecimal } from '../config/symbols';
import type { OrderView } from '../streams';

/** Decimal places an average price carries beyond the tick's. */
const AVERAGE_EXTRA_DECIMALS = 4;
const AVERAGE_SCALE = 10 ** AVERAGE_EXTRA_DECIMALS;

/** Volume-weighted average of the fills, rounded half up, without trailing zeros past the tick's decimals. */
export function averagePrice(view: OrderView, spec: SymbolSpec): string | null {
  let quantity = 0;
  let notionalTicks = 0;
  for (const fill of view.fills) {
    quantity += fill.quantity;
    notionalTicks += fill.price * fill.quantity;
  }
  if (quantity === 0) return null;
  // round(notional × tick × scale / quantity), half up, as (2·n + q) div 2q; in doubles while exact, else BigInt.
  const numerator = 2 * notionalTicks * Number(spec.tickUnits) * AVERAGE_SCALE + quantity;
  const divisor = 2 * quantity;
  const scaledUnits = Number.isSafeInteger(numerator)
    ? String((numerator - (numerator % divisor)) / divisor)
    : averageUnitsExact(view, spec);
  const [whole, extraDecimals] = unitsToDecimal(scaledUnits, spec.decimals + AVERAGE_EXTRA_DECIMALS).split('.');
  const fraction = extraDecimals.replace(/0+$/, '').padEnd(spec.decimals, '0');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** The same figure in BigInt, for fills whose notional is past 2^53. */
function averageUnitsExact(view: OrderView, spec: SymbolSpec): string {
  let quantity = 0n;
  let notionalTicks = 0n;
  for (const fill of view.fills) {
    quantity += BigInt(fill.quantity);
    notionalTicks += BigInt(fill.price) * BigInt(fill.quantity);
  }
  return ((2n * notionalTicks * spec.tickUnits * BigInt(AVERAGE_SCALE) + quantity) / (2n * quantity)).toString();
}

export function presentOrder(view: OrderView, spec: SymbolSpec): ApiOrder {
  return {
    orderId: view.orderId,
    clientOrderId: view.clientOrderId ?? null,
    account: view.account,
    symbol: view.symbol,
    side: view.side,
    type: view.type,
    price: view.price === undefined ? null : ticksToPrice(view.price, spec),
    quantity: view.quantity,
    timeInForce: view.timeInForce,
    status: view.status,
    filledQuantity: view.filledQuantity,
    leavesQuantity: view.leavesQuantity,
    averagePrice: averagePrice(view, spec),
    reason: view.reason ?? null,
    fills: view.fills.map((fill) => ({ tradeId: fill.tradeId, price: ticksToPrice(fill.price, spec), quantity: fill.quantity })),
  };
}

function presentLevel(level: BookLevel | undefined, spec: SymbolSpec) {
  return level === undefined ? null : { price: ticksToPrice(level.price, spec), quantity: level.quantity, orders: level.orders };
}

export function presentTopOfBook(top: TopOfBook, spec: SymbolSpec): ApiTopOfBook {
  return { symbol: spec.symbol, bid: presentLevel(top.bid, spec), ask: presentLevel(top.ask, spec) };
}
