import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { childPids, cpuSeconds, wakeUps } from '../../local/processCpu';

/** Burns 300 ms of its own CPU, prints "busy", then idles until killed. */
const BURN_THEN_IDLE = `while (process.cpuUsage().user < 300000); process.stdout.write('busy\\n'); setInterval(() => {}, 1000);`;

/** Sleeps on a 2 ms timer 100 times, prints "slept", then idles until killed. */
const SLEEP_OFTEN = `let left = 100; const nap = () => (left-- > 0 ? setTimeout(nap, 2) : process.stdout.write('slept\\n')); nap(); setInterval(() => {}, 1000);`;

/** Half of SLEEP_OFTEN's naps. */
const MANY_WAKE_UPS = 50;

/** A child of this process that has printed `signal` after running `script`. */
function childAfter(script: string, signal: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(signal)) resolve(child);
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
    child = await childAfter(BURN_THEN_IDLE, 'busy');
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

  it('counts the wake-ups of a process that sleeps often, also among its parent’s children', async function () {
    child = await childAfter(SLEEP_OFTEN, 'slept');
    const pid = child.pid!;
    // 103–104 measured, against 4–5 for a child that sleeps once. Not 100: a nap whose timer is already due
    // when the process gets the core back (preempted on a busy machine) does not block, so it is no wake-up.
    assert.ok(wakeUps(pid) >= MANY_WAKE_UPS, `the child's wake-ups: ${wakeUps(pid)}`);
    const withChildren = wakeUps(process.pid, { children: true });
    assert.ok(withChildren - wakeUps(process.pid) >= MANY_WAKE_UPS, `with children ${withChildren}, own ${wakeUps(process.pid)}`);
  });

  it('gives 0 for a process that does not exist', function () {
    const unknown = 2 ** 31 - 1;
    assert.equal(wakeUps(unknown, { children: true }), 0);
    assert.equal(cpuSeconds(unknown), 0);
    assert.equal(cpuSeconds(unknown, { children: true, reaped: true }), 0);
    assert.deepEqual(childPids(unknown), []);
  });
});
