import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readableFileFlag, UsageError } from '../../local/flags';

describe('file flags', () => {
  let folder: string;
  const initCwd = process.env.INIT_CWD;

  before(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-flags-'));
    fs.writeFileSync(path.join(folder, 'load.lua'), '-- a script\n');
  });

  after(() => {
    if (initCwd === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = initCwd;
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('takes a relative name from the folder the command was typed in (INIT_CWD under npm run), as an absolute path', () => {
    process.env.INIT_CWD = folder;
    assert.equal(readableFileFlag('script', 'load.lua'), path.join(folder, 'load.lua'));
    assert.equal(readableFileFlag('script', path.join(folder, 'load.lua')), path.join(folder, 'load.lua'));
    assert.equal(readableFileFlag('script', undefined), undefined);
  });

  it('refuses a missing file and a folder, naming the path it looked at', () => {
    process.env.INIT_CWD = folder;
    assert.throws(() => readableFileFlag('script', 'nope.lua'), (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, `--script "nope.lua": no readable file at ${path.join(folder, 'nope.lua')}`);
      return true;
    });
    assert.throws(() => readableFileFlag('script', '.'), UsageError);
  });
});
