import * as assert from 'node:assert/strict';
import { progressLine } from '../../loadtest/progress';
import { LoadStats } from '../../loadtest/stats';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

function statsAfter(succeeded: number, failedResponses: number): LoadStats {
  const stats = new LoadStats();
  for (let i = 0; i < succeeded; i++) stats.recordResponse(201, 1);
  for (let i = 0; i < failedResponses; i++) stats.recordResponse(503, 1);
  return stats;
}

describe('loadtest progress line', () => {
  it('rewrites one line in place on a terminal, with elapsed time, orders/s and failures', () => {
    const { stream, written } = fakeStream(true);
    const progress = progressLine(stream, 20_000);
    progress.update(statsAfter(1000, 2), 1000);
    progress.update(statsAfter(3000, 2), 2000);
    progress.finish();
    assert.equal(written.length, 3);
    assert.match(written[0], /^\r +1s\/20s +1000 orders\/s +1000 ok +2 failed\x1b\[K$/);
    assert.match(written[1], /^\r +2s\/20s +2000 orders\/s +3000 ok +2 failed\x1b\[K$/);
    assert.equal(written[2], '\n');
  });

  it('prints a plain line every few seconds when stderr is not a terminal', () => {
    const { stream, written } = fakeStream(false);
    const progress = progressLine(stream, 20_000);
    for (let second = 1; second <= 12; second++) progress.update(statsAfter(second * 10, 0), second * 1000);
    progress.finish();
    assert.deepEqual(written.map((line) => line.trim().split(/\s+/)[0]), ['5s/20s', '10s/20s']);
    assert.ok(written.every((line) => line.endsWith('\n') && !line.includes('\r')));
  });
});
