import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@aisec/core';
import { describe, expect, it } from 'vitest';
import { KllSketch, type KllSketchJson, normalizedRankError } from '../../../packages/data-gate/src/sketch/index';
import { quantileSorted } from '../../../packages/data-gate/src/stats/index';
import { column, loadCsv, numericCells } from '../stats/shared-table';
import { SHARED } from '../readers/helpers';
import { prng } from '../../helpers/prng';

const DATA = join(SHARED, 'data');

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-300))) * Math.cos(2 * Math.PI * rand());
}

/** Number of sorted values ≤ x, and < x. */
function countLe(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countLt(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The largest normalized error of the sketch's ranks (inclusive and exclusive) over `points`, and of
 * its quantiles at 0.001..0.999: a quantile is right when the true rank interval [F(v−), F(v)] of the
 * value it returns comes within the error of q.
 */
function worstErrors(sketch: KllSketch, sorted: Float64Array, points: Iterable<number>): { rank: number; quantile: number } {
  const n = sorted.length;
  let rank = 0;
  for (const x of points) {
    rank = Math.max(rank, Math.abs(sketch.rank(x) - countLe(sorted, x) / n), Math.abs(sketch.rank(x, false) - countLt(sorted, x) / n));
  }
  let quantile = 0;
  for (let i = 1; i < 1000; i++) {
    const q = i / 1000;
    const v = sketch.quantile(q);
    const below = countLt(sorted, v) / n;
    const upTo = countLe(sorted, v) / n;
    quantile = Math.max(quantile, q < below ? below - q : q > upTo ? q - upTo : 0);
  }
  return { rank, quantile };
}

function gridPoints(sorted: Float64Array, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(sorted[Math.floor((i / count) * sorted.length)] as number);
  out.push(sorted[sorted.length - 1] as number, -Infinity, Infinity);
  return out;
}

function sketchOf(values: ArrayLike<number>, k?: number): KllSketch {
  const s = new KllSketch(k);
  for (let i = 0; i < values.length; i++) s.add(values[i] as number);
  return s;
}

/** A sketch fed by addMany in batches of `batch` values, through one reused buffer as the profile builder feeds it. */
function batchedSketchOf(values: ArrayLike<number>, batch: number, k?: number): KllSketch {
  const s = new KllSketch(k);
  const buf = new Float64Array(batch);
  for (let at = 0; at < values.length; at += batch) {
    const len = Math.min(batch, values.length - at);
    for (let i = 0; i < len; i++) buf[i] = values[at + i] as number;
    s.addMany(buf, len);
  }
  return s;
}

const MILLION = 1_000_000;
const generated: Record<string, (r: () => number, i: number) => number> = {
  normal: (r) => normal(r),
  lognormal: (r) => Math.exp(normal(r)),
  'poisson-like integers (ties)': (r) => Math.floor(-Math.log(Math.max(r(), 1e-300)) * 5),
  ascending: (_r, i) => i,
  descending: (_r, i) => MILLION - i,
  'two point masses': (r) => (r() < 0.3 ? 0 : 1),
};

/**
 * Sketches a shared data column of every file with `build` (given the column's cells, NaN for nulls),
 * and checks each sketch and their merge against the exact sorted values: ranks and quantiles within
 * the stated bound, counts and extremes. Returns how many sketches were approximate (the caller checks
 * there were some, or the bound was never put to the test).
 */
function checkSharedColumn(files: readonly string[], name: string, build: (cells: Float64Array) => KllSketch): number {
  const all = new KllSketch();
  const pooled: number[] = [];
  let approximate = 0;
  for (const f of files) {
    const col = column(loadCsv(join(DATA, f)), name);
    if (!col || col.kind !== 'numeric') continue;
    const cells = numericCells(col);
    const values = cells.filter((v) => !Number.isNaN(v));
    const s = build(cells);
    expect(s.n).toBe(values.length);
    all.merge(s);
    pooled.push(...values);
    const sorted = values.slice().sort();
    const e = worstErrors(s, sorted, sorted);
    if (!s.isExact) approximate++;
    expect(e.rank, `${f} ${name} rank`).toBeLessThanOrEqual(s.normalizedRankError());
    expect(e.quantile, `${f} ${name} quantile`).toBeLessThanOrEqual(s.normalizedRankError() + 1 / values.length);
  }
  const sorted = Float64Array.from(pooled).sort();
  expect(all.n).toBe(sorted.length);
  const e = worstErrors(all, sorted, sorted);
  expect(e.rank).toBeLessThanOrEqual(all.normalizedRankError());
  expect(e.quantile).toBeLessThanOrEqual(all.normalizedRankError() + 1 / sorted.length);
  expect([all.min, all.max]).toEqual([sorted[0], sorted[sorted.length - 1]]);
  return approximate;
}

describe('KLL quantile sketch', () => {
  it('states the DataSketches 99% rank-error bound: 1.33% single-sided and 1.65% double-sided at k = 200', () => {
    expect(normalizedRankError(200)).toBeCloseTo(0.01329, 4);
    expect(normalizedRankError(200, true)).toBeCloseTo(0.01652, 4);
    expect(normalizedRankError(800)).toBeLessThan(normalizedRankError(200) / 3.5);
  });

  it('is exact while nothing is compacted: type-7 quantiles and ranks equal the sorted array', () => {
    const rand = prng(7);
    const values = Float64Array.from({ length: 150 }, () => Math.round(normal(rand) * 100) / 10);
    const s = sketchOf(values);
    const sorted = values.slice().sort();
    expect(s.isExact).toBe(true);
    expect(s.normalizedRankError()).toBe(0);
    for (let i = 0; i <= 100; i++) expect(s.quantile(i / 100)).toBe(quantileSorted(sorted, i / 100));
    for (const x of sorted) expect(s.rank(x)).toBe(countLe(sorted, x) / sorted.length);
    expect([s.min, s.max, s.n]).toEqual([sorted[0], sorted[149], 150]);
  });

  it('drops NaN, keeps ±Infinity as values, and is empty-safe', () => {
    const s = new KllSketch();
    expect([s.n, s.min, s.quantile(0.5), s.rank(0)]).toEqual([0, Number.NaN, Number.NaN, Number.NaN]);
    for (const v of [Number.NaN, -Infinity, 1, 2, Infinity, Number.NaN]) s.add(v);
    expect(s.n).toBe(4);
    expect([s.min, s.max, s.rank(Infinity), s.rank(-Infinity, false)]).toEqual([-Infinity, Infinity, 1, 0]);
    const json = JSON.parse(JSON.stringify(s.toJSON())) as KllSketchJson;
    expect(json.items).toContain('inf');
    expect(KllSketch.fromJSON(json).toJSON()).toEqual(s.toJSON());
  });

  describe('on the shared data columns, against the exact sorted column', () => {
    const files = readdirSync(DATA).filter((f) => f.endsWith('.csv')).sort();
    for (const name of ['x_norm', 'x_skew', 'x_int', 'x_miss', 'rating']) {
      it(`${name}: ranks and quantiles within the stated bound on each file and on all files together`, () => {
        expect(checkSharedColumn(files, name, (cells) => sketchOf(cells.filter((v) => !Number.isNaN(v))))).toBeGreaterThan(5);
      });
    }
  });

  describe('on 1e6 generated values', () => {
    for (const [label, draw] of Object.entries(generated)) {
      it(`${label}: ranks and quantiles within the bound, retaining under 1,000 items`, () => {
        const rand = prng(label.length * 7919);
        const values = new Float64Array(MILLION);
        for (let i = 0; i < MILLION; i++) values[i] = draw(rand, i);
        const s = sketchOf(values);
        const sorted = values.slice().sort();
        const e = worstErrors(s, sorted, gridPoints(sorted, 2000));
        expect(s.isExact).toBe(false);
        expect(s.retained).toBeLessThan(1000);
        expect(e.rank).toBeLessThanOrEqual(normalizedRankError(200));
        expect(e.quantile).toBeLessThanOrEqual(normalizedRankError(200) + 1 / MILLION);
      });
    }
  });

  it('merges shards into a sketch of the whole within the bound; the same shards in the same order give the same bytes', () => {
    const rand = prng(99);
    const values = Float64Array.from({ length: MILLION }, () => Math.exp(normal(rand)));
    const sorted = values.slice().sort();
    const shards = (): KllSketch[] => {
      const parts: KllSketch[] = [];
      for (let p = 0; p < 10; p++) parts.push(sketchOf(values.subarray(p * 100_000, (p + 1) * 100_000)));
      return parts;
    };
    const merge = (parts: KllSketch[]): KllSketch => parts.reduce((acc, s) => (acc.merge(s), acc), new KllSketch());
    const merged = merge(shards());
    expect(merged.n).toBe(MILLION);
    expect([merged.min, merged.max]).toEqual([sorted[0], sorted[MILLION - 1]]);
    const e = worstErrors(merged, sorted, gridPoints(sorted, 2000));
    expect(e.rank).toBeLessThanOrEqual(normalizedRankError(200));
    expect(e.quantile).toBeLessThanOrEqual(normalizedRankError(200) + 1 / MILLION);
    expect(JSON.stringify(merge(shards()).toJSON())).toBe(JSON.stringify(merged.toJSON()));
    // A tree of merges (pairs, then pairs of pairs) stays within the bound too.
    let level = shards();
    while (level.length > 1) {
      const next: KllSketch[] = [];
      for (let i = 0; i < level.length; i += 2) {
        const a = level[i] as KllSketch;
        if (level[i + 1]) a.merge(level[i + 1] as KllSketch);
        next.push(a);
      }
      level = next;
    }
    const tree = level[0] as KllSketch;
    expect(tree.n).toBe(MILLION);
    expect(worstErrors(tree, sorted, gridPoints(sorted, 2000)).rank).toBeLessThanOrEqual(normalizedRankError(200));
  });

  it('refuses to merge sketches of different k with a UserError that says what to do', () => {
    const a = sketchOf(Float64Array.from({ length: 1000 }, (_, i) => i));
    const b = new KllSketch(400);
    b.add(1);
    expect(() => a.merge(b)).toThrow(UserError);
    expect(() => a.merge(b)).toThrow(/different k \(200 and 400\)/);
  });

  it('merging exact sketches whose union fits stays exact', () => {
    const a = sketchOf([5, 1, 3]);
    a.merge(sketchOf([2, 4]));
    expect(a.isExact).toBe(true);
    expect([a.quantile(0.5), a.rank(3), a.n]).toEqual([3, 0.6, 5]);
  });

  it('is deterministic: the same values give the same JSON, run to run', () => {
    const rand = prng(3);
    const values = Float64Array.from({ length: 200_000 }, () => normal(rand));
    const a = JSON.stringify(sketchOf(values).toJSON());
    expect(JSON.stringify(sketchOf(values).toJSON())).toBe(a);
    // A different seed flips other coins: a different sketch, also within the bound.
    const other = new KllSketch(200, 12345);
    for (const v of values) other.add(v);
    expect(JSON.stringify(other.toJSON())).not.toBe(a);
  });

  it('round-trips through JSON, and a sketch read back goes on exactly as the original', () => {
    const rand = prng(11);
    const first = Float64Array.from({ length: 50_000 }, () => normal(rand));
    const rest = Float64Array.from({ length: 70_000 }, () => normal(rand) * 2);
    const original = sketchOf(first);
    const copy = KllSketch.fromJSON(JSON.parse(JSON.stringify(original.toJSON())));
    expect(copy.toJSON()).toEqual(original.toJSON());
    expect(copy.quantile(0.3)).toBe(original.quantile(0.3));
    for (const v of rest) {
      original.add(v);
      copy.add(v);
    }
    expect(copy.toJSON()).toEqual(original.toJSON());
    const other = sketchOf(rest.subarray(0, 30_000));
    const c2 = KllSketch.fromJSON(original.toJSON());
    original.merge(other);
    c2.merge(KllSketch.fromJSON(other.toJSON()));
    expect(c2.toJSON()).toEqual(original.toJSON());
  });

  it('refuses damaged JSON with a UserError naming the file and the fault', () => {
    const good = sketchOf(Float64Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000)).toJSON();
    const cases: [string, unknown][] = [
      ['weights', { ...good, n: good.n + 1 }],
      ['k must be', { ...good, k: 3 }],
      ['not sorted', { ...good, items: good.items.map((v, i) => (i === good.items.length - 1 ? -1 : v)), min: -1 }],
      ['outside', { ...good, min: 10 }],
      ['add up', { ...good, levels: [...good.levels, 1] }],
      ['numbers', { ...good, items: good.items.map((v, i) => (i === 0 ? 'x' : v)) }],
      ['not an object', 'kll'],
    ];
    for (const [why, json] of cases) {
      let error: unknown;
      try {
        KllSketch.fromJSON(json, 'ref.profile.json');
      } catch (e) {
        error = e;
      }
      expect(error, why).toBeInstanceOf(UserError);
      expect((error as UserError).format(), why).toContain('ref.profile.json');
      expect((error as UserError).message, why).toContain(why);
    }
    expect(() => new KllSketch(7)).toThrow(RangeError);
  });

  it('adds in amortized constant time without allocating per value (about 1e6 values in well under a second)', () => {
    const values = new Float64Array(MILLION);
    const rand = prng(5);
    for (let i = 0; i < MILLION; i++) values[i] = rand();
    sketchOf(values.subarray(0, 100_000));
    const started = performance.now();
    const s = sketchOf(values);
    const ms = performance.now() - started;
    expect(s.n).toBe(MILLION);
    // Generous for a loaded CI machine; measured about 40-50 ns per value here.
    expect(ms).toBeLessThan(1000);
  });
});

describe('KLL addMany (one compaction pass per batch)', () => {
  describe('on 1e6 generated values, in batches of 65,536 and 8,192', () => {
    for (const [label, draw] of Object.entries(generated)) {
      it(`${label}: ranks and quantiles within the bound, retaining under 1,000 items, as value-by-value adding does`, () => {
        const rand = prng(label.length * 7919);
        const values = new Float64Array(MILLION);
        for (let i = 0; i < MILLION; i++) values[i] = draw(rand, i);
        const sorted = values.slice().sort();
        const one = sketchOf(values);
        for (const batch of [65_536, 8192]) {
          const s = batchedSketchOf(values, batch);
          expect(s.n).toBe(MILLION);
          expect([s.min, s.max]).toEqual([sorted[0], sorted[MILLION - 1]]);
          expect(s.isExact).toBe(false);
          expect(s.retained).toBeLessThan(1000);
          expect(s.normalizedRankError()).toBe(one.normalizedRankError());
          const e = worstErrors(s, sorted, gridPoints(sorted, 2000));
          expect(e.rank, `batch ${batch} rank`).toBeLessThanOrEqual(normalizedRankError(200));
          expect(e.quantile, `batch ${batch} quantile`).toBeLessThanOrEqual(normalizedRankError(200) + 1 / MILLION);
          // addMany's and add's ranks differ by at most the sum of their bounds.
          for (const x of gridPoints(sorted, 200)) expect(Math.abs(s.rank(x) - one.rank(x))).toBeLessThanOrEqual(2 * normalizedRankError(200));
        }
      });
    }
  });

  describe('on the shared data columns, against the exact sorted column', () => {
    const files = readdirSync(DATA).filter((f) => f.endsWith('.csv')).sort();
    for (const name of ['x_norm', 'x_skew', 'x_int', 'x_miss', 'rating']) {
      it(`${name}: per-file sketches from batches of 64 and their merge within the stated bound`, () => {
        // NaN (nulls) in the batches, as add drops them, addMany does too.
        expect(checkSharedColumn(files, name, (cells) => batchedSketchOf(cells, 64))).toBeGreaterThan(5);
      });
    }
  });

  it('is exact while the values fit (batches stored as add stores them), mixed freely with add', () => {
    const rand = prng(70);
    const values = Float64Array.from({ length: 150 }, () => Math.round(normal(rand) * 100) / 10);
    const s = new KllSketch();
    s.addMany(values.subarray(0, 40), 40);
    for (const v of values.subarray(40, 60)) s.add(v);
    s.addMany(values.subarray(60), 90);
    const sorted = values.slice().sort();
    expect(s.isExact).toBe(true);
    for (let i = 0; i <= 100; i++) expect(s.quantile(i / 100)).toBe(quantileSorted(sorted, i / 100));
    expect([s.min, s.max, s.n]).toEqual([sorted[0], sorted[149], 150]);
  });

  it('drops NaN, keeps ±Infinity, reads only the first count values, refuses a count past the array', () => {
    const s = new KllSketch();
    s.addMany(Float64Array.from([Number.NaN, -Infinity, 1, 2, Infinity, Number.NaN, 99]), 6);
    expect([s.n, s.min, s.max, s.rank(2)]).toEqual([4, -Infinity, Infinity, 0.75]);
    const big = new KllSketch();
    const values = Float64Array.from({ length: 100_000 }, (_, i) => (i % 10 === 0 ? Number.NaN : i % 1000 === 1 ? -Infinity : i));
    big.addMany(values, values.length);
    expect(big.n).toBe(90_000);
    expect(big.min).toBe(-Infinity);
    expect(() => big.addMany(new Float64Array(2), 3)).toThrow(RangeError);
  });

  it('is deterministic: the same values in the same batches give the same JSON; a read-back sketch goes on as the original', () => {
    const rand = prng(13);
    const values = Float64Array.from({ length: 300_000 }, () => normal(rand));
    const a = JSON.stringify(batchedSketchOf(values, 65_536).toJSON());
    expect(JSON.stringify(batchedSketchOf(values, 65_536).toJSON())).toBe(a);
    const first = batchedSketchOf(values.subarray(0, 100_000), 10_000);
    const copy = KllSketch.fromJSON(JSON.parse(JSON.stringify(first.toJSON())));
    first.addMany(values.subarray(100_000), 200_000);
    copy.addMany(values.subarray(100_000), 200_000);
    expect(copy.toJSON()).toEqual(first.toJSON());
    const sorted = values.slice().sort();
    expect(worstErrors(copy, sorted, gridPoints(sorted, 1000)).rank).toBeLessThanOrEqual(normalizedRankError(200));
  });

  it('sketches built with addMany merge (with each other and with add-built ones) within the bound, the same way every time', () => {
    const rand = prng(101);
    const values = Float64Array.from({ length: MILLION }, () => Math.exp(normal(rand)));
    const sorted = values.slice().sort();
    const shards = (): KllSketch[] => {
      const parts: KllSketch[] = [];
      for (let p = 0; p < 10; p++) {
        const part = values.subarray(p * 100_000, (p + 1) * 100_000);
        parts.push(p % 3 === 2 ? sketchOf(part) : batchedSketchOf(part, 65_536));
      }
      return parts;
    };
    const merge = (parts: KllSketch[]): KllSketch => parts.reduce((acc, s) => (acc.merge(s), acc), new KllSketch());
    const merged = merge(shards());
    expect(merged.n).toBe(MILLION);
    const e = worstErrors(merged, sorted, gridPoints(sorted, 2000));
    expect(e.rank).toBeLessThanOrEqual(normalizedRankError(200));
    expect(e.quantile).toBeLessThanOrEqual(normalizedRankError(200) + 1 / MILLION);
    expect(JSON.stringify(merge(shards()).toJSON())).toBe(JSON.stringify(merged.toJSON()));
    // addMany into a merged sketch goes on within the bound.
    merged.addMany(values.subarray(0, 65_536), 65_536);
    const withRepeat = Float64Array.from([...values, ...values.subarray(0, 65_536)]).sort();
    expect(worstErrors(merged, withRepeat, gridPoints(withRepeat, 1000)).rank).toBeLessThanOrEqual(normalizedRankError(200));
  });

  it('stays within the bound on values whose order repeats every 8 (a long stream, where the lowest levels are sampled)', () => {
    // Each block of 8 holds one value of each of 8 bands, in a fixed order: only a draw that is
    // uniform over the whole block keeps the bands' weights (one that favoured some positions would
    // move a band's rank by up to an eighth).
    const rand = prng(8);
    const n = 4 * MILLION;
    const values = Float64Array.from({ length: n }, (_, i) => (i % 8) + rand());
    const sorted = values.slice().sort();
    const s = batchedSketchOf(values, 8192);
    expect(s.n).toBe(n);
    expect(worstErrors(s, sorted, gridPoints(sorted, 200)).rank).toBeLessThanOrEqual(normalizedRankError(200));
  });

  it('works at other k: k = 8 and k = 1000 stay within their bounds', () => {
    const rand = prng(42);
    const values = Float64Array.from({ length: 400_000 }, () => normal(rand));
    const sorted = values.slice().sort();
    for (const k of [8, 1000]) {
      const s = batchedSketchOf(values, 65_536, k);
      expect(s.n).toBe(values.length);
      expect(worstErrors(s, sorted, gridPoints(sorted, 1000)).rank, `k = ${k}`).toBeLessThanOrEqual(normalizedRankError(k));
    }
  });
});
