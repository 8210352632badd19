import { UserError } from '@aisec/core';
import { type ColumnStats, LABEL_MODEL_FORMAT, LABEL_MODEL_LIMITS, LABEL_MODEL_VERSION, type LabelModelJson, OPTION_NAMES, type SampleRow } from './label-model-format';
import type { PairwiseJson } from './pairwise-comoments';

function fail(source: string, what: string): never {
  throw new UserError(`${source}: not a usable label model (${what})`, { file: source, hint: 'make the profile again with this version of aisec (`aisec data-gate profile`)' });
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => isNum(v) && v >= 0 && Number.isInteger(v);

function numberArray(v: unknown, length: number, check: (x: unknown) => boolean, source: string, what: string): number[] {
  if (!Array.isArray(v) || v.length !== length || !v.every(check)) fail(source, `${what} must be ${length} numbers`);
  return v as number[];
}

/** Checks every field a scanner relies on: the JSON comes from a file the user handed us. */
export function validateLabelModelJson(value: unknown, source: string): LabelModelJson {
  if (typeof value !== 'object' || value === null) fail(source, 'not an object');
  const v = value as Record<string, unknown>;
  if (v.format !== LABEL_MODEL_FORMAT) fail(source, `format is ${JSON.stringify(v.format)}, expected "${LABEL_MODEL_FORMAT}"`);
  if (v.version !== LABEL_MODEL_VERSION) fail(source, `version ${JSON.stringify(v.version)} is not ${LABEL_MODEL_VERSION}`);
  if (typeof v.labelColumn !== 'string') fail(source, 'labelColumn must be a string');
  if (!Array.isArray(v.exclude) || !v.exclude.every((x) => typeof x === 'string')) fail(source, 'exclude must be a list of column names');
  const opts = v.options as Record<string, unknown> | undefined;
  if (!opts || !OPTION_NAMES.every((k) => isCount(opts[k]) && opts[k] <= LABEL_MODEL_LIMITS[k])) {
    fail(source, `options must hold ${OPTION_NAMES.map((k) => `${k} (at most ${LABEL_MODEL_LIMITS[k]})`).join(', ')}`);
  }
  const options = { maxLabels: opts.maxLabels as number, maxCategories: opts.maxCategories as number, maxFeatures: opts.maxFeatures as number, sampleSize: opts.sampleSize as number, maxCorrelated: opts.maxCorrelated as number };
  if (!isCount(v.rows) || !isCount(v.unlabeledRows)) fail(source, 'rows and unlabeledRows must be counts');
  if (typeof v.labelOverflow !== 'boolean' || typeof v.featureOverflow !== 'boolean') fail(source, 'labelOverflow and featureOverflow must be booleans');
  if (!Array.isArray(v.labels) || !v.labels.every((x) => typeof x === 'string') || new Set(v.labels).size !== v.labels.length || v.labels.length > options.maxLabels) {
    fail(source, `labels must be at most ${options.maxLabels} distinct strings`);
  }
  const labels = v.labels;
  const L = labels.length;
  const labelCounts = numberArray(v.labelCounts, L, isCount, source, 'labelCounts');
  if (!Array.isArray(v.columns) || v.columns.length > options.maxFeatures) fail(source, `columns must be a list of at most ${options.maxFeatures}`);
  const columns: ColumnStats[] = v.columns.map((c: unknown, i: number) => {
    const col = c as Record<string, unknown> | null;
    const at = `columns[${i}]`;
    if (!col || typeof col.name !== 'string' || !isCount(col.numberCells) || !isCount(col.otherCells)) fail(source, `${at} needs name, numberCells and otherCells`);
    const n = col.numeric as Record<string, unknown> | undefined;
    if (!n) fail(source, `${at}.numeric is missing`);
    const numeric = { count: numberArray(n.count, L, isCount, source, `${at}.numeric.count`), mean: numberArray(n.mean, L, isNum, source, `${at}.numeric.mean`), m2: numberArray(n.m2, L, (x) => isNum(x) && x >= 0, source, `${at}.numeric.m2`) };
    const k = col.categories as Record<string, unknown> | undefined;
    if (!k || typeof k.overflow !== 'boolean' || !Array.isArray(k.keys) || !k.keys.every((x) => typeof x === 'string') || !Array.isArray(k.counts) || k.counts.length !== k.keys.length || k.keys.length > options.maxCategories) {
      fail(source, `${at}.categories must hold overflow, keys (at most ${options.maxCategories}) and one counts row per key`);
    }
    const counts = k.counts.map((row: unknown, r: number) => numberArray(row, L, isCount, source, `${at}.categories.counts[${r}]`));
    return { name: col.name, numberCells: col.numberCells, otherCells: col.otherCells, numeric, categories: { overflow: k.overflow, keys: k.keys, counts } };
  });
  const corr = v.correlation as Record<string, unknown> | undefined;
  if (!corr || !Array.isArray(corr.columns) || !corr.columns.every((x) => typeof x === 'string') || corr.columns.length > options.maxCorrelated || !Array.isArray(corr.labels) || corr.labels.length !== L) {
    fail(source, `correlation must hold at most ${options.maxCorrelated} columns and one table per label`);
  }
  const d = corr.columns.length;
  const correlation: PairwiseJson = {
    columns: corr.columns,
    labels: corr.labels.map((t: unknown, l: number) => {
      const at = `correlation.labels[${l}]`;
      const x = t as Record<string, unknown> | null;
      if (!x) fail(source, `${at} is missing`);
      return { n: numberArray(x.n, d * d, isCount, source, `${at}.n`), mean: numberArray(x.mean, d * d, isNum, source, `${at}.mean`), m2: numberArray(x.m2, d * d, (y) => isNum(y) && y >= 0, source, `${at}.m2`), c: numberArray(x.c, d * d, isNum, source, `${at}.c`) };
    }),
  };
  if (!Array.isArray(v.sample) || v.sample.length > options.sampleSize) fail(source, `sample must be a list of at most ${options.sampleSize} rows`);
  const labelSet = new Set(labels);
  const sample: SampleRow[] = v.sample.map((s: unknown, i: number) => {
    const row = s as Record<string, unknown> | null;
    if (!row || !isNum(row.key) || typeof row.label !== 'string' || !labelSet.has(row.label) || !Array.isArray(row.cells) || row.cells.length !== columns.length) {
      fail(source, `sample[${i}] needs key, a known label and ${columns.length} cells`);
    }
    if (!row.cells.every((x) => x === null || typeof x === 'string' || isNum(x))) fail(source, `sample[${i}].cells must be numbers, strings or null`);
    return { key: row.key, label: row.label, cells: row.cells as (number | string | null)[] };
  });
  return {
    format: LABEL_MODEL_FORMAT,
    version: LABEL_MODEL_VERSION,
    labelColumn: v.labelColumn,
    exclude: v.exclude,
    options,
    rows: v.rows,
    unlabeledRows: v.unlabeledRows,
    labelOverflow: v.labelOverflow,
    featureOverflow: v.featureOverflow,
    labels,
    labelCounts,
    columns,
    correlation,
    sample,
  };
}
