import {
  andersonKsamp,
  binCategories,
  binEvidentlyNumeric,
  binRefDeciles,
  categoricalProfile,
  charLength,
  chi2Contingency,
  chisquareEvidently,
  countValues,
  cramerVonMises2samp,
  datasetDrift,
  dropNulls,
  duplicatesWithin,
  energyDistance,
  evidentlyCategoricalDrift,
  evidentlyNumericDrift,
  fitOutlierParams,
  iqrOutliers,
  jensenShannon,
  klDivergence,
  ks2samp,
  ksAsympPvalue,
  ksKolmogorovLimitPvalue,
  ksStatistic,
  lengthKs,
  lInfinity,
  madOutliers,
  mannWhitneyU,
  mean,
  normalizedWasserstein,
  numericProfile,
  oovRate,
  proportionsZTest,
  psi,
  rowHash,
  rowsFoundIn,
  sortedCopy,
  std,
  textLengthStats,
  TOKENIZER_DESCRIPTION,
  totalVariation,
  tTestInd,
  wasserstein1,
  zScoreOutliers,
  type BinnedCounts,
  type KsResult,
  type OutlierParams,
} from '../../../packages/data-gate/src/stats/index';
import { column, numericCells, stringCells, type Column, type Table } from './shared-table';

/**
 * Runs the statistics engine over a reference/current pair and lays the results out the way the
 * shared reference JSONs do, so a test can compare the two trees leaf by leaf. The choices of which
 * statistics apply to which column (numeric, few-valued, categorical, free text) are the harness's;
 * every number comes from the engine.
 */
export type Tree = { [key: string]: Json };
export type Json = number | string | boolean | null | Json[] | Tree;

/** Python's repr of a float, which the reference uses for numeric category keys ('1.0', '13.0'). */
export function pyFloatRepr(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1);
  return String(v);
}

function pyNumber(v: number): Json {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return v;
}

const FEW_VALUES = 5;

function isText(col: Column): boolean {
  const values = stringCells(col).filter((v): v is string => v !== null);
  return values.length > 0 && new Set(values).size > values.length / 2;
}

function ksTree(ref: Float64Array, cur: Float64Array, r: KsResult): Tree {
  const exact = ks2samp(ref, cur, { method: 'exact' });
  const raw = ksStatistic(sortedCopy(ref), sortedCopy(cur));
  return {
    statistic: r.statistic,
    pvalue_auto: r.pvalue,
    method_auto: r.method,
    statistic_location: r.statisticLocation,
    statistic_sign: r.statisticSign,
    pvalue_asymp: ksAsympPvalue(ref.length, cur.length, raw.d),
    pvalue_exact: exact.pvalue,
    pvalue_kolmogorov_limit: ksKolmogorovLimitPvalue(raw.d, ref.length, cur.length),
    en: r.en,
  };
}

function binnedTree(b: BinnedCounts, keys?: string[]): Tree {
  const t: Tree = {
    mode: b.mode,
    ref_counts: b.refCounts,
    cur_counts: b.curCounts,
    psi: psi(b.refCounts, b.curCounts),
    kl_div: klDivergence(b.refCounts, b.curCounts),
    js_distance_e: jensenShannon(b.refCounts, b.curCounts),
    js_distance_2: jensenShannon(b.refCounts, b.curCounts, 2),
    js_divergence_2: jensenShannon(b.refCounts, b.curCounts, 2) ** 2,
  };
  if (b.edges) t.edges = b.edges.map(pyNumber);
  if (keys) t.keys = keys;
  return t;
}

function categoryTests(b: BinnedCounts, keys: string[]): Tree {
  const chi = chisquareEvidently(b.refCounts, b.curCounts);
  const con = chi2Contingency(b.refCounts, b.curCounts);
  const t: Tree = {
    chisquare_evidently: { statistic: pyNumber(chi.statistic), pvalue: chi.pvalue, dof: chi.dof },
    chi2_contingency: { statistic: con.statistic, pvalue: con.pvalue, dof: con.dof },
  };
  return Object.assign(t, { keysUsed: keys.length });
}

function categoricalDistances(b: BinnedCounts, keys: string[]): Tree {
  const linf = lInfinity(keys, b.refCounts, b.curCounts);
  const t: Tree = { linf: { value: linf.value, key: linf.key ?? null }, tvd: totalVariation(b.refCounts, b.curCounts) };
  if (keys.length === 2) {
    const z = proportionsZTest([b.refCounts[0] ?? 0, b.refCounts[1] ?? 0], [b.curCounts[0] ?? 0, b.curCounts[1] ?? 0]);
    t.z_test = { z: z.z, pvalue: z.pvalue };
  }
  return t;
}

function withoutHelper(t: Tree): Tree {
  const { keysUsed: _ignored, ...rest } = t;
  return rest;
}

