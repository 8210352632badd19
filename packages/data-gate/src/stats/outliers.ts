import { moments, stdFromMoments } from './moments';
import { medianSorted, quantileSorted } from './quantile';
import { sortedCopy } from './sorted';

/**
 * Univariate outlier rules, with parameters fitted on one sample (the trusted reference, by default:
 * fitted on the incoming batch, a large injection inflates the spread and masks itself) and applied to
 * another. Columns are Float64Arrays with NaN for nulls; results are 0-based row indices into the
 * scanned column, nulls never flagged.
 *
 * - z-score: |x − mean| / std(ddof 0) > threshold (3)
 * - IQR: x < Q1 − k·IQR or x > Q3 + k·IQR (k = 1.5, type-7 quartiles)
 * - MAD: |0.6745·(x − median)/MAD| > threshold (3.5) with the raw MAD; nothing is flagged when MAD = 0
 */
export interface OutlierParams {
  mean: number;
  stdDdof0: number;
  q1: number;
  q3: number;
  median: number;
  mad: number;
}

export function fitOutlierParams(values: ArrayLike<number>): OutlierParams {
  const clean = Array.from(values).filter((v) => !Number.isNaN(v));
  const sorted = sortedCopy(clean);
  const m = moments(sorted);
  const median = medianSorted(sorted);
  const deviations = sortedCopy(clean.map((v) => Math.abs(v - median)));
  return {
    mean: m.mean,
    stdDdof0: stdFromMoments(m, 0),
    q1: quantileSorted(sorted, 0.25),
    q3: quantileSorted(sorted, 0.75),
    median,
    mad: medianSorted(deviations),
  };
}

export const DEFAULT_ZSCORE_THRESHOLD = 3;
export const DEFAULT_IQR_FACTOR = 1.5;
export const DEFAULT_MAD_THRESHOLD = 3.5;
/** Φ⁻¹(3/4), the factor that makes the MAD consistent with σ for normal data (Iglewicz–Hoaglin). */
export const MAD_CONSISTENCY = 0.6745;

function select(values: ArrayLike<number>, flag: (v: number) => boolean): number[] {
  const rows: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v) && flag(v)) rows.push(i);
  }
  return rows;
}

export function zScoreOutliers(values: ArrayLike<number>, params: OutlierParams, threshold = DEFAULT_ZSCORE_THRESHOLD): number[] {
  if (!(params.stdDdof0 > 0)) return [];
  return select(values, (v) => Math.abs(v - params.mean) / params.stdDdof0 > threshold);
}

export function iqrOutliers(values: ArrayLike<number>, params: OutlierParams, factor = DEFAULT_IQR_FACTOR): number[] {
  const iqr = params.q3 - params.q1;
  const low = params.q1 - factor * iqr;
  const high = params.q3 + factor * iqr;
  return select(values, (v) => v < low || v > high);
}

export function madOutliers(values: ArrayLike<number>, params: OutlierParams, threshold = DEFAULT_MAD_THRESHOLD): number[] {
  if (params.mad === 0 || Number.isNaN(params.mad)) return [];
  return select(values, (v) => Math.abs((MAD_CONSISTENCY * (v - params.median)) / params.mad) > threshold);
}
