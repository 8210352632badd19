import { type Finding, type GateContext, type Metrics, type Report, buildReport, workspaceRelative } from '@aisec/core';
import { ContractChecker, type DataContract, contractFindings, contractMetrics, loadContract } from '../contract/index';
import { type ColumnRole, isIdName, pickLabelColumn } from '../gate/column-roles';
import { type ColumnDriftRow, summarizeDrift } from '../gate/drift-check';
import { rowHashes } from '../gate/duplicate-check';
import type { DataGateOptions } from '../gate/gate';
import { firstRows, rowFindings } from '../gate/row-findings';
import { RULE_DUPLICATE_ROWS, RULE_LABEL_SHIFT, RULE_OUTLIER_ROWS, RULE_ROWS_FROM_REFERENCE, DATA_GATE_RULES } from '../gate/rules';
import { categoryCounts, numbersOf, scanTable } from '../gate/table-scan';
import { checkTextInjection } from '../poisoning/index';
import { readProblemFindings, readTable, columnTypeOf } from '../readers/index';
import { categoricalColumnDrift, duplicatesWithin, jensenShannon, ksAsympPvalue, psi, rowsFoundIn, totalVariation, zScoreOutliers } from '../stats/index';
import { fixedEdgeDrift, histogramOnFixedEdges } from './profile-drift';
import { type ColumnProfile, type DataProfile, readProfile } from './profile-format';

/** What a profile reference cannot give: the report's notes say so instead of staying silent. */
export const NEEDS_RAW_REFERENCE =
  'reference is a profile: exact KS p-values, Anderson-Darling, Evidently binning (psi, js), deciles, IQR/MAD outliers, drift within labels, trigger tokens and text drift need the raw reference file and were not computed; KS and Wasserstein are estimates on fixed edges with their error bounds in drift.<column>.<test>.error';

function roleOf(c: ColumnProfile, ids: ReadonlySet<string>): ColumnRole {
  const type = columnTypeOf(c.kinds);
  if (ids.has(c.name)) return 'id';
  if (type === 'integer' || type === 'number') return 'numeric';
  if (type === 'null') return 'empty';
  const nonNull = Object.values(c.categories).reduce((s, n) => s + n, 0);
  return c.categoriesTruncated || Object.keys(c.categories).length > nonNull / 2 ? 'text' : 'categorical';
}

function contractOf(profile: DataProfile): DataContract {
  return {
    version: 1,
    columns: profile.columns.map((c) => {
      const t = columnTypeOf(c.kinds);
      return { name: c.name, type: t === 'null' ? 'string' : t, nullable: c.nulls > 0 };
    }),
    additionalColumns: false,
    ordered: false,
  };
}

