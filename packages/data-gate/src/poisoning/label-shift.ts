import type { Finding, Metrics } from '@aisec/core';
import { type ColumnDrift, categoricalColumnDrift, ks2samp, totalVariation } from '../stats/index';
import type { ColumnRole } from '../gate/column-roles';
import { RULE_DRIFT_WITHIN_LABEL, RULE_LABEL_SHIFT } from '../gate/rules';
import { type ScannedTable, categoryKeyAt, categoryCounts, numbersOf } from '../gate/table-scan';

/**
 * Label flipping leaves every feature's overall distribution as it was and shows in two places only:
 * the label distribution, and each feature's distribution within a label (rows of one class moved to
 * another carry their features with them).
 */
export interface LabelShiftOptions {
  /** Significance of the label test and (Bonferroni-corrected over features and labels) of the tests within labels. */
  alpha: number;
  /** Smallest total-variation distance of the label shares worth a finding (large samples make any shift significant). */
  minLabelTvd: number;
  /** Smallest KS statistic within a label worth a finding. */
  minWithinLabelKs: number;
}

export const LABEL_SHIFT_DEFAULTS: LabelShiftOptions = { alpha: 0.01, minLabelTvd: 0.02, minWithinLabelKs: 0.05 };

function rowsByLabel(table: ScannedTable, label: string): Map<string, number[]> {
  const col = table.byName.get(label);
  const out = new Map<string, number[]>();
  if (!col) return out;
  for (let r = 0; r < table.rows; r++) {
    const key = categoryKeyAt(col, r);
    if (key === null) continue;
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(r);
  }
  return out;
}

export function checkLabelShift(
  reference: ScannedTable,
  current: ScannedTable,
  label: string,
  roles: ReadonlyMap<string, ColumnRole>,
  driftedColumns: ReadonlySet<string>,
  options: LabelShiftOptions = LABEL_SHIFT_DEFAULTS,
): { findings: Finding[]; metrics: Metrics; labelDrift?: ColumnDrift } {
  const findings: Finding[] = [];
  const metrics: Metrics = {};
  const refCol = reference.byName.get(label);
  const curCol = current.byName.get(label);
  if (!refCol || !curCol) return { findings, metrics };
  const path = current.files[0] ?? '.';
  const refCounts = categoryCounts(refCol);
  const curCounts = categoryCounts(curCol);
  if (refCounts.size === 0 || curCounts.size === 0) return { findings, metrics };
  // With features drifting too, a label shift follows the covariates (the batch moved, and the labels
  // with it), and comparisons within a label are confounded: the flip signature is a label shift alone.
  const driftedFeatures = [...driftedColumns].filter((c) => c !== label && roles.get(c) !== 'id');
  const shift = labelShiftFromCounts(label, refCounts, curCounts, driftedFeatures, path, options);
  findings.push(...shift.findings);
  Object.assign(metrics, shift.metrics);
  const d = shift.labelDrift as ColumnDrift;
  const keys = [...new Set([...refCounts.keys(), ...curCounts.keys()])].sort();

  const refBy = rowsByLabel(reference, label);
  const curBy = rowsByLabel(current, label);
  const features = reference.columns.filter((c) => roles.get(c) === 'numeric' && c !== label && current.byName.has(c));
  const labels = keys.filter((k) => (refBy.get(k)?.length ?? 0) > 0 && (curBy.get(k)?.length ?? 0) > 0);
  const tests = features.length * labels.length;
  for (const feature of features) {
    const refF = reference.byName.get(feature);
    const curF = current.byName.get(feature);
    if (!refF || !curF) continue;
    for (const l of labels) {
      const a = numbersOf(refF, refBy.get(l));
      const b = numbersOf(curF, curBy.get(l));
      if (a.length === 0 || b.length === 0) continue;
      const ks = ks2samp(a, b);
      metrics[`drift_by_label.${feature}.${l}.ks.statistic`] = ks.statistic;
      metrics[`drift_by_label.${feature}.${l}.ks.pvalue`] = ks.pvalue;
      const f = withinLabelFinding(feature, label, l, ks, a.length, b.length, tests, driftedFeatures, path, options);
      if (f) findings.push(f);
    }
  }
  return { findings, metrics, labelDrift: d };
}

