import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MatchingEngine, type Command } from '../../../backend/engine';
import { readCommandFile } from '../../../backend/engine/commandFile';
import { comparable, playOnBoth } from '../../../backend/bench/referenceBook';

// The compiled bench, next to this compiled test: dist/tests/backend/engine → dist/backend/engine.
const BENCH = resolve(__dirname, '../../../backend/engine/bench.js');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('bench:engine workloads', () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'engine-bench-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  /** Runs the bench on a small workload written to `name`; its stdout and the workload's commands. */
  function bench(name: string, flags: string[]) {
    const file = join(folder, name);
    const result = spawnSync(process.execPath, [BENCH, '--commands', '3000', '--write', file, ...flags], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    return { stdout: result.stdout, commands: readCommandFile(file) };
  }

  const newOrders = (commands: Command[]) => commands.filter((command) => command.op === 'new');
  const tradesOf = (commands: Command[]) => {
    const engine = new MatchingEngine();
    return commands.flatMap((command) => engine.process(command)).filter((event) => event.type === 'trade').length;
  };

  it('by default: counter ids over the eight symbols, and the trades it counts are the replayed workload trades', () => {
    const { stdout, commands } = bench('default.jsonl', []);
    assert.match(stdout, /workload: 3000 commands, seed 42, 8 symbols, counter ids: /);
    // A new order's id is its place in the workload, counted from 1 (cancels name earlier orders).
    commands.forEach((command, i) => assert.ok(command.op === 'cancel' || command.orderId === String(i + 1), JSON.stringify(command)));
    assert.ok(new Set(commands.map((command) => command.symbol)).size <= 8);
    const trades = tradesOf(commands);
    assert.ok(trades > 0);
    assert.match(stdout, new RegExp(`per pass: \\d+ events, ${trades} trades`));
    // The latency floor, taken by turns with the commands: percentiles in order, of a computation that takes time.
    const floor = /latency floor: p50 (\d+\.\d\d) µs, p99 (\d+\.\d\d) µs, p99\.9 (\d+\.\d\d) µs \(the same timing around a computation of constant cost, about as long as an average command, in blocks of 1,000 by turns with the commands: the machine's own stalls\)/.exec(stdout);
    assert.ok(floor, stdout);
    const [p50, p99, p999] = floor.slice(1).map(Number);
    assert.ok(p50 <= p99 && p99 <= p999, floor[0]);
    // Sized to an average command, its median is well above the timer's own cost (not an empty timing).
    const timer = Number(/includes ~(\d+) ns timer cost/.exec(stdout)?.[1]);
    assert.ok(p50 * 1000 > 2 * timer, `${floor[0]}; timer ${timer} ns`);
  });

  it('--ids uuid gives every order a distinct UUID and changes nothing else; --symbols spreads the orders over that many books', () => {
    const counter = bench('counter.jsonl', ['--seed', '7']).commands;
    const { stdout, commands } = bench('uuid.jsonl', ['--seed', '7', '--ids', 'uuid']);
    assert.match(stdout, /8 symbols, uuid ids: /);
    const ids = newOrders(commands).map((command) => command.orderId);
    assert.ok(ids.every((id) => UUID.test(id)), ids.find((id) => !UUID.test(id)));
    assert.equal(new Set(ids).size, ids.length);
    const withoutIds = (list: Command[]) => list.map(({ orderId: _, ...rest }) => rest);
    assert.deepEqual(withoutIds(commands), withoutIds(counter));
    assert.match(stdout, new RegExp(`per pass: \\d+ events, ${tradesOf(commands)} trades`));

    const thin = bench('thin.jsonl', ['--symbols', '400']);
    assert.match(thin.stdout, /400 symbols, counter ids: /);
    assert.ok(new Set(thin.commands.map((command) => command.symbol)).size > 300);
    assert.match(thin.stdout, new RegExp(`per pass: \\d+ events, ${tradesOf(thin.commands)} trades`));
  });

  it('--spread rests orders that far behind the touch: books of hundreds of levels a side, every price positive', () => {
    const { stdout, commands } = bench('deep.jsonl', ['--symbols', '1', '--spread', '1000']);
    assert.match(stdout, /1 symbols, counter ids, resting up to 1000 ticks behind the touch: /);
    assert.ok(newOrders(commands).every((command) => command.type === 'market' || (command.price as number) > 0));
    const engine = new MatchingEngine();
    let deepest = 0;
    for (const command of commands) {
      engine.process(command);
      const depth = engine.depth('AAA', Number.MAX_SAFE_INTEGER);
      deepest = Math.max(deepest, depth.bids.length, depth.asks.length);
    }
    // The default workload's books hold tens of levels a side; these, more than one chunk of a BookSide (256).
    assert.ok(deepest > 300, `at most ${deepest} levels a side`);
    assert.match(stdout, new RegExp(`per pass: \\d+ events, ${tradesOf(commands)} trades`));
  });

  it('--compare checks the trades and times both books in workers that build the same workload', () => {
    const { stdout, commands } = bench('compare.jsonl', ['--seed', '9', '--compare']);
    // The workers build the workload from the seed themselves: the trade count must be that of this one.
    const trades = playOnBoth(comparable(commands)).ours.length;
    assert.ok(trades > 0);
    assert.match(stdout, new RegExp(`compare: the same ${trades} trades as nodejs-order-book, in the same order`));
    const rates = /compare: ours ([\d,]+) commands\/s, nodejs-order-book ([\d,]+) commands\/s \(medians of 3 alternating passes, each in a worker of its own\): ×(\d+\.\d)/.exec(stdout);
    assert.ok(rates, stdout);
    const [ours, theirs] = [rates[1], rates[2]].map((figure) => Number(figure.replaceAll(',', '')));
    assert.ok(ours > 0 && theirs > 0);
    assert.equal(rates[3], (ours / theirs).toFixed(1));
  });

  it('refuses a bad flag with the reason and its usage, status 2', () => {
    for (const [flags, reason] of [
      [['--ids', 'guid'], /--ids "guid" must be counter or uuid/],
      [['--symbols', '0'], /--symbols "0" must be an integer from 1 to 100000/],
      [['--spread', '0'], /--spread "0" must be an integer from 1 to 1000000/],
      [['--commands', '1e3x'], /--commands "1e3x" must be an integer/],
      [['--fast'], /Unknown option '--fast'/],
    ] as const) {
      const result = spawnSync(process.execPath, [BENCH, ...flags], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(result.status, 2, flags.join(' '));
      assert.match(result.stderr, reason);
      assert.match(result.stderr, /usage: bench:engine -- /);
      assert.equal(result.stdout, '');
    }
  });

  it('says why it cannot write the workload (a folder, a missing folder), status 2, and runs no pass', () => {
    for (const target of [folder, join(folder, 'missing', 'workload.jsonl')]) {
      const result = spawnSync(process.execPath, [BENCH, '--commands', '1000', '--write', target], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(result.status, 2, target);
      assert.ok(result.stderr.startsWith(`bench:engine: cannot write the workload to ${target}: `), result.stderr);
      assert.match(result.stderr, /E(ISDIR|NOENT)/);
      assert.doesNotMatch(result.stdout, /throughput/);
    }
  });
});
