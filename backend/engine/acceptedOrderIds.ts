import { orderIdHash } from './orderIdHash';

const INITIAL_SLOTS = 1 << 12;
const INITIAL_RUN = 1 << 12;
/** An id that belongs this close to the end of the sorted run is inserted there (shifting as many entries); further back, it goes to the table. */
const LATE_LIMIT = 64;
/** Ids seen before the run may be judged useless (see `add`). */
const RUN_TRIAL = 4096;

/**
 * Every order id the engine has ever accepted, so that a duplicate is refused.
 *
 * It grows with every order (a million entries after a million orders), and
 * nearly every lookup is for a new id, so what matters is how cheaply a new
 * id is shown to be new. Two exact parts, an id being in exactly one:
 *
 * - The sorted run, in shortlex order (shorter first, then by UTF-16 code
 *   units): counters ("41", "42", "c7-1043") and fixed-width time-ordered
 *   ids (the gateway's) mostly arrive in that order, or a little late when
 *   several gateways interleave. An id after the greatest so far is new
 *   without looking anything up: one comparison, then an append. A late id is
 *   searched for backwards from the end (where it usually belongs, among
 *   entries still in cache) and, if new and at most LATE_LIMIT entries from
 *   the end, inserted in place.
 * - A hash table for ids further out of order: open addressing, linear
 *   probing, at most half full. A slot holds the id's whole hash and its
 *   place in `ids`, side by side, so that a probe and an insert touch one
 *   cache line; the id itself is compared only when the hashes are equal.
 *   It is probed only for an id not after the greatest id it holds.
 *
 * (A hash table of every id, millions of them, costs a cache and TLB miss
 * per probe.) Correctness never depends on the order ids arrive in; only
 * speed does.
 *
 * Ids in no order (random UUIDs, say) would make the run a cost: each new id
 * is searched for in it, and late inserts let it grow. Once most ids have
 * gone to the table (after RUN_TRIAL ids), the run's ids move to the table
 * and the run is given up: from then on it is the table alone.
 */
export class AcceptedOrderIds {
  /** In acceptance order. */
  private readonly ids = new IdLog();
  /** Positions in `ids` of the run's ids, in increasing shortlex order. */
  private run = new Int32Array(INITIAL_RUN);
  private runCount = 0;
  /** The run's last (greatest) id; '' while it is empty. */
  private greatest = '';

  /**
   * Slot i is [hash, position + 1] at 2i, 2i + 1: the id's whole hash (so that growing the table
   * does not hash every id again) and its index in `ids`; position + 1 = 0 marks an empty slot.
   */
  private slots = new Int32Array(2 * INITIAL_SLOTS);
  private slotMask = INITIAL_SLOTS - 1;
  private tableCount = 0;
  /** The greatest id in the table (shortlex); '' while it is empty. */
  private tableGreatest = '';
  /** The ids arrive in no useful order: the run is empty for good and every id goes to the table. */
  private tableOnly = false;
  /** The last id `add` hashed, and its hash: see hashOf. */
  private hashedId: string | undefined = undefined;
  private hashedIdHash = 0;

  /** `hash` is only for tests that force collisions. */
  constructor(private readonly hash: (id: string) => number = orderIdHash) {}

  /**
   * This table's hash of `id` (orderIdHash unless a test gave another): the
   * one the last `add` computed, when it hashed this id, else computed now.
   * The engine indexes a new resting order's id in its open-order table
   * right after adding it here, and hashing a long id costs more than the
   * rest of an add (a UUID: about 70 ns, mostly reading its characters):
   * hashing it once made bench:engine --ids uuid 7–12% faster, and counter
   * ids (which the run takes without hashing) no slower.
   */
  hashOf(id: string): number {
    return id === this.hashedId ? this.hashedIdHash : this.hash(id);
  }

  /** Add `id`; false (and no change) if it was already there. */
  add(id: string): boolean {
    if (this.tableOnly) return this.addToTable(id, this.hashForAdd(id));
    const count = this.runCount;
    if (count === 0 || before(this.greatest, id)) {
      this.insertIntoRun(count, id);
      return true;
    }
    const place = this.placeInRun(id);
    if (this.ids.at(this.run[place]) === id) return false;
    const late = count - place <= LATE_LIMIT;
    const mayBeInTable = this.tableCount > 0 && !before(this.tableGreatest, id);
    if (late && !mayBeInTable) {
      this.insertIntoRun(place, id);
      return true;
    }
    const idHash = this.hashForAdd(id);
    if (late) {
      if (this.tableHas(id, idHash)) return false;
      this.insertIntoRun(place, id);
      return true;
    }
    if (!this.addToTable(id, idHash)) return false;
    if (this.tableCount > this.runCount && this.ids.length >= RUN_TRIAL) this.giveUpRun();
    return true;
  }

  /** `hash(id)`, remembered for hashOf. */
  private hashForAdd(id: string): number {
    const hash = this.hash(id);
    this.hashedId = id;
    this.hashedIdHash = hash;
    return hash;
  }