/**
 * The finding for a feature's KS test among the rows of one label, when it is significant after
 * Bonferroni over all `tests`, large enough, and no feature drifted as a whole (then the shift within
 * labels is the flip signature rather than covariate drift).
 */
export function withinLabelFinding(
  feature: string,
  label: string,
  value: string,
  ks: { statistic: number; pvalue: number },
  nRef: number,
  nCur: number,
  tests: number,
  driftedFeatures: readonly string[],
  path: string,
  options: LabelShiftOptions = LABEL_SHIFT_DEFAULTS,
): Finding | undefined {
  if (!(ks.pvalue * tests < options.alpha && ks.statistic >= options.minWithinLabelKs && driftedFeatures.length === 0)) return undefined;
  return {
    ruleId: RULE_DRIFT_WITHIN_LABEL,
    severity: 'high',
    message: `'${feature}' drifted among rows with ${label} = ${value} (KS ${ks.statistic.toFixed(4)}, p-value ${ks.pvalue.toExponential(2)}, ${nRef} vs ${nCur} rows) although the column as a whole did not: rows may have had their label changed`,
    location: { path },
    evidence: `drift within label ${feature} ${label}=${value}`,
    properties: { column: feature, label_column: label, label: value, statistic: ks.statistic, pvalue: ks.pvalue, tests, n_ref: nRef, n_cur: nCur },
  };
}

function pct(n: number, total: number): string {
  return `${total ? ((100 * n) / total).toFixed(1) : '0'}%`;
}

/**
 * The label-distribution shift from the label's category counts alone (the streaming exact mode and
 * the profile mode keep counts, not rows): the two-sample chi-square at alpha and a total variation
 * of at least minLabelTvd, high when no feature drifted (the flip signature), low when some did.
 */
export function labelShiftFromCounts(
  label: string,
  refCounts: ReadonlyMap<string, number>,
  curCounts: ReadonlyMap<string, number>,
  driftedFeatures: readonly string[],
  path: string,
  options: LabelShiftOptions = LABEL_SHIFT_DEFAULTS,
): { findings: Finding[]; metrics: Metrics; labelDrift?: ColumnDrift } {
  const findings: Finding[] = [];
  const metrics: Metrics = {};
  if (refCounts.size === 0 || curCounts.size === 0) return { findings, metrics };
  const d = categoricalColumnDrift(refCounts, curCounts);
  const keys = [...new Set([...refCounts.keys(), ...curCounts.keys()])].sort();
  const tvd = totalVariation(
    keys.map((k) => refCounts.get(k) ?? 0),
    keys.map((k) => curCounts.get(k) ?? 0),
  );
  const chi2 = d.tests.chi2 as { statistic: number; pvalue: number };
  metrics['poisoning.label.chi2.statistic'] = chi2.statistic;
  metrics['poisoning.label.chi2.pvalue'] = chi2.pvalue;
  metrics['poisoning.label.js.statistic'] = d.tests.js?.statistic ?? Number.NaN;
  metrics['poisoning.label.tvd.statistic'] = tvd;
  if (chi2.pvalue < options.alpha && tvd >= options.minLabelTvd) {
    const shares = keys.map((k) => `${k}: ${pct(refCounts.get(k) ?? 0, d.nRef)} → ${pct(curCounts.get(k) ?? 0, d.nCur)}`).join(', ');
    const explained = driftedFeatures.length > 0 ? `, along with drift in ${driftedFeatures.join(', ')}` : ' while no feature drifted';
    findings.push({
      ruleId: RULE_LABEL_SHIFT,
      severity: driftedFeatures.length > 0 ? 'low' : 'high',
      message: `label '${label}' distribution shifted (${shares}; chi-square p-value ${chi2.pvalue.toExponential(2)}, total variation ${tvd.toFixed(3)})${explained}`,
      location: { path },
      evidence: `label shift ${label}`,
      properties: { column: label, pvalue: chi2.pvalue, statistic: chi2.statistic, tvd, reference_counts: Object.fromEntries(keys.map((k) => [k, refCounts.get(k) ?? 0])), current_counts: Object.fromEntries(keys.map((k) => [k, curCounts.get(k) ?? 0])) },
    });
  }
  return { findings, metrics, labelDrift: d };
}
