import { chi2Sf } from './special/incomplete-gamma';

/**
 * Chi-square tests on category counts.
 *
 * `chi2Contingency` is the two-sample test on the 2×K table [reference; current]
 * (`scipy.stats.chi2_contingency`, Yates' correction only when dof = 1). It is the default for
 * categories: it counts the reference's own sampling error.
 *
 * `chisquareEvidently` is Evidently's one-sample form, which treats the reference proportions as the
 * truth (expected = ref_count·n_cur/n_ref). With equal sizes its statistic is about twice the
 * two-sample one, so it fires on noise the two-sample test rightly ignores; it is here to reproduce
 * Evidently's decisions.
 */
export interface ChiSquareResult {
  statistic: number;
  pvalue: number;
  dof: number;
}

export function chi2Contingency(refCounts: readonly number[], curCounts: readonly number[], correction = true): ChiSquareResult {
  if (refCounts.length !== curCounts.length) throw new RangeError('count vectors differ in length');
  const k = refCounts.length;
  const rowRef = sum(refCounts);
  const rowCur = sum(curCounts);
  const total = rowRef + rowCur;
  const dof = k - 1;
  if (k === 0 || total === 0) return { statistic: NaN, pvalue: NaN, dof };
  const observed: number[] = [...refCounts, ...curCounts];
  const expected: number[] = [];
  for (const row of [rowRef, rowCur]) {
    for (let j = 0; j < k; j++) expected.push((row * (refCounts[j]! + curCounts[j]!)) / total);
  }
  if (expected.some((e) => e === 0)) {
    throw new RangeError('a category has zero count in both samples; drop it before the chi-square test');
  }
  if (dof === 0) return { statistic: 0, pvalue: 1, dof };
  if (dof === 1 && correction) {
    for (let i = 0; i < observed.length; i++) {
      const diff = expected[i]! - observed[i]!;
      const magnitude = Math.min(0.5, Math.abs(diff));
      observed[i] = observed[i]! + magnitude * Math.sign(diff);
    }
  }
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const d = observed[i]! - expected[i]!;
    statistic += (d * d) / expected[i]!;
  }
  return { statistic, pvalue: chi2Sf(statistic, dof), dof };
}

export function chisquareEvidently(refCounts: readonly number[], curCounts: readonly number[]): ChiSquareResult {
  if (refCounts.length !== curCounts.length) throw new RangeError('count vectors differ in length');
  const nRef = sum(refCounts);
  const nCur = sum(curCounts);
  const dof = refCounts.length - 1;
  let statistic = 0;
  for (let i = 0; i < refCounts.length; i++) {
    const expected = (refCounts[i]! * nCur) / nRef;
    const d = curCounts[i]! - expected;
    // A category absent from the reference: SciPy divides by zero and reports inf, p = 0.
    statistic += expected === 0 ? (d === 0 ? NaN : Infinity) : (d * d) / expected;
  }
  return { statistic, pvalue: statistic === Infinity ? 0 : chi2Sf(statistic, dof), dof };
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