  /** Adds `id` to the table and to `ids`, unless the table holds it already (then false): one probe finds either. */
  private addToTable(id: string, hash: number): boolean {
    if (!this.placeInTable(id, hash, this.ids.length)) return false;
    this.ids.push(id);
    return true;
  }

  /** Moves the run's ids to the table; every later id goes there too. */
  private giveUpRun(): void {
    for (let i = 0; i < this.runCount; i++) {
      const position = this.run[i];
      const id = this.ids.at(position);
      this.placeInTable(id, this.hash(id), position);
    }
    this.run = new Int32Array(0);
    this.runCount = 0;
    this.greatest = '';
    this.tableOnly = true;
  }

  /** Every id, in acceptance order. */
  values(): string[] {
    return this.ids.values();
  }

  /** Put `id` at index `place` of the run, which stays sorted. */
  private insertIntoRun(place: number, id: string): void {
    const count = this.runCount;
    if (count === this.run.length) {
      const larger = new Int32Array(2 * count);
      larger.set(this.run);
      this.run = larger;
    }
    if (place < count) this.run.copyWithin(place + 1, place, count);
    else this.greatest = id;
    this.run[place] = this.ids.length;
    this.runCount = count + 1;
    this.ids.push(id);
  }

  /**
   * The index of the run's first id not before `id`, which must not be after
   * the run's last. Galloping back from the end: a late id costs a few
   * comparisons with recent entries, one far back a binary search.
   */
  private placeInRun(id: string): number {
    const ids = this.ids;
    const run = this.run;
    let high = this.runCount - 1; // ids[run[high]] is not before id
    let step = 1;
    let low = high - step;
    while (low >= 0 && !before(ids.at(run[low]), id)) {
      high = low;
      step *= 2;
      low = high - step;
    }
    low = low < 0 ? 0 : low + 1; // every entry before `low` is before id
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (before(ids.at(run[middle]), id)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private tableHas(id: string, hash: number): boolean {
    return this.probe(id, hash) >= 0;
  }

  /** The slot holding `id`, or ~slot for the empty slot where it would go (linear probing). */
  private probe(id: string, anyHash: number): number {
    const hash = anyHash | 0; // as the Int32Array holds it, whatever number the hash function gave
    const slots = this.slots;
    const mask = this.slotMask;
    let slot = hash & mask;
    for (; slots[2 * slot + 1] !== 0; slot = (slot + 1) & mask) {
      if (slots[2 * slot] === hash && this.ids.at(slots[2 * slot + 1] - 1) === id) return slot;
    }
    return ~slot;
  }

  /** Puts `id` (at index `position` of `ids`) in the table; false if the table holds it already. */
  private placeInTable(id: string, hash: number, position: number): boolean {
    if (2 * (this.tableCount + 1) > this.slotMask + 1) this.grow();
    const found = this.probe(id, hash);
    if (found >= 0) return false;
    const slot = ~found;
    this.slots[2 * slot] = hash; // | 0 by the Int32Array, as probe compares it
    this.slots[2 * slot + 1] = position + 1;
    this.tableCount++;
    // Only the run's fast path needs the table's greatest id.
    if (!this.tableOnly && before(this.tableGreatest, id)) this.tableGreatest = id;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Int32Array(2 * old.length);
    const mask = old.length - 1; // twice as many slots as before, each two entries
    for (let oldSlot = 0; oldSlot < old.length; oldSlot += 2) {
      if (old[oldSlot + 1] === 0) continue;
      const hash = old[oldSlot];
      let slot = hash & mask;
      while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = hash;
      slots[2 * slot + 1] = old[oldSlot + 1];
    }
    this.slots = slots;
    this.slotMask = mask;
  }
}

const LOG_CHUNK_BITS = 13;
const LOG_CHUNK = 1 << LOG_CHUNK_BITS;

/**
 * An append-only list of ids in fixed chunks of LOG_CHUNK entries. One array
 * of millions of entries is copied whole each time it grows, and each copy is
 * a large object left for a full GC to free (bench:engine ran about 3% slower
 * with one). A full chunk is never copied.
 */
class IdLog {
  private readonly chunks: string[][] = [];
  private current: string[] = [];
  length = 0;

  push(id: string): void {
    const offset = this.length & (LOG_CHUNK - 1);
    if (offset === 0) {
      this.current = new Array<string>(LOG_CHUNK);
      this.chunks.push(this.current);
    }
    this.current[offset] = id;
    this.length++;
  }

  at(position: number): string {
    return this.chunks[position >>> LOG_CHUNK_BITS][position & (LOG_CHUNK - 1)];
  }

  values(): string[] {
    const values = new Array<string>(this.length);
    for (let i = 0; i < this.length; i++) values[i] = this.at(i);
    return values;
  }
}

/** Whether `a` comes before `b` in shortlex order: shorter first, then by UTF-16 code units. */
function before(a: string, b: string): boolean {
  return a.length < b.length || (a.length === b.length && a < b);
}
