import { UserError } from '@aisec/core';

/**
 * KLL quantile sketch over doubles (Karnin, Lang and Liberty, "Optimal Quantile Approximation in
 * Streams", FOCS 2016), laid out and compacted as Apache DataSketches' KllDoublesSketch does: one
 * buffer holding every level, level 0 (weight 1, unsorted) at the low end growing downwards into the
 * free space, level h (weight 2^h, sorted) above it; level capacities k·(2/3)^depth (at least M = 8);
 * when the buffer is full the lowest level at capacity is compacted (sorted if it is level 0, an odd
 * item left behind, every other item promoted to the level above and merged into it).
 *
 * Deterministic: the coin that picks the odd or the even items of a compaction comes from a seeded
 * PRNG (mulberry32) whose state is part of the sketch and of its JSON, so the same values in the same
 * order give the same sketch, byte for byte, and merging the same sketches in the same order gives the
 * same result. (The error analysis assumes the coins are independent of the data, which a fixed seed
 * is for data that is not chosen by someone who knows the seed.)
 *
 * Error: DataSketches' empirical 99%-confidence bound on the normalized rank error over all queries
 * of one sketch, `normalizedRankError(k)` (k = 200: 1.33%; the "double-sided" bound for a difference of
 * two ranks, 1.65%). While nothing has been compacted the sketch holds every value and is exact.
 */
export const KLL_DEFAULT_K = 200;
export const KLL_MIN_K = 8;
export const KLL_MAX_K = 65_535;
/** Smallest level capacity (DataSketches' default m). */
const M = 8;
/** Levels never exceed this: 2^60 values would be needed to fill them. */
const MAX_LEVELS = 61;
const DEFAULT_SEED = 0x5eed_c0de;
/** The lowest levels addMany samples instead of compacting, once there are more levels of capacity M (see addMany). */
const SAMPLED_LEVELS = 3;
/** addMany compacts at most this many new values at a time (bounds the shared scratch). */
const BATCH_CHUNK = 65_536;
const EMPTY = new Float64Array(0);

/**
 * Scratch of addMany, shared by every sketch (JavaScript runs one at a time): the batch's level-0 run
 * and the merges of the carries, ping-ponging between two buffers grown to the largest run seen.
 */
let scratchA = new Float64Array(0);
let scratchB = new Float64Array(0);
/** The smallest and largest value copyDroppingNaN saw. */
const bounds = new Float64Array(2);

/** Sorts each of the first `runs` runs of 4 of `a` in place (a sorting network of 5 comparators). */
function sortRunsOf4(a: Float64Array, runs: number): void {
  for (let r = 0; r < runs; r++) {
    const s = 4 * r;
    let x0 = a[s] as number;
    let x1 = a[s + 1] as number;
    let x2 = a[s + 2] as number;
    let x3 = a[s + 3] as number;
    let t: number;
    if (x1 < x0) { t = x0; x0 = x1; x1 = t; }
    if (x3 < x2) { t = x2; x2 = x3; x3 = t; }
    if (x2 < x0) { t = x0; x0 = x2; x2 = t; }
    if (x3 < x1) { t = x1; x1 = x3; x3 = t; }
    if (x2 < x1) { t = x1; x1 = x2; x2 = t; }
    a[s] = x0;
    a[s + 1] = x1;
    a[s + 2] = x2;
    a[s + 3] = x3;
  }
}

/**
 * Copies the non-NaN values of values[from..to) to out[at..), their smallest and largest to `bounds`;
 * returns how many. (A function of its own so that V8 optimizes the loop once, not mid-batch; `out` is
 * the whole array with an offset, not a fresh subarray per call, which sent V8 into a deoptimization
 * loop on "insufficient type feedback" hundreds of times a run.)
 */
