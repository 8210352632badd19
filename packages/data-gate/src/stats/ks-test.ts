import { kolmogorovSf } from './kolmogorov';
import { kstwoSf } from './kolmogn';
import { isSorted, sortedCopy } from './sorted';

/**
 * Two-sample, two-sided Kolmogorov–Smirnov test, reproducing SciPy 1.10's `ks_2samp(method='auto')`:
 * exact p-value when max(n1, n2) ≤ 10 000 (Hodges' lattice-path counts; Viehmann's 1 − p recursion for
 * unequal sizes), and SciPy's silent fall-back to the asymptotic p-value when the exact computation
 * leaves [0, 1]. The asymptotic p-value is `kstwo.sf(D, round(n1·n2/(n1+n2)))`, the finite-n
 * one-sample distribution, not Kolmogorov's limit, which is reported separately.
 */
export const KS_MAX_AUTO_N = 10_000;

export type KsMethod = 'exact' | 'asymp';

export interface KsResult {
  /** D; in the exact branch SciPy rounds it to h/lcm(n1, n2), and so do we. */
  statistic: number;
  pvalue: number;
  /** The method that produced `pvalue` ('asymp' after a fall-back from exact). */
  method: KsMethod;
  /** True when the exact computation was attempted and failed. */
  fellBack: boolean;
  /** Where the ECDF difference is largest, and which way (+1: reference ECDF above current). */
  statisticLocation: number;
  statisticSign: 1 | -1;
  /** n1·n2/(n1+n2). */
  en: number;
}

export interface KsOptions {
  method?: 'auto' | 'exact' | 'asymp';
}

/** Inputs must be free of NaN (nulls dropped) and non-empty. */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>, options: KsOptions = {}): KsResult {
  return ks2sampSorted(sortedCopy(a), sortedCopy(b), options);
}

