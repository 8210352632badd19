import type { Finding, Metrics } from '@aisec/core';
import { type OutlierParams, betaIncomplete, countDistinct, fitOutlierParams, iqrOutliers, madOutliers, zScoreOutliers } from '../stats/index';
import { MAD_CONSISTENCY } from '../stats/outliers';
import type { ColumnRole } from './column-roles';
import { firstRows, rowFindings } from './row-findings';
import { RULE_OUTLIER_ROWS } from './rules';
import type { ScannedTable } from './table-scan';

export type OutlierMethod = 'zscore' | 'iqr' | 'mad' | 'none';

export interface OutlierOptions {
  method: OutlierMethod;
  /** Fit the rule's parameters on the trusted reference (default) or on the batch itself. */
  fit: 'reference' | 'current';
  zThreshold: number;
  iqrFactor: number;
  madThreshold: number;
}

/** Numeric columns with at most this many distinct reference values are levels, not measurements. */
export const MIN_DISTINCT = 6;

function flagged(values: Float64Array, params: OutlierParams, o: OutlierOptions): number[] {
  switch (o.method) {
    case 'zscore':
      return zScoreOutliers(values, params, o.zThreshold);
    case 'iqr':
      return iqrOutliers(values, params, o.iqrFactor);
    case 'mad':
      return madOutliers(values, params, o.madThreshold);
    default:
      return [];
  }
}

/** P(X ≥ k) for X ~ Binomial(n, p), as I_p(k, n − k + 1). */
export function binomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return betaIncomplete(k, n - k + 1, p);
}

/**
 * Outlier rows per numeric column, by the chosen rule fitted on the reference. Every flagged row is
 * listed; the finding is medium when the batch has significantly more flagged rows than the same rule
 * flags in the reference itself (one-sided binomial test at 0.001), info otherwise (heavy tails flag
 * some rows in any batch).
 */
export function checkOutliers(reference: ScannedTable, current: ScannedTable, roles: ReadonlyMap<string, ColumnRole>, labelColumn: string | undefined, o: OutlierOptions): { findings: Finding[]; metrics: Metrics } {
  const findings: Finding[] = [];
  const metrics: Metrics = {};
  if (o.method === 'none') return { findings, metrics };
  for (const name of reference.columns) {
    if (roles.get(name) !== 'numeric' || name === labelColumn) continue;
    const refCol = reference.byName.get(name);
    const curCol = current.byName.get(name);
    if (!refCol || !curCol) continue;
    // Row-aligned, NaN where null or not a number: indices are table rows.
    const refValues = refCol.numbers;
    const curValues = curCol.numbers;
    if (countDistinct(refValues.filter((v) => !Number.isNaN(v))) < MIN_DISTINCT) continue;
    const params = fitOutlierParams(o.fit === 'reference' ? refValues : curValues);
    const rows = flagged(curValues, params, o);
    const refRows = flagged(refValues, params, o);
    const nCur = curValues.filter((v) => !Number.isNaN(v)).length;
    const nRef = refValues.filter((v) => !Number.isNaN(v)).length;
    const excess = outlierExcess(rows.length, nCur, refRows.length, nRef);
    metrics[`outliers.${name}.${o.method}.count`] = rows.length;
    metrics[`outliers.${name}.${o.method}.reference_count`] = refRows.length;
    if (rows.length === 0) continue;
    findings.push(...rowFindings(current, rows, outlierFindingMaker(name, o, params, refRows.length, nRef, excess)));
  }
  return { findings, metrics };
}

/** The one-sided binomial p-value of `batchFlagged` of `nCur` batch rows against the reference's own rate. */
export function outlierExcess(batchFlagged: number, nCur: number, referenceFlagged: number, nRef: number): number {
  const baseRate = Math.max(referenceFlagged, 1) / Math.max(nRef, 1);
  return binomialTail(batchFlagged, nCur, Math.min(baseRate, 1));
}

/** The finding for one file's outlier rows of a column (shared by the in-memory and streaming gates). */
export function outlierFindingMaker(name: string, o: OutlierOptions, params: OutlierParams, referenceFlagged: number, nRef: number, excess: number): (g: { file: string; rows: number[]; total: number }) => Finding {
  const severity = excess < 0.001 ? 'medium' : 'info';
  return (g) => ({
    ruleId: RULE_OUTLIER_ROWS,
    severity,
    message: `${g.total} row${g.total === 1 ? '' : 's'} of '${name}' ${o.method === 'zscore' ? `beyond ${o.zThreshold} standard deviations of` : o.method === 'iqr' ? `outside ${o.iqrFactor}×IQR of` : `beyond MAD score ${o.madThreshold} of`} the ${o.fit === 'reference' ? 'reference' : 'batch'} (rows ${firstRows(g.rows)}); the reference itself has ${referenceFlagged} of ${nRef}`,
    location: { path: g.file },
    evidence: `outliers ${name} ${o.method}`,
    properties: { column: name, method: o.method, fitted_on: o.fit, reference_count: referenceFlagged, excess_pvalue: excess, params: { mean: params.mean, std_ddof0: params.stdDdof0, q1: params.q1, q3: params.q3, median: params.median, mad: params.mad } },
  });
}

/**
 * The chosen rule as a predicate on one value, the same comparisons as stats/outliers.ts's
 * zScoreOutliers, iqrOutliers and madOutliers (NaN never flagged); undefined when the rule flags
 * nothing (std or MAD of zero, method none).
 */
export function outlierPredicate(params: OutlierParams, o: OutlierOptions): ((v: number) => boolean) | undefined {
  switch (o.method) {
    case 'zscore': {
      if (!(params.stdDdof0 > 0)) return undefined;
      const { mean, stdDdof0 } = params;
      const t = o.zThreshold;
      return (v) => Math.abs(v - mean) / stdDdof0 > t;
    }
    case 'iqr': {
      const iqr = params.q3 - params.q1;
      const low = params.q1 - o.iqrFactor * iqr;
      const high = params.q3 + o.iqrFactor * iqr;
      return (v) => v < low || v > high;
    }
    case 'mad': {
      if (params.mad === 0 || Number.isNaN(params.mad)) return undefined;
      const { median, mad } = params;
      const t = o.madThreshold;
      return (v) => Math.abs((MAD_CONSISTENCY * (v - median)) / mad) > t;
    }
    default:
      return undefined;
  }
}
