import { randomInt } from 'node:crypto';

const CROCKFORD_BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const COUNTER_CHARS = 4;
const NODE_CHARS = 8;
const COUNTER_LIMIT = 32 ** COUNTER_CHARS;

function base32(value: number, width: number): string {
  let text = '';
  for (let i = 0; i < width; i++) {
    text = CROCKFORD_BASE32[value % 32] + text;
    value = Math.floor(value / 32);
  }
  return text;
}

/**
 * Order (and request) ids: 10 characters of milliseconds, 4 of a per-millisecond
 * counter, 8 identifying this process (random), in Crockford base32. They sort
 * lexicographically by time across processes (to the millisecond) and strictly
 * increase within a process, even if the clock steps back.
 */
export class OrderIdGenerator {
  private lastMs = 0;
  private counter = 0;
  private readonly node: string;

  constructor(node?: string) {
    this.node = node ?? Array.from({ length: NODE_CHARS }, () => CROCKFORD_BASE32[randomInt(32)]).join('');
  }

  next(now: number = Date.now()): string {
    if (now > this.lastMs) {
      this.lastMs = now;
      this.counter = 0;
    } else if (++this.counter === COUNTER_LIMIT) {
      this.lastMs += 1;
      this.counter = 0;
    }
    return base32(this.lastMs, TIME_CHARS) + base32(this.counter, COUNTER_CHARS) + this.node;
  }
}
