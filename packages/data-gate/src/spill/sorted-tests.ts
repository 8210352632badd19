import { KS_MAX_AUTO_N, type AndersonKsampResult, type KsResult, NeumaierSum, ksExactPvalue, kstwoSf } from '../stats/index';
import { polyfitQuadratic } from '../stats/anderson-ksamp';
import { gcd, ksStatisticWalk, roundHalfEven } from '../stats/ks-test';
import type { MemoryBudget } from './memory-budget';
import type { SortedColumn, SortedCursor } from './sorted-column';

/**
 * The two-sample tests as merge walks over two sorted (possibly spilled) columns, each reproducing its
 * in-memory counterpart operation for operation (stats/ks-test.ts, stats/wasserstein.ts,
 * stats/anderson-ksamp.ts), so the figures are the same bits; the p-value code, which depends only on
 * n, m and the statistic, is the in-memory one.
 */
function withCursors<T>(a: SortedColumn, b: SortedColumn, budget: MemoryBudget, walk: (ca: SortedCursor, cb: SortedCursor) => T): T {
  const ca = a.cursor(budget);
  try {
    const cb = b.cursor(budget);
    try {
      return walk(ca, cb);
    } finally {
      cb.close();
    }
  } finally {
    ca.close();
  }
}

/** ksStatistic: D, where it is reached and which way, with SciPy's tie-breaking. */
export function ksStatisticOf(s1: SortedColumn, s2: SortedColumn, budget: MemoryBudget): { d: number; location: number; sign: 1 | -1 } {
  return withCursors(s1, s2, budget, (c1, c2) => ksStatisticWalk(c1, s1.length, c2, s2.length));
}

