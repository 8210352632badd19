import type { Finding, Metrics } from '@aisec/core';
import {
  type ColumnDrift,
  type DriftDecisionOptions,
  categoricalColumnDrift,
  datasetDrift,
  histogramCounts,
  lengthKs,
  numericColumnDrift,
  oovRate,
  sturgesEdges,
} from '../stats/index';
import type { ColumnRole } from './column-roles';
import { RULE_COLUMN_DRIFT, RULE_DATASET_DRIFT } from './rules';
import { type ScannedColumn, type ScannedTable, categoryCounts, numbersOf } from './table-scan';

export interface DriftOptions extends DriftDecisionOptions {
  /** `default`: the gate's decision (p-value on small samples, effect size on large); `evidently`: Evidently's automatic choice. */
  driftTest: 'default' | 'evidently';
  /** Share of drifted columns at which the dataset counts as drifted. */
  driftShare: number;
}

/** One column's drift, as the summary shows it. */
export interface ColumnDriftRow {
  column: string;
  kind: 'numeric' | 'categorical' | 'text';
  drift: boolean;
  nRef: number;
  nCur: number;
  test: string;
  pvalue: number;
  effectSizeName: string;
  effectSize: number;
  /** Histograms on shared edges (numeric) or categories, for the summary's chart. */
  chart?: { labels: string[]; ref: number[]; cur: number[] };
  figures?: ColumnDrift;
}

export interface DriftOutcome {
  rows: ColumnDriftRow[];
  metrics: Metrics;
  findings: Finding[];
  share: number;
  notes: string[];
}

function texts(column: ScannedColumn): string[] {
  return column.texts.filter((t): t is string => t !== null);
}

export function toShare(counts: number[], n: number): number[] {
  return counts.map((c) => Math.round((1000 * c) / n) / 10);
}

/** Histogram of both sides on the Sturges edges of the pooled sample, at most 12 bins, for charts. */
export function numericChart(ref: Float64Array, cur: Float64Array): ColumnDriftRow['chart'] {
  if (ref.length === 0 || cur.length === 0) return undefined;
  const edges = chartEdges(sturgesEdges(ref, cur));
  return {
    labels: edges.slice(0, -1).map((e) => Number(e.toPrecision(3)).toString()),
    ref: toShare(histogramCounts(ref, edges), ref.length),
    cur: toShare(histogramCounts(cur, edges), cur.length),
  };
}

/** At most 12 bins: Sturges edges beyond that are respaced evenly over the same range. */
export function chartEdges(sturges: number[]): number[] {
  if (sturges.length <= 13) return sturges;
  const lo = sturges[0] as number;
  const hi = sturges.at(-1) as number;
  return Array.from({ length: 13 }, (_, i) => (i === 12 ? hi : lo + i * ((hi - lo) / 12)));
}

export function categoricalChart(ref: Map<string, number>, cur: Map<string, number>): ColumnDriftRow['chart'] {
  const nRef = [...ref.values()].reduce((s, c) => s + c, 0) || 1;
  const nCur = [...cur.values()].reduce((s, c) => s + c, 0) || 1;
  const keys = [...new Set([...ref.keys(), ...cur.keys()])].sort((a, b) => (ref.get(b) ?? 0) + (cur.get(b) ?? 0) - (ref.get(a) ?? 0) - (cur.get(a) ?? 0)).slice(0, 12);
  return {
    labels: keys,
    ref: keys.map((k) => Math.round((1000 * (ref.get(k) ?? 0)) / nRef) / 10),
    cur: keys.map((k) => Math.round((1000 * (cur.get(k) ?? 0)) / nCur) / 10),
  };
}

/** A categorical column's drift from its category counts: its metrics set, its row of the drift table returned (both exact modes). */
export function categoricalDriftRow(name: string, refCounts: Map<string, number>, curCounts: Map<string, number>, options: DriftOptions, metrics: Metrics): ColumnDriftRow {
  const d = categoricalColumnDrift(refCounts, curCounts, options);
  setFigures(metrics, name, d);
  const drift = options.driftTest === 'evidently' ? d.evidently.drift : d.decision.drift;
  return { column: name, kind: 'categorical', drift, nRef: d.nRef, nCur: d.nCur, test: 'chi2', pvalue: d.decision.pvalue, effectSizeName: 'js', effectSize: d.decision.effectSize, chart: categoricalChart(refCounts, curCounts), figures: d };
}

export function setFigures(metrics: Metrics, column: string, figures: ColumnDrift): void {
  for (const [test, f] of Object.entries(figures.tests)) {
    metrics[`drift.${column}.${test}.statistic`] = f.statistic;
    if (f.pvalue !== undefined) metrics[`drift.${column}.${test}.pvalue`] = f.pvalue;
    if (f.significance_level !== undefined) metrics[`drift.${column}.${test}.significance_level`] = f.significance_level;
  }
}

/**
 * Per-column drift of every column both sides share (ids and empty columns aside), the dataset's
 * drift share, their metrics (`drift.<column>.<test>.statistic|pvalue|significance_level`,
 * `drift.<column>.drifted`, `drift.columns`, `drift.columns_drifted`, `drift.share`) and findings.
 */