function copyDroppingNaN(values: Float64Array, from: number, to: number, out: Float64Array, at: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  let n = 0;
  for (let i = from; i < to; i++) {
    const v = values[i] as number;
    if (v !== v) continue;
    out[at + n++] = v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  bounds[0] = lo;
  bounds[1] = hi;
  return n;
}

/** The sketch as plain JSON: level sizes from level 0 up, items level by level; ±Infinity as "inf"/"-inf". */
export interface KllSketchJson {
  k: number;
  n: number;
  /** Smallest and largest value added (null when empty). */
  min: number | string | null;
  max: number | string | null;
  levels: number[];
  items: (number | string)[];
  /** The compaction coin's PRNG state (uint32). */
  rng: number;
}

/**
 * DataSketches' fit of the 99th percentile of the largest rank error over all queries, measured in
 * thousands of trials: single-sided (a rank or a quantile) by default, or double-sided (`pmf`: a
 * difference of two ranks, the mass between two points).
 */
export function normalizedRankError(k: number, pmf = false): number {
  return pmf ? 2.446 / k ** 0.9433 : 2.296 / k ** 0.9723;
}

/** round(k·(2/3)^depth) in integers, as DataSketches' intCapAux computes it. */
function capAux(k: number, depth: number): number {
  if (depth > 30) {
    const half = depth >> 1;
    return capAux(capAux(k, half), depth - half);
  }
  return Math.floor((Math.floor((2 * k * 2 ** depth) / 3 ** depth) + 1) / 2);
}

/** capAux(k, depth) for depth < MAX_LEVELS + 2, per k: every compaction asks for capacities (two powers each). */
const capsByK = new Map<number, Int32Array>();

function levelCapacity(k: number, numLevels: number, height: number): number {
  let caps = capsByK.get(k);
  if (caps === undefined) {
    caps = Int32Array.from({ length: MAX_LEVELS + 2 }, (_, depth) => capAux(k, depth));
    capsByK.set(k, caps);
  }
  const depth = numLevels - height - 1;
  return Math.max(M, depth < caps.length ? (caps[depth] as number) : capAux(k, depth));
}

function totalCapacity(k: number, numLevels: number): number {
  let total = 0;
  for (let h = 0; h < numLevels; h++) total += levelCapacity(k, numLevels, h);
  return total;
}

/** Sorted retained values and cumulative weights (weight of items ≤ values[i], i.e. up to and including i). */
export interface KllSortedView {
  values: Float64Array;
  cumWeights: Float64Array;
}

export class KllSketch {
  readonly k: number;
  private items: Float64Array;
  /** levels[h]..levels[h+1] is level h in `items`; levels[0] is also the free space below level 0. */
  private readonly levels = new Int32Array(MAX_LEVELS + 2);
  private numLevels = 1;
  /** Level capacities for the current number of levels, and their sum (compactions read them often). */
  private caps = new Int32Array(MAX_LEVELS);
  private totalCap = 0;
  private count = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private rngState: number;
  private view: KllSortedView | undefined;
  private viewCount = -1;

  constructor(k = KLL_DEFAULT_K, seed = DEFAULT_SEED) {
    if (!Number.isInteger(k) || k < KLL_MIN_K || k > KLL_MAX_K) throw new RangeError(`KLL k must be an integer in [${KLL_MIN_K}, ${KLL_MAX_K}], not ${k}`);
    this.k = k;
    this.items = new Float64Array(k);
    this.levels[0] = k;
    this.levels[1] = k;
    this.rngState = seed >>> 0;
    this.setCapacities();
  }

  private setCapacities(): void {
    this.totalCap = 0;
    for (let h = 0; h < this.numLevels; h++) {
      this.caps[h] = levelCapacity(this.k, this.numLevels, h);
      this.totalCap += this.caps[h] as number;
    }
  }

  /** Values added (NaN is dropped, as every statistic drops nulls). */
  get n(): number {
    return this.count;
  }

  get min(): number {
    return this.count === 0 ? Number.NaN : this.lo;
  }

  get max(): number {
    return this.count === 0 ? Number.NaN : this.hi;
  }

  get retained(): number {
    return (this.levels[this.numLevels] as number) - (this.levels[0] as number);
  }

  /** True while every value added is held (nothing compacted): ranks and quantiles are then exact. */
  get isExact(): boolean {
    return this.retained === this.count;
  }

  /**
   * This sketch's bound on the normalized rank error at 99% confidence: 0 while exact, otherwise
   * `normalizedRankError(k, pmf)`.
   */
  normalizedRankError(pmf = false): number {
    return this.isExact ? 0 : normalizedRankError(this.k, pmf);
  }

  /** Amortized O(1): a store, and now and then a compaction of a level (sort of level 0 only). */
  add(value: number): void {
    if (value !== value) return;
    if (this.levels[0] === 0) this.makeRoom();
    const at = (this.levels[0] as number) - 1;
    this.levels[0] = at;
    this.items[at] = value;
    this.count++;
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
  }

  /**
   * Adds values[0..count) (NaN is dropped, as by `add`): the per-column call of a profile batch, about
   * twice as fast as `add` value by value. Deterministic (the same values in the same batches give the
   * same sketch, byte for byte) and mergeable as any sketch; not the bytes `add` would give, but a
   * sketch with the same guarantees, because it is built by the same kind of compactions:
   *
   * - A young sketch (no level yet at the smallest capacity, M = 8: its first ~50,000 values at
   *   k = 200) takes the values one by one, as `add` does; values that fit in the free space below
   *   level 0 are stored there, as `add` stores them.
   * - Otherwise the batch goes through the levels of capacity M (all but the top dozen or so) as
   *   blocks: each block of 8 is sorted and compacted to 4 of weight 2, then at each such level pairs
   *   of 4 are merged and compacted to 4 again, one coin per compaction; what is left over (up to 7
   *   values, an odd block at a level) joins the sketch's level, and the survivors join the first level
   *   above them. Once more than SAMPLED_LEVELS (3) levels have capacity M (about 10^6 values at
   *   k = 200), the three lowest are sampled instead: of each block of 8 values one, drawn by the
   *   sketch's generator, goes to level 3 with weight 8 (sorted in runs of 4, which go on up as above). The sketch is then compacted as DataSketches' merge compacts an oversized sketch
   *   (generalCompress): from level 0 up, a level at or over its capacity, while the sketch is over its
   *   total capacity, leaves its smallest item behind if its count is odd and promotes the odd- or the
   *   even-ranked half (one fair coin) of the rest, merged into the level above.
   *
   * Why KLL's error analysis still holds: it needs only that every compaction at level h takes a sorted
   * run of at least that level's capacity and promotes every other item by a fair coin independent of
   * the data. Such a compaction moves any rank by 0 or ±2^h with mean 0, so the error is a sum over
   * compactions, and its bound follows from how many compactions each level makes: at most the items
   * that reach the level over half its capacity. The block compactions take runs of exactly the
   * capacity (8) of levels whose capacity is 8, which is that count; `add` compacts the same levels in
   * runs of 8 or more. The levels above are compacted as DataSketches compacts them, and the
   * capacities (hence the retained items and `normalizedRankError`) are unchanged. The tests check the
   * stated bound on the shared data and on 1e6 generated values of every shape, and merging.
   *
   * The sampler stands in for the compactions of the lowest levels as in Karnin, Lang and Liberty's
   * KLL paper (2016), whose final sketch replaces its lowest compactors by one: a value drawn
   * uniformly from a block of 8 with weight 8 moves the rank of any x by 8·[drawn ≤ x] − c (c of the 8
   * at or below x), mean 0 and variance c(8 − c) ≤ 16, independent across blocks: at most 2n over n
   * values, a standard deviation of at most 0.14% of n at n = 10^6 (where the sampler starts) and
   * 0.04% at 1.4·10^7, added in quadrature to the compactions' error, whose 99% bound is 1.33% at
   * k = 200. It removes seven eighths of the sorting, which was most of a profile's sketch time. The
   * tests check the bound at 10^6 values in batches, where the sampler runs; over 30 seeds of 10^6
   * normal values in batches of 8,192, the largest rank error at 199 points averaged 0.56% with the
   * sampler and 0.57% without (0.66% both at 10^7, 4 seeds).
   */
  addMany(values: Float64Array, count: number): void {
    if (!(count >= 0 && count <= values.length)) throw new RangeError(`count ${count} is outside [0, ${values.length}]`);
    for (let at = 0; at < count; at += BATCH_CHUNK) this.addChunk(values, at, Math.min(count, at + BATCH_CHUNK));
  }

  private addChunk(values: Float64Array, from: number, to: number): void {
    // A young sketch has no level of the smallest capacity yet: add value by value (as `add`) until it
    // has, which takes about 50,000 values at k = 200.
    while (from < to && this.blockLevels() === 0) {
      const end = Math.min(to, from + 1024);
      this.addEach(values, from, end);
      from = end;
    }
    if (from === to) return;
    let lo = this.lo;
    let hi = this.hi;
    let added = 0;
    const free = this.levels[0] as number;
    if (to - from <= free) {
      // Level 0 grows downwards into the free space, as `add` fills it.
      added = copyDroppingNaN(values, from, to, this.items, free - (to - from));
      if (bounds[0]! < lo) lo = bounds[0]!;
      if (bounds[1]! > hi) hi = bounds[1]!;
      if (added < to - from) this.items.copyWithin(free - added, free - (to - from), free - (to - from) + added);
      this.levels[0] = free - added;
    } else {
      // Room for every retained item and the batch: no merge of the compaction can hold more.
      const size = this.retained + (to - from);
      if (scratchA.length < size) {
        scratchA = new Float64Array(size);
        scratchB = new Float64Array(size);
      }
      const run = scratchA;
      added = copyDroppingNaN(values, from, to, run, 0);
      if (bounds[0]! < lo) lo = bounds[0]!;
      if (bounds[1]! > hi) hi = bounds[1]!;
      if (added >= 64) {
        this.addBlocks(added, this.blockLevels());
      } else {
        const beg0 = this.levels[0] as number;
        const end0 = this.levels[1] as number;
        run.set(this.items.subarray(beg0, end0), added);
        const len = added + end0 - beg0;
        run.subarray(0, len).sort();
        const levels: Float64Array[] = [run.subarray(0, len)];
        for (let h = 1; h < this.numLevels; h++) levels.push(this.items.subarray(this.levels[h], this.levels[h + 1]));
        this.compactSorted(levels);
      }
    }
    this.count += added;
    this.lo = lo;
    this.hi = hi;
  }

  /** `add` for each of values[from..to) (a method of its own, so V8 compiles addChunk without it). */
  private addEach(values: Float64Array, from: number, to: number): void {
    for (let i = from; i < to; i++) this.add(values[i] as number);
  }

  /** How many of the lowest levels have the smallest capacity, M (all but the top `log_{3/2}(k/M)` or so). */
  private blockLevels(): number {
    let h = 0;
    while (h < this.numLevels - 1 && this.caps[h] === M) h++;
    return h;
  }

  /**
   * The batch (scratchA[0..len)) through the levels of capacity M = 8 as blocks: each block of 8 is
   * sorted (a sorting network) and compacted to 4 of double weight, then at each level up to `top`
   * pairs of 4 are merged (a merging network) and compacted to 4 again; one coin per compaction. These
   * are the compactions those levels make (a compaction of a run of their capacity), done in tight
   * loops instead of one call each. A block left over at a level (odd count), the last len mod 8
   * values (level 0) and the survivors at level `top` go into the sketch's levels, which are then
   * compacted as usual.
   */
  private addBlocks(len: number, top: number): void {
    const extras: Float64Array[] = [scratchA.slice(len & ~7, len)];
    let runs: number;
    let first = 1;
    let sampledLeft = EMPTY;
    if (top > SAMPLED_LEVELS) {
      // Levels 0 to 2 by sampling: one value of each block of 8, of weight 8, in sorted runs of 4 at level 3.
      const samples = this.sampleBlocksOf8(scratchA, len >>> 3, scratchB);
      runs = samples >>> 2;
      sortRunsOf4(scratchB, runs);
      sampledLeft = scratchB.slice(4 * runs, samples).sort();
      extras.push(EMPTY, EMPTY);
      first = SAMPLED_LEVELS;
    } else {
      runs = this.compactBlocksOf8(scratchA, len >>> 3, scratchB);
    }
    let src = scratchB;
    let dst = scratchA;
    for (let h = first; h < top; h++) {
      extras.push((runs & 1) === 1 ? src.slice(4 * (runs - 1), 4 * runs) : EMPTY);
      runs = this.compactPairsOf4(src, runs >>> 1, dst);
      const swap = src;
      src = dst;
      dst = swap;
    }
    const survivors = src.slice(0, 4 * runs);
    survivors.sort();
    const levels: Float64Array[] = [];
    for (let h = 0; h < this.numLevels; h++) levels.push(this.items.subarray(this.levels[h], this.levels[h + 1]));
    const level0 = new Float64Array(levels[0]!.length + extras[0]!.length);
    level0.set(levels[0]!);
    level0.set(extras[0]!, levels[0]!.length);
    level0.sort();
    levels[0] = level0;
    for (let h = 1; h < top; h++) if (extras[h]!.length > 0) levels[h] = mergeSorted(levels[h]!, extras[h]!);
    if (sampledLeft.length > 0) levels[SAMPLED_LEVELS] = mergeSorted(levels[SAMPLED_LEVELS]!, sampledLeft);
    levels[top] = mergeSorted(levels[top]!, survivors);
    this.compactSorted(levels);
  }

  /** One value of each of `blocks` blocks of 8 in `src`, chosen by the coin, to dst[0..blocks); returns how many. */
  private sampleBlocksOf8(src: Float64Array, blocks: number, dst: Float64Array): number {
    let bits = 0;
    let left = 0;
    for (let b = 0; b < blocks; b++) {
      if (left === 0) {
        bits = this.randomWord();
        left = 10;
      }
      dst[b] = src[8 * b + (bits & 7)] as number;
      bits >>>= 3;
      left--;
    }
    return blocks;
  }

  /** Sorts each of `blocks` blocks of 8 in `src` and writes its odd- or even-ranked half to `dst`; returns the runs of 4 written. */
  private compactBlocksOf8(src: Float64Array, blocks: number, dst: Float64Array): number {
    for (let b = 0; b < blocks; b++) {
      const s = 8 * b;
      let x0 = src[s] as number;
      let x1 = src[s + 1] as number;
      let x2 = src[s + 2] as number;
      let x3 = src[s + 3] as number;
      let x4 = src[s + 4] as number;
      let x5 = src[s + 5] as number;
      let x6 = src[s + 6] as number;
      let x7 = src[s + 7] as number;
      let t: number;
      // Batcher's odd-even merge sort of 8 (19 comparators).
      if (x1 < x0) { t = x0; x0 = x1; x1 = t; }
      if (x3 < x2) { t = x2; x2 = x3; x3 = t; }
      if (x5 < x4) { t = x4; x4 = x5; x5 = t; }
      if (x7 < x6) { t = x6; x6 = x7; x7 = t; }
      if (x2 < x0) { t = x0; x0 = x2; x2 = t; }
      if (x3 < x1) { t = x1; x1 = x3; x3 = t; }
      if (x6 < x4) { t = x4; x4 = x6; x6 = t; }
      if (x7 < x5) { t = x5; x5 = x7; x7 = t; }
      if (x2 < x1) { t = x1; x1 = x2; x2 = t; }
      if (x6 < x5) { t = x5; x5 = x6; x6 = t; }
      if (x4 < x0) { t = x0; x0 = x4; x4 = t; }
      if (x7 < x3) { t = x3; x3 = x7; x7 = t; }
      if (x5 < x1) { t = x1; x1 = x5; x5 = t; }
      if (x6 < x2) { t = x2; x2 = x6; x6 = t; }
      if (x4 < x1) { t = x1; x1 = x4; x4 = t; }
      if (x6 < x3) { t = x3; x3 = x6; x6 = t; }
      if (x4 < x2) { t = x2; x2 = x4; x4 = t; }
      if (x5 < x3) { t = x3; x3 = x5; x5 = t; }
      if (x4 < x3) { t = x3; x3 = x4; x4 = t; }
      const o = 4 * b;
      if (this.randomBit() === 1) {
        dst[o] = x1;
        dst[o + 1] = x3;
        dst[o + 2] = x5;
        dst[o + 3] = x7;
      } else {
        dst[o] = x0;
        dst[o + 1] = x2;
        dst[o + 2] = x4;
        dst[o + 3] = x6;
      }
    }
    return blocks;
  }

  /** Merges each of `pairs` pairs of sorted runs of 4 in `src` and writes the odd- or even-ranked half to `dst`; returns the runs of 4 written. */
  private compactPairsOf4(src: Float64Array, pairs: number, dst: Float64Array): number {
    for (let p = 0; p < pairs; p++) {
      const s = 8 * p;
      let a0 = src[s] as number;
      let a1 = src[s + 1] as number;
      let a2 = src[s + 2] as number;
      let a3 = src[s + 3] as number;
      let b0 = src[s + 4] as number;
      let b1 = src[s + 5] as number;
      let b2 = src[s + 6] as number;
      let b3 = src[s + 7] as number;
      let t: number;
      // Batcher's odd-even merge of two sorted runs of 4 (9 comparators); the order is a0..a3, b0..b3.
      if (b0 < a0) { t = a0; a0 = b0; b0 = t; }
      if (b1 < a1) { t = a1; a1 = b1; b1 = t; }
      if (b2 < a2) { t = a2; a2 = b2; b2 = t; }
      if (b3 < a3) { t = a3; a3 = b3; b3 = t; }
      if (b0 < a2) { t = a2; a2 = b0; b0 = t; }
      if (b1 < a3) { t = a3; a3 = b1; b1 = t; }
      if (a2 < a1) { t = a1; a1 = a2; a2 = t; }
      if (b0 < a3) { t = a3; a3 = b0; b0 = t; }
      if (b2 < b1) { t = b1; b1 = b2; b2 = t; }
      const o = 4 * p;
      if (this.randomBit() === 1) {
        dst[o] = a1;
        dst[o + 1] = a3;
        dst[o + 2] = b1;
        dst[o + 3] = b3;
      } else {
        dst[o] = a0;
        dst[o + 1] = a2;
        dst[o + 2] = b0;
        dst[o + 3] = b2;
      }
    }
    return pairs;
  }

  /**
   * Compacts `levels` (all sorted, level 0 too; views of `items` or of scratchA, or fresh) as
   * DataSketches' generalCompress does until the sketch fits its total capacity, and lays the result
   * out afresh (`adopt`); carries ping-pong between the two scratch buffers.
   */
  private compactSorted(levels: Float64Array[]): void {
    const k = this.k;
    let current = levels.reduce((sum, l) => sum + l.length, 0);
    let target = totalCapacity(k, levels.length);
    while (current > target) {
      for (let h = 0; h < levels.length; h++) {
        const run = levels[h] as Float64Array;
        if (current <= target || run.length < levelCapacity(k, levels.length, h)) {
          // A level that stays in scratch would be overwritten by the merges further up.
          if (run.buffer === scratchA.buffer || run.buffer === scratchB.buffer) levels[h] = run.slice();
          continue;
        }
        const odd = run.length & 1;
        const kept = odd === 1 ? run.slice(0, 1) : EMPTY;
        const half = (run.length - odd) >>> 1;
        packEveryOther(run, half, odd + this.randomBit());
        levels[h] = kept;
        if (h === levels.length - 1) {
          levels.push(EMPTY);
          target = totalCapacity(k, levels.length);
        }
        const above = levels[h + 1] as Float64Array;
        const into = run.buffer === scratchA.buffer ? scratchB : scratchA;
        mergeInto(run, half, above, into);
        levels[h + 1] = into.subarray(0, half + above.length);
        current -= half;
      }
    }
    this.adopt(levels);
  }

  private randomBit(): number {
    return this.randomWord() >>> 31;
  }

  /** 32 random bits (mulberry32, whose state is the sketch's `rng`). */
  private randomWord(): number {
    this.rngState = (this.rngState + 0x6d2b79f5) | 0;
    let t = this.rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A deserialized sketch is packed tight: give it its full capacity first, then compact if still full. */
  private makeRoom(): void {
    if (this.items.length < this.totalCap) {
      this.adopt(this.levelArrays());
      if ((this.levels[0] as number) > 0) return;
    }
    this.compressWhileUpdating();
  }

  /** Only valid when the buffer is exactly full (levels[0] = 0), as in DataSketches. */
  private compressWhileUpdating(): void {
    const levels = this.levels;
    let level = 0;
    while ((levels[level + 1] as number) - (levels[level] as number) < (this.caps[level] as number)) level++;
    if (level === this.numLevels - 1) this.addEmptyTopLevel();
    const rawBeg = levels[level] as number;
    const rawLim = levels[level + 1] as number;
    const popAbove = (levels[level + 2] as number) - rawLim;
    const rawPop = rawLim - rawBeg;
    const odd = (rawPop & 1) === 1;
    const adjBeg = odd ? rawBeg + 1 : rawBeg;
    const adjPop = odd ? rawPop - 1 : rawPop;
    const half = adjPop >>> 1;
    const items = this.items;
    if (level === 0) sortRange(items, adjBeg, adjBeg + adjPop);
    if (popAbove === 0) {
      this.halveUp(adjBeg, adjPop);
    } else {
      this.halveDown(adjBeg, adjPop);
      mergeInPlace(items, adjBeg, half, rawLim, popAbove, adjBeg + half);
    }
    levels[level + 1] = (levels[level + 1] as number) - half;
    if (odd) {
      levels[level] = (levels[level + 1] as number) - 1;
      items[levels[level] as number] = items[rawBeg] as number;
    } else {
      levels[level] = levels[level + 1] as number;
    }
    // Shift the levels below up into the freed slots, so level 0 has room again.
    if (level > 0) {
      const start = levels[0] as number;
      items.copyWithin(start + half, start, rawBeg);
      for (let h = 0; h < level; h++) levels[h] = (levels[h] as number) + half;
    }
  }

  /** Keeps the odd- or even-indexed half of [start, start+length), packed into its upper half. */
  private halveUp(start: number, length: number): void {
    const half = length >>> 1;
    const items = this.items;
    let j = start + length - 1 - this.randomBit();
    for (let i = start + length - 1; i >= start + half; i--) {
      items[i] = items[j] as number;
      j -= 2;
    }
  }

  /** Keeps the odd- or even-indexed half of [start, start+length), packed into its lower half. */
  private halveDown(start: number, length: number): void {
    const half = length >>> 1;
    const items = this.items;
    let j = start + this.randomBit();
    for (let i = start; i < start + half; i++) {
      items[i] = items[j] as number;
      j += 2;
    }
  }

  private addEmptyTopLevel(): void {
    if (this.numLevels >= MAX_LEVELS) throw new Error('KLL sketch has no more levels');
    const cur = this.levels[this.numLevels] as number;
    const delta = levelCapacity(this.k, this.numLevels + 1, 0);
    const next = new Float64Array(cur + delta);
    next.set(this.items.subarray(this.levels[0], cur), (this.levels[0] as number) + delta);
    this.items = next;
    for (let h = 0; h <= this.numLevels; h++) this.levels[h] = (this.levels[h] as number) + delta;
    this.numLevels++;
    this.levels[this.numLevels] = cur + delta;
    this.setCapacities();
  }

  /** The retained items level by level (level 0 first), as copies. */
  private levelArrays(): Float64Array[] {
    const out: Float64Array[] = [];
    for (let h = 0; h < this.numLevels; h++) out.push(this.items.slice(this.levels[h], this.levels[h + 1]));
    return out;
  }

  /**
   * Replaces the contents with these levels (level 0 any order, the others sorted), laid out as `add`
   * expects; `tight` leaves no free space (a sketch read from a file only to be queried).
   */
  private adopt(levels: Float64Array[], tight = false): void {
    const numLevels = Math.max(1, levels.length);
    const retained = levels.reduce((s, l) => s + l.length, 0);
    const cap = tight ? retained : totalCapacity(this.k, numLevels);
    if (retained > cap) throw new Error('KLL sketch holds more items than its capacity');
    this.items = new Float64Array(cap);
    let at = cap - retained;
    for (let h = 0; h < numLevels; h++) {
      const level = levels[h] ?? new Float64Array(0);
      this.levels[h] = at;
      this.items.set(level, at);
      at += level.length;
    }
    this.levels[numLevels] = cap;
    this.numLevels = numLevels;
    this.setCapacities();
  }

  /**
   * Adds `other`'s values (the union's sketch), as DataSketches merges: other's level 0 is added value
   * by value, the higher levels are merged level by level, then levels over capacity are compacted from
   * the bottom until the sketch fits. Both must have the same k.
   */
  merge(other: KllSketch): void {
    if (other.k !== this.k) throw new UserError(`cannot merge KLL sketches with different k (${this.k} and ${other.k})`, { hint: 'profile every shard with the same quantile sketch size' });
    const otherCount = other.count;
    const otherLo = other.lo;
    const otherHi = other.hi;
    if (otherCount === 0) return;
    const otherLevels = other.levelArrays();
    const level0 = otherLevels[0] as Float64Array;
    const before = this.count;
    for (let i = 0; i < level0.length; i++) this.add(level0[i] as number);
    if (otherLevels.length > 1) {
      const mine = this.levelArrays();
      const merged: Float64Array[] = [];
      for (let h = 0; h < Math.max(mine.length, otherLevels.length); h++) {
        const a = mine[h] ?? new Float64Array(0);
        const b = h === 0 ? new Float64Array(0) : (otherLevels[h] ?? new Float64Array(0));
        merged.push(h === 0 ? a : mergeSorted(a, b));
      }
      let levels = merged;
      while (levels.reduce((s, l) => s + l.length, 0) > totalCapacity(this.k, levels.length)) levels = this.generalCompress(levels);
      this.adopt(levels);
    }
    this.count = before + otherCount;
    if (otherLo < this.lo) this.lo = otherLo;
    if (otherHi > this.hi) this.hi = otherHi;
  }

  /** DataSketches' generalCompress: one pass from level 0 up, compacting levels at capacity while the sketch is over. */
  private generalCompress(levels: Float64Array[]): Float64Array[] {
    let numLevels = levels.length;
    let current = levels.reduce((s, l) => s + l.length, 0);
    let target = totalCapacity(this.k, numLevels);
    for (let h = 0; h < numLevels; h++) {
      const level = levels[h] as Float64Array;
      if (current < target || level.length < levelCapacity(this.k, numLevels, h)) continue;
      if (h === 0) level.sort();
      const odd = (level.length & 1) === 1;
      const adj = odd ? level.subarray(1) : level;
      const half = new Float64Array(adj.length >>> 1);
      const offset = this.randomBit();
      for (let i = 0; i < half.length; i++) half[i] = adj[2 * i + offset] as number;
      levels[h] = odd ? level.slice(0, 1) : new Float64Array(0);
      if (h === numLevels - 1) {
        levels.push(new Float64Array(0));
        numLevels++;
        target += levelCapacity(this.k, numLevels, 0);
      }
      levels[h + 1] = mergeSorted(half, levels[h + 1] as Float64Array);
      current -= half.length;
    }
    return levels;
  }

  /** Sorted retained values with cumulative weights; cached until the sketch changes. */
  sortedView(): KllSortedView {
    if (this.view && this.viewCount === this.count) return this.view;
    const retained = this.retained;
    const order = new Float64Array(retained);
    const weights = new Float64Array(retained);
    const pairs: [number, number][] = [];
    for (let h = 0; h < this.numLevels; h++) {
      const w = 2 ** h;
      for (let i = this.levels[h] as number; i < (this.levels[h + 1] as number); i++) pairs.push([this.items[i] as number, w]);
    }
    pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let cum = 0;
    for (let i = 0; i < pairs.length; i++) {
      const [v, w] = pairs[i] as [number, number];
      order[i] = v;
      cum += w;
      weights[i] = cum;
    }
    this.view = { values: order, cumWeights: weights };
    this.viewCount = this.count;
    return this.view;
  }

  /** (value, weight) of every retained item, level 0 first. */
  forEachItem(visit: (value: number, weight: number) => void): void {
    for (let h = 0; h < this.numLevels; h++) {
      const w = 2 ** h;
      for (let i = this.levels[h] as number; i < (this.levels[h + 1] as number); i++) visit(this.items[i] as number, w);
    }
  }

  /** Estimated fraction of values ≤ x (`inclusive`, the default) or < x. */
  rank(x: number, inclusive = true): number {
    if (this.count === 0) return Number.NaN;
    const { values, cumWeights } = this.sortedView();
    const i = inclusive ? upperBound(values, x) : lowerBound(values, x);
    return i === 0 ? 0 : (cumWeights[i - 1] as number) / this.count;
  }

  /**
   * The value at 0-based position j of the sorted data the sketch stands for (each retained item
   * repeated by its weight).
   */
  valueAt(j: number): number {
    const { values, cumWeights } = this.sortedView();
    // First item whose cumulative weight exceeds j.
    let lo = 0;
    let hi = values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumWeights[mid] as number) > j) hi = mid;
      else lo = mid + 1;
    }
    return values[lo] as number;
  }

  /**
   * The type-7 quantile (NumPy's default, with NumPy's lerp) of the data the sketch stands for: exact
   * while the sketch is exact; otherwise a value whose true normalized rank is within
   * `normalizedRankError()` (plus 1/n for the interpolation) of q, at 99% confidence. q = 0 and 1 give
   * the true min and max.
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside [0, 1]`);
    const n = this.count;
    if (n === 0) return Number.NaN;
    if (q === 0) return this.lo;
    if (q === 1) return this.hi;
    const virtual = (n - 1) * q;
    const previous = Math.floor(virtual);
    if (previous >= n - 1) return this.hi;
    const a = this.valueAt(previous);
    const b = this.valueAt(previous + 1);
    const t = virtual - previous;
    const diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
  }

  /** The median as np.median takes it (mean of the two middle values for even n). */
  median(): number {
    const n = this.count;
    if (n === 0) return Number.NaN;
    const mid = Math.floor(n / 2);
    if (n % 2 === 1) return this.valueAt(mid);
    return (this.valueAt(mid - 1) + this.valueAt(mid)) / 2;
  }

  toJSON(): KllSketchJson {
    const levels: number[] = [];
    for (let h = 0; h < this.numLevels; h++) levels.push((this.levels[h + 1] as number) - (this.levels[h] as number));
    const items: (number | string)[] = [];
    for (let i = this.levels[0] as number; i < (this.levels[this.numLevels] as number); i++) items.push(plainNumber(this.items[i] as number));
    return {
      k: this.k,
      n: this.count,
      min: this.count === 0 ? null : plainNumber(this.lo),
      max: this.count === 0 ? null : plainNumber(this.hi),
      levels,
      items,
      rng: this.rngState >>> 0,
    };
  }

  /** Rebuilds a sketch from `toJSON` output, checking every invariant (profiles are untrusted input). */
  static fromJSON(json: unknown, file?: string): KllSketch {
    const bad = (why: string): UserError => new UserError(`invalid quantile sketch: ${why}`, { ...(file === undefined ? {} : { file }), hint: 'profile the reference again with `aisec data-gate profile`' });
    if (json === null || typeof json !== 'object') throw bad('not an object');
    const j = json as Partial<Record<keyof KllSketchJson, unknown>>;
    const k = j.k;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < KLL_MIN_K || k > KLL_MAX_K) throw bad(`k must be an integer in [${KLL_MIN_K}, ${KLL_MAX_K}]`);
    if (typeof j.n !== 'number' || !Number.isSafeInteger(j.n) || j.n < 0) throw bad('n must be a non-negative integer');
    if (typeof j.rng !== 'number' || !Number.isInteger(j.rng) || j.rng < 0 || j.rng > 0xffffffff) throw bad('rng must be a uint32');
    if (!Array.isArray(j.levels) || j.levels.length < 1 || j.levels.length > MAX_LEVELS || !j.levels.every((x) => Number.isInteger(x) && (x as number) >= 0)) throw bad(`levels must be 1 to ${MAX_LEVELS} non-negative integers`);
    if (!Array.isArray(j.items)) throw bad('items must be a list');
    const sizes = j.levels as number[];
    if (sizes.reduce((s, x) => s + x, 0) !== j.items.length) throw bad('levels do not add up to the number of items');
    const values = j.items.map(readNumber);
    if (values.some((v) => v === undefined || Number.isNaN(v))) throw bad('items must be numbers');
    const sketch = new KllSketch(k, j.rng);
    const arrays: Float64Array[] = [];
    let at = 0;
    let weight = 0;
    for (let h = 0; h < sizes.length; h++) {
      const level = Float64Array.from(values.slice(at, at + (sizes[h] as number)) as number[]);
      at += level.length;
      if (h > 0) for (let i = 1; i < level.length; i++) if ((level[i] as number) < (level[i - 1] as number)) throw bad(`level ${h} is not sorted`);
      weight += level.length * 2 ** h;
      arrays.push(level);
    }
    // Compaction keeps the total weight: the retained items stand for exactly n values.
    if (weight !== j.n) throw bad(`the items' weights add up to ${weight}, not n = ${j.n}`);
    if (values.length > totalCapacity(k, sizes.length)) throw bad('more items than the levels can hold');
    sketch.adopt(arrays, true);
    sketch.count = j.n;
    if (j.n > 0) {
      const lo = readNumber(j.min);
      const hi = readNumber(j.max);
      if (lo === undefined || hi === undefined || Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) throw bad('min and max must be numbers, min ≤ max');
      for (const v of values as number[]) if (v < lo || v > hi) throw bad('an item lies outside [min, max]');
      sketch.lo = lo;
      sketch.hi = hi;
    }
    return sketch;
  }
}

