/**
 * Kolmogorov's limiting distribution of √n·D_n (SciPy's `kstwobign`, `scipy.special.kolmogorov`), a
 * port of SciPy 1.10's cephes `_kolmogorov`: two theta-function series split at x = 0.82, each unrolled
 * to the few terms that reach double precision.
 */
const KOLMOG_CUTOVER = 0.82;
const MIN_EXPABLE = -708 - 38;

export interface KolmogorovProbs {
  sf: number;
  cdf: number;
}

export function kolmogorovProbs(x: number): KolmogorovProbs {
  if (Number.isNaN(x)) return { sf: NaN, cdf: NaN };
  if (x <= 0 || x <= Math.PI / Math.sqrt(-MIN_EXPABLE * 8)) return { sf: 1, cdf: 0 };
  let sf: number;
  let cdf: number;
  if (x <= KOLMOG_CUTOVER) {
    // P = w·u·(1 + u^8 + u^24 + u^48), u = exp(−π²/(8x²)), w = √(2π)/x
    const w = Math.sqrt(2 * Math.PI) / x;
    const logu8 = (-Math.PI * Math.PI) / (x * x);
    const u = Math.exp(logu8 / 8);
    let p: number;
    if (u === 0) {
      p = Math.exp(logu8 / 8 + Math.log(w));
    } else {
      const u8 = Math.exp(logu8);
      const u8cub = u8 ** 3;
      p = 1 + u8cub * 1;
      p = 1 + u8 * u8 * p;
      p = 1 + u8 * p;
      p = w * u * p;
    }
    cdf = p;
    sf = 1 - p;
  } else {
    // P = 2v(1 − v³(1 − v⁵(1 − v⁷))), v = exp(−2x²)
    const v = Math.exp(-2 * x * x);
    const v3 = v ** 3;
    let p = 1;
    p = 1 - v3 * v3 * v * p;
    p = 1 - v3 * v * v * p;
    p = 1 - v3 * p;
    sf = 2 * v * p;
    cdf = 1 - sf;
  }
  return { sf: clip01(sf), cdf: clip01(cdf) };
}

/** P(√n·D_n ≥ x) in the limit n → ∞ (`kstwobign.sf`). */
export function kolmogorovSf(x: number): number {
  return kolmogorovProbs(x).sf;
}

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}
