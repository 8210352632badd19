import { KS_MAX_AUTO_N, type AndersonKsampResult, type KsResult, NeumaierSum, ksExactPvalue, kstwoSf } from '../stats/index';
import { andersonFromMidrank, midrankStatistic } from '../stats/anderson-ksamp';
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

/** andersonKsamp([a, b]) (midrank, SciPy 1.10), its A2akN by one merge walk of the two columns. */
export function andersonKsampOf(a: SortedColumn, b: SortedColumn, budget: MemoryBudget): AndersonKsampResult {
  if (a.length === 0 || b.length === 0) throw new RangeError('andersonKsamp got a sample without observations');
  const n = [a.length, b.length];
  return andersonFromMidrank(
    withCursors(a, b, budget, (ca, cb) => midrankStatistic([ca, cb], n, a.length + b.length)),
    n,
  );
}
