import { NeumaierSum } from './sum';
import { isSorted, sortedCopy } from './sorted';

/**
 * Distances between the empirical CDFs of two samples, as `scipy.stats.wasserstein_distance` (W1) and
 * `scipy.stats.energy_distance` compute them: ∫|F_u − F_v|^p over the pooled support.
 */
function cdfDistanceTerms(u: Float64Array, v: Float64Array, p: 1 | 2): number {
  // One merge walk over the distinct pooled values; between consecutive ones both ECDFs are flat.
  const acc = new NeumaierSum();
  let i = 0;
  let j = 0;
  let previous = NaN;
  let diff = 0;
  while (i < u.length || j < v.length) {
    const a = i < u.length ? u[i]! : Infinity;
    const b = j < v.length ? v[j]! : Infinity;
    const x = a <= b ? a : b;
    if (!Number.isNaN(previous)) acc.add((p === 1 ? diff : diff * diff) * (x - previous));
    while (i < u.length && u[i] === x) i++;
    while (j < v.length && v[j] === x) j++;
    diff = Math.abs(i / u.length - j / v.length);
    previous = x;
  }
  return acc.value;
}

export function wasserstein1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return wasserstein1Sorted(sortedCopy(a), sortedCopy(b));
}

/** W1 of samples already sorted ascending, without copying them. */
export function wasserstein1Sorted(a: Float64Array, b: Float64Array): number {
  if (a.length === 0 || b.length === 0) throw new RangeError('wasserstein1 needs two non-empty samples');
  if (!isSorted(a) || !isSorted(b)) throw new RangeError('wasserstein1Sorted needs samples sorted ascending');
  return cdfDistanceTerms(a, b, 1);
}

/** Evidently's normalisation: W1 / max(std of the reference with ddof 0, 0.001). */
export function normalizedWasserstein(w1: number, referenceStdDdof0: number): number {
  return w1 / Math.max(referenceStdDdof0, 0.001);
}

export function energyDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const u = sortedCopy(a);
  const v = sortedCopy(b);
  if (u.length === 0 || v.length === 0) throw new RangeError('energyDistance needs two non-empty samples');
  return Math.SQRT2 * Math.sqrt(cdfDistanceTerms(u, v, 2));
}