function numericDrift(refCol: Column, curCol: Column): Tree {
  const ref = dropNulls(numericCells(refCol));
  const cur = dropNulls(numericCells(curCol));
  const ks = ks2samp(ref, cur);
  const w1 = wasserstein1(ref, cur);
  const refStd0 = std(ref, 0);
  const evid = binEvidentlyNumeric(ref, cur);
  const nUnique = new Set([...ref, ...cur]).size;
  const anderson = andersonKsamp([ref, cur]);
  const cvm = cramerVonMises2samp(ref, cur);
  const mwu = mannWhitneyU(ref, cur);
  const student = tTestInd(ref, cur, true);
  const welch = tTestInd(ref, cur, false);
  const evidKeys = evid.mode === 'categories' ? (evid.keys ?? []).map((k) => pyFloatRepr(Number(k))) : undefined;
  const t: Tree = {
    n_ref: ref.length,
    n_cur: cur.length,
    ks: ksTree(ref, cur, ks),
    wasserstein: { distance: w1, ref_std_ddof0: refStd0, normed: normalizedWasserstein(w1, refStd0) },
    binned_evidently: binnedTree(evid, evidKeys),
    binned_ref_deciles: binnedTree(binRefDeciles(ref, cur)),
    anderson_ksamp: {
      statistic: anderson.statistic,
      significance_level: anderson.significanceLevel,
      critical_values: anderson.criticalValues,
    },
    cramervonmises_2samp: { statistic: cvm.statistic, pvalue: cvm.pvalue },
    mannwhitneyu: { statistic: mwu.statistic, pvalue: mwu.pvalue },
    ttest_ind: { statistic: student.statistic, pvalue: student.pvalue },
    welch_ttest: { statistic: welch.statistic, pvalue: welch.pvalue },
    energy_distance: energyDistance(ref, cur),
    n_unique_ref_cur: nUnique,
  };
  if (nUnique <= FEW_VALUES && evid.mode === 'categories') {
    Object.assign(t, withoutHelper(categoryTests(evid, evidKeys ?? [])));
    if (nUnique === 2) t.z_test = categoricalDistances(evid, evidKeys ?? []).z_test ?? null;
  }
  return t;
}

function categoricalDrift(refValues: string[], curValues: string[], formatKey: (k: string) => string = (k) => k): Tree {
  const b = binCategories(countValues(refValues), countValues(curValues));
  const keys = (b.keys ?? []).map((k) => formatKey(String(k)));
  return {
    n_ref: refValues.length,
    n_cur: curValues.length,
    binned: binnedTree(b, keys),
    ...withoutHelper(categoryTests(b, keys)),
    ...categoricalDistances(b, keys),
    n_unique_ref_cur: keys.length,
  };
}

function lengths(xs: string[]): Float64Array {
  return Float64Array.from(xs, charLength);
}

function asKey(c: Column): string[] {
  return c.cells.filter((v) => v !== null).map((v) => String(v));
}

function textDrift(refCol: Column, curCol: Column): Tree {
  const ref = stringCells(refCol).filter((v): v is string => v !== null);
  const cur = stringCells(curCol).filter((v): v is string => v !== null);
  const r = lengthKs(ref, cur);
  return {
    length_chars_ks: ksTree(lengths(ref), lengths(cur), r),
    oov_rate: oovRate(ref, cur),
    tokenizer: TOKENIZER_DESCRIPTION,
  };
}

function profileTree(col: Column): Tree {
  if (col.kind === 'numeric') {
    const p = numericProfile(numericCells(col));
    const quantiles: Tree = {};
    for (const [q, v] of p.quantiles) quantiles[String(q)] = v;
    return {
      count: p.count,
      null_count: p.nullCount,
      n_unique: p.nUnique,
      mean: p.mean,
      std: p.std,
      min: p.min,
      max: p.max,
      sum: p.sum,
      quantiles,
    };
  }
  const values = stringCells(col);
  const p = categoricalProfile(values);
  const t: Tree = { count: p.count, null_count: p.nullCount, n_unique: p.nUnique, top: p.top };
  if (isText(col)) {
    const len = textLengthStats(values);
    t.text_len_mean = len.mean;
    t.text_len_max = len.max;
  }
  return t;
}

function paramsTree(p: OutlierParams): Tree {
  return { mean: p.mean, std_ddof0: p.stdDdof0, q1: p.q1, q3: p.q3, median: p.median, mad: p.mad };
}

function outlierSet(values: Float64Array, p: OutlierParams): Tree {
  const z = zScoreOutliers(values, p);
  const iqr = iqrOutliers(values, p);
  const mad = madOutliers(values, p);
  return {
    zscore: { count: z.length, indices: z },
    iqr: { count: iqr.length, indices: iqr },
    mad: { count: mad.length, indices: mad },
  };
}

