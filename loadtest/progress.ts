/**
 * The live progress line on stderr: rewritten in place on a terminal, a plain
 * line every few seconds otherwise (CI logs, pipes), so stdout stays free for --json.
 */
import { LoadStats } from './stats';

const PLAIN_LINE_EVERY_MS = 5000;

export interface Progress {
  update(stats: LoadStats, elapsedMs: number): void;
  /** Ends the in-place line so that what follows starts on a fresh one. */
  finish(): void;
}

export function progressLine(stream: NodeJS.WriteStream, totalMs: number): Progress {
  const interactive = stream.isTTY === true;
  let lastSucceeded = 0;
  let lastElapsedMs = 0;
  let lastPrintedMs = 0;
  let wroteInPlace = false;

  return {
    update(stats, elapsedMs) {
      const windowMs = elapsedMs - lastElapsedMs;
      const perSecond = windowMs > 0 ? Math.round(((stats.succeeded - lastSucceeded) * 1000) / windowMs) : 0;
      lastSucceeded = stats.succeeded;
      lastElapsedMs = elapsedMs;
      const line =
        `${(elapsedMs / 1000).toFixed(0).padStart(4)}s/${Math.round(totalMs / 1000)}s` +
        `  ${String(perSecond).padStart(7)} orders/s  ${stats.succeeded} ok  ${stats.failed} failed`;
      if (interactive) {
        stream.write(`\r${line}\x1b[K`);
        wroteInPlace = true;
      } else if (elapsedMs - lastPrintedMs >= PLAIN_LINE_EVERY_MS) {
        stream.write(`${line}\n`);
        lastPrintedMs = elapsedMs;
      }
    },
    finish() {
      if (wroteInPlace) stream.write('\n');
    },
  };
}
