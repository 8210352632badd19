import type { RowKeySet } from './row-key-set';

/**
 * A Bloom filter over 64-bit row keys, one 32-bit word per key with two bits set in it (a blocked
 * Bloom filter), at about 8 bits a key: it answers "certainly not in the set" for nearly every key
 * that is not there, from a table small enough to stay in cache. The gate asks, for every batch row,
 * whether its key is among the reference's (millions of keys) and among the batch's first rows; a
 * lookup in those tables of tens of megabytes missed the cache on nearly every row. With the filter in
 * front, only the few rows it lets through (about 5% of rows not in the set, and the rows that are)
 * go to the table. The keys are hashes already, so their bits serve as the filter's hashes.
 */
export class RowKeyFilter {
  private readonly words: Int32Array;
  private readonly shift: number;

  /** A filter for `keys` (sized for them, at most 4 MiB). */
  constructor(keys: RowKeySet) {
    let words = 1024;
    while (words * 32 < keys.size * 8 && words < 1 << 20) words *= 2;
    this.words = new Int32Array(words);
    this.shift = 32 - Math.log2(words);
    keys.forEach((hi, lo) => this.add(hi, lo));
  }

  private add(hi: number, lo: number): void {
    const w = lo >>> this.shift;
    this.words[w] = (this.words[w] as number) | (1 << (hi & 31)) | (1 << ((hi >>> 5) & 31));
  }

  /** False when the key is certainly not in the set; true when it may be. */
  mayHave(hi: number, lo: number): boolean {
    const mask = (1 << (hi & 31)) | (1 << ((hi >>> 5) & 31));
    return ((this.words[lo >>> this.shift] as number) & mask) === mask;
  }
}
