/** Prices between the API's decimals and the engine's ticks: the fast double paths against plain BigInt arithmetic. */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parseSymbols, priceToTicks, SymbolSpec, ticksToPrice } from '../../../backend/config/symbols';
import { averagePrice } from '../../../backend/gateway/presenter';
import type { OrderView } from '../../../backend/streams';

const specs = [...parseSymbols('CENT:0.01,NICKEL:0.05,WHOLE:1,FIVE:5,FINE:0.0001,ODD:0.25').values()];

/** Decimal text of `units` × 10^-decimals, by BigInt only. */
function decimalOf(units: bigint, decimals: number): string {
  if (decimals === 0) return units.toString();
  const digits = units.toString().padStart(decimals + 1, '0');
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

const specArbitrary = fc.constantFrom(...specs);
/** Small tick counts (the double path) and counts near and past 2^53 / tick (the BigInt path). */
const ticksArbitrary = fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 2 ** 40, max: Number.MAX_SAFE_INTEGER }));

describe('symbols: prices', function () {
  it('ticksToPrice is the exact decimal of ticks × tick, small or huge', function () {
    fc.assert(
      fc.property(specArbitrary, ticksArbitrary, (spec: SymbolSpec, ticks: number) => {
        assert.equal(ticksToPrice(ticks, spec), decimalOf(BigInt(ticks) * spec.tickUnits, spec.decimals));
      }),
    );
  });

  it('priceToTicks inverts ticksToPrice, with trailing zeros or as a number', function () {
    fc.assert(
      fc.property(specArbitrary, ticksArbitrary, fc.nat({ max: 3 }), (spec: SymbolSpec, ticks: number, zeros: number) => {
        const text = ticksToPrice(ticks, spec);
        const padded = spec.decimals === 0 && zeros > 0 ? `${text}.${'0'.repeat(zeros)}` : text + '0'.repeat(zeros);
        assert.equal(priceToTicks(padded, spec), ticks);
        if (Number.isSafeInteger(ticks * Number(spec.tickUnits)) && ticks < 1e9) assert.equal(priceToTicks(Number(text), spec), ticks);
      }),
    );
  });

  it('priceToTicks refuses prices between ticks, zero, and tick counts past 2^53', function () {
    const nickel = specs.find((spec) => spec.symbol === 'NICKEL')!;
    assert.equal(priceToTicks('10.03', nickel), 'off the tick grid');
    assert.equal(priceToTicks('10.051', nickel), 'off the tick grid');
    assert.equal(priceToTicks('0.00', nickel), 'not positive');
    assert.equal(priceToTicks('-1', nickel), 'not positive');
    assert.equal(priceToTicks('1e3', nickel), 'not a decimal');
    assert.equal(priceToTicks('9'.repeat(20), specs.find((spec) => spec.symbol === 'WHOLE')!), 'too large');
    // 16 digits: past the double path, still exact.
    assert.equal(priceToTicks('1234567890123.45', specs[0]), 123456789012345);
    assert.equal(priceToTicks('1234567890123.46', nickel), 'off the tick grid');
  });

  it('averagePrice rounds the volume-weighted price half up, small or huge notional', function () {
    const fillsArbitrary = fc.array(fc.tuple(ticksArbitrary, fc.integer({ min: 1, max: 1_000_000 })), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(specArbitrary, fillsArbitrary, (spec: SymbolSpec, fills: [number, number][]) => {
        const view = { fills: fills.map(([price, quantity], i) => ({ tradeId: `t${i}`, price, quantity })) } as OrderView;
        const quantity = fills.reduce((sum, [, q]) => sum + BigInt(q), 0n);
        const notional = fills.reduce((sum, [p, q]) => sum + BigInt(p) * BigInt(q), 0n);
        const scaled = (2n * notional * spec.tickUnits * 10_000n + quantity) / (2n * quantity);
        const exact = decimalOf(scaled, spec.decimals + 4);
        // Trailing zeros past the tick's decimals are dropped.
        const [whole, fraction = ''] = exact.split('.');
        const kept = fraction.slice(0, spec.decimals) + fraction.slice(spec.decimals).replace(/0+$/, '');
        assert.equal(averagePrice(view, spec), kept === '' ? whole : `${whole}.${kept}`);
      }),
    );
  });
});
