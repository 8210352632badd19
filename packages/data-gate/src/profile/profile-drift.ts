import type { KllSketch } from '../sketch/index';
import { FIXED_EDGES, fixedBin } from './profile-format';

/**
 * Drift of a numeric column against a profile's fixed-edge histogram, with a stated error bound for
 * each figure (the values inside a bin are unknown, so each figure is bracketed over what they could be).
 *
 * - `ks`: D measured at the bin edges, a lower bound of the true D; the true D is at most `ksError`
 *   above it (within a bin each CDF rises by at most that bin's share).
 * - `wasserstein`: ∫|F_ref − F_cur| with each CDF taken at its bin's left edge, over bins clipped to the
 *   pooled [min, max]; off by at most Σ width·max(p_ref, p_cur) (`wassersteinError`).
 * - `psi`, `js`: on the fixed edges themselves (exact for that binning, which is not Evidently's).
 */
export interface FixedEdgeDrift {
  ks: number;
  ksError: number;
  wasserstein: number;
  wassersteinError: number;
  refCounts: number[];
  curCounts: number[];
}

export function histogramOnFixedEdges(values: ArrayLike<number>): Map<number, number> {
  const h = new Map<number, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    const b = fixedBin(v);
    h.set(b, (h.get(b) ?? 0) + 1);
  }
  return h;
}

export function fixedEdgeDrift(ref: ReadonlyMap<number, number>, cur: ReadonlyMap<number, number>, min: number, max: number): FixedEdgeDrift {
  const bins = [...new Set([...ref.keys(), ...cur.keys()])].sort((a, b) => a - b);
  const nRef = [...ref.values()].reduce((s, c) => s + c, 0) || 1;
  const nCur = [...cur.values()].reduce((s, c) => s + c, 0) || 1;
  let fRef = 0;
  let fCur = 0;
  let ks = 0;
  let ksError = 0;
  let w = 0;
  let wError = 0;
  for (const b of bins) {
    const pRef = (ref.get(b) ?? 0) / nRef;
    const pCur = (cur.get(b) ?? 0) / nCur;
    // Bin b spans [edge b−1, edge b), clipped to the data's range.
    const lo = Math.max(b === 0 ? -Infinity : (FIXED_EDGES[b - 1] as number), min);
    const hi = Math.min(b === FIXED_EDGES.length ? Infinity : (FIXED_EDGES[b] as number), max);
    const width = Math.max(0, hi - lo);
    w += width * Math.abs(fRef - fCur);
    wError += width * Math.max(pRef, pCur);
    ksError = Math.max(ksError, Math.max(pRef, pCur));
    fRef += pRef;
    fCur += pCur;
    ks = Math.max(ks, Math.abs(fRef - fCur));
  }
  return { ks, ksError, wasserstein: w, wassersteinError: wError, refCounts: bins.map((b) => ref.get(b) ?? 0), curCounts: bins.map((b) => cur.get(b) ?? 0) };
}

/**
 * KS distance between the distributions two KLL sketches stand for: sup |F̂_ref − F̂_cur| over every
 * retained value (both step functions only change there). Each sketch's CDF is within its rank error
 * of the true one everywhere (99% confidence each), so the true two-sample D is within
 * `error` = ε_ref + ε_cur of the estimate; two exact sketches give SciPy's D exactly.
 */
export function sketchKs(ref: KllSketch, cur: KllSketch): { statistic: number; error: number } {
  const a = ref.sortedView();
  const b = cur.sortedView();
  const na = ref.n;
  const nb = cur.n;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.values.length || j < b.values.length) {
    const va = i < a.values.length ? (a.values[i] as number) : Infinity;
    const vb = j < b.values.length ? (b.values[j] as number) : Infinity;
    const x = Math.min(va, vb);
    // Step past every item equal to x in both, so each CDF is taken inclusive of x.
    while (i < a.values.length && (a.values[i] as number) === x) i++;
    while (j < b.values.length && (b.values[j] as number) === x) j++;
    const fa = i === 0 ? 0 : (a.cumWeights[i - 1] as number) / na;
    const fb = j === 0 ? 0 : (b.cumWeights[j - 1] as number) / nb;
    const gap = Math.abs(fa - fb);
    if (gap > d) d = gap;
  }
  return { statistic: d, error: ref.normalizedRankError() + cur.normalizedRankError() };
}

/**
 * Bounds on how many values of a fixed-edge histogram lie below `low` or above `high`, exactly (no
 * probability): a bin counts for certain when all of it is outside, and possibly when part of it is.
 * Bin b holds FIXED_EDGES[b−1] ≤ v < FIXED_EDGES[b].
 */
export function histogramCountOutside(histogram: readonly (readonly [number, number])[], low: number, high: number): [number, number] {
  let certain = 0;
  let possible = 0;
  for (const [b, count] of histogram) {
    const lower = b === 0 ? -Infinity : (FIXED_EDGES[b - 1] as number);
    const upper = b === FIXED_EDGES.length ? Infinity : (FIXED_EDGES[b] as number);
    if (upper <= low || lower > high) certain += count;
    if (lower < low || upper > high) possible += count;
  }
  return [certain, possible];
}
