import { type Finding, type GateContext, type Metrics, type Report, UserError, buildReport, workspaceRelative } from '@aisec/core';
import { ContractChecker, type DataContract, contractFindings, contractMetrics, loadContract } from '../contract/index';
import { type ColumnRole, isIdName, pickLabelColumn } from '../gate/column-roles';
import { type ColumnDriftRow, summarizeDrift } from '../gate/drift-check';
import type { DataGateOptions } from '../gate/gate';
import { RowCollector, firstRows } from '../gate/row-findings';
import { DATA_GATE_RULES, RULE_DUPLICATE_ROWS, RULE_LABEL_SHIFT, RULE_OUTLIER_ROWS, RULE_ROWS_FROM_REFERENCE } from '../gate/rules';
import { TextInjectionScanner } from '../poisoning/index';
import { CellKind, columnTypeOf, readProblemFindings, readTable } from '../readers/index';
import { RowHasher, categoricalColumnDrift, jensenShannon, ksAsympPvalue, psi, totalVariation } from '../stats/index';
import { encodeBatchRow } from './batch-row-hash';
import { ProfileBuilder } from './profile-builder';
import { fixedEdgeDrift } from './profile-drift';
import { RowKeySet } from './row-key-set';
import { SortedRowHashes } from './sorted-row-hashes';
import { type ColumnProfile, type DataProfile, readProfileLean } from './profile-format';

/** What a profile reference cannot give: the report's notes say so instead of staying silent. */
export const NEEDS_RAW_REFERENCE =
  'reference is a profile: exact KS p-values, Anderson-Darling, Evidently binning (psi, js), deciles, IQR/MAD outliers, drift within labels, trigger tokens, near-duplicates and text drift need the raw reference file and were not computed; KS and Wasserstein are estimates on fixed edges with their error bounds in drift.<column>.<test>.error';

/** Batch row keys kept for duplicates within the batch (16 to 32 bytes each). */
const MAX_BATCH_HASHES = 2_000_000;

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

/**
 * The file-against-profile mode: one streaming pass over the batch (bounded memory: the batch is
 * profiled as it passes, and per-row checks keep only their first rows), then drift profile against
 * profile. See NEEDS_RAW_REFERENCE for what it leaves out.
 */