export function checkDrift(reference: ScannedTable, current: ScannedTable, roles: ReadonlyMap<string, ColumnRole>, options: DriftOptions, exclude: ReadonlySet<string> = new Set()): DriftOutcome {
  const rows: ColumnDriftRow[] = [];
  const metrics: Metrics = {};
  const notes: string[] = [];
  for (const name of reference.columns) {
    const role = roles.get(name);
    const refCol = reference.byName.get(name);
    const curCol = current.byName.get(name);
    if (!refCol || !curCol || role === 'id' || role === 'empty' || role === undefined || exclude.has(name)) continue;
    if (role === 'numeric') {
      const ref = numbersOf(refCol);
      const cur = numbersOf(curCol);
      if (ref.length === 0 || cur.length === 0) {
        notes.push(`drift of '${name}' not computed: ${ref.length === 0 ? 'the reference' : 'the batch'} has no numeric values in it`);
        continue;
      }
      const d = numericColumnDrift(ref, cur, options);
      setFigures(metrics, name, d);
      const drift = options.driftTest === 'evidently' ? d.evidently.drift : d.decision.drift;
      rows.push({ column: name, kind: 'numeric', drift, nRef: d.nRef, nCur: d.nCur, test: 'ks', pvalue: d.decision.pvalue, effectSizeName: d.decision.effectSizeName, effectSize: d.decision.effectSize, chart: numericChart(ref, cur), figures: d });
    } else if (role === 'categorical') {
      const refCounts = categoryCounts(refCol);
      const curCounts = categoryCounts(curCol);
      if (refCounts.size === 0 || curCounts.size === 0) continue;
      rows.push(categoricalDriftRow(name, refCounts, curCounts, options, metrics));
    } else {
      const ref = texts(refCol);
      const cur = texts(curCol);
      if (ref.length === 0 || cur.length === 0) continue;
      const ks = lengthKs(ref, cur);
      const oov = oovRate(ref, cur);
      metrics[`drift.${name}.length_ks.statistic`] = ks.statistic;
      metrics[`drift.${name}.length_ks.pvalue`] = ks.pvalue;
      metrics[`drift.${name}.oov_rate.statistic`] = oov;
      const large = Math.min(ref.length, cur.length) > (options.largeSampleRows ?? 1000);
      // Free text drifts when its lengths do (p-value on small samples), or when a large share of its
      // words were never seen in the reference (the effect size, on large ones).
      const drift = large ? oov >= (options.effectThreshold ?? 0.1) : ks.pvalue < (options.alpha ?? 0.05);
      rows.push({ column: name, kind: 'text', drift, nRef: ref.length, nCur: cur.length, test: 'length_ks', pvalue: ks.pvalue, effectSizeName: 'oov_rate', effectSize: oov });
    }
  }
  const { findings } = summarizeDrift(rows, metrics, options, current.files[0] ?? '.');
  return { rows, metrics, findings, share: metrics['drift.share'] ?? 0, notes };
}

/** Dataset-level metrics (`drift.columns`, `drift.columns_drifted`, `drift.share`, `drift.dataset`) and the drift findings. */
export function summarizeDrift(rows: readonly ColumnDriftRow[], metrics: Metrics, options: DriftOptions, path: string): { findings: Finding[] } {
  const flags = rows.map((r) => r.drift);
  const dataset = datasetDrift(flags, options.driftShare);
  for (const r of rows) metrics[`drift.${r.column}.drifted`] = r.drift ? 1 : 0;
  metrics['drift.columns'] = rows.length;
  metrics['drift.columns_drifted'] = flags.filter(Boolean).length;
  metrics['drift.share'] = rows.length ? flags.filter(Boolean).length / rows.length : 0;
  metrics['drift.dataset'] = dataset.datasetDrift ? 1 : 0;

  const findings: Finding[] = [];
  for (const r of rows.filter((x) => x.drift)) {
    const p = r.pvalue < 1e-4 ? r.pvalue.toExponential(2) : r.pvalue.toFixed(4);
    findings.push({
      ruleId: RULE_COLUMN_DRIFT,
      severity: 'medium',
      message: `column '${r.column}' drifted from the reference: ${r.effectSizeName} ${r.effectSize.toPrecision(3)}, ${r.test} p-value ${p} (${r.nRef} vs ${r.nCur} values)`,
      location: { path },
      evidence: `drift ${r.column}`,
      properties: { column: r.column, kind: r.kind, test: r.test, pvalue: r.pvalue, effect_size_name: r.effectSizeName, effect_size: r.effectSize, n_ref: r.nRef, n_cur: r.nCur, decided_by: r.figures?.decision.decidedBy ?? (Math.min(r.nRef, r.nCur) > (options.largeSampleRows ?? 1000) ? 'effect-size' : 'pvalue'),
        ...(r.chart ? { histogram: { labels: r.chart.labels, reference: r.chart.ref, current: r.chart.cur } } : {}) },
    });
  }
  if (dataset.datasetDrift) {
    findings.push({
      ruleId: RULE_DATASET_DRIFT,
      severity: 'high',
      message: `${metrics['drift.columns_drifted']} of ${rows.length} columns drifted (share ${(metrics['drift.share']).toFixed(2)} ≥ ${options.driftShare}): ${rows.filter((r) => r.drift).map((r) => r.column).join(', ')}`,
      location: { path },
      evidence: 'dataset drift',
      properties: { share: metrics['drift.share'], threshold: options.driftShare, drifted: rows.filter((r) => r.drift).map((r) => r.column) },
    });
  }
  return { findings };
}
