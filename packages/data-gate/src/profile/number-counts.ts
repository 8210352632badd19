/**
 * Counts of numbers by value, for the category counts of numeric columns (a rating 1..5, a Poisson
 * count): an open-addressing table over the doubles' bits in typed arrays. A Map<number, number> cost
 * a hash of a heap number and a boxed count per cell, most of the profile's time on numeric columns.
 * Keys compare as Map keys do (SameValueZero: -0 is 0, every NaN is one key), so the counts fold into
 * the String(value)-keyed categories exactly as before.
 */
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/**
 * Slot hash of the double in `bits`: both words mixed and folded down (murmur3's finalizer). Small
 * integers have a zero low word and only high bits set in the high one, so a plain multiply would
 * send them all to one slot.
 */
function slotHash(): number {
  let x = (words[1] as number) ^ Math.imul(words[0] as number, 0x9e3779b1);
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

/** Integers in [0, DENSE_LIMIT) are counted in the dense array (32 KB once a column has one). */
const DENSE_LIMIT = 4096;

export class NumberCounts {
  private keys: Float64Array;
  private counts: Float64Array;
  private used: Uint8Array;
  private mask: number;
  private count = 0;

  constructor(expected = 64) {
    let slots = 16;
    while (slots < expected * 2) slots *= 2;
    this.keys = new Float64Array(slots);
    this.counts = new Float64Array(slots);
    this.used = new Uint8Array(slots);
    this.mask = slots - 1;
  }

  /**
   * Small non-negative integers (levels, ratings, counts: the usual categorical numbers) are counted
   * in a dense array by value, with no hash and no probe; allocated at the first one.
   */
  private dense: Float64Array | undefined;
  private denseCount = 0;

  /** Distinct values counted. */
  get size(): number {
    return this.count + this.denseCount;
  }

  /** Adds one occurrence of `value`; returns true when the value is new. */
  add(value: number): boolean {
    return this.addCount(value, 1);
  }

  /** Adds `count` occurrences of `value`; returns true when the value is new. */
  addCount(value: number, count: number): boolean {
    // -0 lands on 0, as SameValueZero has it.
    if (value >= 0 && value < DENSE_LIMIT && Math.floor(value) === value) {
      const dense = (this.dense ??= new Float64Array(DENSE_LIMIT));
      const had = dense[value] as number;
      dense[value] = had + count;
      if (had !== 0) return false;
      this.denseCount++;
      return true;
    }
    // One zero and one NaN, so that bits equal means SameValueZero.
    const v = value === 0 ? 0 : Number.isNaN(value) ? Number.NaN : value;
    bits[0] = v;
    let slot = slotHash() & this.mask;
    const keys = this.keys;
    const used = this.used;
    while (used[slot] === 1) {
      const k = keys[slot] as number;
      if (k === v || (Number.isNaN(k) && Number.isNaN(v))) {
        this.counts[slot] = (this.counts[slot] as number) + count;
        return false;
      }
      slot = (slot + 1) & this.mask;
    }
    used[slot] = 1;
    keys[slot] = v;
    this.counts[slot] = count;
    if (++this.count * 2 > this.mask + 1) this.grow();
    return true;
  }

  /**
   * Counts values[from], values[from + 1], ... while each is one already counted, and returns the
   * index of the first that is not (or `end`): a new value goes through `add`, so its caller can note
   * it. The loop that takes a column's numbers spends its time here: after the first rows nearly every
   * value is one seen before, and a call to `add` per value (with the checks a new value needs) cost
   * several times this loop, which has no call and no store but the count's.
   */
  countSeen(values: Float64Array, from: number, end: number): number {
    const dense = this.dense;
    const keys = this.keys;
    const used = this.used;
    const counts = this.counts;
    const mask = this.mask;
    for (let i = from; i < end; i++) {
      const v = values[i] as number;
      if (dense !== undefined && v >= 0 && v < DENSE_LIMIT && Math.floor(v) === v) {
        const had = dense[v] as number;
        if (had === 0) return i;
        dense[v] = had + 1;
        continue;
      }
      // NaN and zero have canonical bits in the table (see addCount): left to it.
      if (v !== v || v === 0) return i;
      bits[0] = v;
      let slot = slotHash() & mask;
      for (;;) {
        if (used[slot] !== 1) return i;
        if (keys[slot] === v) break;
        slot = (slot + 1) & mask;
      }
      counts[slot] = (counts[slot] as number) + 1;
    }
    return end;
  }

  /** Every value with its count, in no particular order. */
  forEach(visit: (value: number, count: number) => void): void {
    const dense = this.dense;
    if (dense && this.denseCount > 0) for (let v = 0; v < DENSE_LIMIT; v++) if ((dense[v] as number) > 0) visit(v, dense[v] as number);
    for (let s = 0; s <= this.mask; s++) if (this.used[s] === 1) visit(this.keys[s] as number, this.counts[s] as number);
  }

  clear(): void {
    this.used.fill(0);
    this.count = 0;
    this.dense?.fill(0);
    this.denseCount = 0;
  }

  private grow(): void {
    const { keys, counts, used } = this;
    const slots = (this.mask + 1) * 2;
    this.keys = new Float64Array(slots);
    this.counts = new Float64Array(slots);
    this.used = new Uint8Array(slots);
    this.mask = slots - 1;
    this.count = 0;
    for (let s = 0; s < used.length; s++) if (used[s] === 1) this.addCount(keys[s] as number, counts[s] as number);
  }
}