function plainNumber(v: number): number | string {
  return Number.isFinite(v) ? v : v > 0 ? 'inf' : '-inf';
}

function readNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return undefined;
}

/** Index of the first value > x. */
function upperBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first value ≥ x. */
function lowerBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sorts [start, end) of a buffer: insertion sort for the short runs most compactions see, else the native sort. */
function sortRange(buf: Float64Array, start: number, end: number): void {
  if (end - start > 32) {
    buf.subarray(start, end).sort();
    return;
  }
  for (let i = start + 1; i < end; i++) {
    const v = buf[i] as number;
    let j = i - 1;
    while (j >= start && (buf[j] as number) > v) {
      buf[j + 1] = buf[j] as number;
      j--;
    }
    buf[j + 1] = v;
  }
}

/**
 * Packs run[offset], run[offset + 2], ... (`half` of them: the odd- or the even-ranked half a
 * compaction promotes) to the run's front; reads stay ahead of writes. A function of its own so that
 * V8 compiles this loop, not the whole compaction around it, when it gets hot.
 */
function packEveryOther(run: Float64Array, half: number, offset: number): void {
  for (let i = 0; i < half; i++) run[i] = run[offset + 2 * i] as number;
}

/** Merges sorted a[0..aLen) and b into out[0..), which is neither's buffer. */
function mergeInto(a: Float64Array, aLen: number, b: Float64Array, out: Float64Array): void {
  let i = 0;
  let j = 0;
  let o = 0;
  const bLen = b.length;
  while (i < aLen && j < bLen) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x <= y) {
      out[o++] = x;
      i++;
    } else {
      out[o++] = y;
      j++;
    }
  }
  // Both tails copied unconditionally: a tail loop that ran in some calls and not in others had V8
  // deoptimize the merge again and again.
  out.set(a.subarray(i, aLen), o);
  out.set(b.subarray(j, bLen), o + aLen - i);
}

function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) out[o++] = (a[i] as number) <= (b[j] as number) ? (a[i++] as number) : (b[j++] as number);
  while (i < a.length) out[o++] = a[i++] as number;
  while (j < b.length) out[o++] = b[j++] as number;
  return out;
}

/**
 * Merges sorted runs [aBeg, aBeg+aLen) and [bBeg, bBeg+bLen) of one buffer into [out, ...), where
 * aBeg + aLen ≤ out ≤ bBeg: the writes never overtake the reads of the second run.
 */
function mergeInPlace(buf: Float64Array, aBeg: number, aLen: number, bBeg: number, bLen: number, out: number): void {
  let i = aBeg;
  const aEnd = aBeg + aLen;
  let j = bBeg;
  const bEnd = bBeg + bLen;
  let o = out;
  while (i < aEnd && j < bEnd) {
    const x = buf[i] as number;
    const y = buf[j] as number;
    if (x <= y) {
      buf[o++] = x;
      i++;
    } else {
      buf[o++] = y;
      j++;
    }
  }
  while (i < aEnd) buf[o++] = buf[i++] as number;
  while (j < bEnd) buf[o++] = buf[j++] as number;
}