/** The file-against-profile mode of the gate (see NEEDS_RAW_REFERENCE for what it leaves out). */
export async function runAgainstProfile(options: DataGateOptions, ctx: GateContext, acc: { findings: Finding[]; metrics: Metrics; notes: string[]; timings: Record<string, number> }): Promise<Report> {
  const { findings, metrics, notes, timings } = acc;
  const refPath = options.reference as string;
  const profile = readProfile(refPath, workspaceRelative(ctx.workspace, refPath));
  const contract = options.contract ? loadContract(options.contract, workspaceRelative(ctx.workspace, options.contract)) : contractOf(profile);
  const checker = new ContractChecker(contract);
  const started = performance.now();
  const current = await scanTable(readTable(options.current as string, options.read, ctx), ctx.signal, (b) => checker.push(b));
  timings['read.current'] = Math.round(performance.now() - started);
  metrics['rows.reference'] = profile.rows;
  metrics['rows.current'] = current.rows;
  findings.push(...readProblemFindings(current.problems));
  const violations = checker.finish();
  findings.push(...contractFindings(violations));
  Object.assign(metrics, contractMetrics(violations));

  const ids = new Set(options.idColumns ?? profile.columns.map((c) => c.name).filter(isIdName));
  const label = pickLabelColumn(profile.columns.map((c) => c.name), options.labelColumn);
  const rows: ColumnDriftRow[] = [];
  const large = (a: number, b: number): boolean => Math.min(a, b) > (options.drift.largeSampleRows ?? 1000);
  for (const c of profile.columns) {
    const col = current.byName.get(c.name);
    const role = roleOf(c, ids);
    if (!col || role === 'id' || role === 'empty' || role === 'text') continue;
    if (role === 'numeric') {
      const cur = numbersOf(col);
      if (cur.length === 0 || c.moments.n === 0) continue;
      let min = c.moments.min;
      let max = c.moments.max;
      for (const v of cur) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const d = fixedEdgeDrift(new Map(c.histogram), histogramOnFixedEdges(cur), min, max);
      const std0 = Math.max(Math.sqrt(c.moments.m2 / c.moments.n), 0.001);
      const pvalue = ksAsympPvalue(c.moments.n, cur.length, d.ks);
      const set = (test: string, statistic: number, error?: number): void => {
        metrics[`drift.${c.name}.${test}.statistic`] = statistic;
        if (error !== undefined) metrics[`drift.${c.name}.${test}.error`] = error;
      };
      set('ks_profile', d.ks, d.ksError);
      metrics[`drift.${c.name}.ks_profile.pvalue`] = pvalue;
      set('wasserstein', d.wasserstein, d.wassersteinError);
      set('wasserstein_norm', d.wasserstein / std0, d.wassersteinError / std0);
      set('psi_fixed', psi(d.refCounts, d.curCounts));
      set('js_fixed', jensenShannon(d.refCounts, d.curCounts));
      const effect = d.wasserstein / std0;
      const drift = large(c.moments.n, cur.length) ? effect >= (options.drift.effectThreshold ?? 0.1) : pvalue < (options.drift.alpha ?? 0.05);
      rows.push({ column: c.name, kind: 'numeric', drift, nRef: c.moments.n, nCur: cur.length, test: 'ks_profile', pvalue, effectSizeName: 'wasserstein_norm', effectSize: effect });

      if (options.outliers.method === 'zscore' && c.name !== label) {
        const params = { mean: c.moments.mean, stdDdof0: Math.sqrt(c.moments.m2 / c.moments.n), q1: Number.NaN, q3: Number.NaN, median: Number.NaN, mad: Number.NaN };
        const flagged = zScoreOutliers(col.numbers, params, options.outliers.zThreshold);
        metrics[`outliers.${c.name}.zscore.count`] = flagged.length;
        if (flagged.length > 0) {
          findings.push(
            ...rowFindings(current, flagged, (g) => ({
              ruleId: RULE_OUTLIER_ROWS,
              severity: 'info',
              message: `${g.total} row${g.total === 1 ? '' : 's'} of '${c.name}' beyond ${options.outliers.zThreshold} standard deviations of the reference profile (rows ${firstRows(g.rows)})`,
              location: { path: g.file },
              evidence: `outliers ${c.name} zscore`,
              properties: { column: c.name, method: 'zscore', fitted_on: 'reference-profile', params: { mean: params.mean, std_ddof0: params.stdDdof0 } },
            })),
          );
        }
      }
    } else {
      if (c.categoriesTruncated) continue;
      const d = categoricalColumnDrift(new Map(Object.entries(c.categories)), categoryCounts(col), options.drift);
      for (const [test, f] of Object.entries(d.tests)) {
        metrics[`drift.${c.name}.${test}.statistic`] = f.statistic;
        if (f.pvalue !== undefined) metrics[`drift.${c.name}.${test}.pvalue`] = f.pvalue;
      }
      const drift = options.drift.driftTest === 'evidently' ? d.evidently.drift : d.decision.drift;
      rows.push({ column: c.name, kind: 'categorical', drift, nRef: d.nRef, nCur: d.nCur, test: 'chi2', pvalue: d.decision.pvalue, effectSizeName: 'js', effectSize: d.decision.effectSize });
    }
  }
  for (const r of rows) metrics[`drift.${r.column}.drifted`] = r.drift ? 1 : 0;
  findings.push(...summarizeDrift(rows, metrics, options.drift, current.files[0] ?? '.').findings);

  const hashes = rowHashes(current, profile.hashColumns);
  const within = duplicatesWithin(hashes);
  metrics['duplicates.within'] = within.length;
  findings.push(
    ...rowFindings(current, within, (g) => ({ ruleId: RULE_DUPLICATE_ROWS, severity: 'medium', message: `${g.total} row${g.total === 1 ? '' : 's'} repeat an earlier row of the batch (rows ${firstRows(g.rows)})`, location: { path: g.file }, evidence: 'duplicates within batch' })),
  );
  if (profile.rowHashesTruncated) {
    notes.push('the profile dropped its row hashes (more rows than its maxRowHashes): rows copied from the reference were not checked');
  } else {
    const copied = rowsFoundIn(hashes, new Set(profile.rowHashes));
    metrics['duplicates.from_reference'] = copied.length;
    findings.push(
      ...rowFindings(current, copied, (g) => ({ ruleId: RULE_ROWS_FROM_REFERENCE, severity: 'high', message: `${g.total} row${g.total === 1 ? '' : 's'} of the batch also occur in the reference profile (rows ${firstRows(g.rows)})`, location: { path: g.file }, evidence: 'rows copied from reference' })),
    );
  }

  if (options.poisoning) {
    const lp = profile.columns.find((c) => c.name === label);
    const lc = label === undefined ? undefined : current.byName.get(label);
    if (lp && lc && !lp.categoriesTruncated) {
      const refCounts = new Map(Object.entries(lp.categories));
      const curCounts = categoryCounts(lc);
      const d = categoricalColumnDrift(refCounts, curCounts);
      const keys = [...new Set([...refCounts.keys(), ...curCounts.keys()])].sort();
      const tvd = totalVariation(keys.map((k) => refCounts.get(k) ?? 0), keys.map((k) => curCounts.get(k) ?? 0));
      const chi2 = d.tests.chi2 ?? { statistic: Number.NaN, pvalue: 1 };
      metrics['poisoning.label.chi2.statistic'] = chi2.statistic;
      metrics['poisoning.label.chi2.pvalue'] = chi2.pvalue ?? 1;
      metrics['poisoning.label.tvd.statistic'] = tvd;
      const driftedFeatures = rows.filter((r) => r.drift && r.column !== label).map((r) => r.column);
      if ((chi2.pvalue ?? 1) < 0.01 && tvd >= 0.02) {
        findings.push({
          ruleId: RULE_LABEL_SHIFT,
          severity: driftedFeatures.length > 0 ? 'low' : 'high',
          message: `label '${label ?? ''}' distribution shifted (chi-square p-value ${(chi2.pvalue ?? 1).toExponential(2)}, total variation ${tvd.toFixed(3)})${driftedFeatures.length > 0 ? `, along with drift in ${driftedFeatures.join(', ')}` : ' while no feature drifted'}`,
          location: { path: current.files[0] ?? '.' },
          evidence: `label shift ${label ?? ''}`,
          properties: { column: label ?? '', pvalue: chi2.pvalue ?? 1, tvd },
        });
      }
    }
    const text = checkTextInjection(current);
    findings.push(...text.findings);
    Object.assign(metrics, text.metrics);
  }
  notes.push(NEEDS_RAW_REFERENCE);
  return buildReport({ gate: 'data-gate', version: '0.1.0', findings, metrics, timings, notes }, DATA_GATE_RULES);
}
