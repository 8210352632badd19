import type { KllSketch } from './kll-sketch';

/**
 * Outlier fences (IQR, MAD) fitted on a KLL sketch of the reference, each with the interval it is
 * guaranteed to lie in when the sketch's rank error is within its bound (99% confidence): a value
 * outside the outer fence is flagged whatever the exact fence is, a value inside the inner fence never
 * is, and only values between the two (`band`) could go either way. While the sketch is exact the
 * point fences are the exact ones (type-7 quartiles, np.median) and the band is as narrow as the data.
 */
export interface Fences {
  /** Point estimates: flag v < low or v > high (IQR), |0.6745·(v − median)/mad| > t (MAD). */
  low: number;
  high: number;
  /** The exact low fence lies in [lowOuter, lowInner], the exact high fence in [highInner, highOuter]. */
  lowOuter: number;
  lowInner: number;
  highInner: number;
  highOuter: number;
  /** Normalized rank error used for the brackets (0 while the sketch is exact). */
  rankError: number;
}

export interface IqrFences extends Fences {
  q1: number;
  q3: number;
  q1Bracket: [number, number];
  q3Bracket: [number, number];
}

export interface MadFences extends Fences {
  median: number;
  mad: number;
  medianBracket: [number, number];
  madBracket: [number, number];
}

/** Φ⁻¹(3/4), as the exact MAD rule uses it. */
const MAD_CONSISTENCY = 0.6745;

/**
 * The sorted data a sketch stands for, as (value, cumulative weight) pairs: `at(j)` is the value at
 * 0-based position j. A bracket for the type-7 quantile at q, given that every rank the sketch reports
 * is within `eps` (normalized) of the true one: the lower end has, by the sketch, at most
 * floor(h) − eps·n values below it, so truly at most floor(h), hence it is ≤ the order statistic at
 * floor(h); the upper end has at least floor(h) + 2 values at or below it, so it is ≥ the order
 * statistic at floor(h) + 1. The quantile lies between those two order statistics.
 */
function typeSevenBracket(n: number, at: (j: number) => number, q: number, eps: number, min: number, max: number): [number, number] {
  const h = Math.floor((n - 1) * q);
  const slack = eps * n;
  const lowIndex = Math.floor(h - slack);
  const highIndex = Math.ceil(h + 1 + slack);
  return [lowIndex < 0 ? min : at(lowIndex), highIndex > n - 1 ? max : at(highIndex)];
}

/** Bracket of the type-7 quantile at q of the values the sketch summarizes. */
export function quantileBracket(sketch: KllSketch, q: number): [number, number] {
  if (sketch.isExact) {
    const v = sketch.quantile(q);
    return [v, v];
  }
  return typeSevenBracket(sketch.n, (j) => sketch.valueAt(j), q, sketch.normalizedRankError(), sketch.min, sketch.max);
}

/** Tukey's fences Q1 − f·IQR and Q3 + f·IQR from the sketch, with their brackets. */
export function iqrFences(sketch: KllSketch, factor: number): IqrFences {
  const q1 = sketch.quantile(0.25);
  const q3 = sketch.quantile(0.75);
  const iqr = q3 - q1;
  const [q1L, q1U] = quantileBracket(sketch, 0.25);
  const [q3L, q3U] = quantileBracket(sketch, 0.75);
  // low = (1 + f)·Q1 − f·Q3 rises with Q1 and falls with Q3; high the other way round.
  return {
    q1,
    q3,
    q1Bracket: [q1L, q1U],
    q3Bracket: [q3L, q3U],
    low: q1 - factor * iqr,
    high: q3 + factor * iqr,
    lowOuter: q1L - factor * (q3U - q1L),
    lowInner: q1U - factor * (q3L - q1U),
    highInner: q3L + factor * (q3L - q1U),
    highOuter: q3U + factor * (q3U - q1L),
    rankError: sketch.normalizedRankError(),
  };
}

/**
 * The median and the MAD (median of |x − median|, unscaled) from the sketch's weighted items, and the
 * MAD rule's fences median ± t·MAD/0.6745.
 *
 * Bounds: the true median m and the estimate m̂ both lie in the median's bracket [mL, mU], so
 * |x − m| is within δ = mU − mL of |x − m̂| and the true MAD within δ of the median of |x − m̂|. That
 * median is bracketed like any quantile, on the distribution of |x − m̂|, whose sketch estimate at d is
 * rank(m̂ + d) − rank(m̂ − d): a difference of two ranks, so with the double-sided ("pmf") error.
 */
export function madFences(sketch: KllSketch, threshold: number): MadFences {
  const median = sketch.median();
  const [mL, mU] = sketch.isExact ? [median, median] : quantileBracket(sketch, 0.5);
  const { values, cumWeights } = sketch.sortedView();
  const deviations: [number, number][] = [];
  for (let i = 0; i < values.length; i++) deviations.push([Math.abs((values[i] as number) - median), (cumWeights[i] as number) - (i === 0 ? 0 : (cumWeights[i - 1] as number))]);
  deviations.sort((a, b) => a[0] - b[0]);
  const devValues = new Float64Array(deviations.length);
  const devCum = new Float64Array(deviations.length);
  let cum = 0;
  for (let i = 0; i < deviations.length; i++) {
    const [d, w] = deviations[i] as [number, number];
    devValues[i] = d;
    cum += w;
    devCum[i] = cum;
  }
  const n = sketch.n;
  const at = (j: number): number => {
    let lo = 0;
    let hi = devValues.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((devCum[mid] as number) > j) hi = mid;
      else lo = mid + 1;
    }
    return devValues[lo] as number;
  };
  const mid = Math.floor(n / 2);
  const mad = n === 0 ? Number.NaN : n % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
  const spread = mU - mL;
  const maxDeviation = Math.max(Math.abs(sketch.max - median), Math.abs(median - sketch.min));
  const [dL, dU] = sketch.isExact ? [mad, mad] : typeSevenBracket(n, at, 0.5, sketch.normalizedRankError(true), 0, maxDeviation);
  const madL = Math.max(0, dL - spread);
  const madU = dU + spread;
  const c = threshold / MAD_CONSISTENCY;
  return {
    median,
    mad,
    medianBracket: [mL, mU],
    madBracket: [madL, madU],
    low: median - c * mad,
    high: median + c * mad,
    lowOuter: mL - c * madU,
    lowInner: mU - c * madL,
    highInner: mL + c * madL,
    highOuter: mU + c * madU,
    rankError: sketch.normalizedRankError(true),
  };
}

/** Estimated share of the sketch's values below `low` or above `high`, and its error (double-sided bound). */
export function shareOutside(sketch: KllSketch, low: number, high: number): { share: number; error: number } {
  if (sketch.n === 0) return { share: Number.NaN, error: 0 };
  const share = sketch.rank(low, false) + 1 - sketch.rank(high, true);
  return { share: Math.min(1, Math.max(0, share)), error: sketch.normalizedRankError(true) };
}
