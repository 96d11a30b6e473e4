import assert from 'node:assert/strict';
import { commandDefect, parseCommandLine } from '../../../backend/engine';

describe('command validation', () => {
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
    assert.deepEqual(parseCommandLine('{"op":"cancel","orderId":"7"}'), { ok: true, command: { op: 'cancel', orderId: '7' } });
    assert.deepEqual(parseCommandLine('{"op":null}'), { ok: false, error: 'unknown op null' });
    assert.deepEqual(parseCommandLine('{}'), { ok: false, error: 'unknown op undefined' });
    assert.deepEqual(parseCommandLine('"new"'), { ok: false, error: 'not a JSON object' });
    assert.equal(parseCommandLine('{oops').ok, false);
  });
});
