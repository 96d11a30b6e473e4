import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_SYMBOLS, parseSymbols } from '../../backend/config/symbols';
import { integerSetting, pairsSetting, readableFileFlag, refuseArguments, symbolsFlag, UsageError } from '../../local/flags';

describe('--symbols', () => {
  it('takes a SYMBOLS list as the services read it, without its spaces', () => {
    assert.equal(symbolsFlag(undefined), undefined);
    assert.equal(symbolsFlag(' ZZZ:0.05 , AAPL,YY:0.01'), 'ZZZ:0.05,AAPL,YY');
    assert.equal(symbolsFlag(DEFAULT_SYMBOLS), DEFAULT_SYMBOLS);
    const given = 'ZZZ:0.05,AAPL,W:0.001';
    assert.deepEqual(parseSymbols(symbolsFlag(given)), parseSymbols(given));
  });

  it('refuses what the services could not read, and an empty list, which they would read as the default', () => {
    assert.throws(() => symbolsFlag('AAPL,btc'), (error: Error) => error instanceof UsageError && /^--symbols: SYMBOLS: "btc" is not SYMBOL/.test(error.message));
    assert.throws(() => symbolsFlag('AAPL,AAPL'), /--symbols: SYMBOLS: AAPL is listed twice/);
    assert.throws(() => symbolsFlag('X:0'), /--symbols: SYMBOLS: tick "0" of X/);
    assert.throws(() => symbolsFlag(' '), /--symbols is empty/);
  });
});

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

describe('environment settings (the benches set by variables)', () => {
  const name = 'HFT_FLAGS_TEST_SETTING';
  afterEach(() => {
    delete process.env[name];
  });

  it('reads an integer within its range, the fallback when unset or empty, and refuses anything else naming the variable', () => {
    assert.equal(integerSetting(name, 27, 1, 100), 27);
    process.env[name] = '';
    assert.equal(integerSetting(name, 27, 1, 100), 27);
    process.env[name] = '64';
    assert.equal(integerSetting(name, 27, 1, 100), 64);
    for (const bad of ['abc', '0', '101', '2.5']) {
      process.env[name] = bad;
      assert.throws(() => integerSetting(name, 27, 1, 100), new UsageError(`${name}="${bad}" must be an integer from 1 to 100`));
    }
  });

  it('reads name=value pairs, a value keeping any further "=", and refuses a pair without one', () => {
    assert.deepEqual(pairsSetting(name), {});
    process.env[name] = 'fsync=off,search_path=a=b';
    assert.deepEqual(pairsSetting(name), { fsync: 'off', search_path: 'a=b' });
    process.env[name] = 'fsync=off,work_mem';
    assert.throws(() => pairsSetting(name), new UsageError(`${name}: "work_mem" is not name=value`));
  });

  it('refuses any argument, naming the variables that set the command instead', () => {
    assert.doesNotThrow(() => refuseArguments([], ['BENCH_A']));
    assert.throws(() => refuseArguments(['--batches', '5'], ['BENCH_A', 'BENCH_B']), new UsageError('takes no arguments (got "--batches 5"); it is set by environment variables: BENCH_A, BENCH_B'));
  });
});
