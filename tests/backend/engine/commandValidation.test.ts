import assert from 'node:assert/strict';
import { commandDefect, parseCommandLine } from '../../../backend/engine';
import type { NewOrderCommand } from '../../../backend/engine/types';

describe('command validation', () => {
  /** The command a line parses into; the line must parse. */
  const parsed = (line: string) => {
    const result = parseCommandLine(line);
    assert.ok(result.ok, line);
    return result.command;
  };

  it('accepts well-formed commands, null standing for an absent optional field', () => {
    assert.equal(commandDefect({ op: 'new', orderId: '1', symbol: 'A', side: 'buy', type: 'limit', price: 5, quantity: 1 }), undefined);
    assert.equal(
      commandDefect({ op: 'new', orderId: '1', symbol: 'A', side: 'sell', type: 'market', price: null, quantity: 1, timeInForce: null, account: null }),
      undefined,
    );
    assert.equal(commandDefect({ op: 'cancel', orderId: '1', symbol: 'A' }), undefined);
  });

  it('judges structure before quantity, and quantity before price', () => {
    assert.equal(commandDefect({ op: 'new', orderId: '1', symbol: 'A', side: 'up', type: 'limit', quantity: 0 }), 'invalid-command');
    assert.equal(commandDefect({ op: 'new', orderId: '1', symbol: 'A', side: 'buy', type: 'limit', quantity: 0 }), 'invalid-quantity');
  });

  it('parses a line into a command shape, leaving field checks to the engine', () => {
    assert.deepEqual(parseCommandLine('{"op":"cancel","orderId":"7"}'), { ok: true, command: { op: 'cancel', orderId: '7', symbol: undefined } });
    assert.deepEqual(parseCommandLine('{"op":null}'), { ok: false, error: 'unknown op null' });
    assert.deepEqual(parseCommandLine('{}'), { ok: false, error: 'unknown op undefined' });
    assert.deepEqual(parseCommandLine('"new"'), { ok: false, error: 'not a JSON object' });
    assert.equal(parseCommandLine('{oops').ok, false);
  });

  it('reads an integer orderId as its decimal text; any other non-text id is left for the engine to refuse', () => {
    assert.deepEqual({ ...parsed('{"op":"cancel","orderId":17,"symbol":"A"}') }, { op: 'cancel', orderId: '17', symbol: 'A' });
    assert.equal(parsed('{"op":"new","orderId":42,"symbol":"A","side":"buy","type":"limit","price":5,"quantity":1}').orderId, '42');
    for (const line of ['{"op":"new","orderId":1.5,"symbol":"A","side":"buy","type":"limit","price":5,"quantity":1}', '{"op":"cancel","orderId":true,"symbol":"A"}']) {
      assert.equal(commandDefect(parsed(line)), 'invalid-command', line);
    }
  });

  it('reads op, side, type and timeInForce whatever their case, and leaves unknown values for the engine to refuse', () => {
    assert.deepEqual(
      { ...parsed('{"op":"NEW","orderId":"1","symbol":"A","side":"BUY","type":"Limit","price":5,"quantity":1,"timeInForce":"gtc"}') },
      { op: 'new', orderId: '1', symbol: 'A', side: 'buy', type: 'limit', price: 5, quantity: 1, timeInForce: 'GTC', account: undefined },
    );
    assert.deepEqual({ ...parsed('{"op":"Cancel","orderId":"1","symbol":"a"}') }, { op: 'cancel', orderId: '1', symbol: 'a' });
    assert.equal((parsed('{"op":"new","orderId":"2","symbol":"A","side":"SELL","type":"MARKET","quantity":1,"timeInForce":"Ioc"}') as NewOrderCommand).timeInForce, 'IOC');
    // Symbols and ids keep their case; a value that is no spelling of a known one is still refused.
    const unknownSide = parsed('{"op":"new","orderId":"3","symbol":"A","side":"BID","type":"limit","price":5,"quantity":1}') as NewOrderCommand;
    assert.equal(unknownSide.side, 'BID');
    assert.equal(commandDefect(unknownSide), 'invalid-command');
    assert.deepEqual(parseCommandLine('{"op":"NEWS","orderId":"4"}'), { ok: false, error: 'unknown op "NEWS"' });
  });

  it('gives every parsed new order the same fields in the same order, whatever the line had, keeping the values as given', () => {
    const lines = [
      '{"op":"new","orderId":"1","symbol":"A","side":"buy","type":"limit","price":5,"quantity":2,"timeInForce":"IOC","account":"a"}',
      '{"quantity":3,"side":"sell","symbol":"A","orderId":"2","type":"market","op":"new","note":"dropped"}',
      '{"op":"new","orderId":"3","symbol":"A","side":"buy","type":"limit","price":"5.5","quantity":-1}',
    ];
    const commands = lines.map(parsed);
    const fields = ['op', 'orderId', 'symbol', 'side', 'type', 'price', 'quantity', 'timeInForce', 'account'];
    for (const command of commands) assert.deepEqual(Object.keys(command), fields);
    assert.deepEqual({ ...commands[1] }, { op: 'new', orderId: '2', symbol: 'A', side: 'sell', type: 'market', price: undefined, quantity: 3, timeInForce: undefined, account: undefined });
    // Bad values reach the engine unchanged, which rejects them as it would the original line.
    assert.equal(commandDefect(commands[2]), 'invalid-quantity');
    assert.equal(commandDefect(commands[0]), undefined);
  });
});
