import fc from 'fast-check';
import type { Command } from '../../../backend/engine/types';

export const SYMBOLS = ['AAA', 'BBB'];
const ACCOUNTS = ['a1', 'a2', 'a3', undefined];

/** Commands that fail validation, one per rule, plus values that are not commands at all. */
export const MALFORMED_COMMANDS: unknown[] = [
  null,
  42,
  'new',
  [],
  {},
  { op: 'amend', orderId: 'x1', symbol: 'AAA' },
  { op: 'new', symbol: 'AAA', side: 'buy', type: 'limit', price: 100, quantity: 1 },
  { op: 'new', orderId: 'x2', side: 'buy', type: 'limit', price: 100, quantity: 1 },
  { op: 'new', orderId: '', symbol: 'AAA', side: 'buy', type: 'limit', price: 100, quantity: 1 },
  { op: 'new', orderId: 'x3', symbol: 'AAA', side: 'hold', type: 'limit', price: 100, quantity: 1 },
  { op: 'new', orderId: 'x4', symbol: 'AAA', side: 'buy', type: 'stop', price: 100, quantity: 1 },
  { op: 'new', orderId: 'x5', symbol: 'AAA', side: 'buy', type: 'limit', price: 100, quantity: 1, timeInForce: 'DAY' },
  { op: 'new', orderId: 'x6', symbol: 'AAA', side: 'buy', type: 'limit', price: 100, quantity: 1, account: 7 },
  { op: 'new', orderId: 'x7', symbol: 'AAA', side: 'buy', type: 'limit', price: 100, quantity: 0 },
  { op: 'new', orderId: 'x8', symbol: 'AAA', side: 'sell', type: 'limit', price: 100, quantity: 2.5 },
  { op: 'new', orderId: 'x9', symbol: 'AAA', side: 'sell', type: 'limit', price: 100, quantity: '3' },
  { op: 'new', orderId: 'x10', symbol: 'AAA', side: 'sell', type: 'limit', quantity: 3 },
  { op: 'new', orderId: 'x11', symbol: 'AAA', side: 'sell', type: 'limit', price: 0, quantity: 3 },
  { op: 'new', orderId: 'x12', symbol: 'AAA', side: 'sell', type: 'limit', price: 100.5, quantity: 3 },
  { op: 'cancel', symbol: 'AAA' },
  { op: 'cancel', orderId: 'x14', symbol: 7 },
];

type CommandSpec =
  | { kind: 'limit'; symbol: string; buy: boolean; price: number; quantity: number; tif: 'GTC' | 'IOC' | 'FOK' | undefined; account: string | undefined; reuse: number | null }
  | { kind: 'market'; symbol: string; buy: boolean; quantity: number; account: string | undefined; price: number | undefined }
  | { kind: 'cancel'; target: number; symbolNamed: 'right' | 'wrong' | 'none' }
  | { kind: 'malformed'; which: number };

const side = fc.boolean();
const account = fc.constantFrom(...ACCOUNTS);
const symbol = fc.constantFrom(...SYMBOLS);

const specArbitrary = (reuseIds: boolean): fc.Arbitrary<CommandSpec> =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('limit' as const),
        symbol,
        buy: side,
        price: fc.integer({ min: 96, max: 104 }),
        quantity: fc.integer({ min: 1, max: 10 }),
        tif: fc.constantFrom('GTC' as const, 'GTC' as const, 'IOC' as const, 'FOK' as const, undefined),
        account,
        reuse: reuseIds ? fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }) : fc.constant(null),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('market' as const),
        symbol,
        buy: side,
        quantity: fc.integer({ min: 1, max: 15 }),
        account,
        // Now and then a price, which a market order ignores (0, or inside the book's band).
        price: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(0, 97, 100, 103) }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('cancel' as const),
        target: fc.nat(),
        // Now and then name the order under the other symbol (it must not be found), or under none (found by id).
        symbolNamed: fc.oneof(
          { weight: 6, arbitrary: fc.constant('right' as const) },
          { weight: 1, arbitrary: fc.constant('wrong' as const) },
          { weight: 1, arbitrary: fc.constant('none' as const) },
        ),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('malformed' as const), which: fc.nat() }) },
  );

/**
 * Random command sequences over two symbols, a narrow price band (so that
 * orders cross often) and a few accounts (so that self-trade prevention
 * triggers). Cancels name earlier orders; a few commands are malformed. With
 * `reuseIds`, some new orders reuse an earlier order's id.
 */
export function commandSequence(options: { reuseIds: boolean; maxLength?: number }): fc.Arbitrary<Command[]> {
  return fc.array(specArbitrary(options.reuseIds), { maxLength: options.maxLength ?? 100, size: 'max' }).map((specs) => {
    const ids: { orderId: string; symbol: string }[] = [];
    return specs.map((spec, index): Command => {
      switch (spec.kind) {
        case 'malformed':
          return MALFORMED_COMMANDS[spec.which % MALFORMED_COMMANDS.length] as Command;
        case 'cancel': {
          if (ids.length === 0) return { op: 'cancel', orderId: 'never-entered', symbol: SYMBOLS[0] };
          const target = ids[spec.target % ids.length];
          const otherSymbol = SYMBOLS.find((s) => s !== target.symbol) as string;
          if (spec.symbolNamed === 'none') return { op: 'cancel', orderId: target.orderId };
          return { op: 'cancel', orderId: target.orderId, symbol: spec.symbolNamed === 'wrong' ? otherSymbol : target.symbol };
        }
        case 'market': {
          const orderId = `o${index}`;
          ids.push({ orderId, symbol: spec.symbol });
          const command: Command = { op: 'new', orderId, symbol: spec.symbol, side: spec.buy ? 'buy' : 'sell', type: 'market', quantity: spec.quantity };
          if (spec.price !== undefined) command.price = spec.price;
          return withAccount(command, spec.account);
        }
        case 'limit': {
          const orderId = spec.reuse !== null && ids.length > 0 ? ids[spec.reuse % ids.length].orderId : `o${index}`;
          ids.push({ orderId, symbol: spec.symbol });
          const command: Command = { op: 'new', orderId, symbol: spec.symbol, side: spec.buy ? 'buy' : 'sell', type: 'limit', price: spec.price, quantity: spec.quantity };
          if (spec.tif !== undefined) command.timeInForce = spec.tif;
          return withAccount(command, spec.account);
        }
      }
    });
  });
}

function withAccount(command: Command & { op: 'new' }, account: string | undefined): Command {
  if (account !== undefined) command.account = account;
  return command;
}
