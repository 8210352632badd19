import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type Finding, type Report, silentLogger } from '@aisec/core';
import { describe, expect, it } from 'vitest';
import { type DataGateOptions, DEFAULT_DRIFT, DEFAULT_OUTLIERS, RULES, runDataGate } from '../../../packages/data-gate/src/index';
import { SHARED } from '../readers/helpers';

/**
 * The whole gate on the shared scenarios: every drift metric it reports equals the reference JSON
 * (SciPy 1.10) within the README's tolerance, and the outlier, duplicate and copied-row findings list
 * exactly the reference's row indices.
 */
// The shared data beside the repository (../shared), wherever the repository is.
const ROOT = SHARED;
type Json = number | string | boolean | null | Json[] | { [k: string]: Json };
type Tree = Record<string, Json>;

const index = JSON.parse(readFileSync(join(ROOT, 'reference/index.json'), 'utf8')) as { scenarios: { scenario: string }[] };
const scenarios = index.scenarios.map((s) => s.scenario);

function load(name: string): Tree {
  return JSON.parse(readFileSync(join(ROOT, 'reference', `${name}.json`), 'utf8')) as Tree;
}

function num(v: Json | undefined): number {
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === 'nan') return Number.NaN;
  if (typeof v !== 'number') throw new Error(`not a number: ${JSON.stringify(v)}`);
  return v;
}

function close(actual: number | undefined, expected: number, pvalue = false): boolean {
  if (actual === undefined) return false;
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  const diff = Math.abs(actual - expected);
  if (pvalue && Math.abs(expected) < 1e-6) return diff <= 1e-6 * Math.abs(expected) || diff <= 1e-12;
  return diff <= 1e-9 || diff <= 1e-6 * Math.abs(expected);
}

