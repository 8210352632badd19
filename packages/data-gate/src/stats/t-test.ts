import { moments } from './moments';
import { studentTSf } from './special/incomplete-beta';

/**
 * Two-sample t-tests on the means, `scipy.stats.ttest_ind(a, b)` with equal_var=True (Student, which
 * Evidently calls 't_test') and equal_var=False (Welch). Two-sided.
 */
export interface TTestResult {
  statistic: number;
  pvalue: number;
  df: number;
}

export function tTestInd(a: ArrayLike<number>, b: ArrayLike<number>, equalVar = true): TTestResult {
  const ma = moments(a);
  const mb = moments(b);
  const n1 = ma.n;
  const n2 = mb.n;
  const v1 = ma.m2 / (n1 - 1);
  const v2 = mb.m2 / (n2 - 1);
  let df: number;
  let denom: number;
  if (equalVar) {
    df = n1 + n2 - 2;
    const svar = ((n1 - 1) * v1 + (n2 - 1) * v2) / df;
    denom = Math.sqrt(svar * (1 / n1 + 1 / n2));
  } else {
    const vn1 = v1 / n1;
    const vn2 = v2 / n2;
    df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1));
    denom = Math.sqrt(vn1 + vn2);
  }
  const statistic = (ma.mean - mb.mean) / denom;
  const pvalue = 2 * studentTSf(Math.abs(statistic), df);
  return { statistic, pvalue: Math.min(1, pvalue), df };
}
