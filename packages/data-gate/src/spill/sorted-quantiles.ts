import { type Moments, NeumaierSum, type OutlierParams, medianSorted, quantileSorted, stdFromMoments } from '../stats/index';
import type { MemoryBudget } from './memory-budget';
import type { SortedColumn } from './sorted-column';

/**
 * Order statistics of a sorted (possibly spilled) column, equal to the in-memory functions of
 * stats/quantile.ts, stats/moments.ts and stats/outliers.ts: the same formulas run on the few ranks
 * they read (fetched by position), and sums run over the column in the same sorted order.
 */

/** The values at `ranks`, as an ArrayLike that the in-memory formulas can index (only those ranks). */
export function rankView(column: SortedColumn, ranks: readonly number[]): ArrayLike<number> {
  const view: { length: number; [rank: number]: number } = { length: column.length };
  for (const r of ranks) if (r >= 0 && r < column.length && !(r in view)) view[r] = column.at(r);
  return view;
}

/** quantileSorted (type 7, NumPy's arithmetic) on a sorted column. */
export function quantileOf(column: SortedColumn, q: number): number {
  const n = column.length;
  const previous = Math.floor((n - 1) * q);
  return quantileSorted(rankView(column, [0, n - 1, previous, previous + 1]), q);
}

export function medianOf(column: SortedColumn): number {
  const mid = column.length >> 1;
  return medianSorted(rankView(column, [mid - 1, mid]));
}

/** `moments` of the column in sorted order (compensated sums, two passes, as stats/moments.ts). */
export function momentsOf(column: SortedColumn, budget: MemoryBudget): Moments {
  const n = column.length;
  const sum = new NeumaierSum();
  let min = Infinity;
  let max = -Infinity;
  let c = column.cursor(budget);
  try {
    for (; !c.done; c.advance()) {
      const v = c.peek();
      sum.add(v);
      if (v < min) min = v;
      if (v > max) max = v;
    }
  } finally {
    c.close();
  }
  const total = sum.value;
  const avg = n > 0 ? total / n : Number.NaN;
  const dev = new NeumaierSum();
  c = column.cursor(budget);
  try {
    for (; !c.done; c.advance()) {
      const d = c.peek() - avg;
      dev.add(d * d);
    }
  } finally {
    c.close();
  }
  return { n, sum: total, mean: avg, m2: dev.value, min: n > 0 ? min : Number.NaN, max: n > 0 ? max : Number.NaN };
}

/** Number of values strictly below `x` (binary search by position). */
export function rankBelow(column: SortedColumn, x: number): number {
  let lo = 0;
  let hi = column.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (column.at(mid) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The median of |x − median| without sorting the deviations: they grow walking outward from the
 * median on either side (rounding is monotone), so a merge of a backward and a forward cursor yields
 * them in ascending order, and the two middle ones are all medianSorted reads.
 */
export function medianAbsoluteDeviation(column: SortedColumn, median: number, budget: MemoryBudget): number {
  const n = column.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  const split = rankBelow(column, median);
  const left = column.reverseCursor(budget, split - 1);
  const right = column.cursor(budget, split);
  const wanted: { length: number; [rank: number]: number } = { length: n };
  try {
    for (let k = 0; k <= mid; k++) {
      const dl = left.done ? Infinity : Math.abs(left.peek() - median);
      const dr = right.done ? Infinity : Math.abs(right.peek() - median);
      let d: number;
      if (!right.done && (left.done || dr <= dl)) {
        d = dr;
        right.advance();
      } else {
        d = dl;
        left.advance();
      }
      if (k === mid - 1 || k === mid) wanted[k] = d;
    }
  } finally {
    left.close();
    right.close();
  }
  return medianSorted(wanted);
}

/** fitOutlierParams on a sorted column of the non-null values. */
export function outlierParamsOf(column: SortedColumn, budget: MemoryBudget): OutlierParams {
  const m = momentsOf(column, budget);
  const median = medianOf(column);
  return {
    mean: m.mean,
    stdDdof0: stdFromMoments(m, 0),
    q1: quantileOf(column, 0.25),
    q3: quantileOf(column, 0.75),
    median,
    mad: medianAbsoluteDeviation(column, median, budget),
  };
}

/** Distinct values of the column, counting no further than `atMost` (equal as ===, so −0 is 0). */
export function countDistinctOf(column: SortedColumn, budget: MemoryBudget, atMost = Infinity): number {
  const c = column.cursor(budget);
  let distinct = 0;
  try {
    let previous = Number.NaN;
    for (; !c.done && distinct < atMost; c.advance()) {
      const v = c.peek();
      if (distinct === 0 || v !== previous) distinct++;
      previous = v;
    }
  } finally {
    c.close();
  }
  return distinct;
}
