import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { stackPaths } from '../../local/paths';
import { isRunning } from '../../local/processes';
import { readState } from '../../local/state';
import { ProcessStatus } from '../../local/stack';
import { client } from '../harness/http';
import { runNodeScript, ScriptRun } from '../harness/nodeScript';
import { TempStack, tempStack } from './tempStack';

const CLI = path.join(__dirname, '..', '..', 'local', 'cli.js');
const LOADTEST = path.join(__dirname, '..', '..', 'loadtest', 'cli.js');
/** Symbols other than the default, one on a tick of its own: what the gateways accept shows they were passed on. */
const SYMBOLS = 'AAPL,ZZZ:0.05';

const cli = (args: string[]) => runNodeScript(CLI, args, 120_000);

describe('local stack CLI', function () {
  this.timeout(120_000);

  describe('up, status, down', () => {
    let stack: TempStack;
    let up: ScriptRun;

    before(async () => {
      stack = await tempStack();
      up = await cli(['up', '--dir', stack.dir, '--port', String(stack.port), '--backends', '2', '--symbols', SYMBOLS]);
    });
    after(() => stack?.cleanUp());

    it('starts every part, one progress line per step, and leaves them running after it exits', async () => {
      assert.equal(up.status, 0, up.stderr);
      for (const name of ['postgres', 'redis', 'engine-0', 'backend-1', 'backend-2', 'nginx']) {
        assert.match(up.stderr, new RegExp(`local: ${name} +pid \\d+ +port \\d+ +healthy`), name);
      }
      assert.match(up.stderr, /migrations applied/);
      const outputs = JSON.parse(fs.readFileSync(stackPaths(stack.dir).outputsFile, 'utf8'));
      assert.deepEqual(Object.keys(outputs).sort(), ['backendCount', 'backends', 'databaseUrl', 'engineShards', 'loadBalancerUrl', 'redisUrl', 'symbols', 'target']);
      assert.equal(outputs.loadBalancerUrl, `http://127.0.0.1:${stack.port}`);
      assert.equal(outputs.backendCount, 2);
      assert.deepEqual(outputs.backends.map((b: { name: string }) => b.name), ['backend-1', 'backend-2']);
      assert.equal(outputs.target, 'local');
      const response = await fetch(`${outputs.loadBalancerUrl}/ready`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('x-backend-id') ?? '', /^backend-[12]$/);
    });

    it('trades the --symbols given, on their ticks, and the load tester sends its orders on them', async () => {
      const outputs = JSON.parse(fs.readFileSync(stackPaths(stack.dir).outputsFile, 'utf8'));
      assert.equal(outputs.symbols, SYMBOLS);
      const api = client(outputs.loadBalancerUrl);
      const place = (symbol: string, price: string) =>
        api.post('/api/orders', { symbol, side: 'buy', type: 'limit', price, quantity: 1, account: 'symbols-test' });
      assert.equal((await place('ZZZ', '100.05')).status, 201);
      const offGrid = await place('ZZZ', '100.01');
      assert.equal(offGrid.status, 400, JSON.stringify(offGrid.body));
      assert.equal((await place('MSFT', '100.00')).status, 400, 'a default symbol left out of --symbols');

      const load = await runNodeScript(LOADTEST, ['--outputs', stackPaths(stack.dir).outputsFile, '--duration', '1s', '--connections', '4', '--json'], 30_000);
      assert.equal(load.status, 0, load.stderr);
      assert.match(load.stderr, /orders on AAPL,ZZZ:0\.05/);
      const report = JSON.parse(load.stdout) as { requests: number; statusCodes: Record<string, number> };
      assert.ok(report.requests > 0);
      assert.deepEqual(Object.keys(report.statusCodes), ['201'], JSON.stringify(report.statusCodes));
    });

    it('status lists each process with its pid, port and health', async () => {
      const json = await cli(['status', '--json', '--dir', stack.dir]);
      assert.equal(json.status, 0, json.stderr);
      const report = JSON.parse(json.stdout) as { healthy: boolean; processes: ProcessStatus[] };
      assert.equal(report.healthy, true);
      assert.deepEqual(report.processes.map((p) => p.name), ['postgres', 'redis', 'engine-0', 'backend-1', 'backend-2', 'nginx']);
      for (const p of report.processes) assert.ok(p.pid > 0 && p.port > 0 && p.running && p.healthy, p.name);

      const table = await cli(['status', '--dir', stack.dir]);
      assert.equal(table.status, 0);
      assert.match(table.stdout, /^NAME +PID +PORT +STATE +LOG$/m);
      assert.match(table.stdout, new RegExp(`^nginx +\\d+ +${stack.port} +healthy +logs/nginx.log$`, 'm'));
    });

    it('up again says the stack is running and starts no second copy', async () => {
      const before = readState(stackPaths(stack.dir))!.processes.map((p) => p.pid);
      const again = await cli(['up', '--dir', stack.dir, '--port', String(stack.port)]);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /a local stack is already running in .* \(postgres, redis, engine-0, backend-1, backend-2, nginx\): see it with npm run local:status, stop it with npm run local:down/);
      assert.deepEqual(readState(stackPaths(stack.dir))!.processes.map((p) => p.pid), before);
    });

    it('down stops every process and keeps the data; status then finds no stack', async () => {
      const records = readState(stackPaths(stack.dir))!.processes;
      const down = await cli(['down', '--dir', stack.dir]);
      assert.equal(down.status, 0, down.stderr);
      for (const record of records) {
        assert.equal(isRunning(record), false, `${record.name} (pid ${record.pid}) still runs`);
        assert.match(down.stderr, new RegExp(`local: ${record.name} +pid ${record.pid} +stopped`));
      }
      assert.ok(fs.existsSync(path.join(stackPaths(stack.dir).postgresData, 'PG_VERSION')), 'PostgreSQL data kept');
      assert.ok(!fs.existsSync(stackPaths(stack.dir).outputsFile), 'outputs of a stopped stack removed');

      const status = await cli(['status', '--dir', stack.dir]);
      assert.equal(status.status, 1);
      assert.match(status.stdout, /no local stack in/);

      const purge = await cli(['down', '--purge', '--dir', stack.dir]);
      assert.equal(purge.status, 0, purge.stderr);
      assert.ok(!fs.existsSync(stackPaths(stack.dir).postgresData), 'data deleted');
    });
  });

  describe('errors', () => {
    let stack: TempStack;
    before(async () => {
      stack = await tempStack();
    });
    after(() => stack?.cleanUp());

    it('a taken load balancer port names the port and the flag, and starts nothing', async () => {
      const squatter = net.createServer();
      await new Promise<void>((resolve) => squatter.listen(stack.port, '127.0.0.1', resolve));
      try {
        const up = await cli(['up', '--dir', stack.dir, '--port', String(stack.port)]);
        assert.equal(up.status, 1);
        assert.match(up.stderr, new RegExp(`port ${stack.port} \\(the load balancer\\) is already in use on 127.0.0.1: free it or choose another with --port PORT`));
        assert.equal(readState(stackPaths(stack.dir)), undefined);
      } finally {
        squatter.close();
      }
    });

    it('bad flags and commands print the usage and exit 2', async () => {
      for (const args of [[], ['start'], ['up', '--backends', '0'], ['up', '--ports', '1'], ['up', '--symbols', 'aapl'], ['up', '--symbols', ''], ['status', 'extra'], ['restart']]) {
        const run = await cli(args);
        assert.equal(run.status, 2, args.join(' '));
        assert.match(run.stderr, /usage:\n {2}npm run local:up/);
      }
    });

    it('down without a stack says there is nothing to stop, and no word of data kept', async () => {
      const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-cli-empty-'));
      try {
        const run = await cli(['down', '--dir', emptyDir]);
        assert.equal(run.status, 0);
        assert.equal(run.stderr, `local: no local stack state in ${emptyDir}; nothing to stop\n`);
      } finally {
        fs.rmSync(emptyDir, { recursive: true, force: true });
      }
    });

    it('restart of an unknown process or without a stack says what exists', async () => {
      const run = await cli(['restart', 'backend-9', '--dir', stack.dir]);
      assert.equal(run.status, 1);
      assert.match(run.stderr, /there is no local stack in .* \(npm run local:up starts one\)/);
    });
  });
});
