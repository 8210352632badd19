import { betaIncomplete } from '../stats/index';
import { LabelPosterior } from './label-posterior';

/**
 * Confident learning (Northcutt, Jiang and Chuang, "Confident Learning: Estimating Uncertainty in
 * Dataset Labels", JAIR 2021). Each label j has a threshold t_j, the mean self-confidence p(j | x) of
 * the rows labelled j. A row labelled i is a suspect when some other label j is confidently predicted
 * (p(j | x) ≥ t_j) and beats the given one (p(j | x) > p(i | x)); its suggestion is the most probable
 * such j and its margin p(j | x) − p(i | x) ranks it.
 *
 * The thresholds come from the trusted reference, leave-one-out, not from the batch as cleanlab does
 * (cleanlab has no trusted set, so it must use the data it cleans): the batch's own thresholds would
 * be set by the very rows under suspicion (flipped rows lower the mean self-confidence of their new
 * label), and would need a second pass over the batch.
 */
export interface Suspicion {
  /** Suggested label index, or -1 when the row is not a suspect. */
  suggested: number;
  margin: number;
}

/** Writes the suspicion of a row labelled `given` with posterior `p` into `out`. */
export function suspicionOf(p: Float64Array, given: number, thresholds: Float64Array, out: Suspicion): Suspicion {
  const pi = p[given] as number;
  let best = -1;
  let bestP = pi;
  for (let j = 0; j < p.length; j++) {
    if (j === given) continue;
    const pj = p[j] as number;
    if (pj >= (thresholds[j] as number) && pj > bestP) {
      best = j;
      bestP = pj;
    }
  }
  out.suggested = best;
  out.margin = best < 0 ? 0 : bestP - pi;
  return out;
}

/**
 * Suspects are counted at two levels of margin: every suspect (margin > 0), and the strong ones
 * (margin ≥ 0.5). Flips of rows the model is sure about land in the strong level, where a reference has
 * few natural suspects, so that level finds smaller attacks (on the shared flip scenario its p-value
 * is 6e-7 against 1e-4 for all suspects); flips of ambiguous rows show only in the first.
 */
export const MARGIN_LEVELS = [0, 0.5] as const;

/**
 * Adds to `exposure[level][i·L + j]`, for every label i, p(i | x) when a row at x labelled i would be a
 * suspect suggesting j with at least that level's margin: the number of suspects expected if labels
 * followed the reference's p(label | x). Summed over a batch it is the baseline the batch's suspects
 * are compared with, and it moves with the batch's features (a covariate shift changes it, a label
 * flip does not).
 */
export function addExposure(p: Float64Array, thresholds: Float64Array, exposure: readonly Float64Array[]): void {
  const L = p.length;
  // The two most probable labels among the confidently predicted ones: label i's best rival is the
  // first unless it is i itself.
  let a = -1;
  let b = -1;
  for (let j = 0; j < L; j++) {
    const pj = p[j] as number;
    if (pj < (thresholds[j] as number)) continue;
    if (a < 0 || pj > (p[a] as number)) {
      b = a;
      a = j;
    } else if (b < 0 || pj > (p[b] as number)) b = j;
  }
  if (a < 0) return;
  for (let i = 0; i < L; i++) {
    const j = i === a ? b : a;
    if (j < 0) continue;
    const pi = p[i] as number;
    const margin = (p[j] as number) - pi;
    if (margin <= 0) continue;
    for (let level = 0; level < MARGIN_LEVELS.length; level++) {
      if (margin < (MARGIN_LEVELS[level] as number)) break;
      const e = exposure[level] as Float64Array;
      e[i * L + j] = (e[i * L + j] as number) + pi;
    }
  }
}

/** Adds a suspect to the counts of every level its margin reaches. */
export function addSuspect(s: Suspicion, given: number, L: number, counts: readonly Float64Array[]): void {
  for (let level = 0; level < MARGIN_LEVELS.length; level++) {
    if (s.margin < (MARGIN_LEVELS[level] as number)) break;
    const c = counts[level] as Float64Array;
    c[given * L + s.suggested] = (c[given * L + s.suggested] as number) + 1;
  }
}

/** One Float64Array of L·L per margin level. */
export function pairTables(L: number): Float64Array[] {
  return MARGIN_LEVELS.map(() => new Float64Array(L * L));
}

/** What the reference says a clean batch looks like: thresholds, and per (given, suggested) pair its suspects and exposure. */
export interface Calibration {
  thresholds: Float64Array;
  /** Sample rows scored (labelled with a known label). */
  rows: number;
  /** suspects[level][i·L + j], leave-one-out. */
  suspects: Float64Array[];
  exposure: Float64Array[];
}

/**
 * Scores the model's reference sample twice: leave-one-out (each row as if unseen) for the thresholds
 * and the reference's own suspects, and with the full model for the exposure, as a batch row is
 * scored. The leave-one-out suspects and the exposure make the calibration ratio applied to the batch.
 */
export function calibrate(posterior: LabelPosterior): Calibration {
  const L = posterior.labels.length;
  const sample = posterior.model.data.sample;
  const loo: { given: number; p: Float64Array }[] = [];
  const sums = new Float64Array(L);
  const counts = new Float64Array(L);
  for (const row of sample) {
    const given = posterior.labelIndex.get(row.label);
    if (given === undefined) continue;
    const p = posterior.posterior(row.cells, new Float64Array(L), given);
    loo.push({ given, p });
    sums[given] = (sums[given] as number) + (p[given] as number);
    counts[given] = (counts[given] as number) + 1;
  }
  // A label the sample never shows is never suggested (threshold above any probability).
  const thresholds = Float64Array.from({ length: L }, (_, j) => ((counts[j] as number) > 0 ? (sums[j] as number) / (counts[j] as number) : 2));
  const suspects = pairTables(L);
  const s: Suspicion = { suggested: -1, margin: 0 };
  for (const { given, p } of loo) {
    suspicionOf(p, given, thresholds, s);
    if (s.suggested >= 0) addSuspect(s, given, L, suspects);
  }
  const exposure = pairTables(L);
  const p = new Float64Array(L);
  for (const row of sample) {
    if (!posterior.labelIndex.has(row.label)) continue;
    addExposure(posterior.posterior(row.cells, p), thresholds, exposure);
  }
  return { thresholds, rows: loo.length, suspects, exposure };
}

/**
 * One-sided test that the batch has more suspects than the reference predicts. The two counts are
 * treated as Poisson with means proportional to their exposures, so given their sum the batch's count
 * is Binomial(k_batch + k_ref, E_batch / (E_batch + E_ref)) under the null (the standard conditional
 * test for two rates); the reference's own sampling error is accounted for. Returns P(X ≥ k_batch).
 */
export function excessPvalue(kBatch: number, eBatch: number, kRef: number, eRef: number): number {
  if (kBatch <= 0) return 1;
  if (!(eBatch > 0)) return 0;
  if (!(eRef > 0)) return 1;
  const n = kBatch + kRef;
  const q = eBatch / (eBatch + eRef);
  return betaIncomplete(kBatch, n - kBatch + 1, q);
}
