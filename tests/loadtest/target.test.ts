import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDuration } from '../../loadtest/duration';
import { main } from '../../loadtest/cli';
import { checkReachable, inClusterHint, resolveTarget, targetFromOutputs, TargetError } from '../../loadtest/target';
import { freePort } from '../../local/dataTier';
import { startFakeGateway } from './fakeGateway';

describe('loadtest target', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-target-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads backends listed as names or as objects with a name', () => {
    const names = targetFromOutputs(
      { loadBalancerUrl: 'http://127.0.0.1:8080/', backends: ['backend-1', 'backend-2'], target: 'docker' },
      'names',
    );
    assert.deepEqual(names, { url: 'http://127.0.0.1:8080', target: 'docker', backendNames: ['backend-1', 'backend-2'], source: 'names' });
    const objects = targetFromOutputs(
      { loadBalancerUrl: 'http://127.0.0.1:8080', backends: [{ name: 'backend-1', url: 'http://127.0.0.1:40001' }], target: 'local' },
      'objects',
    );
    assert.deepEqual(objects.backendNames, ['backend-1']);
  });

  it('reads the symbols the stack trades, when its outputs give them', () => {
    const outputs = { loadBalancerUrl: 'http://127.0.0.1:8080', target: 'docker' };
    assert.equal(targetFromOutputs({ ...outputs, symbols: 'AAPL,ZZZ:0.05' }, 'x.json').symbols, 'AAPL,ZZZ:0.05');
    // A stack deployed before the output existed: the load tester falls back to the default symbols.
    assert.equal(targetFromOutputs(outputs, 'x.json').symbols, undefined);
    assert.throws(() => targetFromOutputs({ ...outputs, symbols: 'AAPL,btc' }, 'x.json'), /x\.json: the "symbols" output: SYMBOLS: "btc" is not SYMBOL/);
    assert.throws(() => targetFromOutputs({ ...outputs, symbols: ['AAPL'] }, 'x.json'), /x\.json: "symbols" must be a SYMBOLS list/);
  });

  it('says how to reach a load balancer named by its in-cluster DNS name, and nothing for other URLs', () => {
    assert.equal(
      inClusterHint({ url: 'http://nginx.hft.svc.cluster.local:8080' }),
      "nginx.hft.svc.cluster.local is the Service's name inside the cluster: from outside it, forward a port to it " +
        '(kubectl port-forward -n hft svc/nginx 8080:8080) and pass --url http://127.0.0.1:8080',
    );
    assert.match(
      inClusterHint({ url: 'http://nginx.trading.svc.corp.example', symbols: 'AAPL,ZZZ:0.05' }),
      /port-forward -n trading svc\/nginx 80:80\) and pass --url http:\/\/127\.0\.0\.1:80 --symbols AAPL,ZZZ:0\.05$/,
    );
    for (const url of ['http://127.0.0.1:8080', 'http://localhost:30080', 'http://203.0.113.10:8080', 'http://lb.example.com']) {
      assert.equal(inClusterHint({ url, symbols: 'AAPL' }), '', url);
    }
  });

  it('names the file and the missing or bad output', () => {
    assert.throws(() => targetFromOutputs({ backends: [] }, 'x.json'), /x\.json: there is no "loadBalancerUrl" output/);
    assert.throws(() => targetFromOutputs({ loadBalancerUrl: 'nginx' }, 'x.json'), /"nginx" is not a URL/);
    assert.throws(() => targetFromOutputs({ loadBalancerUrl: 'http://a', backends: [3] }, 'x.json'), /backends\[0\]/);
  });

  it('reads an outputs file and explains a missing one', async () => {
    const file = path.join(dir, 'outputs.json');
    fs.writeFileSync(file, JSON.stringify({ loadBalancerUrl: 'http://127.0.0.1:9', backends: ['b1'], target: 'local' }));
    assert.equal((await resolveTarget({ outputs: file })).url, 'http://127.0.0.1:9');
    await assert.rejects(resolveTarget({ outputs: path.join(dir, 'none.json') }), (error: Error) => {
      assert.ok(error instanceof TargetError);
      assert.match(error.message, /none\.json does not exist: start the local stack \(npm run local:up\)/);
      return true;
    });
  });

  it('says so when the pulumi CLI is missing', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = dir;
    try {
      await assert.rejects(resolveTarget({ stack: 'dev' }), /the pulumi CLI is not installed/);
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('finds a target that answers reachable, even with a 404 for /health, and names a closed port', async () => {
    const gateway = await startFakeGateway(['b1']);
    try {
      await checkReachable({ url: gateway.url, target: 'url', backendNames: [], source: '--url' });
    } finally {
      await gateway.close();
    }
    const closed = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(checkReachable({ url: closed, target: 'local', backendNames: [], source: 'outputs.json' }), (error: Error) => {
      assert.ok(error instanceof TargetError);
      assert.equal(error.message, `nothing answers at ${closed} (outputs.json): ECONNREFUSED; is the stack up?`);
      return true;
    });
  });

  it('the load tester stops with status 1 when nothing answers at the target', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    assert.equal(await main(['--url', closed, '--duration', '1s']), 1);
  });

  it('parses durations', () => {
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('1500ms'), 1500);
    assert.equal(parseDuration('10'), 10_000);
    assert.throws(() => parseDuration('soon'), /not a duration/);
    assert.throws(() => parseDuration('0s'), /not a positive duration/);
  });
});
