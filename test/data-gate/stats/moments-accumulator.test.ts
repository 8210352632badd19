import { describe, expect, it } from 'vitest';
import { MomentsAccumulator } from '../../../packages/data-gate/src/stats/index';
import { prng } from '../../helpers/prng';

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-300))) * Math.cos(2 * Math.PI * rand());
}

/** A finite double as an integer times a power of two, exactly. */
function decompose(x: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  if (exp === 0) return { m: sign * frac, e: -1074 };
  return { m: sign * (frac | (1n << 52n)), e: exp - 1075 };
}

/** Mean and Σ(x − mean)² in exact rational arithmetic (BigInt), rounded once at the end. */
function exactMoments(values: Float64Array): { mean: number; m2: number; sum: number } {
  const parts = Array.from(values, decompose);
  const e = parts.reduce((lo, p) => Math.min(lo, p.e), Infinity);
  let s = 0n;
  let q = 0n;
  for (const p of parts) {
    const x = p.m << BigInt(p.e - e);
    s += x;
    q += x * x;
  }
  const n = BigInt(values.length);
  // Number(bigint) rounds to nearest; the powers of two are exact.
  return { mean: (Number(s) / values.length) * 2 ** e, m2: (Number(n * q - s * s) / values.length) * 2 ** (2 * e), sum: Number(s) * 2 ** e };
}

function perValue(values: Float64Array): MomentsAccumulator {
  const acc = new MomentsAccumulator();
  for (const v of values) acc.add(v);
  return acc;
}

function batched(values: Float64Array, batch: number): MomentsAccumulator {
  const acc = new MomentsAccumulator();
  const buf = new Float64Array(batch);
  for (let at = 0; at < values.length; at += batch) {
    const len = Math.min(batch, values.length - at);
    buf.set(values.subarray(at, at + len));
    acc.addMany(buf, len);
  }
  return acc;
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('MomentsAccumulator.addMany', () => {
  it('agrees with per-value add to 1e-12 on well-conditioned data, in batches of any size', () => {
    const rand = prng(21);
    const values = Float64Array.from({ length: 300_000 }, () => Number((normal(rand) + 0.05).toFixed(4)));
    const one = perValue(values).state();
    for (const batch of [1, 7, 8192, 65_536, 300_000]) {
      const s = batched(values, batch).state();
      expect([s.n, s.min, s.max, s.nulls], `batch ${batch}`).toEqual([one.n, one.min, one.max, one.nulls]);
      expect(rel(s.mean, one.mean), `mean, batch ${batch}`).toBeLessThan(1e-12);
      expect(rel(s.m2, one.m2), `m2, batch ${batch}`).toBeLessThan(1e-12);
      expect(rel(s.sum, one.sum), `sum, batch ${batch}`).toBeLessThan(1e-14);
    }
  });

  it('is at least as accurate as per-value add against exact (BigInt) moments when the mean dwarfs the spread', () => {
    for (const [label, draw] of [
      ['1e9 + N(0, 1)', (r: () => number) => 1e9 + normal(r)],
      ['1e6 + uniform(0, 1) at 4 decimals', (r: () => number) => Number((1e6 + r()).toFixed(4))],
      ['-3e7 + N(0, 0.01)', (r: () => number) => -3e7 + 0.01 * normal(r)],
    ] as const) {
      const rand = prng(label.length);
      const values = Float64Array.from({ length: 200_000 }, () => draw(rand));
      const exact = exactMoments(values);
      const one = perValue(values).state();
      const many = batched(values, 65_536).state();
      const errOne = rel(one.m2, exact.m2);
      const errMany = rel(many.m2, exact.m2);
      expect(errMany, `${label}: m2 error ${errMany} vs per-value ${errOne}`).toBeLessThanOrEqual(Math.max(errOne, 1e-12));
      expect(errMany, label).toBeLessThan(2e-9);
      expect(rel(many.mean, exact.mean), label).toBeLessThanOrEqual(Math.max(rel(one.mean, exact.mean), 1e-15));
      expect(rel(many.sum, exact.sum), label).toBeLessThan(1e-15);
    }
  });

  it('shards built with addMany merge, in any order, to the exact moments of the whole', () => {
    const rand = prng(5);
    const values = Float64Array.from({ length: 150_000 }, () => 1e6 + 3 * normal(rand));
    const exact = exactMoments(values);
    const cuts = [0, 10, 40_000, 41_234, 150_000];
    const shards = cuts.slice(1).map((end, i) => batched(values.subarray(cuts[i] as number, end), 8192));
    for (const order of [
      [0, 1, 2, 3],
      [3, 1, 0, 2],
    ]) {
      const acc = new MomentsAccumulator();
      for (const i of order) acc.merge(shards[i] as MomentsAccumulator);
      const s = acc.state();
      expect(s.n).toBe(values.length);
      expect(rel(s.mean, exact.mean)).toBeLessThan(1e-15);
      expect(rel(s.m2, exact.m2)).toBeLessThan(1e-11);
    }
  });

  it('counts NaN as nulls, gives the same non-finite results as add for infinities, and is deterministic', () => {
    const withNaN = Float64Array.from([1, Number.NaN, 2, 3, Number.NaN]);
    const a = new MomentsAccumulator();
    a.addMany(withNaN, 5);
    expect(a.state()).toEqual(perValue(withNaN).state());
    expect(a.state().nulls).toBe(2);
    for (const special of [
      [1, Infinity, 2],
      [-Infinity, 5, Infinity],
      [1e308, 1e308, -1e308],
    ]) {
      const values = Float64Array.from(special);
      const b = new MomentsAccumulator();
      b.addMany(values, values.length);
      expect(b.state(), String(special)).toEqual(perValue(values).state());
    }
    const only = new MomentsAccumulator();
    only.addMany(Float64Array.from([Number.NaN, Number.NaN]), 2);
    expect(only.state()).toEqual({ n: 0, mean: Number.NaN, m2: 0, min: Number.NaN, max: Number.NaN, sum: 0, nulls: 2 });
    // Only the first `count` values count.
    const part = new MomentsAccumulator();
    part.addMany(Float64Array.from([1, 2, 3, 100]), 3);
    expect(part.state()).toMatchObject({ n: 3, mean: 2, m2: 2, max: 3 });
    expect(() => part.addMany(new Float64Array(2), 3)).toThrow(RangeError);
    const rand = prng(8);
    const values = Float64Array.from({ length: 100_000 }, () => normal(rand));
    expect(batched(values, 4096).state()).toEqual(batched(values, 4096).state());
  });
});
