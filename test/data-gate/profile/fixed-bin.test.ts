import { describe, expect, it } from 'vitest';
import { FIXED_EDGES, countFixedBins, fixedBin } from '../../../packages/data-gate/src/profile/profile-format';

/** The definition: the number of edges at or below the value (a plain count, no search). */
function countAtOrBelow(value: number): number {
  let n = 0;
  for (const edge of FIXED_EDGES) if (edge <= value) n++;
  return n;
}

describe('fixedBin', () => {
  it('is the number of fixed edges at or below the value, on every edge, its neighbours, specials and random values', () => {
    const values = [0, -0, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 1e300, -1e300];
    for (const edge of FIXED_EDGES) values.push(edge, edge * (1 + 1e-15), edge * (1 - 1e-15), edge + 1e-300, edge - 1e-300);
    let seed = 5;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      values.push((seed / 2147483648 - 0.5) * 10 ** ((i % 40) - 15));
    }
    const wrong = values.filter((v) => fixedBin(v) !== countAtOrBelow(v));
    expect(wrong).toEqual([]);
    expect(fixedBin(Infinity)).toBe(FIXED_EDGES.length);
    expect(fixedBin(Number.NaN)).toBe(0);
    // The batch form counts the same bins (NaN is never given to it).
    const numbers = Float64Array.from(values.filter((v) => !Number.isNaN(v)));
    const counts = new Float64Array(FIXED_EDGES.length + 1);
    countFixedBins(numbers, numbers.length, counts);
    const expected = new Float64Array(FIXED_EDGES.length + 1);
    for (const v of numbers) expected[countAtOrBelow(v)]! += 1;
    expect(counts).toEqual(expected);
  });
});
