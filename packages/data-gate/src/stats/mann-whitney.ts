import { twoSampleRanks } from './ranks';
import { sortedCopy } from './sorted';
import { normalSf } from './special/normal';

/**
 * Mann–Whitney U, two-sided, as `scipy.stats.mannwhitneyu(x, y, use_continuity=True, method='auto')`
 * in SciPy 1.10: the statistic is U1 (of the first sample); the p-value is exact when either sample has
 * at most 8 values and there are no ties, otherwise the tie-corrected normal approximation with
 * continuity correction.
 */
export interface MannWhitneyResult {
  statistic: number;
  pvalue: number;
  method: 'exact' | 'asymptotic';
}

export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitneyU needs two non-empty samples');
  const { ranksX, tieTerm } = twoSampleRanks(sortedCopy(x), sortedCopy(y));
  let R1 = 0;
  for (let i = 0; i < n1; i++) R1 += ranksX[i]!;
  const U1 = R1 - (n1 * (n1 + 1)) / 2;
  const U2 = n1 * n2 - U1;
  const U = Math.max(U1, U2);
  const method = n1 > 8 && n2 > 8 ? 'asymptotic' : tieTerm > 0 ? 'asymptotic' : 'exact';
  let p: number;
  if (method === 'exact') {
    p = 2 * exactUpperTail(Math.round(U), n1, n2);
  } else {
    const n = n1 + n2;
    const mu = (n1 * n2) / 2;
    const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    const z = (U - mu - 0.5) / s;
    p = 2 * normalSf(z);
  }
  return { statistic: U1, pvalue: Math.min(1, Math.max(0, p)), method };
}

/** P(U ≥ u) under H0 for sizes n1, n2, by counting arrangements (small samples only). */
function exactUpperTail(u: number, n1: number, n2: number): number {
  // counts[m][k]: number of ways with m from sample 1 … via the classic recursion on the largest value.
  const maxU = n1 * n2;
  let prev: Float64Array[] = [];
  for (let j = 0; j <= n2; j++) {
    const row = new Float64Array(maxU + 1);
    row[0] = 1;
    prev.push(row);
  }
  for (let i = 1; i <= n1; i++) {
    const cur: Float64Array[] = [];
    const first = new Float64Array(maxU + 1);
    first[0] = 1;
    cur.push(first);
    for (let j = 1; j <= n2; j++) {
      const row = new Float64Array(maxU + 1);
      const a = cur[j - 1]!; // largest value from sample 2: U unchanged
      const b = prev[j]!; // largest value from sample 1: adds j to U
      for (let k = 0; k <= maxU; k++) row[k] = a[k]! + (k >= j ? b[k - j]! : 0);
      cur.push(row);
    }
    prev = cur;
  }
  const dist = prev[n2]!;
  let total = 0;
  let tail = 0;
  for (let k = 0; k <= maxU; k++) {
    total += dist[k]!;
    if (k >= u) tail += dist[k]!;
  }
  return tail / total;
}
