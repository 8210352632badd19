import type { RowKeySet } from './row-key-set';

/**
 * Two Bloom filters over 64-bit row keys, one for the reference's keys and one for the batch's, each
 * one 32-bit word per key with three bits set in it (a blocked Bloom filter) at 8 to 16 bits a key.
 * They answer "certainly not in the set" for nearly every key that is not there, from tables far
 * smaller than the key tables: the gate asks, for every batch row, whether its key is among the reference's
 * (millions of keys) and among the batch's first rows, and a lookup in those tables of tens of
 * megabytes missed the cache on nearly every row. With the filters in front, only the few rows they
 * let through (1.5% to 4% of rows not in a set, and the rows that are) go to a table.
 *
 * The two filters are interleaved word by word, so a key's word in one and its word in the other are
 * neighbours in one cache line: a row costs one miss for both questions instead of one each. The
 * filters (megabytes) do not stay in cache between batches while the reader streams the file through
 * it, so a batch's words are fetched first in a loop of loads alone (`lookUp`), which keeps many misses
 * in flight at once; the tests on them come after (`referenceAt`, `batchAt`). The filter lookups had
 * been a tenth of the gate's time at a gigabyte. The keys are hashes already, so their bits serve as
 * the filters' hashes.
 */
export class RowKeyFilters {
  /** Word 2w is the reference's filter, word 2w + 1 the batch's. */
  private readonly words: Int32Array;
  private readonly shift: number;
  /** The words of the rows of the last lookUp: row i's reference word at 2i, its batch word at 2i + 1. */
  private fetched = new Int32Array(0);

  /**
   * Filters for the keys of `reference` (all added now) and for up to `batchKeys` keys of the batch
   * (added with addBatch), sized for the larger of the two and at most 4 MiB each.
   */
  constructor(reference: RowKeySet | undefined, batchKeys: number) {
    const keys = Math.max(reference?.size ?? 0, batchKeys);
    let words = 1024;
    while (words * 32 < keys * 8 && words < 1 << 20) words *= 2;
    this.words = new Int32Array(2 * words);
    this.shift = 32 - Math.log2(words);
    reference?.forEach((hi, lo) => this.set(2 * (lo >>> this.shift), hi));
  }

  private set(at: number, hi: number): void {
    this.words[at] = (this.words[at] as number) | bitsOf(hi);
  }

  private test(at: number, hi: number): boolean {
    const mask = bitsOf(hi);
    return ((this.words[at] as number) & mask) === mask;
  }

  /** False when the key is certainly not the reference's; true when it may be. */
  mayBeReference(hi: number, lo: number): boolean {
    return this.test(2 * (lo >>> this.shift), hi);
  }

  /** False when the key was certainly not given to addBatch; true when it may have been. */
  mayBeBatch(hi: number, lo: number): boolean {
    return this.test(2 * (lo >>> this.shift) + 1, hi);
  }

  addBatch(hi: number, lo: number): void {
    this.set(2 * (lo >>> this.shift) + 1, hi);
  }

  /** Fetches both filters' words for the keys of rows [0, length) (their low words `lo`), for referenceAt and batchAt. */
  lookUp(lo: Uint32Array, length: number): void {
    if (this.fetched.length < 2 * length) this.fetched = new Int32Array(2 * length);
    fetchWords(this.words, this.shift, lo, length, this.fetched);
  }

  /** mayBeReference for row i of the last lookUp (its key's high word is `hi`). */
  referenceAt(i: number, hi: number): boolean {
    const mask = bitsOf(hi);
    return ((this.fetched[2 * i] as number) & mask) === mask;
  }

  /** mayBeBatch for row i of the last lookUp, as the batch's filter was then (keys added since are not in it). */
  batchAt(i: number, hi: number): boolean {
    const mask = bitsOf(hi);
    return ((this.fetched[2 * i + 1] as number) & mask) === mask;
  }
}

/** A key's three bits in its word, from its high half (its low half chose the word). Three rather than two: 4% of absent keys pass instead of 5.3% at 8 bits a key, 2.1% instead of 3.2% at 12. */
function bitsOf(hi: number): number {
  return (1 << (hi & 31)) | (1 << ((hi >>> 5) & 31)) | (1 << ((hi >>> 10) & 31));
}

/** The loads alone, no test and no branch, so the CPU keeps many cache misses in flight. */
function fetchWords(words: Int32Array, shift: number, los: Uint32Array, length: number, out: Int32Array): void {
  for (let i = 0; i < length; i++) {
    const at = 2 * ((los[i] as number) >>> shift);
    out[2 * i] = words[at] as number;
    out[2 * i + 1] = words[at + 1] as number;
  }
}