/** The same on samples already sorted ascending (spilled sorted columns), without copying them. */
export function ks2sampSorted(s1: Float64Array, s2: Float64Array, options: KsOptions = {}): KsResult {
  const n1 = s1.length;
  const n2 = s2.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ks2samp needs two non-empty samples');
  if (!isSorted(s1) || !isSorted(s2)) throw new RangeError('ks2sampSorted needs samples sorted ascending');
  const { d: dRaw, location, sign } = ksStatistic(s1, s2);
  const g = gcd(n1, n2);
  const requested = options.method ?? 'auto';
  let mode: KsMethod = requested === 'auto' ? (Math.max(n1, n2) <= KS_MAX_AUTO_N ? 'exact' : 'asymp') : requested;
  if (options.method === 'exact' && n1 / g >= 2147483647 / (n2 / g)) mode = 'asymp';
  let d = dRaw;
  let prob = NaN;
  let fellBack = false;
  if (mode === 'exact') {
    const attempt = attemptExact(n1, n2, g, dRaw);
    d = attempt.d;
    if (attempt.success) prob = attempt.prob;
    else {
      mode = 'asymp';
      fellBack = true;
    }
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  if (mode === 'asymp') prob = kstwoSf(d, roundHalfEven(en));
  prob = Math.min(1, Math.max(0, prob));
  return { statistic: d, pvalue: prob, method: mode, fellBack, statisticLocation: location, statisticSign: sign, en };
}

/** The Kolmogorov-limit p-value `kstwobign.sf(D·√en)`, for comparison with tools that use it. */
export function ksKolmogorovLimitPvalue(d: number, n1: number, n2: number): number {
  const en = (n1 * n2) / (n1 + n2);
  return kolmogorovSf(d * Math.sqrt(en));
}

/** The exact p-value, or NaN when SciPy's exact computation would fail. */
export function ksExactPvalue(n1: number, n2: number, d: number): number {
  const r = attemptExact(n1, n2, gcd(n1, n2), d);
  return r.success ? r.prob : NaN;
}

/** The finite-n asymptotic p-value SciPy 1.10 reports for method='asymp'. */
export function ksAsympPvalue(n1: number, n2: number, d: number): number {
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  return Math.min(1, Math.max(0, kstwoSf(d, roundHalfEven((m * n) / (m + n)))));
}

interface KsStatistic {
  d: number;
  location: number;
  sign: 1 | -1;
}

/**
 * max |F1 − F2| over the pooled values, in one merge walk over the two sorted samples, with SciPy's
 * tie-breaking: SciPy takes the first arg-max (and arg-min) over the concatenation [data1, data2], so
 * the location is the smallest value of data1 reaching the extreme, or failing that the smallest of
 * data2; the negative side wins only when strictly larger.
 */
export function ksStatistic(s1: Float64Array, s2: Float64Array): KsStatistic {
  return ksStatisticWalk(new ArrayCursor(s1), s1.length, new ArrayCursor(s2), s2.length);
}

/**
 * A forward walk over sorted values: `index` is the rank of the value `peek()` returns, `advance()`
 * moves one rank on. An array or a sorted column spilled to disk (spill/sorted-column.ts).
 */
export interface SortedWalk {
  readonly index: number;
  peek(): number;
  advance(): void;
}

export class ArrayCursor implements SortedWalk {
  index = 0;
  constructor(private readonly values: Float64Array) {}
  peek(): number {
    return this.values[this.index] as number;
  }
  advance(): void {
    this.index++;
  }
}

/** ksStatistic over two sorted walks of n1 and n2 values (the merge walk both exact modes share). */
export function ksStatisticWalk(c1: SortedWalk, n1: number, c2: SortedWalk, n2: number): KsStatistic {
  // Best (first) extreme among points of each sample: [max, location, min, location].
  let max1 = -Infinity;
  let locMax1 = Number.NaN;
  let min1 = Infinity;
  let locMin1 = Number.NaN;
  let max2 = -Infinity;
  let locMax2 = Number.NaN;
  let min2 = Infinity;
  let locMin2 = Number.NaN;
  while (c1.index < n1 || c2.index < n2) {
    const a = c1.index < n1 ? c1.peek() : Infinity;
    const b = c2.index < n2 ? c2.peek() : Infinity;
    const v = a <= b ? a : b;
    const in1 = a === v;
    const in2 = b === v;
    while (c1.index < n1 && c1.peek() === v) c1.advance();
    while (c2.index < n2 && c2.peek() === v) c2.advance();
    const diff = c1.index / n1 - c2.index / n2;
    if (in1) {
      if (diff > max1) {
        max1 = diff;
        locMax1 = v;
      }
      if (diff < min1) {
        min1 = diff;
        locMin1 = v;
      }
    }
    if (in2) {
      if (diff > max2) {
        max2 = diff;
        locMax2 = v;
      }
      if (diff < min2) {
        min2 = diff;
        locMin2 = v;
      }
    }
  }
  const maxS = Math.max(max1, max2);
  const locMax = max1 === maxS ? locMax1 : locMax2;
  const minS = Math.min(min1, min2);
  const locMin = min1 === minS ? locMin1 : locMin2;
  const minClipped = Math.min(1, Math.max(0, -minS));
  if (minClipped > maxS) return { d: minClipped, location: locMin, sign: -1 };
  return { d: maxS, location: locMax, sign: 1 };
}

interface ExactAttempt {
  success: boolean;
  d: number;
  prob: number;
}

function attemptExact(n1: number, n2: number, g: number, dIn: number): ExactAttempt {
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(dIn * lcm);
  const d = h / lcm;
  if (h === 0) return { success: true, d, prob: 1 };
  const prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  if (!Number.isFinite(prob)) return { success: false, d, prob: NaN };
  if (!(prob >= 0 && prob <= 1)) return { success: false, d, prob };
  return { success: true, d, prob };
}

/**
 * P(D_{n,n} ≥ h/n) = 2·Σ_k (−1)^(k+1) C(2n, n−kh)/C(2n, n), evaluated Horner-style from the innermost
 * term so the alternating sum never cancels (SciPy's `_compute_prob_outside_square`).
 */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * 1 − (share of lattice paths from (0,0) to (m,n) staying strictly inside |x/m − y/n| < h/lcm), by the
 * recursion of Viehmann (2021) that carries 1 − p directly (SciPy's `_compute_outer_prob_inside_method`).
 */
function outerProbInside(mIn: number, nIn: number, g: number, h: number): number {
  const [m, n] = mIn >= nIn ? [mIn, nIn] : [nIn, mIn];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, Math.min(maxj, lenA));
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      const prev = A[jj + minj - lastminj];
      val = ((prev === undefined ? NaN : prev) * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)));
  }
  return A[maxj - minj - 1]!;
}

export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
}

/** NumPy's round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}
