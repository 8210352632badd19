import {
  type BinnedCounts,
  type ColumnDrift,
  DRIFT_DEFAULTS,
  type DriftDecisionOptions,
  type EvidentlyColumnDrift,
  type TestFigure,
  chisquareEvidently,
  evidentlyDefaultTest,
  jensenShannon,
  ksKolmogorovLimitPvalue,
  normalizedWasserstein,
  proportionsZTest,
  psi,
  stdFromMoments,
} from '../stats/index';
import type { MemoryBudget } from './memory-budget';
import { binEvidentlyOf, binRefDecilesOf } from './sorted-binning';
import type { SortedColumn } from './sorted-column';
import { momentsOf } from './sorted-quantiles';
import { andersonKsampOf, ksTestOf, pooledDistinctOf, wasserstein1Of } from './sorted-tests';

/**
 * stats/column-drift.ts's numericColumnDrift on two sorted (possibly spilled) columns: the same tests,
 * the same figures, the same Evidently choice and the same decision, so the streaming exact gate
 * reports what the in-memory one reports.
 */
function decide(nRef: number, nCur: number, pvalue: number, effect: number, options: DriftDecisionOptions): { drift: boolean; decidedBy: 'pvalue' | 'effect-size' } {
  const large = Math.min(nRef, nCur) > (options.largeSampleRows ?? DRIFT_DEFAULTS.largeSampleRows);
  return large
    ? { decidedBy: 'effect-size', drift: effect >= (options.effectThreshold ?? DRIFT_DEFAULTS.effectThreshold) }
    : { decidedBy: 'pvalue', drift: pvalue < (options.alpha ?? DRIFT_DEFAULTS.alpha) };
}

/** Evidently's decision rule per test (stats/evidently-default.ts). */
function evidentlyDecides(test: EvidentlyColumnDrift['test'], threshold: number, score: number): boolean {
  if (test === 'ks') return score <= threshold;
  if (test === 'chisquare' || test === 'z') return score < threshold;
  return score >= threshold;
}

function evidentlyBinnedScore(test: EvidentlyColumnDrift['test'], binned: BinnedCounts): number {
  if (test === 'chisquare') return chisquareEvidently(binned.refCounts, binned.curCounts).pvalue;
  if (test === 'z') {
    return proportionsZTest([binned.refCounts[0] ?? 0, binned.refCounts[1] ?? 0], [binned.curCounts[0] ?? 0, binned.curCounts[1] ?? 0]).pvalue;
  }
  return jensenShannon(binned.refCounts, binned.curCounts);
}

export function numericColumnDriftOf(a: SortedColumn, b: SortedColumn, budget: MemoryBudget, options: DriftDecisionOptions = {}): ColumnDrift {
  const ks = ksTestOf(a, b, budget);
  const w1 = wasserstein1Of(a, b, budget);
  const wNorm = normalizedWasserstein(w1, stdFromMoments(momentsOf(a, budget), 0));
  const evid = binEvidentlyOf(a, b, budget);
  const deciles = binRefDecilesOf(a, b, budget);
  // Without `evid` (past MAX_VALUE_BINS, see sorted-binning.ts) psi and js are left out; the caller notes it.
  const tests: Record<string, TestFigure> = {
    ks: { statistic: ks.statistic, pvalue: ks.pvalue },
    ...(evid ? { psi: { statistic: psi(evid.refCounts, evid.curCounts) }, js: { statistic: jensenShannon(evid.refCounts, evid.curCounts) } } : {}),
    psi_deciles: { statistic: psi(deciles.refCounts, deciles.curCounts) },
    wasserstein: { statistic: w1 },
    wasserstein_norm: { statistic: wNorm },
  };
  const a0 = a.at(0);
  const b0 = b.at(0);
  if (a0 !== a.at(a.length - 1) || b0 !== b.at(b.length - 1) || a0 !== b0) {
    const ad = andersonKsampOf(a, b, budget);
    tests.anderson = { statistic: ad.statistic, significance_level: ad.significanceLevel };
  }
  const choice = evidentlyDefaultTest('numeric', a.length, pooledDistinctOf(a, b, budget));
  // The binned choices need at most 5 distinct values, so `evid` is there whenever they are made.
  const score = choice.test === 'ks' ? ks.pvalue : choice.test === 'wasserstein' ? wNorm : evid ? evidentlyBinnedScore(choice.test, evid) : Number.NaN;
  return {
    kind: 'numeric',
    nRef: a.length,
    nCur: b.length,
    tests,
    ksMethod: ks.method,
    ksFellBack: ks.fellBack,
    ksPvalueKolmogorovLimit: ksKolmogorovLimitPvalue(ks.statistic, a.length, b.length),
    evidently: { ...choice, score, drift: evidentlyDecides(choice.test, choice.threshold, score) },
    decision: { ...decide(a.length, b.length, ks.pvalue, wNorm, options), test: 'ks', pvalue: ks.pvalue, effectSizeName: 'wasserstein_norm', effectSize: wNorm },
  };
}
