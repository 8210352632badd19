import { statSync } from 'node:fs';
import { type Finding, type GateContext, type Metrics, type PropertyValue, type Report, UserError, buildReport, workspaceRelative } from '@aisec/core';
import { ContractChecker, type DataContract, contractFindings, contractMetrics, loadContract } from '../contract/index';
import { type ColumnRole, isIdName, pickLabelColumn } from '../gate/column-roles';
import { type ColumnDriftRow, summarizeDrift } from '../gate/drift-check';
import type { DataGateOptions } from '../gate/gate';
import type { OutlierOptions } from '../gate/outlier-check';
import { MAX_LISTED_ROWS, RowCollector, firstRows } from '../gate/row-findings';
import { DATA_GATE_RULES, RULE_DUPLICATE_ROWS, RULE_OUTLIER_ROWS, RULE_ROWS_FROM_REFERENCE } from '../gate/rules';
import { LabelFlipScanner, LabelModel, TextInjectionScanner, labelShiftFromCounts } from '../poisoning/index';
import { CellKind, type ColumnChunk, type RowBatch, columnTypeOf, estimateRowCount, readProblemFindings, readTable, recycleBatch } from '../readers/index';
import { type KllSketch, iqrFences, madFences, shareOutside } from '../sketch/index';
import { betaIncomplete, categoricalColumnDrift, jensenShannon, ks2sampSorted, ksAsympPvalue, psi } from '../stats/index';
import { ROW_KEY_RECIPE } from './batch-row-keys';
import { ProfileBuilder } from './profile-builder';
import { fixedEdgeDrift, histogramCountOutside, sketchKs } from './profile-drift';
import { MAX_BATCH_HASHES, RowScreen } from './row-screen';
import { RowKeySet } from './row-key-set';
import { SortedRowHashes } from './sorted-row-hashes';
import { type ColumnProfile, type DataProfile, columnDistinct, columnQuantiles, readProfileLean } from './profile-format';

/** What a profile reference cannot give: the report's notes say so instead of staying silent. */
export const NEEDS_RAW_REFERENCE =
  'reference is a profile: the exact KS statistic and its exact p-value, Anderson-Darling, Evidently binning (psi, js), reference-decile PSI, drift within labels, trigger tokens, near-duplicates and text drift need the raw reference file and were not computed. ' +
  'Estimated instead, each with its error bound: KS twice, on the fixed histogram edges (drift.<column>.ks_profile: a lower bound, true D at most .error above) and from the KLL quantile sketches (drift.<column>.ks_sketch: true D within ±.error, 99% confidence per sketch), the drift decision using the narrower; Wasserstein on fixed edges (drift.<column>.wasserstein.error); ' +
  'IQR and MAD fences from the reference quantile sketch (the finding\'s properties bracket each fence, and outliers.<column>.<method>.uncertain counts the batch rows between the brackets, whose verdict the sketch cannot settle); distinct counts from HyperLogLog when a column has more values than the profile counts (profile.<column>.distinct_error)';

/** Numeric columns with at most this many distinct reference values are levels, not measurements (as file mode). */
const MIN_DISTINCT = 6;
/** Φ⁻¹(3/4), as the exact MAD rule uses it. */
const MAD_CONSISTENCY = 0.6745;

/** P(X ≥ k) for X ~ Binomial(n, p), as I_p(k, n − k + 1) (as file mode's excess test). */
function binomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return betaIncomplete(k, n - k + 1, p);
}

/**
 * One numeric column's outlier rule fitted on the reference profile, applied to batch cells as they
 * stream. Cells strictly inside (safeLow, safeHigh) are neither flagged nor uncertain, so most cells
 * cost two comparisons; the rest get the rule's exact expression (as file mode writes it, with the
 * fitted parameters) and, for sketch-fitted fences, the test for the band between the brackets.
 */
interface OutlierScreen {
  column: string;
  safeLow: number;
  safeHigh: number;
  flagged: (v: number) => boolean;
  /** Between the fences' brackets (only when the fit is an estimate). */
  uncertain: ((v: number) => boolean) | undefined;
  rows: RowCollector;
  uncertainRows: Map<string, { rows: number[]; total: number }>;
  /**
   * Reference values the rule flags: a point estimate (from the quantile sketch, else undefined) and
   * bounds [low, high] from the fixed-edge histogram (exact) narrowed by the sketch's (99%).
   */
  reference: { count: number | undefined; bounds: [number, number] };
  nReference: number;
  properties: Record<string, PropertyValue>;
  rankError: number | undefined;
}

