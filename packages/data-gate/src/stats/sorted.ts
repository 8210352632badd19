/** Sorting and rank helpers shared by the rank- and ECDF-based tests. */

/**
 * A sorted copy (ascending; NaN is never passed in: callers drop nulls first). Input that is already
 * sorted (a spilled sorted column, or the output of an earlier call) skips the sort.
 */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values);
  if (!isSorted(out)) out.sort();
  return out;
}

export function isSorted(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i - 1]! > values[i]!) return false;
  return true;
}

/** Number of elements < x (side='left') in a sorted array. */
export function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