function get(t: Json | undefined, ...path: string[]): Json | undefined {
  let cur = t;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function options(ref: Tree, extra: Partial<DataGateOptions> = {}): DataGateOptions {
  const files = ref.files as Record<string, string>;
  return {
    reference: join(ROOT, files.reference as string),
    current: join(ROOT, files.current as string),
    provenance: [],
    drift: { ...DEFAULT_DRIFT },
    outliers: { ...DEFAULT_OUTLIERS },
    poisoning: true,
    read: {},
    ...extra,
  };
}

async function run(opts: DataGateOptions): Promise<Report> {
  return runDataGate(opts, { workspace: ROOT, logger: silentLogger, limits: DEFAULT_LIMITS, signal: new AbortController().signal });
}

function rowsOf(findings: Finding[], ruleId: string, column?: string): number[] {
  return findings.filter((f) => f.ruleId === ruleId && (column === undefined || f.properties?.column === column)).flatMap((f) => f.properties?.rows as number[]);
}

/** Both exact modes: tables read whole, and streamed through sorted columns spilled under a 0.05 MB budget. */
const MODES: { label: string; extra: Partial<DataGateOptions> }[] = [
  { label: '', extra: {} },
  { label: ' (streamed)', extra: { memoryMb: 0.05 } },
];

describe('data-gate on the shared scenarios', () => {
  for (const name of scenarios) for (const mode of MODES) {
    it(`${name}${mode.label}: drift metrics equal SciPy's`, async () => {
      const ref = load(name);
      const report = await run(options(ref, mode.extra));
      expect(report.metrics['exact.memory_peak_values'] === undefined).toBe(mode.label === '');
      const m = report.metrics;
      const drift = ref.drift as Tree;
      const checks: [string, number | undefined, number, boolean][] = [];
      for (const [column, d] of Object.entries(drift)) {
        const t = d as Tree;
        if (t.ks !== undefined) {
          checks.push([`${column}.ks.statistic`, m[`drift.${column}.ks.statistic`], num(get(t, 'ks', 'statistic')), false]);
          checks.push([`${column}.ks.pvalue`, m[`drift.${column}.ks.pvalue`], num(get(t, 'ks', 'pvalue_auto')), true]);
          checks.push([`${column}.wasserstein`, m[`drift.${column}.wasserstein.statistic`], num(get(t, 'wasserstein', 'distance')), false]);
          checks.push([`${column}.wasserstein_norm`, m[`drift.${column}.wasserstein_norm.statistic`], num(get(t, 'wasserstein', 'normed')), false]);
          checks.push([`${column}.psi`, m[`drift.${column}.psi.statistic`], num(get(t, 'binned_evidently', 'psi')), false]);
          checks.push([`${column}.js`, m[`drift.${column}.js.statistic`], num(get(t, 'binned_evidently', 'js_distance_e')), false]);
          checks.push([`${column}.psi_deciles`, m[`drift.${column}.psi_deciles.statistic`], num(get(t, 'binned_ref_deciles', 'psi')), false]);
          checks.push([`${column}.anderson`, m[`drift.${column}.anderson.statistic`], num(get(t, 'anderson_ksamp', 'statistic')), false]);
          const sl = m[`drift.${column}.anderson.significance_level`] ?? Number.NaN;
          const slExpected = num(get(t, 'anderson_ksamp', 'significance_level'));
          checks.push([`${column}.anderson.significance_level`, Math.abs(sl - slExpected) <= 1e-6 ? slExpected : sl, slExpected, false]);
        } else if (t.binned !== undefined) {
          checks.push([`${column}.chi2.statistic`, m[`drift.${column}.chi2.statistic`], num(get(t, 'chi2_contingency', 'statistic')), false]);
          checks.push([`${column}.chi2.pvalue`, m[`drift.${column}.chi2.pvalue`], num(get(t, 'chi2_contingency', 'pvalue')), true]);
          checks.push([`${column}.psi`, m[`drift.${column}.psi.statistic`], num(get(t, 'binned', 'psi')), false]);
          checks.push([`${column}.js`, m[`drift.${column}.js.statistic`], num(get(t, 'binned', 'js_distance_e')), false]);
        } else if (t.length_chars_ks !== undefined) {
          checks.push([`${column}.length_ks.statistic`, m[`drift.${column}.length_ks.statistic`], num(get(t, 'length_chars_ks', 'statistic')), false]);
          checks.push([`${column}.length_ks.pvalue`, m[`drift.${column}.length_ks.pvalue`], num(get(t, 'length_chars_ks', 'pvalue_auto')), true]);
          checks.push([`${column}.oov_rate`, m[`drift.${column}.oov_rate.statistic`], num(t.oov_rate), false]);
        }
      }
      expect(checks.length).toBeGreaterThan(10);
      const bad = checks.filter(([, a, e, p]) => !close(a, e, p)).map(([k, a, e]) => `${k}: ${a} vs ${e}`);
      expect(bad).toEqual([]);
    });

    it(`${name}${mode.label}: evidently decisions and dataset drift share`, async () => {
      const ref = load(name);
      const report = await run(options(ref, { ...mode.extra, drift: { ...DEFAULT_DRIFT, driftTest: 'evidently' } }));
      const ev = ref.evidently_default as Tree;
      const columns = ev.columns as Record<string, Tree>;
      for (const [column, c] of Object.entries(columns)) expect(report.metrics[`drift.${column}.drifted`], `${name} ${column}`).toBe(c.drift ? 1 : 0);
      // Evidently leaves free text out; the gate counts it, so compare over Evidently's columns.
      const drifted = Object.keys(columns).filter((c) => report.metrics[`drift.${c}.drifted`] === 1).length;
      expect(drifted).toBe(ev.n_drifted);
    });

    it(`${name}${mode.label}: outlier rows fitted on the reference, for z-score, IQR and MAD`, async () => {
      const ref = load(name);
      const outliers = ref.outliers as Record<string, Tree>;
      for (const method of ['zscore', 'iqr', 'mad'] as const) {
        const report = await run(options(ref, { ...mode.extra, outliers: { ...DEFAULT_OUTLIERS, method }, poisoning: false }));
        for (const [column, o] of Object.entries(outliers)) {
          if (get(o, 'current_ref_fitted') === undefined) continue; // the reference skips columns not numeric in both files
          const expected = get(o, 'current_ref_fitted', method, 'indices') as number[];
          expect(rowsOf(report.findings, RULES.RULE_OUTLIER_ROWS, column), `${name} ${column} ${method}`).toEqual(expected.slice(0, 1000));
          const total = report.findings.filter((f) => f.ruleId === RULES.RULE_OUTLIER_ROWS && f.properties?.column === column).reduce((s, f) => s + (f.properties?.rows_total as number), 0);
          expect(total).toBe(num(get(o, 'current_ref_fitted', method, 'count')));
        }
      }
    });

    it(`${name}${mode.label}: duplicate and copied rows`, async () => {
      const ref = load(name);
      const report = await run(options(ref, mode.extra));
      expect(rowsOf(report.findings, RULES.RULE_DUPLICATE_ROWS)).toEqual(get(ref, 'poisoning', 'duplicates_within_current', 'indices'));
      expect(rowsOf(report.findings, RULES.RULE_ROWS_FROM_REFERENCE)).toEqual(get(ref, 'poisoning', 'current_rows_in_reference', 'indices'));
    });
  }

  it.each(MODES.map((m) => [m.label, m.extra] as const))('dev_label_flip_2k%s: the label shift and the drift within label 0 are reported, the feature overall is not', async (_label, extra) => {
    const ref = load('dev_label_flip_2k');
    const report = await run(options(ref, extra));
    const m = report.metrics;
    expect(close(m['poisoning.label.chi2.statistic'], num(get(ref, 'poisoning', 'label', 'chi2_contingency', 'statistic')))).toBe(true);
    expect(close(m['poisoning.label.chi2.pvalue'], num(get(ref, 'poisoning', 'label', 'chi2_contingency', 'pvalue')), true)).toBe(true);
    for (const l of ['0', '1']) {
      expect(close(m[`drift_by_label.x_norm.${l}.ks.statistic`], num(get(ref, 'poisoning', 'x_norm_given_label', l, 'ks_statistic')))).toBe(true);
      expect(close(m[`drift_by_label.x_norm.${l}.ks.pvalue`], num(get(ref, 'poisoning', 'x_norm_given_label', l, 'ks_pvalue_auto')), true)).toBe(true);
    }
    expect(m['drift.x_norm.drifted']).toBe(0);
    const shift = report.findings.filter((f) => f.ruleId === RULES.RULE_LABEL_SHIFT);
    expect(shift.map((f) => f.properties?.column)).toEqual(['label']);
    const within = report.findings.filter((f) => f.ruleId === RULES.RULE_DRIFT_WITHIN_LABEL);
    expect(within.map((f) => [f.properties?.column, f.properties?.label])).toContainEqual(['x_norm', '0']);
    expect(within.map((f) => f.properties?.column)).not.toContain('x_skew');
  });

  it('dev_mean_shift_2k: the label shift follows the drifted features, so it is low and nothing is compared within labels', async () => {
    const report = await run(options(load('dev_mean_shift_2k')));
    expect(report.findings.filter((f) => f.ruleId === RULES.RULE_LABEL_SHIFT).map((f) => f.severity)).toEqual(['low']);
    expect(report.findings.filter((f) => f.ruleId === RULES.RULE_DRIFT_WITHIN_LABEL)).toEqual([]);
  });

  it('batches without injected text, triggers or flips raise no poisoning findings', async () => {
    for (const name of ['dev_no_drift_500', 'dev_outliers_5k', 'dev_mean_shift_2k', 'dev_variance_change_3k', 'dev_duplicates_2k']) {
      const report = await run(options(load(name)));
      const poisoning = report.findings.filter((f) => f.severity !== 'low' && [RULES.RULE_LABEL_SHIFT, RULES.RULE_DRIFT_WITHIN_LABEL, RULES.RULE_TRIGGER_VALUE, RULES.RULE_NEAR_DUPLICATE_ROWS, RULES.RULE_FORMULA_INJECTION, RULES.RULE_CONTROL_CHARACTERS, RULES.RULE_HOMOGLYPHS].includes(f.ruleId));
      expect(poisoning.map((f) => f.message), name).toEqual([]);
    }
  });

  it('dev_outliers_5k: the injected rows are in the medium x_norm finding, located at the line of its first row', async () => {
    const ref = load('dev_outliers_5k');
    const report = await run(options(ref));
    const f = report.findings.find((x) => x.ruleId === RULES.RULE_OUTLIER_ROWS && x.properties?.column === 'x_norm');
    expect(f?.severity).toBe('medium');
    expect(f?.properties?.rows).toEqual(get(ref, 'outliers', 'x_norm', 'current_ref_fitted', 'zscore', 'indices'));
    const rows = (f?.properties?.rows ?? []) as number[];
    const injected = get(ref, 'injected', 'injected_rows') as number[];
    expect(injected.every((r) => rows.includes(r))).toBe(true);
    // The header is line 1 and no field of this file spans lines, so data row r starts on line r + 2.
    expect(f?.location).toEqual({ path: 'data/dev_outliers_5k_cur.csv', line: rows[0]! + 2 });
    const clean = report.findings.find((x) => x.ruleId === RULES.RULE_OUTLIER_ROWS && x.properties?.column === 'x_miss');
    expect(clean?.severity ?? 'info').toBe('info');
  });

  it('dev_schema_break_200: renamed, dropped, added columns and type confusion against the contract inferred from the reference', async () => {
    const ref = load('dev_schema_break_200');
    const report = await run(options(ref));
    const by = (id: string): unknown[] => report.findings.filter((f) => f.ruleId === id).map((f) => f.properties?.column);
    expect(by('AISEC-DATA-001')).toEqual(['x_skew', 'text']);
    expect(by('AISEC-DATA-002')).toEqual(['x_skewness', 'source_url']);
    const confusion = report.findings.find((f) => f.ruleId === 'AISEC-DATA-003');
    expect(confusion?.properties?.column).toBe('x_int');
    expect(confusion?.properties?.rows).toEqual([19, 56, 145]);
    expect(report.findings.find((f) => f.ruleId === 'AISEC-DATA-001' && f.properties?.column === 'x_skew')?.properties?.renamed_to).toBe('x_skewness');
  });
});
