import { describe, expect, it } from 'vitest';
import { sortFloat64 } from '../../../packages/data-gate/src/sketch/radix-sort';
import { prng } from '../../helpers/prng';

/** Object.is tells -0 from 0: the order must be the native sort's, bit for bit. */
const shown = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

/** sortFloat64's result and the native sort's, as strings; the values past n must stay put. */
function bothSorts(values: Float64Array, n = values.length): [string[], string[]] {
  const expected = [...values.slice(0, n).sort(), ...values.slice(n)].map(shown);
  sortFloat64(values, n);
  return [Array.from(values, shown), expected];
}

describe('sortFloat64', () => {
  const r = prng(31);
  const shapes: Record<string, (i: number) => number> = {
    'uniform in ±1e6': () => (r() - 0.5) * 2e6,
    'normal at 4 decimals': () => Number((Math.sqrt(-2 * Math.log(Math.max(r(), 1e-300))) * Math.cos(2 * Math.PI * r())).toFixed(4)),
    'integers 0..999 (ties)': () => Math.floor(r() * 1000),
    'one high word (values within 2^-20 of each other)': () => 1000 + r() * 1e-4,
    'signed zeros, infinities, subnormals, extremes': (i) => [0, -0, Infinity, -Infinity, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 2.2250738585072014e-308][i % 9] as number,
    'ascending': (i) => i * 0.5 - 100,
    'descending': (i) => 1e5 - i,
    'timestamps (runs sharing a high word)': () => 1.7e9 + Math.floor(r() * 3e7),
  };
  for (const [name, draw] of Object.entries(shapes)) {
    it(`sorts ${name} as Float64Array.prototype.sort does, at sizes around its thresholds`, () => {
      for (const n of [0, 1, 2, 17, 511, 512, 513, 4096, 65_536]) {
        const [got, expected] = bothSorts(Float64Array.from({ length: n }, (_, i) => draw(i)));
        expect(got, `${n} values`).toEqual(expected);
      }
      // Only the first n values, the rest left alone.
      const [got, expected] = bothSorts(Float64Array.from({ length: 3000 }, (_, i) => draw(i)), 2000);
      expect(got).toEqual(expected);
    });
  }
});
