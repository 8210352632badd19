import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@aisec/core';
import { describe, expect, it } from 'vitest';
import { HyperLogLog, hashNumber64, hashString64, hllStandardError } from '../../../packages/data-gate/src/sketch/index';
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

function sketchOf(values: Iterable<number | string>, precision?: number): HyperLogLog {
  const h = new HyperLogLog(precision);
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
  it('hashes numbers by their double bits through SplitMix64 (checked against a BigInt implementation and its published first output)', () => {
    // SplitMix64 seeded with 0 first outputs 0xe220a8397b1dcdaf.
    expect(joined(hashNumber64(0))).toBe(0xe220a8397b1dcdafn);
    for (const v of [1, -1, 0.1, 1e300, -2.5e-300, Math.PI, 2 ** 53, Infinity, -Infinity, 123456789.123]) {
      expect(joined(hashNumber64(v)), String(v)).toBe(splitmix64(doubleBits(v)));
    }
    expect(hashNumber64(-0)).toEqual(hashNumber64(0));
    expect(hashNumber64(Number.NaN)).toEqual(hashNumber64(-Number.NaN));
    // Recipe aisec-hll/v1 pinned: profiles store registers built with it.
    expect(joined(hashString64('abc')).toString(16)).toBe('562a4ba55ff460dc');
    expect(hashString64('ab')).not.toEqual(hashString64('ba'));
    expect(hashString64('')).not.toEqual(hashString64('\u0000'));
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
});
