/**
 * The docker target for real: `lab up` applies the Pulumi program to the lab's
 * Docker engine (3 backends), orders go through the published nginx port, a
 * backend is killed under load, and `lab down` leaves nothing behind.
 * Run with `npm run test:containers` (root; see lab/).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { LAB_OWNER_LABEL, LAB_STACK_LABELS, readLabStackConfig } from '../../lab/applier/labStack';
import { execIn } from '../../lab/containerOps';
import { dockerClient, runningDaemonPid, startDaemon, stopDaemon } from '../../lab/daemon';
import { labPaths } from '../../lab/paths';
import { tarOf } from '../../lab/tarFile';
import { OrderOutcome, startOrderDriver } from './orderDriver';

const paths = labPaths();
const CLI = path.join(paths.repoRoot, 'dist', 'lab', 'cli.js');
const LOADTEST = path.join(paths.repoRoot, 'dist', 'loadtest', 'cli.js');
const OUTPUTS = path.join(paths.outputsDir, 'outputs.json');
const BACKENDS = 3;
const WORKERS = 16;

function node(args: string[], capture: boolean): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: paths.repoRoot, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

describe('the docker target on the lab engine (lab up / load / kill / lab down)', function () {
  this.timeout(20 * 60_000);
  const prefix = readLabStackConfig(paths.repoRoot).docker.namePrefix;
  const postgres = `${prefix}postgres`;
  let docker: Docker;
  let outputs: { loadBalancerUrl: string; backendCount: number; backends: { name: string }[]; engineShards: number; target: string; dockerHost: string };
  let wentDown = false;

  async function psql(sql: string): Promise<string> {
    const result = await execIn(docker, postgres, ['psql', '-U', 'hft', '-d', 'hft', '-v', 'ON_ERROR_STOP=1', '-tAc', sql]);
    assert.equal(result.exitCode, 0, result.stderr);
    return result.stdout.trim();
  }

  /** The acknowledged orderIds PostgreSQL does not hold (a 201 means committed). */
  async function missingInPostgres(outcomes: OrderOutcome[]): Promise<string[]> {
    const acked = outcomes.flatMap((o) => (o.orderId ? [o.orderId] : []));
    const file = `/tmp/acked-${process.pid}-${Date.now()}.txt`;
    await docker.getContainer(postgres).putArchive(tarOf([{ path: file, content: `${acked.join('\n')}\n` }]), { path: '/' });
    const missing = await psql(
      `SELECT id FROM unnest(string_to_array(pg_read_file('${file}'), E'\\n')) AS id ` +
        "WHERE id <> '' AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = id)",
    );
    return missing === '' ? [] : missing.split('\n');
  }

  before(async () => {
    const up = await node([CLI, 'up', '--backends', String(BACKENDS)], false);
    assert.equal(up.code, 0, 'lab up failed (its output is above)');
    outputs = JSON.parse(fs.readFileSync(OUTPUTS, 'utf8'));
    docker = dockerClient(paths);
  });

  after(async () => {
    if (!wentDown) await node([CLI, 'down'], false);
  });

  it('writes the stack outputs: the published load balancer, 3 backends, target docker, the engine socket', async () => {
    assert.equal(outputs.target, 'docker');
    assert.equal(outputs.backendCount, BACKENDS);
    assert.deepEqual(outputs.backends.map((b) => b.name), ['backend-1', 'backend-2', 'backend-3']);
    assert.equal(outputs.dockerHost, `unix://${paths.socketPath}`);
    const health = await fetch(new URL('/health', outputs.loadBalancerUrl));
    assert.equal(health.status, 200);
  });

  it('10 s of load through the published port: 201s and trades, every acknowledged order in PostgreSQL', async () => {
    const driver = startOrderDriver(outputs.loadBalancerUrl, WORKERS / 2, `lab-load-${Date.now()}`);
    const loadtest = fs.existsSync(LOADTEST)
      ? await node([LOADTEST, '--outputs', OUTPUTS, '--duration', '10s', '--connections', String(WORKERS), '--json'], true)
      : (await sleep(10_000), undefined);
    const outcomes = await driver.stop();

    const created = outcomes.filter((o) => o.status === 201);
    assert.ok(created.length > 0, 'no 201 from the order driver');
    assert.deepEqual(await missingInPostgres(outcomes), [], 'acknowledged orders missing from PostgreSQL');
    if (loadtest) {
      assert.equal(loadtest.code, 0, 'the load tester failed');
      const report = JSON.parse(loadtest.stdout) as { statusCodes: Record<string, number> };
      const loadCreated = report.statusCodes['201'] ?? 0;
      assert.ok(loadCreated > 0, `the load tester got no 201: ${JSON.stringify(report.statusCodes)}`);
      // Its orderIds are not reported: every 201 of both clients is a row (the stack started empty).
      const rows = Number(await psql('SELECT count(*) FROM orders'));
      assert.ok(rows >= loadCreated + created.length, `${rows} orders in PostgreSQL for ${loadCreated + created.length} acknowledgements`);
    }
    assert.ok(Number(await psql('SELECT count(*) FROM trades')) > 0, 'no trades in PostgreSQL');
  });

  it('docker kill of one backend: traffic goes on, at most the requests in flight fail', async () => {
    const driver = startOrderDriver(outputs.loadBalancerUrl, WORKERS, `lab-kill-${Date.now()}`);
    await sleep(2_000);
    const inFlightAtKill = driver.inFlight();
    await docker.getContainer(`${prefix}backend-2`).kill();
    const killedAt = Date.now();
    await sleep(5_000);
    const outcomes = await driver.stop();

    const failed = outcomes.filter((o) => o.status !== 201);
    const failedLater = failed.filter((o) => o.startedAt > killedAt);
    assert.deepEqual(failedLater, [], 'requests sent after the kill failed');
    assert.ok(failed.length <= WORKERS, `${failed.length} failures, more than the ${WORKERS} requests that can be in flight`);
    const servedAfter = outcomes.filter((o) => o.status === 201 && o.startedAt > killedAt).length;
    console.log(`      killed ${prefix}backend-2 with ${inFlightAtKill} requests in flight: ${failed.length} failed, ${servedAfter} acknowledged after it`);
    assert.ok(servedAfter > 0, 'no order was acknowledged after the kill');
    assert.deepEqual(await missingInPostgres(outcomes), [], 'acknowledged orders missing from PostgreSQL');
  });

  it('lab down removes every container, network and volume of the stack and stops the engine', async () => {
    const down = await node([CLI, 'down'], false);
    wentDown = true;
    assert.equal(down.code, 0);
    assert.equal(runningDaemonPid(paths), undefined, 'dockerd still runs');
    assert.equal(fs.existsSync(OUTPUTS), false);
    // Look on the engine itself: started again, it must hold nothing of the stack.
    const { docker: engine } = await startDaemon(paths);
    try {
      const filters = JSON.stringify({ label: [`${LAB_OWNER_LABEL}=${LAB_STACK_LABELS[LAB_OWNER_LABEL]}`] });
      assert.deepEqual((await engine.listContainers({ all: true, filters })).map((c) => c.Names), []);
      assert.deepEqual((await engine.listNetworks({ filters })).map((n) => n.Name), []);
      assert.deepEqual((await engine.listVolumes({ filters })).Volumes ?? [], []);
      assert.deepEqual((await engine.listContainers({ all: true, filters: JSON.stringify({ name: [prefix] }) })).map((c) => c.Names), []);
    } finally {
      await stopDaemon(paths);
    }
  });
});