export async function runAgainstProfile(options: DataGateOptions, ctx: GateContext, acc: { findings: Finding[]; metrics: Metrics; notes: string[]; timings: Record<string, number> }): Promise<Report> {
  const { findings, metrics, notes, timings } = acc;
  const refPath = options.reference as string;
  const shown = workspaceRelative(ctx.workspace, refPath);
  // The row hashes and keys go straight into compact tables as the profile is read (bounded memory).
  const refHashes = new SortedRowHashes();
  let refKeys = new RowKeySet();
  const profile = readProfileLean(refPath, shown, (h) => refHashes.add(h), (k) => {
    if (k.length !== 16) throw new UserError('profile rowKeys must be a list of 16-hex-digit keys', { file: shown, hint: 'profile the reference again with `aisec data-gate profile`' });
    refKeys.addOrHas(Number.parseInt(k.slice(0, 8), 16), Number.parseInt(k.slice(8, 16), 16));
  });
  refHashes.seal();
  const contract = options.contract ? loadContract(options.contract, workspaceRelative(ctx.workspace, options.contract)) : contractOf(profile);
  const checker = new ContractChecker(contract);
  const ids = new Set(options.idColumns ?? profile.columns.map((c) => c.name).filter(isIdName));
  const label = pickLabelColumn(profile.columns.map((c) => c.name), options.labelColumn);
  const roles = new Map(profile.columns.map((c) => [c.name, roleOf(c, ids)]));

  const zscore = options.outliers.method === 'zscore';
  const zParams = new Map<string, { mean: number; std: number; rows: RowCollector }>();
  if (zscore) {
    for (const c of profile.columns) {
      if (roles.get(c.name) !== 'numeric' || c.name === label || c.moments.n === 0) continue;
      const std = Math.sqrt(c.moments.m2 / c.moments.n);
      if (std > 0) zParams.set(c.name, { mean: c.moments.mean, std, rows: new RowCollector() });
    }
  }
  // The reference's fast row keys screen every batch row, and a hit is confirmed on the full SHA-256, so
  // only candidate copies pay for SHA-256. Older profiles have no keys: there the 64-bit prefixes of the
  // SHA-256 hashes screen (`refKeys` rebuilt from them), and every row is hashed with SHA-256.
  const truncated = profile.rowHashesTruncated;
  const fastKeys = !truncated && profile.rowKeys !== undefined;
  if (!truncated && !fastKeys) refKeys = refHashes.prefixKeys(new RowKeySet(refHashes.size));
  const hasher = new RowHasher();
  const seen = new RowKeySet();
  let seenCapped = false;
  const within = new RowCollector();
  const copied = new RowCollector();
  const text = new TextInjectionScanner();
  const batchProfile = new ProfileBuilder({ idColumns: [...ids], hashRows: false });
  const threshold = options.outliers.zThreshold;

  const started = performance.now();
  const reader = readTable(options.current as string, options.read, ctx);
  for await (const batch of reader) {
    if (ctx.signal.aborted) throw new UserError('cancelled');
    checker.push(batch);
    batchProfile.push(batch);
    if (options.poisoning) text.push(batch);
    const hashChunks = profile.hashColumns.map((name) => batch.data.find((d) => d.name === name));
    const zChunks = [...zParams].map(([name, p]) => ({ p, chunk: batch.data.find((d) => d.name === name) }));
    for (let i = 0; i < batch.length; i++) {
      const row = batch.rows[i] as number;
      const line = batch.lines[i] as number;
      encodeBatchRow(hasher, hashChunks, i);
      // The 64-bit key tells rows apart (a chance collision is ~1e-6 at 10M rows) in 16 bytes a row.
      hasher.key();
      const hi = hasher.keyHi;
      const lo = hasher.keyLo;
      if (seen.size < MAX_BATCH_HASHES) {
        if (seen.addOrHas(hi, lo)) within.add(batch.file, row, line);
      } else if (seen.has(hi, lo)) within.add(batch.file, row, line);
      else seenCapped = true;
      if (!truncated) {
        if (fastKeys) {
          if (refKeys.has(hi, lo) && refHashes.has(hasher.digest())) copied.add(batch.file, row, line);
        } else {
          const h = hasher.digest();
          if (refKeys.has(h.readUInt32BE(0), h.readUInt32BE(4)) && refHashes.has(h)) copied.add(batch.file, row, line);
        }
      }
      for (const { p, chunk } of zChunks) {
        if (!chunk) continue;
        const kind = chunk.kinds[i];
        if (kind !== CellKind.Integer && kind !== CellKind.Float) continue;
        const v = chunk.numbers[i] as number;
        if (Math.abs(v - p.mean) / p.std > threshold) p.rows.add(batch.file, row, line);
      }
    }
  }
  timings['read.current'] = Math.round(performance.now() - started);
  const current = batchProfile.finish();
  metrics['rows.reference'] = profile.rows;
  metrics['rows.current'] = current.rows;
  findings.push(...readProblemFindings(reader.problems()));
  const violations = checker.finish();
  findings.push(...contractFindings(violations));
  Object.assign(metrics, contractMetrics(violations));

  const rows: ColumnDriftRow[] = [];
  const large = (a: number, b: number): boolean => Math.min(a, b) > (options.drift.largeSampleRows ?? 1000);
  const currentColumns = new Map(current.columns.map((c) => [c.name, c]));
  for (const c of profile.columns) {
    const cur = currentColumns.get(c.name);
    const role = roles.get(c.name);
    if (!cur || role === 'id' || role === 'empty' || role === 'text') continue;
    if (role === 'numeric') {
      if (cur.moments.n === 0 || c.moments.n === 0) continue;
      const d = fixedEdgeDrift(new Map(c.histogram), new Map(cur.histogram), Math.min(c.moments.min, cur.moments.min), Math.max(c.moments.max, cur.moments.max));
      const std0 = Math.max(Math.sqrt(c.moments.m2 / c.moments.n), 0.001);
      const pvalue = ksAsympPvalue(c.moments.n, cur.moments.n, d.ks);
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
      const drift = large(c.moments.n, cur.moments.n) ? effect >= (options.drift.effectThreshold ?? 0.1) : pvalue < (options.drift.alpha ?? 0.05);
      rows.push({ column: c.name, kind: 'numeric', drift, nRef: c.moments.n, nCur: cur.moments.n, test: 'ks_profile', pvalue, effectSizeName: 'wasserstein_norm', effectSize: effect });
    } else {
      if (c.categoriesTruncated || cur.categoriesTruncated) continue;
      const d = categoricalColumnDrift(new Map(Object.entries(c.categories)), new Map(Object.entries(cur.categories)), options.drift);
      for (const [test, f] of Object.entries(d.tests)) {
        metrics[`drift.${c.name}.${test}.statistic`] = f.statistic;
        if (f.pvalue !== undefined) metrics[`drift.${c.name}.${test}.pvalue`] = f.pvalue;
      }
      const drift = options.drift.driftTest === 'evidently' ? d.evidently.drift : d.decision.drift;
      rows.push({ column: c.name, kind: 'categorical', drift, nRef: d.nRef, nCur: d.nCur, test: 'chi2', pvalue: d.decision.pvalue, effectSizeName: 'js', effectSize: d.decision.effectSize });
    }
  }
  for (const r of rows) metrics[`drift.${r.column}.drifted`] = r.drift ? 1 : 0;
  findings.push(...summarizeDrift(rows, metrics, options.drift, reader.files[0] ?? '.').findings);

  for (const [name, p] of zParams) {
    metrics[`outliers.${name}.zscore.count`] = p.rows.total;
    findings.push(
      ...p.rows.findings((g) => ({
        ruleId: RULE_OUTLIER_ROWS,
        severity: 'info',
        message: `${g.total} row${g.total === 1 ? '' : 's'} of '${name}' beyond ${threshold} standard deviations of the reference profile (rows ${firstRows(g.rows)})`,
        location: { path: g.file },
        evidence: `outliers ${name} zscore`,
        properties: { column: name, method: 'zscore', fitted_on: 'reference-profile', params: { mean: p.mean, std_ddof0: p.std } },
      })),
    );
  }
  if (!zscore && options.outliers.method !== 'none') notes.push(`outlier method ${options.outliers.method} needs the reference's quantiles, which a profile does not keep exactly: not checked`);

  metrics['duplicates.within'] = within.total;
  findings.push(...within.findings((g) => ({ ruleId: RULE_DUPLICATE_ROWS, severity: 'medium', message: `${g.total} row${g.total === 1 ? '' : 's'} repeat an earlier row of the batch (rows ${firstRows(g.rows)})`, location: { path: g.file }, evidence: 'duplicates within batch' })));
  if (seenCapped) notes.push(`the batch has more than ${MAX_BATCH_HASHES} distinct rows: duplicates of rows past that point were not all checked`);
  if (!truncated) {
    metrics['duplicates.from_reference'] = copied.total;
    findings.push(...copied.findings((g) => ({ ruleId: RULE_ROWS_FROM_REFERENCE, severity: 'high', message: `${g.total} row${g.total === 1 ? '' : 's'} of the batch also occur in the reference profile (rows ${firstRows(g.rows)})`, location: { path: g.file }, evidence: 'rows copied from reference' })));
  } else {
    notes.push('the profile dropped its row hashes (more rows than its maxRowHashes): rows copied from the reference were not checked');
  }

  if (options.poisoning) {
    const lp = profile.columns.find((c) => c.name === label);
    const lc = label === undefined ? undefined : currentColumns.get(label);
    if (lp && lc && !lp.categoriesTruncated && !lc.categoriesTruncated) {
      const refCounts = new Map(Object.entries(lp.categories));
      const curCounts = new Map(Object.entries(lc.categories));
      const d = categoricalColumnDrift(refCounts, curCounts);
      const keys = [...new Set([...refCounts.keys(), ...curCounts.keys()])].sort();
      const tvd = totalVariation(keys.map((k) => refCounts.get(k) ?? 0), keys.map((k) => curCounts.get(k) ?? 0));
      const pvalue = d.tests.chi2?.pvalue ?? 1;
      metrics['poisoning.label.chi2.statistic'] = d.tests.chi2?.statistic ?? Number.NaN;
      metrics['poisoning.label.chi2.pvalue'] = pvalue;
      metrics['poisoning.label.tvd.statistic'] = tvd;
      const driftedFeatures = rows.filter((r) => r.drift && r.column !== label).map((r) => r.column);
      if (pvalue < 0.01 && tvd >= 0.02) {
        findings.push({
          ruleId: RULE_LABEL_SHIFT,
          severity: driftedFeatures.length > 0 ? 'low' : 'high',
          message: `label '${lp.name}' distribution shifted (chi-square p-value ${pvalue.toExponential(2)}, total variation ${tvd.toFixed(3)})${driftedFeatures.length > 0 ? `, along with drift in ${driftedFeatures.join(', ')}` : ' while no feature drifted'}`,
          location: { path: reader.files[0] ?? '.' },
          evidence: `label shift ${lp.name}`,
          properties: { column: lp.name, pvalue, tvd },
        });
      }
    }
    const t = text.finish();
    findings.push(...t.findings);
    Object.assign(metrics, t.metrics);
  }
  notes.push(NEEDS_RAW_REFERENCE);
  return buildReport({ gate: 'data-gate', version: '0.1.0', findings, metrics, timings, notes }, DATA_GATE_RULES);
}
