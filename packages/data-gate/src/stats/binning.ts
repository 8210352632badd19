import { quantileSorted } from './quantile';
import { countBelow, isSorted, sortedCopy } from './sorted';

/**
 * Binnings that turn two samples into two count vectors over the same bins, for PSI, KL and
 * Jensen–Shannon.
 *
 * "binned_evidently" (Evidently's `get_binned_data`): a numeric column whose reference has more than
 * 20 distinct values gets `numpy.histogram_bin_edges(concat(ref, cur), bins='sturges')` (Evidently's
 * n_bins argument is ignored there), half-open bins with the last one closed; anything else gets one
 * bin per distinct non-null value of ref ∪ cur.
 */
export interface BinnedCounts {
  mode: 'sturges_combined' | 'categories' | 'ref_deciles';
  refCounts: number[];
  curCounts: number[];
  /** Bin edges (numeric modes); −∞/+∞ at the ends for deciles. */
  edges?: number[];
  /** Bin keys (categories mode), sorted. */
  keys?: (string | number)[];
}

export const EVIDENTLY_MAX_CATEGORIES = 20;

/** Distinct values of a numeric column, NaN-free input (a linear scan when it is already sorted). */
export function countDistinct(values: ArrayLike<number>): number {
  if (!isSorted(values)) return new Set(Array.from(values)).size;
  let distinct = 0;
  for (let i = 0; i < values.length; i++) if (i === 0 || values[i] !== values[i - 1]) distinct++;
  return distinct;
}

export function binEvidentlyNumeric(ref: ArrayLike<number>, cur: ArrayLike<number>): BinnedCounts {
  if (countDistinct(ref) > EVIDENTLY_MAX_CATEGORIES) return binSturges(ref, cur);
  return binCategories(countValues(Array.from(ref)), countValues(Array.from(cur)), (a: number, b: number) => a - b);
}

/** One bin per distinct value; `compare` orders the keys (string keys sort by code unit by default). */
export function binCategories<K extends string | number>(
  ref: ReadonlyMap<K, number>,
  cur: ReadonlyMap<K, number>,
  compare: (a: K, b: K) => number = (a, b) => (a < b ? -1 : a > b ? 1 : 0),
): BinnedCounts {
  const keys = [...new Set([...ref.keys(), ...cur.keys()])].sort(compare);
  return {
    mode: 'categories',
    keys,
    refCounts: keys.map((k) => ref.get(k) ?? 0),
    curCounts: keys.map((k) => cur.get(k) ?? 0),
  };
}

export function countValues<K>(values: Iterable<K>): Map<K, number> {
  const counts = new Map<K, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/**
 * NumPy's Sturges edges over the pooled sample: width = ptp/(log2(n)+1), k = ceil(ptp/width) (which is
 * not always ceil(log2(n)+1) in floating point), edges = min + i·((max−min)/k), last edge = max.
 */
export function sturgesEdges(ref: ArrayLike<number>, cur: ArrayLike<number>): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const arr of [ref, cur]) {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return sturgesEdgesOf(min, max, ref.length + cur.length);
}

/** sturgesEdges from the pooled sample's minimum, maximum and size (all the edges depend on). */
export function sturgesEdgesOf(min: number, max: number, n: number): number[] {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (max - min) / (Math.log2(n) + 1);
  const k = width ? Math.ceil((last - first) / width) : 1;
  const step = (last - first) / k;
  const edges: number[] = [];
  for (let i = 0; i <= k; i++) edges.push(i * step + first);
  edges[k] = last;
  return edges;
}

/** numpy.histogram counts: bin i holds edges[i] ≤ v < edges[i+1]; the last bin also holds its upper edge. */
export function histogramCounts(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const k = edges.length - 1;
  const counts = Array.from({ length: k }, () => 0);
  const sortedEdges = Float64Array.from(edges);
  const first = edges[0]!;
  const last = edges[k]!;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < first || v > last) continue;
    // countBelow gives the number of edges < v: v inside (e_j, e_j+1) gives j+1, v on edge e_j gives j.
    let bin = countBelow(sortedEdges, v);
    if (sortedEdges[bin] !== v) bin -= 1;
    if (bin >= k) bin = k - 1; // the closed upper edge
    counts[bin] = counts[bin]! + 1;
  }
  return counts;
}

export function binSturges(ref: ArrayLike<number>, cur: ArrayLike<number>): BinnedCounts {
  const edges = sturgesEdges(ref, cur);
  return { mode: 'sturges_combined', edges, refCounts: histogramCounts(ref, edges), curCounts: histogramCounts(cur, edges) };
}

/** The quantile levels 0.1 … 0.9 as NumPy's `np.linspace(0.1, 0.9, 9)` spells them. */
export const DECILE_LEVELS: readonly number[] = Array.from({ length: 9 }, (_, i) => 0.1 + i * ((0.9 - 0.1) / 8)).map(
  (q, i) => (i === 8 ? 0.9 : q),
);

/**
 * Classic credit-risk PSI binning: inner edges at the reference deciles (type 7), outer edges ±∞,
 * right-closed bins (v goes to the first bin whose upper edge is ≥ v).
 */
export function binRefDeciles(ref: ArrayLike<number>, cur: ArrayLike<number>, levels: readonly number[] = DECILE_LEVELS): BinnedCounts {
  const sorted = sortedCopy(ref);
  const inner = Float64Array.from(levels.map((q) => quantileSorted(sorted, q)));
  const count = (values: ArrayLike<number>): number[] => {
    const counts = Array.from({ length: inner.length + 1 }, () => 0);
    for (let i = 0; i < values.length; i++) {
      const bin = countBelow(inner, values[i]!);
      counts[bin] = counts[bin]! + 1;
    }
    return counts;
  };
  return { mode: 'ref_deciles', edges: [-Infinity, ...inner, Infinity], refCounts: count(ref), curCounts: count(cur) };
}
