import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type Finding, type GateContext, type Report, silentLogger } from '@aisec/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DRIFT, DEFAULT_OUTLIERS, type DataGateOptions, type DataProfile, PROFILE_VERSION, RULES, type OutlierMethod, mergeProfiles, parseProfile, profileTable, runDataGate, serializeProfile, writeProfile } from '../../../packages/data-gate/src/index';
import { NEEDS_RAW_REFERENCE } from '../../../packages/data-gate/src/profile/profile-gate';
import { loadCsv } from '../stats/shared-table';
import { SHARED } from '../readers/helpers';

/**
 * The file-against-profile mode's sketch-based figures against the exact file-against-file gate on the
 * shared scenarios: outlier rows (IQR, MAD) differ only in rows the report itself marks uncertain, KS
 * from the sketches is within its stated error of SciPy's D, distinct counts are exact or within theirs.
 */
const ROOT = SHARED;
const ctx = (workspace = ROOT): GateContext => ({ workspace, logger: silentLogger, limits: DEFAULT_LIMITS, signal: new AbortController().signal });
type Tree = Record<string, unknown>;

function scenario(name: string): { ref: string; cur: string; json: Tree } {
  const json = JSON.parse(readFileSync(join(ROOT, 'reference', `${name}.json`), 'utf8')) as Tree;
  const files = json.files as { reference: string; current: string };
  return { ref: join(ROOT, files.reference), cur: join(ROOT, files.current), json };
}

function options(ref: string, cur: string, method: OutlierMethod = 'zscore'): DataGateOptions {
  return { reference: ref, current: cur, provenance: [], drift: { ...DEFAULT_DRIFT }, outliers: { ...DEFAULT_OUTLIERS, method }, poisoning: false, read: {} };
}

async function profileOf(file: string, extra: { maxCategories?: number } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'aisec-sketch-profile-'));
  const out = join(dir, 'ref.profile.json');
  await writeProfile(out, { paths: [file], ...extra }, ctx(dir));
  return out;
}

function outlierFindings(r: Report, column: string): Finding[] {
  return r.findings.filter((f) => f.ruleId === RULES.RULE_OUTLIER_ROWS && f.properties?.column === column);
}

function rows(r: Report, column: string): number[] {
  return outlierFindings(r, column).flatMap((f) => f.properties?.rows as number[]);
}

