import { binCategories, countValues } from './binning';
import { chi2Contingency } from './chi-square';
import { jensenShannon } from './divergence';
import { ks2samp } from './ks-test';
import { std } from './moments';
import { normalizedWasserstein, wasserstein1 } from './wasserstein';

/**
 * The gate's own default drift decision. A p-value answers "is there any difference?", and at 200k
 * rows it says yes to shifts nobody cares about; an effect size answers "how big?". So:
 *
 * - small samples (either side ≤ `largeSampleRows`, 1000 as Evidently): the test decides — KS for
 *   numbers, the two-sample chi-square (2×K contingency) for categories — at `alpha`;
 * - large samples (both sides above it): the effect size decides — Wasserstein normalised by the
 *   reference std for numbers, Jensen–Shannon distance (natural log) for categories — at
 *   `effectThreshold`. Both sides must be large: with a 50-row batch the effect size is itself noise,
 *   and the p-value is the honest figure.
 *
 * Both figures are always reported, so a reader sees the p-value next to the size of the shift.
 */
export interface DriftDecisionOptions {
  alpha?: number;
  effectThreshold?: number;
  largeSampleRows?: number;
}

export const DRIFT_DEFAULTS = { alpha: 0.05, effectThreshold: 0.1, largeSampleRows: 1000 } as const;

export interface DriftDecision {
  test: 'ks' | 'chi2';
  pvalue: number;
  statistic: number;
  effectSize: number;
  effectSizeName: 'wasserstein_norm' | 'js';
  decidedBy: 'pvalue' | 'effect-size';
  drift: boolean;
}

function decide(
  pvalue: number,
  effect: number,
  nRef: number,
  nCur: number,
  options: DriftDecisionOptions,
): Pick<DriftDecision, 'decidedBy' | 'drift'> {
  const alpha = options.alpha ?? DRIFT_DEFAULTS.alpha;
  const effectThreshold = options.effectThreshold ?? DRIFT_DEFAULTS.effectThreshold;
  const large = Math.min(nRef, nCur) > (options.largeSampleRows ?? DRIFT_DEFAULTS.largeSampleRows);
  return large ? { decidedBy: 'effect-size', drift: effect >= effectThreshold } : { decidedBy: 'pvalue', drift: pvalue < alpha };
}

export function numericDriftDecision(ref: Float64Array, cur: Float64Array, options: DriftDecisionOptions = {}): DriftDecision {
  const ks = ks2samp(ref, cur);
  const effectSize = normalizedWasserstein(wasserstein1(ref, cur), std(ref, 0));
  return {
    test: 'ks',
    pvalue: ks.pvalue,
    statistic: ks.statistic,
    effectSize,
    effectSizeName: 'wasserstein_norm',
    ...decide(ks.pvalue, effectSize, ref.length, cur.length, options),
  };
}

export function categoricalDriftDecision(ref: readonly string[], cur: readonly string[], options: DriftDecisionOptions = {}): DriftDecision {
  const binned = binCategories(countValues(ref), countValues(cur));
  const chi2 = chi2Contingency(binned.refCounts, binned.curCounts);
  const effectSize = jensenShannon(binned.refCounts, binned.curCounts);
  return {
    test: 'chi2',
    pvalue: chi2.pvalue,
    statistic: chi2.statistic,
    effectSize,
    effectSizeName: 'js',
    ...decide(chi2.pvalue, effectSize, ref.length, cur.length, options),
  };
}
