import { describe, expect, it } from 'vitest';
import { NumberCounts } from '../../../packages/data-gate/src/profile/number-counts';

describe('NumberCounts', () => {
  it('counts exactly as a Map<number, number> does, -0 as 0 and NaN as one key, through many resizes', () => {
    let seed = 3;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    // 4095 and 4096 sit on either side of the dense range for small integers.
    const specials = [0, -0, Number.NaN, Infinity, -Infinity, 5e-324, Number.MAX_VALUE, 1.5, -1.5, 4095, 4096, 4095.5, -1, 2 ** 31];
    const table = new NumberCounts(4);
    const map = new Map<number, number>();
    for (let i = 0; i < 200_000; i++) {
      const r = rnd();
      const v = r < 0.1 ? (specials[Math.floor(rnd() * specials.length)] as number) : r < 0.6 ? Math.floor(rnd() * 50) : Math.round(rnd() * 1e6) / 100;
      const isNew = !map.has(v);
      map.set(v, (map.get(v) ?? 0) + 1);
      expect(table.add(v)).toBe(isNew);
    }
    const got = new Map<number, number>();
    table.forEach((v, c) => got.set(v, c));
    expect(table.size).toBe(map.size);
    expect(got).toEqual(map);
    expect(got.get(0)).toBe(map.get(-0));
    table.clear();
    expect(table.size).toBe(0);
  });

  it('countSeen counts the run of values already counted and stops at the first new one, as add would see it', () => {
    let seed = 11;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const specials = [0, -0, Number.NaN, Infinity, -Infinity, 4095, 4096, 4095.5, -1, 1e300];
    const table = new NumberCounts(4);
    const map = new Map<number, number>();
    const newOnes: number[] = [];
    for (let round = 0; round < 300; round++) {
      const values = Float64Array.from({ length: 1 + Math.floor(rnd() * 400) }, () => {
        const r = rnd();
        return r < 0.05 ? (specials[Math.floor(rnd() * specials.length)] as number) : r < 0.5 ? Math.floor(rnd() * 60) : Math.round(rnd() * 3000) / 4;
      });
      // The profile builder's loop: runs of known values through countSeen, each new one through add.
      let j = 0;
      while (j < values.length) {
        const stop = table.countSeen(values, j, values.length);
        for (let k = j; k < stop; k++) {
          const v = values[k] as number;
          expect(map.has(v)).toBe(true);
          map.set(v, (map.get(v) as number) + 1);
        }
        j = stop;
        if (j === values.length) break;
        const v = values[j] as number;
        expect(map.has(v) && !Number.isNaN(v) && v !== 0).toBe(false);
        if (table.add(v)) newOnes.push(v);
        map.set(v, (map.get(v) ?? 0) + 1);
        j++;
      }
    }
    const got = new Map<number, number>();
    table.forEach((v, c) => got.set(v, c));
    expect(got).toEqual(map);
    expect(new Set(newOnes).size).toBe(map.size);
    expect(newOnes.length).toBe(map.size);
  });
});
