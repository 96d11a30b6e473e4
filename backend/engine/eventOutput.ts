import type { Writable } from 'node:stream';
import type { EngineEvent } from './types';

/** Output is written in chunks of about this many characters: few write calls, bounded memory. */
const CHUNK_CHARACTERS = 1 << 20;

/**
 * Write every event as one JSON line. Resolves false if the reader went away
 * (EPIPE, e.g. `| head`), a normal way for output to end; rejects on any
 * other write error. The error listener stays on `output`, so that an EPIPE
 * reported after the last write is ignored too.
 */
export async function writeEventLines(output: Writable, events: readonly EngineEvent[]): Promise<boolean> {
  let failure: NodeJS.ErrnoException | undefined;
  output.on('error', (error: NodeJS.ErrnoException) => {
    failure ??= error;
  });
  const readerGone = () => failure?.code === 'EPIPE' || output.destroyed;
  const write = async (chunk: string) => {
    if (!output.write(chunk)) await settled(output);
    if (failure !== undefined && failure.code !== 'EPIPE') throw failure;
  };

  let chunk = '';
  for (const event of events) {
    chunk += JSON.stringify(event) + '\n';
    if (chunk.length >= CHUNK_CHARACTERS) {
      await write(chunk);
      chunk = '';
      if (readerGone()) return false;
    }
  }
  if (chunk !== '') await write(chunk);
  return !readerGone();
}

/** Resolves on the first of 'drain', 'close' or 'error': the caller looks at the stream's state afterwards. */
function settled(output: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      for (const name of ['drain', 'close', 'error']) output.off(name, done);
      resolve();
    };
    for (const name of ['drain', 'close', 'error']) output.on(name, done);
  });
}

export interface TradeTotals {
  trades: number;
  /** Σ quantity. BigInt: totals over a long replay can pass 2^53. */
  volume: bigint;
  /** Σ price × quantity. */
  notional: bigint;
}

export function tradeTotals(events: readonly EngineEvent[]): TradeTotals {
  const totals: TradeTotals = { trades: 0, volume: 0n, notional: 0n };
  for (const event of events) {
    if (event.type !== 'trade') continue;
    totals.trades++;
    totals.volume += BigInt(event.quantity);
    totals.notional += BigInt(event.price) * BigInt(event.quantity);
  }
  return totals;
}
