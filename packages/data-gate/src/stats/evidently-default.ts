import { binCategories, binEvidentlyNumeric, countValues, type BinnedCounts } from './binning';
import { chisquareEvidently } from './chi-square';
import { jensenShannon } from './divergence';
import { ks2sampSorted } from './ks-test';
import { std } from './moments';
import { proportionsZTest } from './proportions';
import { sortedCopy } from './sorted';
import { normalizedWasserstein, wasserstein1Sorted } from './wasserstein';

/**
 * Evidently's automatic test choice (legacy DataDriftPreset, `_get_default_stattest`) and its default
 * decision, reproduced so users can compare with what they ran before:
 *
 * - reference ≤ 1000 rows: numeric with more than 5 distinct values (ref ∪ cur) → KS, drift when
 *   p ≤ 0.05; otherwise chi-square (one-sample, Evidently's) when more than 2 distinct values, else the
 *   proportions z-test, drift when p < 0.05;
 * - reference > 1000 rows: numeric with more than 5 distinct values → Wasserstein normalised by the
 *   reference std, drift when ≥ 0.1; otherwise Jensen–Shannon distance (natural log), drift when ≥ 0.1.
 *
 * Dataset drift: the share of drifted columns is at least 0.5.
 */
export type EvidentlyTest = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon';

export interface EvidentlyChoice {
  test: EvidentlyTest;
  threshold: number;
}

export interface EvidentlyColumnDrift extends EvidentlyChoice {
  score: number;
  drift: boolean;
}

export const EVIDENTLY_SMALL_REFERENCE_ROWS = 1000;
export const EVIDENTLY_NUMERIC_MIN_UNIQUE = 5;

export function evidentlyDefaultTest(kind: 'numeric' | 'categorical', nRef: number, nUnique: number): EvidentlyChoice {
  const numeric = kind === 'numeric' && nUnique > EVIDENTLY_NUMERIC_MIN_UNIQUE;
  if (nRef <= EVIDENTLY_SMALL_REFERENCE_ROWS) {
    if (numeric) return { test: 'ks', threshold: 0.05 };
    return nUnique > 2 ? { test: 'chisquare', threshold: 0.05 } : { test: 'z', threshold: 0.05 };
  }
  return numeric ? { test: 'wasserstein', threshold: 0.1 } : { test: 'jensenshannon', threshold: 0.1 };
}

function decide(choice: EvidentlyChoice, score: number): boolean {
  switch (choice.test) {
    case 'ks':
      return score <= choice.threshold;
    case 'chisquare':
    case 'z':
      return score < choice.threshold;
    default:
      return score >= choice.threshold;
  }
}

function categoricalScore(choice: EvidentlyChoice, binned: BinnedCounts): number {
  switch (choice.test) {
    case 'chisquare':
      return chisquareEvidently(binned.refCounts, binned.curCounts).pvalue;
    case 'z': {
      const ref: [number, number] = [binned.refCounts[0] ?? 0, binned.refCounts[1] ?? 0];
      const cur: [number, number] = [binned.curCounts[0] ?? 0, binned.curCounts[1] ?? 0];
      return proportionsZTest(ref, cur).pvalue;
    }
    default:
      return jensenShannon(binned.refCounts, binned.curCounts);
  }
}

/** A numeric column's null-free samples. */
export function evidentlyNumericDrift(ref: ArrayLike<number>, cur: ArrayLike<number>): EvidentlyColumnDrift {
  return evidentlyNumericDriftSorted(sortedCopy(ref), sortedCopy(cur));
}

/** The same on samples already sorted ascending. */
export function evidentlyNumericDriftSorted(ref: Float64Array, cur: Float64Array): EvidentlyColumnDrift {
  let nUnique = 0;
  for (let i = 0, j = 0; i < ref.length || j < cur.length; nUnique++) {
    const v = Math.min(i < ref.length ? ref[i]! : Infinity, j < cur.length ? cur[j]! : Infinity);
    while (i < ref.length && ref[i] === v) i++;
    while (j < cur.length && cur[j] === v) j++;
  }
  const choice = evidentlyDefaultTest('numeric', ref.length, nUnique);
  let score: number;
  if (choice.test === 'ks') score = ks2sampSorted(ref, cur).pvalue;
  else if (choice.test === 'wasserstein') score = normalizedWasserstein(wasserstein1Sorted(ref, cur), std(ref, 0));
  else score = categoricalScore(choice, binEvidentlyNumeric(ref, cur));
  return { ...choice, score, drift: decide(choice, score) };
}

/** A categorical column's non-null values. */
export function evidentlyCategoricalDrift(ref: readonly string[], cur: readonly string[]): EvidentlyColumnDrift {
  return evidentlyCategoricalDriftFromCounts(countValues(ref), countValues(cur));
}

/** The same from value counts (a merged profile's frequent items, when they are complete). */
export function evidentlyCategoricalDriftFromCounts(
  ref: ReadonlyMap<string, number>,
  cur: ReadonlyMap<string, number>,
): EvidentlyColumnDrift {
  const binned = binCategories(ref, cur);
  const nRef = binned.refCounts.reduce((s, c) => s + c, 0);
  const choice = evidentlyDefaultTest('categorical', nRef, binned.refCounts.length);
  const score = categoricalScore(choice, binned);
  return { ...choice, score, drift: decide(choice, score) };
}

export interface DatasetDrift {
  nColumns: number;
  nDrifted: number;
  share: number;
  datasetDrift: boolean;
}

export const DEFAULT_DATASET_DRIFT_SHARE = 0.5;

export function datasetDrift(columnDrift: readonly boolean[], shareThreshold = DEFAULT_DATASET_DRIFT_SHARE): DatasetDrift {
  const nColumns = columnDrift.length;
  const nDrifted = columnDrift.filter(Boolean).length;
  const share = nColumns === 0 ? 0 : nDrifted / nColumns;
  return { nColumns, nDrifted, share, datasetDrift: nColumns > 0 && share >= shareThreshold };
}