/** Shrinks an open interval by a relative hair, so rounding in the rule's own expression never disagrees with the prefilter. */
function safeInterval(low: number, high: number): [number, number] {
  const tol = 1e-9 * (Math.abs(low) + Math.abs(high)) + Number.MIN_VALUE;
  return [low + tol, high - tol];
}

/**
 * How many reference values fall outside [low, high]: the histogram on fixed edges brackets it exactly,
 * the quantile sketch estimates it within its double-sided rank error; the bounds are the intersection.
 */
function referenceOutside(c: ColumnProfile, sketch: KllSketch | undefined, low: number, high: number): { count: number | undefined; bounds: [number, number] } {
  const n = c.moments.n;
  let [lo, hi] = histogramCountOutside(c.histogram, low, high);
  if (!sketch) return { count: undefined, bounds: [lo, hi] };
  const { share, error } = shareOutside(sketch, low, high);
  const count = share * n;
  lo = Math.max(lo, Math.ceil(count - error * n));
  hi = Math.min(hi, Math.floor(count + error * n));
  if (lo > hi) [lo, hi] = [hi, lo];
  return { count: Math.min(Math.max(Math.round(count), lo), hi), bounds: [lo, hi] };
}

function fitScreen(c: ColumnProfile, sketch: KllSketch | undefined, o: OutlierOptions): OutlierScreen | undefined {
  const base = { column: c.name, rows: new RowCollector(), uncertainRows: new Map<string, { rows: number[]; total: number }>(), nReference: c.moments.n };
  if (o.method === 'zscore') {
    const mean = c.moments.mean;
    const std = Math.sqrt(c.moments.m2 / c.moments.n);
    if (!(std > 0)) return undefined;
    const t = o.zThreshold;
    const [safeLow, safeHigh] = safeInterval(mean - t * std, mean + t * std);
    return {
      ...base,
      safeLow,
      safeHigh,
      flagged: (v) => Math.abs(v - mean) / std > t,
      uncertain: undefined,
      reference: referenceOutside(c, sketch, mean - t * std, mean + t * std),
      properties: { params: { mean, std_ddof0: std } },
      rankError: undefined,
    };
  }
  if (!sketch) return undefined;
  const f = o.method === 'iqr' ? iqrFences(sketch, o.iqrFactor) : madFences(sketch, o.madThreshold);
  const band = f.rankError > 0 ? (v: number): boolean => (v >= f.lowOuter && v <= f.lowInner) || (v >= f.highInner && v <= f.highOuter) : undefined;
  const [safeLow, safeHigh] = safeInterval(Math.max(f.low, f.lowInner), Math.min(f.high, f.highInner));
  const shared = { fences: { low: f.low, high: f.high }, fence_brackets: { low: [f.lowOuter, f.lowInner], high: [f.highInner, f.highOuter] }, rank_error: f.rankError };
  if ('q1' in f) {
    const low = f.low;
    const high = f.high;
    return {
      ...base,
      safeLow,
      safeHigh,
      flagged: (v) => v < low || v > high,
      uncertain: band,
      reference: referenceOutside(c, sketch, low, high),
      properties: { ...shared, params: { q1: f.q1, q3: f.q3 }, param_brackets: { q1: f.q1Bracket, q3: f.q3Bracket } },
      rankError: f.rankError,
    };
  }
  const { median, mad } = f;
  const t = o.madThreshold;
  if (mad === 0 || Number.isNaN(mad)) {
    // File mode flags nothing when the MAD is 0. If the sketch cannot rule out a positive MAD, every
    // value within its widest fences is uncertain (the safe interval is empty), else nothing is checked.
    const open = f.rankError > 0 && f.madBracket[1] > 0;
    return {
      ...base,
      safeLow: open ? Infinity : -Infinity,
      safeHigh: open ? -Infinity : Infinity,
      flagged: () => false,
      uncertain: open ? band : undefined,
      reference: { count: 0, bounds: [0, 0] },
      properties: { ...shared, params: { median, mad }, param_brackets: { median: f.medianBracket, mad: f.madBracket } },
      rankError: f.rankError,
    };
  }
  return {
    ...base,
    safeLow,
    safeHigh,
    flagged: (v) => Math.abs((MAD_CONSISTENCY * (v - median)) / mad) > t,
    uncertain: band,
    reference: referenceOutside(c, sketch, f.low, f.high),
    properties: { ...shared, params: { median, mad }, param_brackets: { median: f.medianBracket, mad: f.madBracket } },
    rankError: f.rankError,
  };
}

