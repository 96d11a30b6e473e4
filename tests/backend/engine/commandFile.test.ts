import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../../../backend/engine';
import { readCommandFile, WRITE_LINES, writeCommandFile } from '../../../backend/engine/commandFile';

describe('command files', () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'command-file-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('writes commands as JSON lines, written in pieces, that read back as the same commands (across piece boundaries)', () => {
    const count = 2 * WRITE_LINES + 5;
    const commands: Command[] = Array.from({ length: count }, (_, i): Command =>
      i % 3 === 2
        ? { op: 'cancel', orderId: String(i - 1), symbol: 'AAA' }
        : { op: 'new', orderId: String(i), symbol: 'AAA', side: i % 2 === 0 ? 'buy' : 'sell', type: 'limit', price: 100 + (i % 7), quantity: 1 + (i % 5), account: `a${i % 3}` },
    );
    const file = join(folder, 'commands.jsonl');
    writeFileSync(file, 'an older file, longer than nothing\n'.repeat(100_000));
    writeCommandFile(file, commands);
    const text = readFileSync(file, 'utf8');
    assert.equal(text, commands.map((command) => `${JSON.stringify(command)}\n`).join(''));
    // Read back in the engine's uniform shape, whose absent fields are undefined: compared as JSON.
    assert.deepEqual(readCommandFile(file).map((command) => JSON.parse(JSON.stringify(command))), commands);
  });
});
