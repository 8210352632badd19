/**
 * Distribution distances over binned counts: PSI, KL and Jensen–Shannon, with the conventions of
 * Evidently and SciPy (README "Conventions"): percents are count/len; PSI and KL zero-fill each vector
 * (zeros → min_nonzero/1e6 when min_nonzero ≤ 1e-4, else 1e-4) without renormalising; Jensen–Shannon
 * never zero-fills and, like `scipy.spatial.distance.jensenshannon`, returns the distance (the square
 * root of the divergence).
 */
export function percents(counts: readonly number[]): number[] {
  let total = 0;
  for (const c of counts) total += c;
  return counts.map((c) => c / total);
}

export function zeroFill(p: readonly number[]): number[] {
  let minNonzero = Infinity;
  for (const v of p) if (v > 0 && v < minNonzero) minNonzero = v;
  const fill = minNonzero <= 1e-4 ? minNonzero / 1e6 : 1e-4;
  return p.map((v) => (v === 0 ? fill : v));
}

/** Population stability index, Σ (p_ref − p_cur)·ln(p_ref/p_cur), over zero-filled percents. */
export function psi(refCounts: readonly number[], curCounts: readonly number[]): number {
  checkSameLength(refCounts, curCounts);
  const p = zeroFill(percents(refCounts));
  const q = zeroFill(percents(curCounts));
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = q[i]!;
    sum += (a - b) * Math.log(a / b);
  }
  return sum;
}

/** `scipy.stats.entropy(p_ref, p_cur)` (natural log) on zero-filled percents; entropy renormalises. */
export function klDivergence(refCounts: readonly number[], curCounts: readonly number[]): number {
  checkSameLength(refCounts, curCounts);
  const p = normalize(zeroFill(percents(refCounts)));
  const q = normalize(zeroFill(percents(curCounts)));
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += relEntr(p[i]!, q[i]!);
  return sum;
}

/** Jensen–Shannon distance; `base` undefined means natural log (Evidently's default, threshold 0.1). */
export function jensenShannon(refCounts: readonly number[], curCounts: readonly number[], base?: number): number {
  checkSameLength(refCounts, curCounts);
  const p = normalize(percents(refCounts));
  const q = normalize(percents(curCounts));
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    left += relEntr(p[i]!, m);
    right += relEntr(q[i]!, m);
  }
  let js = left + right;
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(js / 2);
}

function normalize(p: readonly number[]): number[] {
  let total = 0;
  for (const v of p) total += v;
  return p.map((v) => v / total);
}

/** scipy.special.rel_entr. */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

function checkSameLength(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) throw new RangeError(`count vectors differ in length (${a.length} vs ${b.length})`);
}
