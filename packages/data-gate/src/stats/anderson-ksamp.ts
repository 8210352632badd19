import { sortedCopy } from './sorted';
import { ArrayCursor, type SortedWalk } from './ks-test';

/**
 * The k-sample Anderson–Darling test of Scholz and Stephens (1987) with midranks, as
 * `scipy.stats.anderson_ksamp(samples, midrank=True)` computes it in SciPy 1.10: the standardized
 * statistic, the critical values for 25 % … 0.1 %, and the significance level interpolated from them
 * (quadratic fit of log(level) on the critical values), capped to [0.001, 0.25] as SciPy caps it.
 */
export interface AndersonKsampResult {
  statistic: number;
  criticalValues: number[];
  significanceLevel: number;
}

const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
const SIG = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

export function andersonKsamp(samples: readonly ArrayLike<number>[]): AndersonKsampResult {
  const k = samples.length;
  if (k < 2) throw new RangeError('andersonKsamp needs at least two samples');
  const sorted = samples.map((s) => sortedCopy(s));
  if (sorted.some((s) => s.length === 0)) throw new RangeError('andersonKsamp got a sample without observations');
  const n = sorted.map((s) => s.length);
  const N = n.reduce((a, b) => a + b, 0);
  return andersonFromMidrank(midrankStatistic(sorted.map((v) => new ArrayCursor(v)), n, N), n);
}

/**
 * The k-sample statistic, its critical values and SciPy's capped significance level from A2akN and the
 * sample sizes: the part both exact modes share after their walk over the sorted samples.
 */
export function andersonFromMidrank(A2kN: number, n: readonly number[]): AndersonKsampResult {
  const k = n.length;
  const N = n.reduce((x, y) => x + y, 0);

  let H = 0;
  for (const ni of n) H += 1 / ni;
  // hs_cs = cumsum(1/(N−1), 1/(N−2), …, 1/2); h = hs_cs[-1] + 1; g = Σ hs_cs[i]/(i+2)
  let cumsum = 0;
  let g = 0;
  for (let i = 0, j = N - 1; j > 1; i++, j--) {
    cumsum += 1 / j;
    g += cumsum / (i + 2);
  }
  const h = cumsum + 1;
  const a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const b = (2 * g - 4) * k ** 2 + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const c = (6 * h + 2 * g - 2) * k ** 2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const d = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmasq = (a * N ** 3 + b * N ** 2 + c * N + d) / ((N - 1) * (N - 2) * (N - 3));
  const m = k - 1;
  const statistic = (A2kN - m) / Math.sqrt(sigmasq);
  const criticalValues = B0.map((b0, i) => b0 + B1[i]! / Math.sqrt(m) + B2[i]! / m);
  let significanceLevel: number;
  if (statistic < Math.min(...criticalValues)) significanceLevel = Math.max(...SIG);
  else if (statistic > Math.max(...criticalValues)) significanceLevel = Math.min(...SIG);
  else {
    const coeffs = polyfitQuadratic(criticalValues, SIG.map(Math.log));
    significanceLevel = Math.exp((coeffs[0]! * statistic + coeffs[1]!) * statistic + coeffs[2]!);
  }
  return { statistic, criticalValues, significanceLevel };
}

/**
 * A2akN, equation 7 of Scholz and Stephens, by one k-way merge walk over the sorted samples: at each
 * distinct pooled value z, l_j is its multiplicity, B_j its midrank position and M_ij the midrank count
 * of sample i. Over arrays in memory, or over sorted columns spilled to disk.
 */
export function midrankStatistic(cursors: readonly SortedWalk[], n: readonly number[], N: number): number {
  const k = cursors.length;
  const equal = new Int32Array(k);
  const inner = new Float64Array(k);
  let left = 0;
  let distinct = 0;
  for (;;) {
    let z = Infinity;
    for (let i = 0; i < k; i++) {
      const c = cursors[i] as SortedWalk;
      if (c.index < (n[i] as number) && c.peek() < z) z = c.peek();
    }
    if (z === Infinity) break;
    distinct++;
    let lj = 0;
    for (let i = 0; i < k; i++) {
      const c = cursors[i] as SortedWalk;
      const start = c.index;
      while (c.index < (n[i] as number) && c.peek() === z) c.advance();
      equal[i] = c.index - start;
      lj += c.index - start;
    }
    const Bj = left + lj / 2;
    for (let i = 0; i < k; i++) {
      const Mij = (cursors[i] as SortedWalk).index - (equal[i] as number) / 2;
      inner[i] = (inner[i] as number) + ((lj / N) * (N * Mij - Bj * (n[i] as number)) ** 2) / (Bj * (N - Bj) - (N * lj) / 4);
    }
    left += lj;
  }
  if (distinct < 2) throw new RangeError('andersonKsamp needs more than one distinct observation');
  let A2akN = 0;
  for (let i = 0; i < k; i++) A2akN += (inner[i] as number) / (n[i] as number);
  return (A2akN * (N - 1)) / N;
}

/**
 * Least-squares quadratic through (x, y), highest power first like `numpy.polyfit(x, y, 2)`; solved by
 * Householder QR on the column-scaled Vandermonde matrix, as NumPy's lstsq path does, for accuracy.
 */
export function polyfitQuadratic(x: readonly number[], y: readonly number[]): number[] {
  const rows = x.length;
  const cols = 3;
  const A: number[][] = x.map((xi) => [xi * xi, xi, 1]);
  const scale = [0, 1, 2].map((j) => Math.sqrt(A.reduce((s, r) => s + r[j]! ** 2, 0)));
  for (const r of A) for (let j = 0; j < cols; j++) r[j] = r[j]! / scale[j]!;
  const b = [...y];
  for (let j = 0; j < cols; j++) {
    let norm = 0;
    for (let i = j; i < rows; i++) norm += A[i]![j]! ** 2;
    norm = Math.sqrt(norm);
    const alpha = A[j]![j]! > 0 ? -norm : norm;
    const v: number[] = Array.from({ length: rows }, () => 0);
    for (let i = j; i < rows; i++) v[i] = A[i]![j]!;
    v[j] = v[j]! - alpha;
    const vv = v.reduce((s, t) => s + t * t, 0);
    if (vv === 0) continue;
    for (let c = j; c < cols; c++) {
      let dot = 0;
      for (let i = j; i < rows; i++) dot += v[i]! * A[i]![c]!;
      const f = (2 * dot) / vv;
      for (let i = j; i < rows; i++) A[i]![c] = A[i]![c]! - f * v[i]!;
    }
    let dot = 0;
    for (let i = j; i < rows; i++) dot += v[i]! * b[i]!;
    const f = (2 * dot) / vv;
    for (let i = j; i < rows; i++) b[i] = b[i]! - f * v[i]!;
  }
  const coef = Array.from({ length: cols }, () => 0);
  for (let j = cols - 1; j >= 0; j--) {
    let s = b[j]!;
    for (let c = j + 1; c < cols; c++) s -= A[j]![c]! * coef[c]!;
    coef[j] = s / A[j]![j]!;
  }
  return coef.map((c, j) => c / scale[j]!);
}
