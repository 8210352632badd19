import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KllSketch, iqrFences, madFences, quantileBracket, shareOutside } from '../../../packages/data-gate/src/sketch/index';
import { fitOutlierParams, iqrOutliers, madOutliers } from '../../../packages/data-gate/src/stats/index';
import { column, loadCsv, numericCells } from '../stats/shared-table';
import { SHARED } from '../readers/helpers';
import { prng } from '../../helpers/prng';

const DATA = join(SHARED, 'data');

function sketchOf(values: ArrayLike<number>): KllSketch {
  const s = new KllSketch();
  for (let i = 0; i < values.length; i++) s.add(values[i] as number);
  return s;
}

function within(x: number, [lo, hi]: [number, number]): boolean {
  return lo <= x && x <= hi;
}

/** The exact fences and parameters (file mode's), and checks that each lies in the sketch's bracket. */
function assertValidBrackets(values: Float64Array, label: string): void {
  const exact = fitOutlierParams(values);
  const s = sketchOf(values);
  const iqr = iqrFences(s, 1.5);
  const mad = madFences(s, 3.5);
  const exactIqr = exact.q3 - exact.q1;
  const low = exact.q1 - 1.5 * exactIqr;
  const high = exact.q3 + 1.5 * exactIqr;
  expect(within(exact.q1, iqr.q1Bracket), `${label} q1`).toBe(true);
  expect(within(exact.q3, iqr.q3Bracket), `${label} q3`).toBe(true);
  expect(within(low, [iqr.lowOuter, iqr.lowInner]), `${label} iqr low`).toBe(true);
  expect(within(high, [iqr.highInner, iqr.highOuter]), `${label} iqr high`).toBe(true);
  expect(within(exact.median, mad.medianBracket), `${label} median`).toBe(true);
  expect(within(exact.mad, mad.madBracket), `${label} mad`).toBe(true);
  const c = 3.5 / 0.6745;
  expect(within(exact.median - c * exact.mad, [mad.lowOuter, mad.lowInner]), `${label} mad low`).toBe(true);
  expect(within(exact.median + c * exact.mad, [mad.highInner, mad.highOuter]), `${label} mad high`).toBe(true);
  // Point estimates lie inside their own brackets.
  expect(within(iqr.low, [iqr.lowOuter, iqr.lowInner]) && within(iqr.high, [iqr.highInner, iqr.highOuter])).toBe(true);
  expect(within(mad.mad, mad.madBracket) && within(mad.median, mad.medianBracket)).toBe(true);
  // The share of values flagged, estimated from the sketch, within the double-sided bound.
  const flagged = iqrOutliers(values, exact).length / values.length;
  const est = shareOutside(s, low, high);
  expect(Math.abs(est.share - flagged), `${label} share`).toBeLessThanOrEqual(est.error + 1e-12);
}

describe('outlier fences from a KLL sketch', () => {
  it('are the exact ones (file mode\'s type-7 quartiles, np.median, raw MAD) while the sketch is exact', () => {
    const rand = prng(1);
    const values = Float64Array.from({ length: 180 }, () => Math.round((rand() * 10 - 5) ** 3 * 1000) / 1000);
    const exact = fitOutlierParams(values);
    const s = sketchOf(values);
    expect(s.isExact).toBe(true);
    const iqr = iqrFences(s, 1.5);
    const mad = madFences(s, 3.5);
    expect([iqr.q1, iqr.q3, mad.median, mad.mad]).toEqual([exact.q1, exact.q3, exact.median, exact.mad]);
    expect([iqr.lowOuter, iqr.lowInner, iqr.rankError]).toEqual([iqr.low, iqr.low, 0]);
    expect([mad.highInner, mad.highOuter]).toEqual([mad.high, mad.high]);
    const flaggedBy = (low: number, high: number): number[] => [...values.keys()].filter((i) => (values[i] as number) < low || (values[i] as number) > high);
    expect(flaggedBy(iqr.low, iqr.high)).toEqual(iqrOutliers(values, exact));
    expect([...values.keys()].filter((i) => Math.abs((0.6745 * ((values[i] as number) - mad.median)) / mad.mad) > 3.5)).toEqual(madOutliers(values, exact));
  });

  it('bracket the exact fences, quartiles, median and MAD on 1e6 generated values', () => {
    const rand = prng(2);
    const n = 1_000_000;
    const normal = (): number => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-300))) * Math.cos(2 * Math.PI * rand());
    assertValidBrackets(Float64Array.from({ length: n }, normal), 'normal');
    assertValidBrackets(Float64Array.from({ length: n }, () => Math.exp(normal())), 'lognormal');
    assertValidBrackets(Float64Array.from({ length: n }, () => Math.floor(rand() * rand() * 40)), 'integers with ties');
  });

  it('bracket the exact fences on the shared data columns (each file, compacted from about 200 rows on)', () => {
    let checked = 0;
    for (const f of readdirSync(DATA).filter((x) => x.endsWith('.csv'))) {
      const table = loadCsv(join(DATA, f));
      for (const name of ['x_norm', 'x_skew', 'x_int', 'x_miss']) {
        const col = column(table, name);
        if (!col || col.kind !== 'numeric') continue;
        assertValidBrackets(numericCells(col).filter((v) => !Number.isNaN(v)), `${f} ${name}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('quantile brackets contain the exact type-7 quantile across q', () => {
    const rand = prng(3);
    const values = Float64Array.from({ length: 300_000 }, () => -Math.log(Math.max(rand(), 1e-300)));
    const s = sketchOf(values);
    const sorted = values.slice().sort();
    for (let i = 1; i < 100; i++) {
      const q = i / 100;
      const h = (sorted.length - 1) * q;
      const lo = Math.floor(h);
      const exact = (sorted[lo] as number) + (h - lo) * ((sorted[lo + 1] as number) - (sorted[lo] as number));
      const [a, b] = quantileBracket(s, q);
      expect(a <= exact + 1e-12 && exact <= b + 1e-12, `q ${q}`).toBe(true);
    }
  });
});
