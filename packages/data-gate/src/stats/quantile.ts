/**
 * Sample quantiles by linear interpolation (Hyndman–Fan type 7: NumPy's default, pandas, R), computed
 * the way NumPy 1.24 does so results agree to the last bit: virtual index (n−1)·q, and the lerp taken
 * from the upper neighbour when the weight is at least 1/2.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside [0, 1]`);
  const virtual = (n - 1) * q;
  const previous = Math.floor(virtual);
  if (virtual >= n - 1) return sorted[n - 1]!;
  if (virtual < 0) return sorted[0]!;
  const a = sorted[previous]!;
  const b = sorted[previous + 1]!;
  const t = virtual - previous;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

export function quantilesSorted(sorted: ArrayLike<number>, qs: readonly number[]): number[] {
  return qs.map((q) => quantileSorted(sorted, q));
}

/** Median of a sorted array (type 7 at q = 1/2, which is NumPy's median). */
export function medianSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  if (n % 2 === 1) return sorted[mid]!;
  // np.median takes the mean of the two middle values.
  return (sorted[mid - 1]! + sorted[mid]!) / 2;
}
