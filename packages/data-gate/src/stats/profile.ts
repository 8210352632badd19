import { moments, stdFromMoments } from './moments';
import { quantileSorted } from './quantile';
import { sortedCopy } from './sorted';

/**
 * Per-column profiles: the moments, extremes, null counts and type-7 quantiles of a numeric column,
 * and the frequent values of a categorical one. `count` includes nulls (rows in the file).
 */
export const PROFILE_QUANTILES: readonly number[] = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

export interface NumericProfile {
  count: number;
  nullCount: number;
  nUnique: number;
  mean: number;
  /** ddof = 1, as pandas. */
  std: number;
  min: number;
  max: number;
  sum: number;
  quantiles: Map<number, number>;
}

/** `values` has NaN for nulls. */
export function numericProfile(values: ArrayLike<number>, levels: readonly number[] = PROFILE_QUANTILES): NumericProfile {
  const clean = Array.from(values).filter((v) => !Number.isNaN(v));
  const sorted = sortedCopy(clean);
  const m = moments(sorted);
  let nUnique = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) nUnique++;
  return {
    count: values.length,
    nullCount: values.length - clean.length,
    nUnique,
    mean: m.mean,
    std: stdFromMoments(m, 1),
    min: m.min,
    max: m.max,
    sum: m.sum,
    quantiles: new Map(levels.map((q) => [q, quantileSorted(sorted, q)])),
  };
}

export interface CategoricalProfile {
  count: number;
  nullCount: number;
  nUnique: number;
  /** Most frequent values, count descending, ties by value ascending. */
  top: [string, number][];
}

export function categoricalProfile(values: readonly (string | null)[], topK = 10): CategoricalProfile {
  const counts = new Map<string, number>();
  let nulls = 0;
  for (const v of values) {
    if (v === null) nulls++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const top = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, topK);
  return { count: values.length, nullCount: nulls, nUnique: counts.size, top };
}

/** Length in characters (Unicode code points, as Python's len), not UTF-16 units. */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export interface TextLengthStats {
  mean: number;
  max: number;
}

export function textLengthStats(values: readonly (string | null)[]): TextLengthStats {
  const lengths = values.filter((v): v is string => v !== null).map(charLength);
  return { mean: moments(lengths).mean, max: lengths.length ? Math.max(...lengths) : NaN };
}
