import type { Finding, Metrics } from '@aisec/core';
import { RULE_LABEL_SHIFT, RULE_SOURCE_CONCENTRATION } from '../gate/rules';
import { LABEL_SHIFT_DEFAULTS, SOURCE_MIN_RATIO, SOURCE_MIN_SHARE, SOURCE_NEW_MIN_SHARE } from '../poisoning/index';
import { categoricalColumnDrift, totalVariation } from '../stats/index';

/**
 * The poisoning signals that need only category counts, from the counts the streaming exact gate
 * keeps: the label-distribution shift (poisoning/label-shift.ts, its first half) and the concentration
 * of rows from one source (poisoning/source-concentration.ts). Same tests, thresholds, metrics and
 * messages as the in-memory gate; those modules take whole tables, which the streaming gate never holds.
 */
function pct(n: number, total: number): string {
  return `${total ? ((100 * n) / total).toFixed(1) : '0'}%`;
}

export function labelShiftFromCounts(label: string, refCounts: ReadonlyMap<string, number>, curCounts: ReadonlyMap<string, number>, driftedFeatures: readonly string[], path: string): { findings: Finding[]; metrics: Metrics } {
  const findings: Finding[] = [];
  const metrics: Metrics = {};
  if (refCounts.size === 0 || curCounts.size === 0) return { findings, metrics };
  const options = LABEL_SHIFT_DEFAULTS;
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
  return { findings, metrics };
}

export function sourceConcentrationFromCounts(column: string, ref: ReadonlyMap<string, number>, cur: ReadonlyMap<string, number>, path: string): { findings: Finding[]; metrics: Metrics } {
  const findings: Finding[] = [];
  const nRef = [...ref.values()].reduce((s, c) => s + c, 0);
  const nCur = [...cur.values()].reduce((s, c) => s + c, 0);
  let top = 0;
  for (const [source, count] of [...cur].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    const share = count / Math.max(nCur, 1);
    top = Math.max(top, share);
    const refShare = (ref.get(source) ?? 0) / Math.max(nRef, 1);
    const isNew = (ref.get(source) ?? 0) === 0;
    if ((isNew && share >= SOURCE_NEW_MIN_SHARE) || (!isNew && share >= SOURCE_MIN_SHARE && share >= SOURCE_MIN_RATIO * refShare)) {
      findings.push({
        ruleId: RULE_SOURCE_CONCENTRATION,
        severity: 'medium',
        message: `source ${JSON.stringify(source)} ('${column}') supplies ${(100 * share).toFixed(1)}% of the batch (${count} of ${nCur} rows) against ${(100 * refShare).toFixed(1)}% of the reference${isNew ? ', which never had it' : ''}`,
        location: { path },
        evidence: `source concentration ${column} ${source}`,
        properties: { column, source, share, reference_share: refShare, rows_total: count },
      });
    }
  }
  return { findings, metrics: { 'poisoning.source.top_share': top } };
}
