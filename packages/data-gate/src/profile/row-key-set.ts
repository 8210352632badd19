import { HEX_VALUE } from './sorted-row-hashes';

/**
 * A set of 64-bit row keys (the first 8 bytes of a row hash) in one open-addressing table of
 * Uint32 pairs: 8 bytes a slot at most 70% full (11 to 23 bytes a key), against about 100 bytes a key
 * for a Set of hex strings, and no string made per row. The keys are hashes already, so linear probing
 * stays short at that load. The all-zero key is kept apart because zero marks an empty slot. The table
 * has exactly the slots asked for (a key's slot is its hash scaled to the table, not masked), so a
 * table sized for millions of keys is not rounded up to the next power of two: the gate holds two.
 */
const MAX_LOAD = 0.7;
const TWO_32 = 4294967296;

/**
 * A key's first slot in a table of `slots` slots: its two words mixed, then scaled to the table. Both
 * words: the exact mode partitions keys by their high bits, and within a partition a slot from the
 * high word alone put every key in a few slots.
 */
export function firstSlot(hi: number, lo: number, slots: number): number {
  return Math.floor(((lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0) * (slots / TWO_32));
}

export class RowKeySet {
  private table: Uint32Array;
  private slots: number;
  private count = 0;
  private hasZero = false;

  constructor(expected = 1 << 16) {
    this.slots = Math.max(1024, Math.ceil(expected / MAX_LOAD) + 1);
    this.table = new Uint32Array(this.slots * 2);
  }

  private slotOf(hi: number, lo: number): number {
    return firstSlot(hi, lo, this.slots);
  }

  get size(): number {
    return this.count + (this.hasZero ? 1 : 0);
  }

  /** True when the key was there; otherwise adds it and returns false. */
  addOrHas(hi: number, lo: number): boolean {
    if ((hi | lo) === 0) {
      const had = this.hasZero;
      this.hasZero = true;
      return had;
    }
    let slot = this.slotOf(hi, lo);
    const t = this.table;
    for (;;) {
      const a = t[slot * 2] as number;
      const b = t[slot * 2 + 1] as number;
      if ((a | b) === 0) break;
      if (a === hi >>> 0 && b === lo >>> 0) return true;
      slot = slot + 1 === this.slots ? 0 : slot + 1;
    }
    t[slot * 2] = hi;
    t[slot * 2 + 1] = lo;
    if (++this.count > MAX_LOAD * this.slots) this.grow();
    return false;
  }

  /** Adds a key given as its 16 lower-case hex digits (rowKeyHex) in bytes[start, end); false when they are not such a key. */
  addHex(bytes: Uint8Array, start: number, end: number): boolean {
    if (end - start !== 16) return false;
    let hi = 0;
    let lo = 0;
    for (let i = 0; i < 8; i++) {
      const a = HEX_VALUE[bytes[start + i] as number] as number;
      const b = HEX_VALUE[bytes[start + 8 + i] as number] as number;
      if ((a | b) > 15) return false;
      hi = (hi << 4) | a;
      lo = (lo << 4) | b;
    }
    this.addOrHas(hi >>> 0, lo >>> 0);
    return true;
  }

  has(hi: number, lo: number): boolean {
    if ((hi | lo) === 0) return this.hasZero;
    let slot = this.slotOf(hi, lo);
    const t = this.table;
    for (;;) {
      const a = t[slot * 2] as number;
      const b = t[slot * 2 + 1] as number;
      if ((a | b) === 0) return false;
      if (a === hi >>> 0 && b === lo >>> 0) return true;
      slot = slot + 1 === this.slots ? 0 : slot + 1;
    }
  }

  private grow(): void {
    const old = this.table;
    this.slots = 2 * this.slots;
    this.table = new Uint32Array(this.slots * 2);
    this.count = 0;
    for (let s = 0; s < old.length; s += 2) {
      const a = old[s] as number;
      const b = old[s + 1] as number;
      if ((a | b) !== 0) this.addOrHas(a, b);
    }
  }

  /** Every key, in no particular order. */
  forEach(visit: (hi: number, lo: number) => void): void {
    if (this.hasZero) visit(0, 0);
    const t = this.table;
    for (let s = 0; s < t.length; s += 2) {
      const a = t[s] as number;
      const b = t[s + 1] as number;
      if ((a | b) !== 0) visit(a, b);
    }
  }
}