const NOT_FEATURES = new Set(['id']);

export function computeScenario(refTable: Table, curTable: Table): Tree {
  const profiles: Tree = { reference: {}, current: {} };
  for (const [side, table] of [['reference', refTable], ['current', curTable]] as const) {
    const out: Tree = {};
    for (const col of table.columns) out[col.name] = profileTree(col);
    profiles[side] = out;
  }

  const drift: Tree = {};
  const evidentlyColumns: Tree = {};
  const driftFlags: boolean[] = [];
  const outliers: Tree = {};
  for (const refCol of refTable.columns) {
    if (NOT_FEATURES.has(refCol.name)) continue;
    const curCol = column(curTable, refCol.name);
    if (!curCol) continue;
    if (refCol.kind !== curCol.kind) {
      drift[refCol.name] = { skipped: 'type mismatch between reference and current' };
    } else if (refCol.kind === 'numeric') {
      drift[refCol.name] = numericDrift(refCol, curCol);
      const e = evidentlyNumericDrift(dropNulls(numericCells(refCol)), dropNulls(numericCells(curCol)));
      evidentlyColumns[refCol.name] = { test: e.test, threshold: e.threshold, score: e.score, drift: e.drift };
      driftFlags.push(e.drift);
    } else if (isText(refCol)) {
      drift[refCol.name] = textDrift(refCol, curCol);
    } else {
      const ref = stringCells(refCol).filter((v): v is string => v !== null);
      const cur = stringCells(curCol).filter((v): v is string => v !== null);
      drift[refCol.name] = categoricalDrift(ref, cur);
      const e = evidentlyCategoricalDrift(ref, cur);
      evidentlyColumns[refCol.name] = { test: e.test, threshold: e.threshold, score: e.score, drift: e.drift };
      driftFlags.push(e.drift);
    }

    if (refCol.kind === 'numeric' && new Set(dropNulls(numericCells(refCol))).size > FEW_VALUES) {
      if (curCol.kind !== 'numeric') {
        outliers[refCol.name] = { skipped: 'not numeric in both files' };
      } else {
        const refParams = fitOutlierParams(numericCells(refCol));
        const cur = numericCells(curCol);
        const curParams = fitOutlierParams(cur);
        outliers[refCol.name] = {
          ref_params: paramsTree(refParams),
          cur_params: paramsTree(curParams),
          current_self: outlierSet(cur, curParams),
          current_ref_fitted: outlierSet(cur, refParams),
        };
      }
    }
  }
  const ds = datasetDrift(driftFlags);

  const keyColumns = refTable.columns.map((c) => c.name).filter((n) => !NOT_FEATURES.has(n) && column(curTable, n));
  const hashesOf = (table: Table): string[] => {
    const cols = keyColumns.map((n) => column(table, n));
    return Array.from({ length: table.rows }, (_, i) => rowHash(cols.map((c) => (c ? (c.cells[i] ?? null) : null))));
  };
  const curHashes = hashesOf(curTable);
  const dupes = duplicatesWithin(curHashes);
  const copied = rowsFoundIn(curHashes, new Set(hashesOf(refTable)));

  const poisoning: Tree = {
    key_columns: keyColumns,
    duplicates_within_current: { count: dupes.length, indices: dupes },
    current_rows_in_reference: { count: copied.length, indices: copied },
  };
  const refLabel = column(refTable, 'label');
  const curLabel = column(curTable, 'label');
  if (refLabel && curLabel) {
    const { n_unique_ref_cur: _unused, ...labelDrift } = categoricalDrift(asKey(refLabel), asKey(curLabel));
    poisoning.label = labelDrift;
    const refX = column(refTable, 'x_norm');
    const curX = column(curTable, 'x_norm');
    if (refX && curX) {
      const byLabel: Tree = {};
      const labels = [...new Set(asKey(refLabel))].sort();
      for (const label of labels) {
        const pick = (x: Column, l: Column): Float64Array =>
          dropNulls(Float64Array.from(x.cells.map((v, i) => (String(l.cells[i]) === label && typeof v === 'number' ? v : NaN))));
        const r = pick(refX, refLabel);
        const c = pick(curX, curLabel);
        const ks = ks2samp(r, c);
        byLabel[label] = { n_ref: r.length, n_cur: c.length, mean_ref: mean(r), mean_cur: mean(c), ks_statistic: ks.statistic, ks_pvalue_auto: ks.pvalue };
      }
      poisoning.x_norm_given_label = byLabel;
    }
  }

  return {
    profiles,
    drift,
    evidently_default: {
      columns: evidentlyColumns,
      n_columns: ds.nColumns,
      n_drifted: ds.nDrifted,
      share: ds.share,
      dataset_drift: ds.datasetDrift,
    },
    outliers,
    poisoning,
  };
}