describe('file against profile, with the profile\'s sketches', () => {
  const outliers = scenario('dev_outliers_5k');

  for (const method of ['iqr', 'mad'] as const) {
    it(`dev_outliers_5k ${method}: finds the injected rows; every difference from the exact gate is a row the report marks uncertain`, async () => {
      const profile = await profileOf(outliers.ref);
      const estimated = await runDataGate(options(profile, outliers.cur, method), ctx());
      const exact = await runDataGate(options(outliers.ref, outliers.cur, method), ctx());
      const injected = (outliers.json.injected as { injected_rows: number[] }).injected_rows;
      const truth = outliers.json.outliers as Record<string, { current_ref_fitted: Record<string, { indices: number[] }> }>;
      // x_norm carries the injected values: the same rows as SciPy's, exactly.
      expect(rows(estimated, 'x_norm')).toEqual(truth.x_norm!.current_ref_fitted[method]!.indices);
      expect(injected.every((r) => rows(estimated, 'x_norm').includes(r))).toBe(true);
      let differing = 0;
      for (const column of ['x_norm', 'x_skew', 'x_int', 'x_miss']) {
        const mine = rows(estimated, column);
        const theirs = rows(exact, column);
        const found = outlierFindings(estimated, column);
        expect(found, `${method} ${column} has flagged rows`).toHaveLength(1);
        const f = found[0]!;
        const uncertain = f.properties?.uncertain_rows as number[];
        const diff = [...mine.filter((r) => !theirs.includes(r)), ...theirs.filter((r) => !mine.includes(r))];
        differing += diff.length;
        expect(diff.filter((r) => !uncertain.includes(r)), `${method} ${column}`).toEqual([]);
        expect(estimated.metrics[`outliers.${column}.${method}.uncertain`]).toBe(f.properties?.uncertain_rows_total);
        expect(estimated.metrics[`outliers.${column}.${method}.rank_error`]).toBeCloseTo(method === 'iqr' ? 0.013295 : 0.016516, 5);
        expect(f.properties?.rows_total).toBe(estimated.metrics[`outliers.${column}.${method}.count`]);
        const { low, high } = f.properties!.fence_brackets as { low: number[]; high: number[] };
        const fences = f.properties?.fences as { low: number; high: number };
        expect(low[0]! <= fences.low && fences.low <= low[1]! && high[0]! <= fences.high && fences.high <= high[1]!).toBe(true);
        expect(f.properties?.fitted_on).toBe('reference-profile');
      }
      // How they differ here (k = 200, 5,000 reference rows): IQR flags 5 more x_skew rows and 1 fewer
      // x_miss row than the exact quartiles; MAD flags the same rows. All lie between the brackets.
      expect(differing).toBe(method === 'iqr' ? 6 : 0);
    });
  }

  it('dev_outliers_5k: an estimate never makes a finding medium that the exact gate keeps info (excess tested against the reference\'s upper bound)', async () => {
    const profile = await profileOf(outliers.ref);
    const mediums: string[] = [];
    const wronglyMedium: string[] = [];
    const unbounded: string[] = [];
    for (const method of ['zscore', 'iqr', 'mad'] as const) {
      const estimated = await runDataGate(options(profile, outliers.cur, method), ctx());
      const exact = await runDataGate(options(outliers.ref, outliers.cur, method), ctx());
      for (const column of ['x_norm', 'x_skew', 'x_int', 'x_miss']) {
        const mine = outlierFindings(estimated, column)[0]!;
        const key = `${method} ${column}`;
        if (mine.severity === 'medium') mediums.push(key);
        if (mine.severity === 'medium' && outlierFindings(exact, column)[0]?.severity !== 'medium') wronglyMedium.push(key);
        const exactCount = exact.metrics[`outliers.${column}.${method}.reference_count`]!;
        const [lo, hi] = mine.properties!.reference_count_bounds as [number, number];
        if (!(lo <= exactCount && exactCount <= hi)) unbounded.push(`${key}: ${exactCount} not in [${lo}, ${hi}]`);
      }
    }
    expect(wronglyMedium).toEqual([]);
    expect(unbounded).toEqual([]);
    // The injected x_norm rows stand out even against the upper bound (MAD's narrow fences).
    expect(mediums).toContain('mad x_norm');
  });

  it('KS from the sketches is within its stated error of SciPy\'s D on every scenario, and decides when it is the narrower', async () => {
    let checked = 0;
    for (const name of ['dev_no_drift_500', 'dev_mean_shift_2k', 'dev_variance_change_3k', 'dev_outliers_5k', 'dev_label_flip_2k', 'dev_duplicates_2k']) {
      const s = scenario(name);
      const profile = await profileOf(s.ref);
      const estimated = await runDataGate(options(profile, s.cur), ctx());
      const drift = s.json.drift as Record<string, Record<string, { statistic: number }>>;
      for (const [column, d] of Object.entries(drift)) {
        const exactD = d.ks?.statistic;
        const m = estimated.metrics;
        if (exactD === undefined || m[`drift.${column}.ks_sketch.statistic`] === undefined) continue;
        const error = m[`drift.${column}.ks_sketch.error`]!;
        expect(Math.abs(m[`drift.${column}.ks_sketch.statistic`]! - exactD), `${name} ${column}`).toBeLessThanOrEqual(error + 1e-12);
        expect(m[`drift.${column}.ks_sketch.pvalue`]).toBeGreaterThanOrEqual(0);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    // 500-row files: the reference sketch is compacted, so the error is two sketches' bounds.
    const small = scenario('dev_no_drift_500');
    const r = await runDataGate(options(await profileOf(small.ref), small.cur), ctx());
    expect(r.metrics['drift.x_norm.ks_sketch.error']).toBeCloseTo(2 * 0.013295, 5);
  });

  it('a profile of a small file holds exact sketches: KS from them is SciPy\'s ks_2samp (D and the auto p-value), with error 0', async () => {
    const s = scenario('dev_schema_break_200');
    const profile = await profileOf(s.ref);
    const r = await runDataGate(options(profile, s.cur), ctx());
    const drift = s.json.drift as Record<string, Record<string, { statistic: number; pvalue_auto: number }>>;
    let checked = 0;
    for (const [column, d] of Object.entries(drift)) {
      if (d.ks?.statistic === undefined || r.metrics[`drift.${column}.ks_sketch.statistic`] === undefined) continue;
      expect(r.metrics[`drift.${column}.ks_sketch.error`], column).toBe(0);
      expect(r.metrics[`drift.${column}.ks_sketch.statistic`], column).toBe(d.ks.statistic);
      const p = r.metrics[`drift.${column}.ks_sketch.pvalue`]!;
      // The README's tolerance for p-values.
      expect(Math.abs(p - d.ks.pvalue_auto), column).toBeLessThanOrEqual(Math.max(d.ks.pvalue_auto < 1e-6 ? 1e-12 : 1e-9, 1e-6 * d.ks.pvalue_auto));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('reports distinct counts, exact while the categories are complete and from HyperLogLog past maxCategories', async () => {
    const s = scenario('dev_outliers_5k');
    const exact = new Map(loadCsv(s.ref).columns.map((c) => [c.name, new Set(c.cells.filter((v) => v !== null).map(String)).size]));
    const current = new Map(loadCsv(s.cur).columns.map((c) => [c.name, new Set(c.cells.filter((v) => v !== null).map(String)).size]));
    const full = await runDataGate(options(await profileOf(s.ref), s.cur), ctx());
    const capped = await runDataGate(options(await profileOf(s.ref, { maxCategories: 100 }), s.cur), ctx());
    const estimatedColumns: string[] = [];
    for (const [column, count] of exact) {
      expect(full.metrics[`profile.${column}.distinct`], column).toBe(count);
      expect(full.metrics[`profile.${column}.distinct_error`], column).toBe(0);
      expect(full.metrics[`profile.${column}.distinct_current`], column).toBe(current.get(column));
      const estimate = capped.metrics[`profile.${column}.distinct`]!;
      const error = capped.metrics[`profile.${column}.distinct_error`]!;
      expect(Math.abs(estimate - count), column).toBeLessThanOrEqual(error);
      if (error > 0) estimatedColumns.push(column);
    }
    // Past 100 distinct values the counts come from HyperLogLog (the columns with more than 100 values).
    expect(estimatedColumns.sort()).toEqual([...exact].filter(([, n]) => n > 100).map(([c]) => c).sort());
  });

  it('reads a version 1 profile (no sketches) and says what it could not compute; a merge with one drops the sketches it lacked', async () => {
    const s = scenario('dev_outliers_5k');
    const v2 = parseProfile(readFileSync(await profileOf(s.ref), 'utf8'), 'p.json');
    const v1: DataProfile = { ...v2, version: 1, columns: v2.columns.map(({ quantileSketch: _q, distinctSketch: _d, ...c }) => c) };
    const dir = mkdtempSync(join(tmpdir(), 'aisec-v1-'));
    const path = join(dir, 'v1.profile.json');
    writeFileSync(path, serializeProfile(v1));
    expect(parseProfile(readFileSync(path, 'utf8'), 'v1.profile.json').version).toBe(1);
    const iqr = await runDataGate(options(path, s.cur, 'iqr'), ctx());
    expect(iqr.notes.join('\n')).toContain('version 1');
    expect(outlierFindings(iqr, 'x_norm')).toEqual([]);
    expect(iqr.metrics['drift.x_norm.ks_sketch.statistic']).toBeUndefined();
    // The fixed-edge KS still works from a version 1 profile: a D in (0, 1].
    const d = iqr.metrics['drift.x_norm.ks_profile.statistic'] as number;
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThanOrEqual(1);
    const z = await runDataGate(options(path, s.cur, 'zscore'), ctx());
    expect(rows(z, 'x_norm')).toEqual((s.json.outliers as Record<string, { current_ref_fitted: { zscore: { indices: number[] } } }>).x_norm!.current_ref_fitted.zscore.indices);
    const merged = mergeProfiles([v1, await profileTable(s.cur, {}, ctx())]);
    expect(merged.version).toBe(PROFILE_VERSION);
    expect(merged.columns.every((c) => c.quantileSketch === undefined && c.distinctSketch === undefined)).toBe(true);
    const mergedPath = join(dir, 'merged.profile.json');
    writeFileSync(mergedPath, serializeProfile(merged));
    const fromMerged = await runDataGate(options(mergedPath, s.cur, 'mad'), ctx());
    expect(fromMerged.notes.join('\n')).toContain('has no quantile sketch for x_norm, x_skew, x_int, rating, x_miss, label');
    expect(fromMerged.notes.join('\n')).toContain('drift.<column>.ks_sketch and mad outliers were not computed');
    expect(outlierFindings(fromMerged, 'x_norm')).toEqual([]);
    expect(NEEDS_RAW_REFERENCE).toContain('need the raw reference file');
  });
});
