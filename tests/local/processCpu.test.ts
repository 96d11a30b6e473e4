import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { childPids, cpuSeconds } from '../../local/processCpu';

/** Burns 300 ms of its own CPU, prints "busy", then idles until killed. */
const BURN_THEN_IDLE = `while (process.cpuUsage().user < 300000); process.stdout.write('busy\\n'); setInterval(() => {}, 1000);`;

/** A busy child of this process, once it has burnt its CPU. */
function busyChild(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', BURN_THEN_IDLE], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('busy')) resolve(child);
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

describe('processCpu (from /proc)', function () {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  it('counts a busy process, its time among its parent’s live children, then among its reaped children', async function () {
    child = await busyChild();
    const pid = child.pid!;
    assert.ok(cpuSeconds(pid) >= 0.2, `the child's own CPU: ${cpuSeconds(pid)} s`);
    assert.ok(childPids(process.pid).includes(pid));

    const own = cpuSeconds(process.pid);
    const withChildren = cpuSeconds(process.pid, { children: true });
    assert.ok(withChildren - own >= 0.2, `with children ${withChildren} s, own ${own} s`);

    const reapedBefore = cpuSeconds(process.pid, { reaped: true }) - cpuSeconds(process.pid);
    child.kill('SIGTERM');
    await exited(child);
    const reapedAfter = cpuSeconds(process.pid, { reaped: true }) - cpuSeconds(process.pid);
    assert.ok(reapedAfter - reapedBefore >= 0.2, `reaped children: ${reapedBefore} s before, ${reapedAfter} s after`);
    assert.ok(!childPids(process.pid).includes(pid));
  });

  it('gives 0 for a process that does not exist', function () {
    const unknown = 2 ** 31 - 1;
    assert.equal(cpuSeconds(unknown), 0);
    assert.equal(cpuSeconds(unknown, { children: true, reaped: true }), 0);
    assert.deepEqual(childPids(unknown), []);
  });
});
