import { logGamma } from './special/log-gamma';

/**
 * The one-sided one-sample Smirnov survival function P(D_n⁺ ≥ x) (`scipy.special.smirnov`), following
 * the case split of SciPy 1.10's cephes `_smirnov` (van Mulbregt 2018). SciPy sums the Birnbaum–Tingey
 * series in double-double; here each term is formed in log space, which keeps the sum of positive
 * terms to about 1e-13 relative for every n SciPy computes exactly (n ≤ 1e6), far inside the 1e-6 we
 * must match.
 */
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
/** cephes MINLOG, log(2^-1075): the sf is only flushed to 0 below the smallest subnormal. */
const MINLOG = -7.451332191019412e2;

export interface SmirnovProbs {
  sf: number;
  cdf: number;
}

export function smirnovSf(n: number, x: number): number {
  return smirnovProbs(n, x).sf;
}

export function smirnovProbs(n: number, x: number): SmirnovProbs {
  if (!(n > 0 && x >= 0 && x <= 1)) return { sf: NaN, cdf: NaN };
  if (n === 1) return { sf: 1 - x, cdf: x };
  if (x === 0) return { sf: 1, cdf: 0 };
  if (x === 1) return { sf: 0, cdf: 1 };

  const nx = n * x;
  let nxfl = Math.floor(nx);
  let alpha = nx - nxfl;
  if (alpha === 1) {
    nxfl += 1;
    alpha = 0;
  }
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  // When n·x is an integer the last term of either sum is zero and is left out.
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    // x ≤ 1/n
    const cdf = x * Math.exp((n - 1) * Math.log1p(x));
    return clipped(1 - cdf, cdf);
  }
  if (-2 * n * x * x < MINLOG) return { sf: 0, cdf: 1 };
  if (nxfl >= n - 1) {
    const sf = Math.exp(n * Math.log1p(-x));
    return clipped(sf, 1 - sf);
  }
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    if (logp < -Math.LN2) {
      const sf = Math.exp(logp);
      return clipped(sf, 1 - sf);
    }
    const cdf = -Math.expm1(logp);
    return clipped(1 - cdf, cdf);
  }

  const nUpperTerms = n - n1mxceil + 1;
  const useUpperSum =
    (nUpperTerms <= 1 && x < 0.5) ||
    (n >= SM_UPPERSUM_MIN_N && nUpperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));

  if (useUpperSum) {
    // cdf = x · Σ_{v = n1mxceil..n} C(n,v) (x+v/n)^(v−1) (1−x−v/n)^(n−v); few terms, signs alternate.
    let sum = 0;
    for (let v = n; v >= n1mxceil; v--) sum += signedTerm(n, x, v);
    const cdf = x * sum;
    return clipped(1 - cdf, cdf);
  }

  // sf = x · Σ_{v = 0..n1mxfl} C(n,v) (x+v/n)^(v−1) (1−x−v/n)^(n−v); every term is positive. The sum is
  // kept as exp(maxLog)·scaled, and stops, as SciPy's does, once the terms left cannot reach an ulp.
  const nTerms = n1mxfl + 1;
  let logC = 0;
  let maxLog = -Infinity;
  let scaled = 0;
  for (let v = 0; v < nTerms; v++) {
    if (v > 0) logC += Math.log((n - v + 1) / v);
    const lower = (n - v - nx) / n; // 1 − x − v/n, formed from integers where possible
    const upper = x + v / n;
    const lt = logC + (n - v) * Math.log(lower) + (v - 1) * Math.log(upper);
    if (lt > maxLog) {
      scaled = scaled * Math.exp(maxLog - lt) + 1;
      maxLog = lt;
    } else {
      const term = Math.exp(lt - maxLog);
      scaled += term;
      if (4 * (nTerms - v) * term < Number.EPSILON * scaled && v !== nTerms - 1) break;
    }
  }
  const sf = Math.exp(maxLog + Math.log(scaled) + Math.log(x));
  return clipped(sf, 1 - sf);
}

function signedTerm(n: number, x: number, v: number): number {
  const logC = logGamma(n + 1) - logGamma(v + 1) - logGamma(n - v + 1);
  const lower = (n - v - n * x) / n;
  const upper = x + v / n;
  if (lower === 0) return n - v === 0 ? Math.exp(logC + (v - 1) * Math.log(upper)) : 0;
  const sign = lower < 0 && (n - v) % 2 === 1 ? -1 : 1;
  return sign * Math.exp(logC + (n - v) * Math.log(Math.abs(lower)) + (v - 1) * Math.log(upper));
}

function clip(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

function clipped(sf: number, cdf: number): SmirnovProbs {
  return { sf: clip(sf), cdf: clip(cdf) };
}
