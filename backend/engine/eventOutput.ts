import type { Writable } from 'node:stream';
import type { EventBuffer } from './eventBuffer';

/**
 * Writes events as JSON lines to `output`, one `write` call per batch of
 * events. `write` resolves false once the reader went away (EPIPE, e.g.
 * `| head`), a normal way for output to end: later batches are dropped.
 * Any other write error rejects. The error listener stays on `output`, so
 * that an EPIPE reported after the last write is ignored too.
 */
export class EventLineWriter {
  private failure: NodeJS.ErrnoException | undefined;

  constructor(private readonly output: Writable) {
    output.on('error', (error: NodeJS.ErrnoException) => {
      this.failure ??= error;
    });
  }

  async write(events: EventBuffer): Promise<boolean> {
    if (this.readerGone()) return false;
    let chunk = '';
    for (let i = 0; i < events.length; i++) chunk += JSON.stringify(events.event(i)) + '\n';
    if (chunk !== '' && !this.output.write(chunk)) await settled(this.output);
    if (this.failure !== undefined && this.failure.code !== 'EPIPE') throw this.failure;
    return !this.readerGone();
  }

  private readerGone(): boolean {
    return this.failure?.code === 'EPIPE' || this.output.destroyed;
  }
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

export function noTrades(): TradeTotals {
  return { trades: 0, volume: 0n, notional: 0n };
}

/** Adds the trades among `events` to `totals`. */
export function addTrades(totals: TradeTotals, events: EventBuffer): void {
  for (let i = 0; i < events.length; i++) {
    if (!events.isTrade(i)) continue;
    const quantity = BigInt(events.tradeQuantity(i));
    totals.trades++;
    totals.volume += quantity;
    totals.notional += BigInt(events.tradePrice(i)) * quantity;
  }
}
