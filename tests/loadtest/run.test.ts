import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { buildReport, formatReport, LoadReport, missedThresholds } from '../../loadtest/report';
import { LoadResult, runLoad } from '../../loadtest/run';
import { NO_BACKEND } from '../../loadtest/stats';
import { runNodeScript } from '../harness/nodeScript';
import { FakeGateway, startFakeGateway } from './fakeGateway';

const CLI = path.join(__dirname, '..', '..', 'loadtest', 'cli.js');

const runCli = (args: string[]) => runNodeScript(CLI, args, 30_000);

describe('loadtest run (against a fake gateway)', () => {
  let gateway: FakeGateway;
  let result: LoadResult;
  let report: LoadReport;
  const responses: Array<{ status: number; body: string; backendId: string | undefined }> = [];

  before(async () => {
    gateway = await startFakeGateway(['backend-1', 'backend-2']);
    result = await runLoad({
      url: gateway.url,
      durationMs: 1000,
      connections: 8,
      maxRequests: 3000,
      mix: { runId: 'test' },
      onResponse: (status, body, backendId) => responses.push({ status, body, backendId }),
    });
    report = buildReport(
      result,
      { url: gateway.url, target: 'test', backendNames: ['backend-1', 'backend-2', 'backend-3'], source: 'test' },
      { connections: 8 },
    );
  });
  after(() => gateway?.close());

  it('posts a varied order in every request', () => {
    assert.ok(gateway.orders.length > 0);
    const ids = gateway.orders.map((o) => o.clientOrderId);
    assert.equal(new Set(ids).size, ids.length, 'clientOrderIds are unique');
    assert.ok(new Set(gateway.orders.map((o) => o.symbol)).size > 3);
    assert.ok(gateway.orders.length <= 3000, 'bounded by maxRequests');
  });

  it('counts responses by status code and by X-Backend-Id', () => {
    const { stats } = result;
    assert.equal(stats.responses, responses.length);
    assert.equal(stats.statusCounts.get(201), stats.responses);
    assert.equal(stats.succeeded, stats.responses);
    assert.equal((stats.backendCounts.get('backend-1') ?? 0) + (stats.backendCounts.get('backend-2') ?? 0), stats.responses);
    assert.equal(stats.backendCounts.get(NO_BACKEND), undefined);
    assert.ok(responses.every((r) => JSON.parse(r.body).orderId.startsWith('o-')));
  });

  it('reports rate, success, latency percentiles and every listed backend', () => {
    assert.equal(report.requests, result.stats.responses);
    assert.equal(report.successPercent, 100);
    assert.deepEqual(report.statusCodes, { 201: result.stats.responses });
    assert.ok(report.ordersPerSecond > 0);
    const { p50, p90, p99, p999, max } = report.latencyMs;
    assert.ok(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= max, JSON.stringify(report.latencyMs));
    assert.deepEqual(report.backends.map((b) => b.name), ['backend-1', 'backend-2', 'backend-3']);
    assert.equal(report.backends[2].responses, 0);
    // The fake gateway alternates backends; the requests still in flight at the end (one per connection
    // at most) are handled but not counted, so the two counts may differ by that much and one more.
    const [first, second] = report.backends;
    assert.ok(Math.abs(first.responses - second.responses) <= 8 + 1, `${first.responses} vs ${second.responses}`);
    assert.ok(Math.abs(first.percent + second.percent - 100) <= 0.01 + 1e-9, `${first.percent} + ${second.percent}`);

    const table = formatReport(report);
    for (const label of ['orders/s', 'success', 'status codes', 'latency (ms)', 'p99.9', 'backend-3']) assert.ok(table.includes(label), label);
  });

  it('lists the thresholds a run misses', () => {
    assert.deepEqual(missedThresholds(report, { minRate: 1, maxP99Ms: 60_000 }), []);
    const missed = missedThresholds(report, { minRate: 1e9, maxP99Ms: 0.0001 });
    assert.equal(missed.length, 2);
    assert.match(missed[0], /below --min-rate 1000000000/);
    assert.match(missed[1], /above --max-p99 0.0001/);
  });

  it('CLI: --json prints the report on stdout and a missed --min-rate exits 1', async () => {
    const run = await runCli(['--url', gateway.url, '--duration', '500ms', '--connections', '4', '--json', '--min-rate', '1e9']);
    assert.equal(run.status, 1, run.stderr);
    const printed = JSON.parse(run.stdout) as LoadReport;
    assert.equal(printed.target.url, gateway.url);
    assert.ok(printed.requests > 0);
    assert.match(run.stderr, /orders\/s .* is below --min-rate 1000000000/);
  });

  it('CLI: bad flags print the usage and exit 2', () => {
    for (const args of [['--bogus'], ['--connections', 'many'], ['--url', 'http://a', '--stack', 'dev'], ['--duration', 'soon']]) {
      const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 2, args.join(' '));
      assert.match(run.stderr, /usage: npm run loadtest/);
    }
  });
});