/** ks2sampSorted with method 'auto' (exact up to 10,000 values a side, with SciPy's fall-back). */
export function ksTestOf(s1: SortedColumn, s2: SortedColumn, budget: MemoryBudget): KsResult {
  const n1 = s1.length;
  const n2 = s2.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ks2samp needs two non-empty samples');
  const { d: dRaw, location, sign } = ksStatisticOf(s1, s2, budget);
  let mode: 'exact' | 'asymp' = Math.max(n1, n2) <= KS_MAX_AUTO_N ? 'exact' : 'asymp';
  let d = dRaw;
  let prob = Number.NaN;
  let fellBack = false;
  if (mode === 'exact') {
    const lcm = (n1 / gcd(n1, n2)) * n2;
    d = roundHalfEven(dRaw * lcm) / lcm;
    const p = ksExactPvalue(n1, n2, dRaw);
    if (Number.isNaN(p)) {
      mode = 'asymp';
      fellBack = true;
    } else prob = p;
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  if (mode === 'asymp') prob = kstwoSf(d, roundHalfEven(en));
  prob = Math.min(1, Math.max(0, prob));
  return { statistic: d, pvalue: prob, method: mode, fellBack, statisticLocation: location, statisticSign: sign, en };
}

/** wasserstein1Sorted: ∫|F_u − F_v| over the pooled support, compensated sum in the same order. */
export function wasserstein1Of(u: SortedColumn, v: SortedColumn, budget: MemoryBudget): number {
  if (u.length === 0 || v.length === 0) throw new RangeError('wasserstein1 needs two non-empty samples');
  const nu = u.length;
  const nv = v.length;
  return withCursors(u, v, budget, (cu, cv) => {
    const acc = new NeumaierSum();
    let previous = Number.NaN;
    let diff = 0;
    while (cu.index < nu || cv.index < nv) {
      const a = cu.index < nu ? cu.peek() : Infinity;
      const b = cv.index < nv ? cv.peek() : Infinity;
      const x = a <= b ? a : b;
      if (!Number.isNaN(previous)) acc.add(diff * (x - previous));
      while (cu.index < nu && cu.peek() === x) cu.advance();
      while (cv.index < nv && cv.peek() === x) cv.advance();
      diff = Math.abs(cu.index / nu - cv.index / nv);
      previous = x;
    }
    return acc.value;
  });
}

/** Distinct values of the pooled sample (Evidently's nUnique), the same walk as evidentlyNumericDriftSorted. */
export function pooledDistinctOf(ref: SortedColumn, cur: SortedColumn, budget: MemoryBudget): number {
  const nr = ref.length;
  const nc = cur.length;
  return withCursors(ref, cur, budget, (cr, cc) => {
    let nUnique = 0;
    while (cr.index < nr || cc.index < nc) {
      const v = Math.min(cr.index < nr ? cr.peek() : Infinity, cc.index < nc ? cc.peek() : Infinity);
      while (cr.index < nr && cr.peek() === v) cr.advance();
      while (cc.index < nc && cc.peek() === v) cc.advance();
      nUnique++;
    }
    return nUnique;
  });
}

const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
const SIG = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

/** andersonKsamp([a, b]) (midrank, SciPy 1.10), its A2akN by one merge walk of the two columns. */
export function andersonKsampOf(a: SortedColumn, b: SortedColumn, budget: MemoryBudget): AndersonKsampResult {
  const k = 2;
  if (a.length === 0 || b.length === 0) throw new RangeError('andersonKsamp got a sample without observations');
  const n = [a.length, b.length];
  const N = a.length + b.length;
  const A2kN = withCursors(a, b, budget, (ca, cb) => midrankStatistic([ca, cb], n, N));

  let H = 0;
  for (const ni of n) H += 1 / ni;
  let cumsum = 0;
  let g = 0;
  for (let i = 0, j = N - 1; j > 1; i++, j--) {
    cumsum += 1 / j;
    g += cumsum / (i + 2);
  }
  const h = cumsum + 1;
  const aa = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const bb = (2 * g - 4) * k ** 2 + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const cc = (6 * h + 2 * g - 2) * k ** 2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const dd = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmasq = (aa * N ** 3 + bb * N ** 2 + cc * N + dd) / ((N - 1) * (N - 2) * (N - 3));
  const m = k - 1;
  const statistic = (A2kN - m) / Math.sqrt(sigmasq);
  const criticalValues = B0.map((b0, i) => b0 + (B1[i] as number) / Math.sqrt(m) + (B2[i] as number) / m);
  let significanceLevel: number;
  if (statistic < Math.min(...criticalValues)) significanceLevel = Math.max(...SIG);
  else if (statistic > Math.max(...criticalValues)) significanceLevel = Math.min(...SIG);
  else {
    const coeffs = polyfitQuadratic(criticalValues, SIG.map(Math.log));
    significanceLevel = Math.exp(((coeffs[0] as number) * statistic + (coeffs[1] as number)) * statistic + (coeffs[2] as number));
  }
  return { statistic, criticalValues, significanceLevel };
}

function midrankStatistic(cursors: SortedCursor[], n: number[], N: number): number {
  const k = cursors.length;
  const equal = new Int32Array(k);
  const inner = new Float64Array(k);
  let left = 0;
  let distinct = 0;
  for (;;) {
    let z = Infinity;
    for (let i = 0; i < k; i++) {
      const c = cursors[i] as SortedCursor;
      if (c.index < (n[i] as number) && c.peek() < z) z = c.peek();
    }
    if (z === Infinity) break;
    distinct++;
    let lj = 0;
    for (let i = 0; i < k; i++) {
      const c = cursors[i] as SortedCursor;
      const start = c.index;
      while (c.index < (n[i] as number) && c.peek() === z) c.advance();
      equal[i] = c.index - start;
      lj += c.index - start;
    }
    const Bj = left + lj / 2;
    for (let i = 0; i < k; i++) {
      const Mij = (cursors[i] as SortedCursor).index - (equal[i] as number) / 2;
      inner[i] = (inner[i] as number) + ((lj / N) * (N * Mij - Bj * (n[i] as number)) ** 2) / (Bj * (N - Bj) - (N * lj) / 4);
    }
    left += lj;
  }
  if (distinct < 2) throw new RangeError('andersonKsamp needs more than one distinct observation');
  let A2akN = 0;
  for (let i = 0; i < k; i++) A2akN += (inner[i] as number) / (n[i] as number);
  return (A2akN * (N - 1)) / N;
}
