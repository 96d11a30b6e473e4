import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_SYMBOLS, parseSymbols, priceToTicks } from '../../backend/config/symbols';
import { luaLongString, ORDER_SCRIPT, runWrk } from '../../loadtest/wrk';
import { runNodeScript } from '../harness/nodeScript';
import { FakeGateway, startFakeGateway } from './fakeGateway';

const STACK_BENCH = path.join(__dirname, '..', '..', 'loadtest', 'stackBench.js');

describe('wrk runs (the benches’ load generator, against a fake gateway)', function () {
  this.timeout(20_000);
  let gateway: FakeGateway;
  let folder: string;

  before(async () => {
    gateway = await startFakeGateway(['backend-1']);
    // A folder whose name would end a plain Lua long string early.
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-wrk-test-]]-'));
  });

  after(async () => {
    await gateway.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('posts the order script’s varied orders and reads the summary line', async () => {
    const before = gateway.orders.length;
    const { result } = await runWrk(gateway.url, 1, 4);
    assert.ok(result.requests > 0);
    assert.equal(result.non2xx, 0);
    // wrk counts the answers it read; the gateway may also have taken requests still in flight at the end.
    const received = gateway.orders.slice(before);
    assert.ok(received.length >= result.requests);
    assert.ok(new Set(received.map((order) => order.symbol)).size > 1);
    assert.ok(received.some((order) => order.type === 'market') && received.some((order) => order.type === 'limit'));
  });

  it('posts the order script’s orders on the symbols it is given, each limit price on its symbol’s tick grid', async () => {
    const symbols = parseSymbols('ZZZ:0.05,YY:1,XX:0.5,W:0.001');
    const before = gateway.orders.length;
    const { result } = await runWrk(gateway.url, 1, 4, { symbols: 'ZZZ:0.05,YY:1,XX:0.5,W:0.001' });
    assert.ok(result.requests > 0);
    const received = gateway.orders.slice(before);
    assert.deepEqual(new Set(received.map((order) => order.symbol)), new Set(symbols.keys()));
    const limits = received.filter((order) => order.type === 'limit');
    assert.ok(limits.length > 0);
    for (const order of limits) {
      const ticks = priceToTicks(order.price!, symbols.get(order.symbol)!);
      assert.equal(typeof ticks, 'number', `${order.symbol} at ${order.price}: ${ticks}`);
    }
  });

  it('the order script’s symbols without SYMBOLS are the services’ default', () => {
    const script = fs.readFileSync(ORDER_SCRIPT, 'utf8');
    assert.equal(/^local DEFAULT_SYMBOLS = "([^"]*)"$/m.exec(script)?.[1], DEFAULT_SYMBOLS);
  });

  it('runs another script, without a done() of its own or with one (which still runs), and reads the same summary', async () => {
    const plain = path.join(folder, 'plain.lua');
    fs.writeFileSync(plain, 'wrk.method = "GET"\nwrk.path = "/nowhere"\n');
    const plainRun = await runWrk(gateway.url, 1, 2, { script: plain });
    assert.ok(plainRun.result.requests > 0);
    // The fake gateway has no such route: every answer is a 404.
    assert.equal(plainRun.result.non2xx, plainRun.result.requests);

    const marker = path.join(folder, 'done-ran');
    const withDone = path.join(folder, 'with-done.lua');
    fs.writeFileSync(withDone, `wrk.path = "/nowhere"\nfunction done(summary)\n  local file = io.open(${luaLongString(marker)}, "w")\n  file:write(summary.requests)\n  file:close()\nend\n`);
    const doneRun = await runWrk(gateway.url, 1, 2, { script: withDone });
    assert.equal(fs.readFileSync(marker, 'utf8'), String(doneRun.result.requests));
  });

  it('says what wrk said when the script is broken', async () => {
    const broken = path.join(folder, 'broken.lua');
    fs.writeFileSync(broken, 'function request(\n');
    await assert.rejects(runWrk(gateway.url, 1, 2, { script: broken }), /wrk failed[\s\S]*broken\.lua/);
  });

  it('quotes any text as a Lua long string', () => {
    assert.equal(luaLongString('/tmp/a.lua'), '[[/tmp/a.lua]]');
    assert.equal(luaLongString('/tmp/a]]b/c.lua'), '[=[/tmp/a]]b/c.lua]=]');
    assert.equal(luaLongString('a]]b]=]c'), '[==[a]]b]=]c]==]');
  });

  it('bench:stack refuses a --script that is not a readable file, before starting anything', async () => {
    const missing = path.join(folder, 'missing.lua');
    const { status, stderr } = await runNodeScript(STACK_BENCH, ['--script', missing], 10_000);
    assert.equal(status, 1);
    assert.match(stderr, new RegExp(`--script ".*missing\\.lua": no readable file at .*missing\\.lua; usage: bench:stack`));
    assert.doesNotMatch(stderr, /starting the local stack/);
  });

  it('bench:stack refuses --symbols that the services could not read, before starting anything', async () => {
    const { status, stderr } = await runNodeScript(STACK_BENCH, ['--symbols', 'AAPL,btc'], 10_000);
    assert.equal(status, 1);
    assert.match(stderr, /--symbols: SYMBOLS: "btc" is not SYMBOL or SYMBOL:TICK .*; usage: bench:stack/);
    assert.doesNotMatch(stderr, /starting the local stack/);
  });
});
