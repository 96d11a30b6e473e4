import type { EngineEvent } from './types';

/** Output is written in chunks of about this many characters: few syscalls, bounded memory. */
const CHUNK_CHARACTERS = 1 << 20;

/**
 * Write every event as one JSON line. Returns false if the reader went away
 * (EPIPE, e.g. `| head`): a normal way for output to end, so it is not an error.
 */
export async function writeEventLines(output: NodeJS.WritableStream & { destroyed: boolean }, batches: EngineEvent[][]): Promise<boolean> {
  let readerGone = false;
  output.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    readerGone = true;
  });
  const write = async (chunk: string) => {
    if (!output.write(chunk)) await new Promise<void>((resolve) => {
      output.once('drain', resolve);
      output.once('close', resolve);
    });
  };

  let chunk = '';
  for (const events of batches) {
    for (const event of events) chunk += JSON.stringify(event) + '\n';
    if (chunk.length >= CHUNK_CHARACTERS) {
      await write(chunk);
      chunk = '';
      if (readerGone || output.destroyed) return false;
    }
  }
  if (chunk !== '') await write(chunk);
  return !(readerGone || output.destroyed);
}

export interface TradeTotals {
  trades: number;
  /** Σ quantity. BigInt: totals over a long replay can pass 2^53. */
  volume: bigint;
  /** Σ price × quantity. */
  notional: bigint;
}

export function tradeTotals(batches: EngineEvent[][]): TradeTotals {
  const totals: TradeTotals = { trades: 0, volume: 0n, notional: 0n };
  for (const events of batches) {
    for (const event of events) {
      if (event.type !== 'trade') continue;
      totals.trades++;
      totals.volume += BigInt(event.quantity);
      totals.notional += BigInt(event.price) * BigInt(event.quantity);
    }
  }
  return totals;
}