/** Applies one outlier screen to a column of a batch. */
function screenColumn(screen: OutlierScreen, chunk: ColumnChunk, batch: RowBatch): void {
  const { kinds, numbers } = chunk;
  const { safeLow, safeHigh } = screen;
  for (let i = 0; i < batch.length; i++) {
    const v = numbers[i] as number;
    // NaN fails both comparisons, so only real numbers outside the safe interval go further.
    if (!(v <= safeLow || v >= safeHigh)) continue;
    const kind = kinds[i];
    if (kind !== CellKind.Integer && kind !== CellKind.Float) continue;
    const row = batch.rows[i] as number;
    if (screen.flagged(v)) screen.rows.add(batch.file, row, batch.lines[i] as number);
    if (screen.uncertain?.(v)) {
      let g = screen.uncertainRows.get(batch.file);
      if (!g) {
        g = { rows: [], total: 0 };
        screen.uncertainRows.set(batch.file, g);
      }
      g.total++;
      if (g.rows.length < MAX_LISTED_ROWS) g.rows.push(row);
    }
  }
}

/** Batch rows the label-flip check scores at most (about a microsecond each); past it, a deterministic sample. */
const LABEL_FLIP_MAX_ROWS = 2_000_000;


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
  const profile = readProfileLean(
    refPath,
    shown,
    (bytes, start, end) => refHashes.addHex(bytes, start, end),
    (bytes, start, end) => refKeys.addHex(bytes, start, end),
    (p) => {
      // Sized once from the row count (growing by doubling held both copies for a moment), but never
      // past what the file can hold (a hash takes 67 bytes of it, a key 19): a damaged count cannot
      // make the gate allocate what is not there.
      const bytes = statSync(refPath).size;
      const rows = Number.isSafeInteger(p.rows) && p.rows > 0 ? p.rows : 0;
      refHashes.reserve(Math.min(rows, Math.ceil(bytes / 67)));
      refKeys = new RowKeySet(Math.min(rows, Math.ceil(bytes / 19)));
    },
  );
  refHashes.seal();
  const contract = options.contract ? loadContract(options.contract, workspaceRelative(ctx.workspace, options.contract)) : contractOf(profile);
  const checker = new ContractChecker(contract);
  const ids = new Set(options.idColumns ?? profile.columns.map((c) => c.name).filter(isIdName));
  const label = pickLabelColumn(profile.columns.map((c) => c.name), options.labelColumn);
  const roles = new Map(profile.columns.map((c) => [c.name, roleOf(c, ids)]));

  // Outlier rules fitted on the reference profile: z-score from the moments, IQR and MAD from the
  // quantile sketch (each fence with its bracket), skipped where file mode skips them.
  const screens: OutlierScreen[] = [];
  const sketchless: string[] = [];
  const refSketches = new Map<string, KllSketch>();
  for (const c of profile.columns) {
    const sketch = columnQuantiles(c, shown);
    if (sketch) refSketches.set(c.name, sketch);
    else if (c.moments.n > 0 && roles.get(c.name) === 'numeric') sketchless.push(c.name);
  }
  if (options.outliers.method !== 'none') {
    for (const c of profile.columns) {
      if (roles.get(c.name) !== 'numeric' || c.name === label || c.moments.n === 0) continue;
      const distinct = columnDistinct(c, shown);
      if (distinct && distinct.estimate < MIN_DISTINCT) continue;
      const screen = fitScreen(c, refSketches.get(c.name), options.outliers);
      if (screen) screens.push(screen);
    }
  }
  // The reference's fast row keys screen every batch row, and a hit is confirmed on the full SHA-256, so
  // only candidate copies pay for SHA-256. Older profiles have no keys: there the 64-bit prefixes of the
  // SHA-256 hashes screen (`refKeys` rebuilt from them), and every row is hashed with SHA-256.
  // The reference's fast row keys screen every batch row, and a hit is confirmed on the full SHA-256, so
  // only candidate copies pay for SHA-256. Older profiles: recipe v1 keys (batch rows keyed by v1 too),
  // or no keys, where the 64-bit prefixes of the SHA-256 hashes screen and every row is hashed.
  const truncated = profile.rowHashesTruncated;
  const kind = truncated ? 'none' : profile.rowKeys === undefined ? 'hashes' : profile.rowKeyRecipe === ROW_KEY_RECIPE ? 'v2' : 'v1';
  if (kind === 'hashes') refKeys = refHashes.prefixKeys(new RowKeySet(refHashes.size));
  const estimatedRows = estimateRowCount(options.current as string, ctx.limits.maxEntries);
  const rowScreen = new RowScreen(kind === 'none' ? { kind } : { kind, keys: refKeys, hashes: refHashes }, profile.hashColumns, estimatedRows);
  const text = new TextInjectionScanner();
  const batchProfile = new ProfileBuilder({ idColumns: [...ids], hashRows: false, labelModel: false });
  // Label flips, scored with the reference's label model when the profile has one for this label.
  let flips: LabelFlipScanner | undefined;
  if (options.poisoning && profile.labelModel) {
    if (label === undefined || profile.labelModel.labelColumn === label) {
      const rate = Math.min(1, LABEL_FLIP_MAX_ROWS / Math.max(estimatedRows, 1));
      flips = new LabelFlipScanner(LabelModel.fromJSON(profile.labelModel, shown), { sampleRate: rate });
    } else {
      notes.push(`label flips not checked: the profile's label model is for '${profile.labelModel.labelColumn}', the label column here is '${label}'`);
    }
  } else if (options.poisoning && label !== undefined) {
    notes.push('label flips not checked: the profile has no label model (profile the reference again with this aisec version, with its label column)');
  }

  const started = performance.now();
  const reader = readTable(options.current as string, options.read, ctx);
  for await (const batch of reader) {
    if (ctx.signal.aborted) throw new UserError('cancelled');
    checker.push(batch);
    batchProfile.push(batch);
    if (options.poisoning) text.push(batch);
    flips?.push(batch);
    rowScreen.push(batch);
    // Outliers column by column: a tight loop of two comparisons per cell; the rule itself runs only
    // on the few cells outside the safe interval.
    for (const screen of screens) {
      const chunk = batch.data.find((d) => d.name === screen.column);
      if (chunk) screenColumn(screen, chunk, batch);
    }
    // Every check above is done with the batch and keeps none of its arrays.
    recycleBatch(batch);
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
      // The sketches' KS: D within ±error. The decision takes whichever estimate brackets D more
      // narrowly (ks_profile's interval is [D, D + error], ks_sketch's [D − error, D + error]).
      let test = 'ks_profile';
      let ksPvalue = pvalue;
      const refSketch = refSketches.get(c.name);
      const curSketch = batchProfile.columnSketches(c.name)?.quantiles;
      if (refSketch && curSketch && curSketch.n > 0) {
        // Two exact sketches hold every value: then it is SciPy's ks_2samp itself (exact or asymptotic
        // p-value as method='auto' picks); otherwise the sketches' D with the asymptotic p-value.
        const both = refSketch.isExact && curSketch.isExact ? ks2sampSorted(refSketch.sortedView().values, curSketch.sortedView().values) : undefined;
        const k = both ? { statistic: both.statistic, error: 0 } : sketchKs(refSketch, curSketch);
        const kp = both ? both.pvalue : ksAsympPvalue(c.moments.n, cur.moments.n, k.statistic);
        set('ks_sketch', k.statistic, k.error);
        metrics[`drift.${c.name}.ks_sketch.pvalue`] = kp;
        if (2 * k.error < d.ksError) {
          test = 'ks_sketch';
          ksPvalue = kp;
        }
      }
      const effect = d.wasserstein / std0;
      const drift = large(c.moments.n, cur.moments.n) ? effect >= (options.drift.effectThreshold ?? 0.1) : ksPvalue < (options.drift.alpha ?? 0.05);
      rows.push({ column: c.name, kind: 'numeric', drift, nRef: c.moments.n, nCur: cur.moments.n, test, pvalue: ksPvalue, effectSizeName: 'wasserstein_norm', effectSize: effect });
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

  // Distinct non-null values: exact while the category counts are complete, otherwise HyperLogLog
  // (error: three standard errors, about 99.7%).
  for (const c of profile.columns) {
    const ref = columnDistinct(c, shown);
    if (ref) {
      metrics[`profile.${c.name}.distinct`] = ref.estimate;
      metrics[`profile.${c.name}.distinct_error`] = ref.error;
    }
    const cur = currentColumns.get(c.name);
    const now = cur && columnDistinct(cur);
    if (now) {
      metrics[`profile.${c.name}.distinct_current`] = now.estimate;
      metrics[`profile.${c.name}.distinct_current_error`] = now.error;
    }
  }
  if (profile.version < 2) {
    notes.push('the reference profile is version 1 (written before quantile and distinct-count sketches): IQR and MAD outliers, drift.<column>.ks_sketch and the distinct counts of columns past maxCategories were not computed; profile the reference again with this aisec for them');
  }

  const o = options.outliers;
  for (const screen of screens) {
    const name = screen.column;
    const nCur = currentColumns.get(name)?.moments.n ?? 0;
    const total = screen.rows.total;
    metrics[`outliers.${name}.${o.method}.count`] = total;
    // File mode's excess test, against the most the reference can have (the upper bound), so that an
    // estimate's error never makes a finding medium.
    const [refLow, refHigh] = screen.reference.bounds;
    const referenceCount = screen.reference.count;
    const excess = binomialTail(total, nCur, Math.min(Math.max(refHigh, 1) / Math.max(screen.nReference, 1), 1));
    const severity = excess < 0.001 ? 'medium' : 'info';
    if (referenceCount !== undefined) metrics[`outliers.${name}.${o.method}.reference_count`] = referenceCount;
    metrics[`outliers.${name}.${o.method}.reference_count_max`] = refHigh;
    if (screen.rankError !== undefined) {
      metrics[`outliers.${name}.${o.method}.rank_error`] = screen.rankError;
      metrics[`outliers.${name}.${o.method}.uncertain`] = [...screen.uncertainRows.values()].reduce((n, g) => n + g.total, 0);
    }
    const rule = o.method === 'zscore' ? `beyond ${o.zThreshold} standard deviations of` : o.method === 'iqr' ? `outside ${o.iqrFactor}×IQR of` : `beyond MAD score ${o.madThreshold} of`;
    findings.push(
      ...screen.rows.findings((g) => {
        const unsure = screen.uncertainRows.get(g.file);
        return {
          ruleId: RULE_OUTLIER_ROWS,
          severity,
          message: `${g.total} row${g.total === 1 ? '' : 's'} of '${name}' ${rule} the reference profile (rows ${firstRows(g.rows)}); the reference itself has ${refLow === refHigh ? refLow : `${refLow} to ${refHigh}`} of ${screen.nReference}`,
          location: { path: g.file },
          evidence: `outliers ${name} ${o.method}`,
          properties: {
            column: name,
            method: o.method,
            fitted_on: 'reference-profile',
            ...(referenceCount === undefined ? {} : { reference_count: referenceCount }),
            reference_count_bounds: [refLow, refHigh],
            excess_pvalue: excess,
            ...screen.properties,
            ...(screen.uncertain ? { uncertain_rows: unsure?.rows ?? [], uncertain_rows_total: unsure?.total ?? 0 } : {}),
          },
        };
      }),
    );
  }
  if (sketchless.length > 0 && profile.version >= 2) {
    const skipped = o.method === 'iqr' || o.method === 'mad' ? `drift.<column>.ks_sketch and ${o.method} outliers were` : 'drift.<column>.ks_sketch was';
    notes.push(`the reference profile has no quantile sketch for ${sketchless.join(', ')} (written before profile version 2, or merged with such a profile): ${skipped} not computed there; profile the reference again with this aisec`);
  }
  if (o.method !== 'none' && o.fit === 'current') notes.push('outliers fitted on the batch need a second pass over it: against a profile they are fitted on the reference profile');

  const { within, copied } = rowScreen;
  metrics['duplicates.within'] = within.total;
  findings.push(...within.findings((g) => ({ ruleId: RULE_DUPLICATE_ROWS, severity: 'medium', message: `${g.total} row${g.total === 1 ? '' : 's'} repeat an earlier row of the batch (rows ${firstRows(g.rows)})`, location: { path: g.file }, evidence: 'duplicates within batch' })));
  if (rowScreen.seenCapped) notes.push(`the batch has more than ${MAX_BATCH_HASHES} distinct rows: later rows were checked against the first ${MAX_BATCH_HASHES} only, so duplicates among later rows were not all found`);
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
      const driftedFeatures = rows.filter((r) => r.drift && r.column !== label && roles.get(r.column) !== 'id').map((r) => r.column);
      const shift = labelShiftFromCounts(lp.name, refCounts, curCounts, driftedFeatures, reader.files[0] ?? '.');
      findings.push(...shift.findings);
      Object.assign(metrics, shift.metrics);
    }
    const t = text.finish();
    findings.push(...t.findings);
    Object.assign(metrics, t.metrics);
    const f = flips?.finish();
    if (f) {
      findings.push(...f.findings);
      Object.assign(metrics, f.metrics);
      notes.push(...f.notes);
    }
  }
  notes.push(NEEDS_RAW_REFERENCE);
  return buildReport({ gate: 'data-gate', version: '0.1.0', findings, metrics, timings, notes }, DATA_GATE_RULES);
}
