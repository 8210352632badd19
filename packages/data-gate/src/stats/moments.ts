import { NeumaierSum } from './sum';

/**
 * Mean and variance from compensated sums, two passes (the second over deviations from the mean), so
 * std agrees with NumPy/pandas to ~1e-15 even when the mean is large relative to the spread.
 */
export interface Moments {
  n: number;
  sum: number;
  mean: number;
  /** Σ(x − mean)². */
  m2: number;
  min: number;
  max: number;
}

export function moments(values: ArrayLike<number>): Moments {
  const n = values.length;
  const sum = new NeumaierSum();
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum.add(v);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const total = sum.value;
  const avg = n > 0 ? total / n : NaN;
  const dev = new NeumaierSum();
  for (let i = 0; i < n; i++) {
    const d = values[i]! - avg;
    dev.add(d * d);
  }
  return { n, sum: total, mean: avg, m2: dev.value, min: n > 0 ? min : NaN, max: n > 0 ? max : NaN };
}

/** Standard deviation with `ddof` delta degrees of freedom (1: sample, pandas' default; 0: population). */
export function stdFromMoments(m: Moments, ddof: number): number {
  return m.n - ddof > 0 ? Math.sqrt(m.m2 / (m.n - ddof)) : NaN;
}

export function mean(values: ArrayLike<number>): number {
  return moments(values).mean;
}

export function std(values: ArrayLike<number>, ddof: number): number {
  return stdFromMoments(moments(values), ddof);
}

/** The non-null values of a column whose nulls are NaN. */
export function dropNulls(values: ArrayLike<number>): Float64Array {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) count++;
  const out = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) out[k++] = v;
  }
  return out;
}
