import { andersonKsamp } from './anderson-ksamp';
import { binCategories, binEvidentlyNumeric, binRefDeciles } from './binning';
import { chi2Contingency } from './chi-square';
import { jensenShannon, psi } from './divergence';
import { DRIFT_DEFAULTS, type DriftDecisionOptions } from './drift-decision';
import { evidentlyCategoricalDriftFromCounts, evidentlyNumericDriftSorted, type EvidentlyColumnDrift } from './evidently-default';
import { ks2sampSorted, ksKolmogorovLimitPvalue } from './ks-test';
import { moments, stdFromMoments } from './moments';
import { sortedCopy } from './sorted';
import { normalizedWasserstein, wasserstein1Sorted } from './wasserstein';

/**
 * Every drift statistic of one column, computed once, in the shape of the report's metric names
 * `drift.<column>.<test>.statistic|pvalue|significance_level` (issue 5, "Interface"). Numeric columns
 * are sorted once and shared by all the tests; categorical columns need only their counts, so they
 * run as well from a merged profile as from the files.
 */
export interface TestFigure {
  statistic: number;
  pvalue?: number;
  significance_level?: number;
}

export interface ColumnDrift {
  kind: 'numeric' | 'categorical';
  nRef: number;
  nCur: number;
  /** Keyed by the metric's <test> name: ks, chi2, psi, js, psi_deciles, wasserstein, wasserstein_norm, anderson. */
  tests: Record<string, TestFigure>;
  /** The KS method SciPy would have used, and whether it fell back from exact. */
  ksMethod?: 'exact' | 'asymp';
  ksFellBack?: boolean;
  /** Kolmogorov-limit p-value, for comparison with tools that report it. */
  ksPvalueKolmogorovLimit?: number;
  evidently: EvidentlyColumnDrift;
  /** The gate's default decision (see drift-decision.ts) and the figures it rests on. */
  decision: {
    drift: boolean;
    decidedBy: 'pvalue' | 'effect-size';
    test: 'ks' | 'chi2';
    pvalue: number;
    effectSizeName: 'wasserstein_norm' | 'js';
    effectSize: number;
  };
}

function decide(
  nRef: number,
  nCur: number,
  pvalue: number,
  effect: number,
  options: DriftDecisionOptions,
): { drift: boolean; decidedBy: 'pvalue' | 'effect-size' } {
  const large = Math.min(nRef, nCur) > (options.largeSampleRows ?? DRIFT_DEFAULTS.largeSampleRows);
  return large
    ? { decidedBy: 'effect-size', drift: effect >= (options.effectThreshold ?? DRIFT_DEFAULTS.effectThreshold) }
    : { decidedBy: 'pvalue', drift: pvalue < (options.alpha ?? DRIFT_DEFAULTS.alpha) };
}

/** Null-free samples of a numeric column. */
export function numericColumnDrift(ref: ArrayLike<number>, cur: ArrayLike<number>, options: DriftDecisionOptions = {}): ColumnDrift {
  const a = sortedCopy(ref);
  const b = sortedCopy(cur);
  const ks = ks2sampSorted(a, b);
  const w1 = wasserstein1Sorted(a, b);
  const wNorm = normalizedWasserstein(w1, stdFromMoments(moments(a), 0));
  const evid = binEvidentlyNumeric(a, b);
  const deciles = binRefDeciles(a, b);
  const tests: Record<string, TestFigure> = {
    ks: { statistic: ks.statistic, pvalue: ks.pvalue },
    psi: { statistic: psi(evid.refCounts, evid.curCounts) },
    js: { statistic: jensenShannon(evid.refCounts, evid.curCounts) },
    psi_deciles: { statistic: psi(deciles.refCounts, deciles.curCounts) },
    wasserstein: { statistic: w1 },
    wasserstein_norm: { statistic: wNorm },
  };
  // Anderson–Darling needs two distinct values in the pooled sample.
  if (a[0] !== a[a.length - 1] || b[0] !== b[b.length - 1] || a[0] !== b[0]) {
    const ad = andersonKsamp([a, b]);
    tests.anderson = { statistic: ad.statistic, significance_level: ad.significanceLevel };
  }
  return {
    kind: 'numeric',
    nRef: a.length,
    nCur: b.length,
    tests,
    ksMethod: ks.method,
    ksFellBack: ks.fellBack,
    ksPvalueKolmogorovLimit: ksKolmogorovLimitPvalue(ks.statistic, a.length, b.length),
    evidently: evidentlyNumericDriftSorted(a, b),
    decision: {
      ...decide(a.length, b.length, ks.pvalue, wNorm, options),
      test: 'ks',
      pvalue: ks.pvalue,
      effectSizeName: 'wasserstein_norm',
      effectSize: wNorm,
    },
  };
}

/** Non-null value counts of a categorical column (from the files or from merged profiles). */
export function categoricalColumnDrift(
  refCounts: ReadonlyMap<string, number>,
  curCounts: ReadonlyMap<string, number>,
  options: DriftDecisionOptions = {},
): ColumnDrift {
  const binned = binCategories(refCounts, curCounts);
  const chi2 = chi2Contingency(binned.refCounts, binned.curCounts);
  const js = jensenShannon(binned.refCounts, binned.curCounts);
  const nRef = binned.refCounts.reduce((s, c) => s + c, 0);
  const nCur = binned.curCounts.reduce((s, c) => s + c, 0);
  return {
    kind: 'categorical',
    nRef,
    nCur,
    tests: {
      chi2: { statistic: chi2.statistic, pvalue: chi2.pvalue },
      psi: { statistic: psi(binned.refCounts, binned.curCounts) },
      js: { statistic: js },
    },
    evidently: evidentlyCategoricalDriftFromCounts(refCounts, curCounts),
    decision: { ...decide(nRef, nCur, chi2.pvalue, js, options), test: 'chi2', pvalue: chi2.pvalue, effectSizeName: 'js', effectSize: js },
  };
}
