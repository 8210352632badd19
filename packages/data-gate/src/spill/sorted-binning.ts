import { type BinnedCounts, DECILE_LEVELS, EVIDENTLY_MAX_CATEGORIES } from '../stats/index';
import { sturgesEdgesOf } from '../stats/binning';
import type { MemoryBudget } from './memory-budget';
import type { SortedColumn } from './sorted-column';
import { countDistinctOf, quantileOf } from './sorted-quantiles';

/**
 * stats/binning.ts on sorted (possibly spilled) columns: the "binned_evidently" binning (Sturges edges
 * over the pooled range, or one bin per distinct value when the reference has at most 20) and the
 * reference-decile binning, with the same edges and the same bin of every value.
 */
/** sturgesEdges from the pooled size and range (the first and last values of each sorted side). */
export function sortedSturgesEdges(ref: SortedColumn, cur: SortedColumn): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const side of [ref, cur]) {
    if (side.length === 0) continue;
    const lo = side.at(0);
    const hi = side.at(side.length - 1);
    if (lo < min) min = lo;
    if (hi > max) max = hi;
  }
  return sturgesEdgesOf(min, max, ref.length + cur.length);
}

/**
 * histogramCounts: bin i holds edges[i] ≤ v < edges[i+1]; the last bin also holds its upper edge. The
 * values come sorted, so the number of edges below v (countBelow's answer) only grows: a pointer
 * moving along the edges replaces the binary search per value.
 */
export function histogramCountsOf(column: SortedColumn, edges: readonly number[], budget: MemoryBudget): number[] {
  const k = edges.length - 1;
  const counts = Array.from({ length: k }, () => 0);
  const sortedEdges = Float64Array.from(edges);
  const first = edges[0] as number;
  const last = edges[k] as number;
  let below = 0;
  const c = column.cursor(budget);
  try {
    for (; !c.done; c.advance()) {
      const v = c.peek();
      if (v < first || v > last) continue;
      while (below < sortedEdges.length && (sortedEdges[below] as number) < v) below++;
      let bin = below;
      if (sortedEdges[bin] !== v) bin -= 1;
      if (bin >= k) bin = k - 1;
      counts[bin] = (counts[bin] as number) + 1;
    }
  } finally {
    c.close();
  }
  return counts;
}

/**
 * Bins per distinct value beyond which the "categories" binning is not built: the reference has at most
 * 20 distinct values there, so a batch with a million is a different column, and the count vectors
 * would grow with it.
 */
export const MAX_VALUE_BINS = 1_000_000;

/** One bin per distinct value of ref ∪ cur in ascending order (binCategories with numeric keys); undefined past `maxBins`. */
export function distinctValueCountsOf(ref: SortedColumn, cur: SortedColumn, budget: MemoryBudget, maxBins = MAX_VALUE_BINS): BinnedCounts | undefined {
  const keys: number[] = [];
  const refCounts: number[] = [];
  const curCounts: number[] = [];
  const cr = ref.cursor(budget);
  const cc = cur.cursor(budget);
  try {
    while (!cr.done || !cc.done) {
      const v = Math.min(cr.done ? Infinity : cr.peek(), cc.done ? Infinity : cc.peek());
      let a = 0;
      let b = 0;
      while (!cr.done && cr.peek() === v) {
        cr.advance();
        a++;
      }
      while (!cc.done && cc.peek() === v) {
        cc.advance();
        b++;
      }
      // Math.min(+∞, +∞) with only infinities left: every value is consumed by the loops above.
      keys.push(v);
      refCounts.push(a);
      curCounts.push(b);
      if (keys.length > maxBins) return undefined;
    }
  } finally {
    cr.close();
    cc.close();
  }
  return { mode: 'categories', keys, refCounts, curCounts };
}

/** binEvidentlyNumeric on sorted columns (undefined past MAX_VALUE_BINS distinct values). */
export function binEvidentlyOf(ref: SortedColumn, cur: SortedColumn, budget: MemoryBudget): BinnedCounts | undefined {
  if (countDistinctOf(ref, budget, EVIDENTLY_MAX_CATEGORIES + 1) > EVIDENTLY_MAX_CATEGORIES) {
    const edges = sortedSturgesEdges(ref, cur);
    return { mode: 'sturges_combined', edges, refCounts: histogramCountsOf(ref, edges, budget), curCounts: histogramCountsOf(cur, edges, budget) };
  }
  return distinctValueCountsOf(ref, cur, budget);
}

/** binRefDeciles on sorted columns: inner edges at the reference's type-7 deciles, right-closed bins. */
export function binRefDecilesOf(ref: SortedColumn, cur: SortedColumn, budget: MemoryBudget, levels: readonly number[] = DECILE_LEVELS): BinnedCounts {
  const inner = Float64Array.from(levels.map((q) => quantileOf(ref, q)));
  // countBelow(inner, v) for ascending v, by a pointer that only moves forward.
  const count = (column: SortedColumn): number[] => {
    const counts = Array.from({ length: inner.length + 1 }, () => 0);
    let below = 0;
    const c = column.cursor(budget);
    try {
      for (; !c.done; c.advance()) {
        const v = c.peek();
        while (below < inner.length && (inner[below] as number) < v) below++;
        counts[below] = (counts[below] as number) + 1;
      }
    } finally {
      c.close();
    }
    return counts;
  };
  return { mode: 'ref_deciles', edges: [-Infinity, ...inner, Infinity], refCounts: count(ref), curCounts: count(cur) };
}
