/** StopSignal: what the services' blocking reads race against, read after read for as long as they run. */
import { strict as assert } from 'node:assert';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { StopSignal } from '../../../backend/streams';

/** The collector, as `--expose-gc` would give it, without restarting mocha with that flag. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('StopSignal', function () {
  it('keeps nothing of a race once its command has settled (each stream reply would stay in memory otherwise)', async function () {
    const gc = collector();
    const signal = new StopSignal();
    const replies: WeakRef<object>[] = [];
    // In a function of its own, so that no variable of this test still holds the last reply.
    const readThree = async () => {
      for (let i = 0; i < 3; i++) {
        const reply = { entries: 'x'.repeat(64 * 1024) };
        replies.push(new WeakRef(reply));
        assert.equal(await signal.race(Promise.resolve(reply)), reply);
      }
    };
    await readThree();
    // WeakRefs hold their target until the current job ends.
    await nextTurn();
    await nextTurn();
    gc();
    assert.deepEqual(
      replies.map((reply) => reply.deref() === undefined),
      [true, true, true],
    );
  });

  it('answers undefined to a pending race when stopped, and at once to any race after', async function () {
    const signal = new StopSignal();
    const pending = signal.race(new Promise<string>(() => undefined));
    assert.equal(signal.pendingRaces, 1);
    signal.stop();
    assert.equal(await pending, undefined);
    assert.equal(signal.pendingRaces, 0);
    assert.equal(await signal.race(Promise.resolve('late')), undefined);
  });

  it("passes its command's result or error through while running", async function () {
    const signal = new StopSignal();
    assert.equal(await signal.race(Promise.resolve(7)), 7);
    await assert.rejects(signal.race(Promise.reject(new Error('connection lost'))), /connection lost/);
    assert.equal(signal.pendingRaces, 0);
  });

  it('swallows the rejection of a command that fails after the stop (no unhandled rejection)', async function () {
    const signal = new StopSignal();
    let fail!: (error: Error) => void;
    const raced = signal.race(new Promise<never>((_resolve, reject) => (fail = reject)));
    signal.stop();
    assert.equal(await raced, undefined);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      fail(new Error('disconnected'));
      await nextTurn();
      await nextTurn();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(unhandled, []);
  });
});
