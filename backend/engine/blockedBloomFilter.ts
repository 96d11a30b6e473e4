const WORDS_PER_BLOCK = 16; // 16 × 32 bits: one 64-byte cache line
const BLOCK_BITS = WORDS_PER_BLOCK * 32;
/** Filter bits per element before the filter doubles: keeps false positives near 1%. */
const MIN_BITS_PER_ELEMENT = 12;

/**
 * A blocked Bloom filter over 32-bit hashes: "certainly never added" or
 * "maybe added". Every element sets 4 bits inside one 64-byte block, so a
 * query reads one cache line, and at ~12-24 bits an element the whole filter
 * stays small enough to live in cache. It grows (doubles, rebuilt from the
 * caller's hashes) to keep false positives near 1%.
 */
export class BlockedBloomFilter {
  private words: Int32Array;
  private blockMask: number;
  private count = 0;

  constructor(initialBlocks = 64) {
    this.words = new Int32Array(initialBlocks * WORDS_PER_BLOCK);
    this.blockMask = initialBlocks - 1;
  }

  /** Whether another element fits before the filter must grow. */
  hasRoomForOneMore(): boolean {
    return (this.count + 1) * MIN_BITS_PER_ELEMENT <= (this.blockMask + 1) * BLOCK_BITS;
  }

  /** Rebuild at twice the size from every hash added so far. */
  grow(hashes: Int32Array, count: number): void {
    const blocks = 2 * (this.blockMask + 1);
    this.words = new Int32Array(blocks * WORDS_PER_BLOCK);
    this.blockMask = blocks - 1;
    this.count = 0;
    for (let i = 0; i < count; i++) this.add(hashes[i]);
  }

  add(hash: number): void {
    const mixed = mix(hash);
    const base = (mixed & this.blockMask) * WORDS_PER_BLOCK;
    const bits = mix(mixed);
    const words = this.words;
    // Four 9-bit positions within the 512-bit block.
    words[base + ((bits >>> 5) & 15)] |= 1 << (bits & 31);
    words[base + ((bits >>> 14) & 15)] |= 1 << ((bits >>> 9) & 31);
    words[base + ((bits >>> 23) & 15)] |= 1 << ((bits >>> 18) & 31);
    words[base + ((mixed >>> 27) & 15)] |= 1 << ((mixed >>> 22) & 31);
    this.count++;
  }

  mayContain(hash: number): boolean {
    const mixed = mix(hash);
    const base = (mixed & this.blockMask) * WORDS_PER_BLOCK;
    const bits = mix(mixed);
    const words = this.words;
    return (
      (words[base + ((bits >>> 5) & 15)] & (1 << (bits & 31))) !== 0 &&
      (words[base + ((bits >>> 14) & 15)] & (1 << ((bits >>> 9) & 31))) !== 0 &&
      (words[base + ((bits >>> 23) & 15)] & (1 << ((bits >>> 18) & 31))) !== 0 &&
      (words[base + ((mixed >>> 27) & 15)] & (1 << ((mixed >>> 22) & 31))) !== 0
    );
  }
}

/** Re-mix a hash so that the filter's block and bits do not follow the bits the id table uses. */
function mix(value: number): number {
  let x = Math.imul(value ^ (value >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return x ^ (x >>> 16);
}
