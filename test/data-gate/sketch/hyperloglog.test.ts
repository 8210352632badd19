import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@aisec/core';
import { describe, expect, it } from 'vitest';
import { HLL_HASH, type HllHash, HyperLogLog, type HyperLogLogJson, hashNumber64, hashString64, hllStandardError } from '../../../packages/data-gate/src/sketch/index';
import { prng } from '../../helpers/prng';
import { loadCsv } from '../stats/shared-table';
import { SHARED } from '../readers/helpers';

const DATA = join(SHARED, 'data');
const MASK = (1n << 64n) - 1n;

/** SplitMix64's output function in BigInt, written from the published constants, to check the 32-bit emulation. */
function splitmix64(x: bigint): bigint {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

function doubleBits(v: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  return view.getBigUint64(0);
}

function joined([hi, lo]: [number, number]): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** `aisec-hll/v2` written again from its definition (three MurmurHash3 fmix32 rounds over the two words). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function v2(bits: bigint): bigint {
  const hi = Number(bits >> 32n);
  const lo = Number(bits & 0xffffffffn);
  const a = fmix32((lo + 0x9e3779b9) >>> 0);
  const b = fmix32((hi ^ a) >>> 0);
  const c = fmix32((a ^ (((b << 16) | (b >>> 16)) >>> 0) ^ 0x7f4a7c15) >>> 0);
  return (BigInt(c) << 32n) | BigInt(b);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** Input families a weak hash would bunch: near neighbours in value and in bits. */
const families: Record<string, (r: () => number, n: number) => Float64Array> = {
  'random doubles': (r, n) => Float64Array.from({ length: n }, () => (r() - 0.5) * 1e6 * r()),
  'consecutive integers': (r, n) => {
    const start = Math.floor(r() * 1e9);
    return Float64Array.from({ length: n }, (_, i) => start + i);
  },
  'multiples of 0.01': (r, n) => {
    const start = Math.floor(r() * 1e6);
    return Float64Array.from({ length: n }, (_, i) => Number(((start + i) * 0.01).toFixed(2)));
  },
  'adjacent doubles (low word counting)': (r, n) => {
    f64[0] = r() * 100;
    const lo = u32[LO] as number;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      u32[LO] = lo + i;
      out[i] = f64[0];
    }
    return out;
  },
  'values differing in one bit': (r, n) => {
    const out = new Float64Array(n);
    let k = 0;
    while (k < n) {
      f64[0] = r() * 1000 + 1;
      const w0 = u32[0] as number;
      const w1 = u32[1] as number;
      // Every single-bit flip but the top two (sign and the exponent's high bit), which keep it finite.
      for (let j = 0; j < 62 && k < n; j++) {
        u32[0] = j < 32 ? w0 ^ (1 << j) : w0;
        u32[1] = j >= 32 ? w1 ^ (1 << (j - 32)) : w1;
        out[k++] = f64[0];
      }
    }
    return out;
  },
  'integers times powers of two': (r, n) => {
    const shift = Math.floor(r() * 40);
    return Float64Array.from({ length: n }, (_, i) => (i % 997) * 2 ** (shift + Math.floor(i / 997)));
  },
};

function sketchOf(values: Iterable<number | string>, precision?: number, hash?: HllHash): HyperLogLog {
  const h = new HyperLogLog(precision, hash);
  for (const v of values) {
    if (typeof v === 'number') h.addNumber(v);
    else h.addString(v);
  }
  return h;
}

function* range(from: number, to: number, map: (i: number) => number | string = (i) => i): Generator<number | string> {
  for (let i = from; i < to; i++) yield map(i);
}

describe('HyperLogLog distinct counts', () => {
  it('recipe aisec-hll/v1 hashes numbers by their double bits through SplitMix64 (checked against a BigInt implementation and its published first output)', () => {
    const V1 = 'aisec-hll/v1';
    // SplitMix64 seeded with 0 first outputs 0xe220a8397b1dcdaf.
    expect(joined(hashNumber64(0, V1))).toBe(0xe220a8397b1dcdafn);
    for (const v of [1, -1, 0.1, 1e300, -2.5e-300, Math.PI, 2 ** 53, Infinity, -Infinity, 123456789.123]) {
      expect(joined(hashNumber64(v, V1)), String(v)).toBe(splitmix64(doubleBits(v)));
    }
    expect(hashNumber64(-0, V1)).toEqual(hashNumber64(0, V1));
    expect(hashNumber64(Number.NaN, V1)).toEqual(hashNumber64(-Number.NaN, V1));
    // Recipe aisec-hll/v1 pinned: profiles store registers built with it.
    expect(joined(hashString64('abc', V1)).toString(16)).toBe('562a4ba55ff460dc');
    expect(hashString64('ab', V1)).not.toEqual(hashString64('ba', V1));
    expect(hashString64('', V1)).not.toEqual(hashString64('\u0000', V1));
  });

  it('recipe aisec-hll/v2 (new sketches) is three fmix32 rounds over the double bits, pinned, and never maps two doubles to one hash', () => {
    expect(HLL_HASH).toBe('aisec-hll/v2');
    expect(new HyperLogLog().hash).toBe('aisec-hll/v2');
    for (const v of [0, 1, -1, 0.1, 1e300, -2.5e-300, Math.PI, 2 ** 53, Infinity, -Infinity, 123456789.123]) {
      expect(joined(hashNumber64(v)), String(v)).toBe(v2(doubleBits(v)));
    }
    // Pinned: profiles store registers built with it.
    expect(joined(hashNumber64(0)).toString(16)).toBe('219b22fcaa3e5b61');
    expect(joined(hashNumber64(Math.PI)).toString(16)).toBe('3a0c8264be4c4f19');
    expect(joined(hashString64('abc')).toString(16)).toBe('ad63ef42f4fe0680');
    expect(hashNumber64(-0)).toEqual(hashNumber64(0));
    expect(hashNumber64(Number.NaN)).toEqual(hashNumber64(-Number.NaN));
    expect(hashString64('ab')).not.toEqual(hashString64('ba'));
    expect(hashString64('')).not.toEqual(hashString64('\u0000'));
    // A bijection on 64 bits: 300,000 near-identical doubles give 300,000 hashes.
    const r = prng(17);
    const all = Object.values(families).flatMap((gen) => [...gen(r, 50_000)]);
    const distinct = new Set(all);
    expect(distinct.size).toBeGreaterThan(250_000);
    expect(new Set(all.map((v) => joined(hashNumber64(v)))).size).toBe(distinct.size);
  });

  it('addNumbers gives the registers of addNumber value by value, for both recipes, and only reads the first count values', () => {
    const r = prng(4);
    const values = Float64Array.from({ length: 70_000 }, (_, i) => (i % 5 === 0 ? Math.floor(r() * 100) : i % 7 === 0 ? -0 : i % 11 === 0 ? Number.NaN : i % 13 === 0 ? -Infinity : (r() - 0.5) * 1e3));
    for (const recipe of ['aisec-hll/v1', 'aisec-hll/v2'] as HllHash[]) {
      const one = new HyperLogLog(12, recipe);
      for (const v of values.subarray(0, 60_000)) one.addNumber(v);
      const many = new HyperLogLog(12, recipe);
      many.addNumbers(values.subarray(0, 1000), 1000);
      many.addNumbers(values.subarray(1000), 59_000);
      expect(many.toJSON(), recipe).toEqual(one.toJSON());
    }
    expect(() => new HyperLogLog().addNumbers(new Float64Array(2), 3)).toThrow(RangeError);
  });

  it('aisec-hll/v2 estimates within 3 standard errors over many sets of each family, unbiased, with the stated spread', () => {
    const se = hllStandardError(12);
    for (const [name, gen] of Object.entries(families)) {
      const r = prng(name.length * 31);
      const errors: number[] = [];
      for (let t = 0; t < 48; t++) {
        const values = gen(r, [300, 2000, 10_000, 50_000][t % 4] as number);
        const exact = new Set(values).size;
        const h = new HyperLogLog(12);
        h.addNumbers(values, values.length);
        errors.push((h.estimate() - exact) / exact / se);
      }
      const rms = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
      const mean = errors.reduce((s, e) => s + e, 0) / errors.length;
      for (const e of errors) expect(Math.abs(e), `${name}: error in standard errors`).toBeLessThanOrEqual(3);
      expect(rms, `${name}: RMS error in standard errors`).toBeLessThanOrEqual(1.25);
      expect(Math.abs(mean), `${name}: mean error in standard errors`).toBeLessThanOrEqual(0.5);
    }
  });

  it('estimates within 3 standard errors (1.04/√m) for cardinalities from 1 to 1e6, numbers and strings, at precisions 12 and 14', () => {
    for (const precision of [12, 14]) {
      const bound = 3 * hllStandardError(precision);
      for (const n of [1, 10, 100, 1000, 5000, 20_000, 100_000, 1_000_000]) {
        const numbers = sketchOf(range(0, n, (i) => i * 0.37 - 1000), precision).estimate();
        const strings = sketchOf(range(0, n, (i) => `user-${i}@example.com`), precision).estimate();
        expect(Math.abs(numbers - n) / n, `numbers ${n} p${precision}`).toBeLessThanOrEqual(bound);
        expect(Math.abs(strings - n) / n, `strings ${n} p${precision}`).toBeLessThanOrEqual(bound);
      }
    }
    expect(new HyperLogLog().estimate()).toBe(0);
  });

  it('counts the distinct values of the shared data columns within 3 standard errors (exact counts from a Set)', () => {
    const files = readdirSync(DATA).filter((f) => f.endsWith('.csv'));
    const exact = new Map<string, Set<string>>();
    const sketches = new Map<string, HyperLogLog>();
    for (const f of files) {
      for (const col of loadCsv(join(DATA, f)).columns) {
        let set = exact.get(col.name);
        let h = sketches.get(col.name);
        if (!set || !h) {
          set = new Set();
          h = new HyperLogLog();
          exact.set(col.name, set);
          sketches.set(col.name, h);
        }
        for (const cell of col.cells) {
          if (cell === null) continue;
          set.add(`${typeof cell}:${cell}`);
          if (typeof cell === 'number') h.addNumber(cell);
          else h.addString(cell);
        }
      }
    }
    expect(exact.get('id')?.size).toBeGreaterThan(5000);
    for (const [name, set] of exact) {
      const estimate = (sketches.get(name) as HyperLogLog).estimate();
      expect(Math.abs(estimate - set.size), name).toBeLessThanOrEqual(Math.max(3 * hllStandardError(12) * set.size, 0.5));
    }
  });

  it('adding a value again changes nothing; merging is exactly the sketch of the union, in any order', () => {
    const a = sketchOf(range(0, 30_000));
    const twice = sketchOf([...range(0, 30_000), ...range(0, 30_000)]);
    expect(twice.toJSON()).toEqual(a.toJSON());
    const union = sketchOf([...range(0, 20_000), ...range(10_000, 50_000)]);
    const left = sketchOf(range(0, 20_000)).merge(sketchOf(range(10_000, 50_000)));
    const right = sketchOf(range(10_000, 50_000)).merge(sketchOf(range(0, 20_000)));
    expect(left.toJSON()).toEqual(union.toJSON());
    expect(right.toJSON()).toEqual(union.toJSON());
  });

  it('folds a finer sketch to a coarser precision exactly, so shards of different precisions merge', () => {
    const values = [...range(0, 40_000, (i) => `k${i}`)];
    expect(sketchOf(values, 14).fold(12).toJSON()).toEqual(sketchOf(values, 12).toJSON());
    const merged = sketchOf(values.slice(0, 25_000), 12).merge(sketchOf(values.slice(15_000), 14));
    expect(merged.precision).toBe(12);
    expect(merged.toJSON()).toEqual(sketchOf(values, 12).toJSON());
  });

  it('numbers and text are different values (1 is not "1")', () => {
    expect(sketchOf([1, '1']).estimate()).toBeCloseTo(2, 1);
  });

  it('round-trips through JSON and refuses damaged registers with a UserError', () => {
    const h = sketchOf(range(0, 12_345));
    const copy = HyperLogLog.fromJSON(JSON.parse(JSON.stringify(h.toJSON())));
    expect(copy.estimate()).toBe(h.estimate());
    const json = h.toJSON();
    const bytes = Buffer.from(json.registers, 'base64');
    bytes[3] = 60;
    for (const bad of [{ ...json, precision: 20 }, { ...json, registers: json.registers.slice(8) }, { ...json, registers: bytes.toString('base64') }, { ...json, registers: '!!' }, null]) {
      expect(() => HyperLogLog.fromJSON(bad, 'p.json')).toThrow(UserError);
    }
    expect(() => new HyperLogLog(3)).toThrow(RangeError);
  });

  it('reads v1 sketches (no hash field) with v1 estimates, keeps adding with v1, and writes them back unchanged', () => {
    const values = Array.from({ length: 25_000 }, (_, i) => i * 0.37 - 1000);
    const v1 = sketchOf(values.slice(0, 20_000), 12, 'aisec-hll/v1');
    const json = v1.toJSON();
    expect(json).not.toHaveProperty('hash');
    const read = HyperLogLog.fromJSON(JSON.parse(JSON.stringify(json)) as unknown);
    expect(read.hash).toBe('aisec-hll/v1');
    expect(read.estimate()).toBe(v1.estimate());
    expect(Math.abs(read.estimate() - 20_000) / 20_000).toBeLessThanOrEqual(3 * hllStandardError(12));
    expect(JSON.stringify(read.toJSON())).toBe(JSON.stringify(json));
    for (const v of values.slice(20_000)) read.addNumber(v);
    expect(read.toJSON()).toEqual(sketchOf(values, 12, 'aisec-hll/v1').toJSON());
    expect(read.fold(10).hash).toBe('aisec-hll/v1');
    const v2json = sketchOf(values).toJSON();
    expect(v2json.hash).toBe('aisec-hll/v2');
    expect(HyperLogLog.fromJSON(v2json).toJSON()).toEqual(v2json);
    expect(() => HyperLogLog.fromJSON({ ...v2json, hash: 'aisec-hll/v9' }, 'p.json')).toThrow(/unknown hash recipe "aisec-hll\/v9"/);
  });

  it('refuses to merge sketches of different recipes with a UserError that says to re-profile with one aisec version', () => {
    const v1 = HyperLogLog.fromJSON({ precision: 12, registers: sketchOf(range(0, 1000), 12, 'aisec-hll/v1').toJSON().registers } satisfies HyperLogLogJson);
    const v2sketch = sketchOf(range(0, 1000), 14);
    for (const [a, b] of [
      [v1, v2sketch],
      [v2sketch, v1],
    ] as const) {
      let error: unknown;
      try {
        a.clone().merge(b);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(/different hash recipes \(aisec-hll\/v[12] and aisec-hll\/v[12]\)/);
      expect((error as UserError).format()).toMatch(/profile every shard again with the same aisec version/);
    }
    expect(v1.clone().merge(HyperLogLog.fromJSON(v1.toJSON())).toJSON()).toEqual(v1.toJSON());
  });
});
