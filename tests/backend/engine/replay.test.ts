import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MatchingEngine, type Command, type EngineEvent } from '../../../backend/engine';

// The compiled CLI, next to this compiled test: dist/tests/backend/engine → dist/backend/engine.
const REPLAY = resolve(__dirname, '../../../backend/engine/replay.js');

describe('engine:replay CLI', () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'engine-replay-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  function replay(name: string, content: string, flags: string[] = []) {
    const file = join(folder, name);
    writeFileSync(file, content);
    return spawnSync(process.execPath, [REPLAY, ...flags, file], { encoding: 'utf8', timeout: 20_000, maxBuffer: 64 << 20 });
  }

  /** The events a successful replay wrote, one per stdout line. */
  function eventsOf(result: ReturnType<typeof replay>): EngineEvent[] {
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim().split('\n').map((line) => JSON.parse(line) as EngineEvent);
  }

  it('writes one JSON event per line and a summary line on stderr', () => {
    const result = replay(
      'ok.jsonl',
      [
        '{"op":"new","orderId":"17","symbol":"AAA","side":"buy","type":"limit","price":10003,"quantity":25,"timeInForce":"GTC","account":"a1"}',
        '',
        '{"op":"new","orderId":"16","symbol":"AAA","side":"buy","type":"limit","price":10001,"quantity":5}',
        '   ',
        '{"op":"new","orderId":"18","symbol":"AAA","side":"sell","type":"market","quantity":40}\r',
        '{"op":"cancel","orderId":"17","symbol":"AAA"}',
        '{"op":"new","orderId":"19","symbol":"AAA","side":"buy","type":"limit","quantity":1}',
      ].join('\n'),
    );
    const events = eventsOf(result);
    assert.deepEqual(
      events.map((event) => event.type),
      ['accepted', 'accepted', 'accepted', 'trade', 'trade', 'cancelled', 'rejected', 'rejected'],
    );
    assert.deepEqual(events.filter((event) => event.type === 'trade'), [
      { type: 'trade', symbol: 'AAA', tradeId: '18-1', makerOrderId: '17', takerOrderId: '18', takerSide: 'sell', price: 10003, quantity: 25 },
      { type: 'trade', symbol: 'AAA', tradeId: '18-2', makerOrderId: '16', takerOrderId: '18', takerSide: 'sell', price: 10001, quantity: 5 },
    ]);
    assert.match(result.stderr, /^commands=5 events=8 trades=2 volume=30 notional=300080 match_rate=\d+\n$/);
  });

  it('reads a file that starts with a UTF-8 byte order mark, and cancels without symbol, integer ids and market prices as documented', () => {
    const result = replay(
      'bom.jsonl',
      '\ufeff' +
        [
          '{"op":"new","orderId":1,"symbol":"AAA","side":"sell","type":"limit","price":100,"quantity":5}',
          '{"op":"new","orderId":2,"symbol":"AAA","side":"buy","type":"market","price":0,"quantity":2}',
          '{"op":"cancel","orderId":1}',
        ].join('\n'),
    );
    const events = eventsOf(result);
    assert.deepEqual(
      events.map((event) => [event.type, event.type === 'trade' ? event.takerOrderId : event.orderId]),
      [['accepted', '1'], ['accepted', '2'], ['trade', '2'], ['cancelled', '1']],
    );
    assert.deepEqual(events[3], { type: 'cancelled', symbol: 'AAA', orderId: '1', remainingQuantity: 3, reason: 'user' });
  });

  it('writes every event once and in order across its output chunks (more events than two chunks)', () => {
    // Buys and sells around one price, with cancels of earlier orders: trades, rests, cancels and rejections.
    const commands: Command[] = Array.from({ length: 120_000 }, (_, i): Command =>
      i % 5 === 4
        ? { op: 'cancel', orderId: String(i - 3), symbol: 'AAA' }
        : { op: 'new', orderId: String(i), symbol: 'AAA', side: i % 2 === 0 ? 'buy' : 'sell', type: 'limit', price: 100 + ((i * 7) % 5) - 2, quantity: 1 + (i % 9) },
    );
    const engine = new MatchingEngine();
    const expected = commands.flatMap((command) => engine.process(command));
    const content = commands.map((command) => JSON.stringify(command)).join('\n');
    // Warmed up (the default: the same commands matched first on throwaway engines) and --cold alike.
    for (const flags of [[], ['--cold']]) {
      const result = replay('chunks.jsonl', content, flags);
      const events = eventsOf(result);
      // CHUNK_EVENTS in replay.ts is 65,536.
      assert.ok(expected.length > 2 * 65_536 && expected.some((event) => event.type === 'trade'));
      assert.deepEqual(events, expected);
      assert.match(result.stderr, new RegExp(`^commands=120000 events=${expected.length} `));
    }
  });

  it('refuses anything but one file, after an optional --cold, with usage and status 2', () => {
    const file = join(folder, 'one.jsonl');
    writeFileSync(file, '{"op":"cancel","orderId":"1","symbol":"AAA"}\n');
    for (const args of [[], ['--cold'], [file, file], ['--warm', file], [file, '--cold']]) {
      const result = spawnSync(process.execPath, [REPLAY, ...args], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, /^usage: npm run --silent engine:replay -- \[--cold\] FILE/);
      assert.equal(result.stdout, '');
    }
  });

  it('sums notional beyond 2^53 exactly', () => {
    const price = 2 ** 52;
    const result = replay(
      'big.jsonl',
      `{"op":"new","orderId":"1","symbol":"X","side":"sell","type":"limit","price":${price},"quantity":1000}\n` +
        '{"op":"new","orderId":"2","symbol":"X","side":"buy","type":"market","quantity":1000}\n',
    );
    assert.match(result.stderr, new RegExp(`notional=${BigInt(price) * 1000n} `));
  });

  it('stops before matching anything on a malformed line, naming it, with status 2', () => {
    const valid = '{"op":"new","orderId":"1","symbol":"AAA","side":"buy","type":"limit","price":100,"quantity":1}';
    for (const [bad, why] of [
      ['{"op":"new",', /not JSON/],
      ['[1, 2]', /not a JSON object/],
      ['{"op":"amend","orderId":"1"}', /unknown op "amend"/],
    ] as const) {
      const result = replay('bad.jsonl', `${valid}\n\n${bad}\n${valid}\n`);
      assert.equal(result.status, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /bad\.jsonl:3: malformed command/);
      assert.match(result.stderr, why);
    }
  });

  it('says clearly that a file is missing, with status 2', () => {
    const result = spawnSync(process.execPath, [REPLAY, join(folder, 'absent.jsonl')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /cannot read .*absent\.jsonl: no such file/);
  });

  it('ends quietly when the reader closes the pipe early', () => {
    const lines = Array.from({ length: 30_000 }, (_, i) =>
      JSON.stringify({ op: 'new', orderId: String(i), symbol: 'AAA', side: 'buy', type: 'limit', price: 100 + (i % 7), quantity: 1 }),
    );
    const file = join(folder, 'many.jsonl');
    writeFileSync(file, lines.join('\n'));
    const result = spawnSync('sh', ['-c', `"${process.execPath}" "${REPLAY}" "${file}" | head -n 1`], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.stdout.split('\n').length, 2);
    assert.doesNotMatch(result.stderr, /EPIPE|Error/);
    assert.match(result.stderr, /commands=30000 /);
  });
});
