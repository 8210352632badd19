import { NeumaierSum } from './sum';
import { countAtMost, mergeSorted, sortedCopy } from './sorted';

/**
 * Distances between the empirical CDFs of two samples, as `scipy.stats.wasserstein_distance` (W1) and
 * `scipy.stats.energy_distance` compute them: ∫|F_u − F_v|^p over the pooled support.
 */
function cdfDistanceTerms(u: Float64Array, v: Float64Array, p: 1 | 2): number {
  const all = mergeSorted(u, v);
  const acc = new NeumaierSum();
  for (let i = 0; i < all.length - 1; i++) {
    const x = all[i]!;
    const delta = all[i + 1]! - x;
    if (delta === 0) continue;
    const diff = Math.abs(countAtMost(u, x) / u.length - countAtMost(v, x) / v.length);
    acc.add((p === 1 ? diff : diff * diff) * delta);
  }
  return acc.value;
}

export function wasserstein1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return wasserstein1Sorted(sortedCopy(a), sortedCopy(b));
}

export function wasserstein1Sorted(a: Float64Array, b: Float64Array): number {
  if (a.length === 0 || b.length === 0) throw new RangeError('wasserstein1 needs two non-empty samples');
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
