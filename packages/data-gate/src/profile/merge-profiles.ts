import { UserError } from '@aisec/core';
import { HyperLogLog, KllSketch } from '../sketch/index';
import type { MomentsState } from '../stats/index';
import { type ColumnProfile, type DataProfile, PROFILE_VERSION } from './profile-format';
import { mergeLabelModelJson } from '../poisoning/label-model-merge';

/** Chan, Golub and LeVeque's pairwise update: exact to rounding, in any order. */
export function mergeMoments(a: MomentsState, b: MomentsState): MomentsState {
  if (b.n === 0) return { ...a, nulls: a.nulls + b.nulls };
  if (a.n === 0) return { ...b, nulls: a.nulls + b.nulls };
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  return {
    n,
    mean: a.mean + (delta * b.n) / n,
    m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    sum: a.sum + b.sum,
    nulls: a.nulls + b.nulls,
  };
}

function sortedRecord(m: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...m].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)));
}

/**
 * The union's quantile sketch. A side without the column or without numeric cells adds nothing; a
 * side with numeric cells but no sketch (a version 1 profile) leaves the result without one.
 */
function mergeQuantiles(a: ColumnProfile | undefined, b: ColumnProfile | undefined): ColumnProfile['quantileSketch'] {
  const sides = [a, b].filter((c): c is ColumnProfile => c !== undefined && c.moments.n > 0);
  if (sides.some((c) => c.quantileSketch === undefined)) return undefined;
  const [first, ...rest] = sides;
  if (!first) return undefined;
  const merged = KllSketch.fromJSON(first.quantileSketch);
  for (const c of rest) merged.merge(KllSketch.fromJSON(c.quantileSketch));
  return merged.toJSON();
}

/** The union's distinct-count sketch (exact: register maxima); absent when a side with the column has none. */
function mergeDistinct(a: ColumnProfile | undefined, b: ColumnProfile | undefined): ColumnProfile['distinctSketch'] {
  const sides = [a, b].filter((c): c is ColumnProfile => c !== undefined);
  if (sides.some((c) => c.distinctSketch === undefined)) return undefined;
  const [first, ...rest] = sides;
  if (!first) return undefined;
  let merged = HyperLogLog.fromJSON(first.distinctSketch);
  for (const c of rest) merged = merged.merge(HyperLogLog.fromJSON(c.distinctSketch));
  return merged.toJSON();
}

function mergeColumn(a: ColumnProfile | undefined, b: ColumnProfile | undefined, rowsA: number, rowsB: number, maxCategories: number): ColumnProfile {
  const name = (a ?? b)?.name ?? '';
  const empty: MomentsState = { n: 0, mean: Number.NaN, m2: 0, min: Number.NaN, max: Number.NaN, sum: 0, nulls: 0 };
  const hist = new Map<number, number>();
  for (const [bin, c] of [...(a?.histogram ?? []), ...(b?.histogram ?? [])]) hist.set(bin, (hist.get(bin) ?? 0) + c);
  const truncated = (a?.categoriesTruncated ?? false) || (b?.categoriesTruncated ?? false);
  const cats = new Map<string, number>();
  if (!truncated) for (const rec of [a?.categories ?? {}, b?.categories ?? {}]) for (const [k, c] of Object.entries(rec)) cats.set(k, (cats.get(k) ?? 0) + c);
  const over = cats.size > maxCategories;
  const quantileSketch = mergeQuantiles(a, b);
  const distinctSketch = mergeDistinct(a, b);
  return {
    name,
    kinds: (a?.kinds ?? 0) | (b?.kinds ?? 0),
    // A shard without the column has it null on every row.
    nulls: (a ? a.nulls : rowsA) + (b ? b.nulls : rowsB),
    moments: mergeMoments(a?.moments ?? empty, b?.moments ?? empty),
    histogram: [...hist].sort((x, y) => x[0] - y[0]),
    categories: truncated || over ? {} : sortedRecord(cats),
    categoriesTruncated: truncated || over,
    textCells: (a?.textCells ?? 0) + (b?.textCells ?? 0),
    ...(quantileSketch ? { quantileSketch } : {}),
    ...(distinctSketch ? { distinctSketch } : {}),
  };
}

function mergeTwo(a: DataProfile, b: DataProfile): DataProfile {
  if (a.hashColumns.join('\u0000') !== b.hashColumns.join('\u0000')) {
    throw new UserError(`profiles hash different columns ([${a.hashColumns.join(', ')}] vs [${b.hashColumns.join(', ')}]): shards of one table must share their columns`);
  }
  const maxCategories = Math.min(a.limits.maxCategories, b.limits.maxCategories);
  const maxRowHashes = Math.min(a.limits.maxRowHashes, b.limits.maxRowHashes);
  const names = [...a.columns.map((c) => c.name), ...b.columns.map((c) => c.name).filter((n) => !a.columns.some((c) => c.name === n))];
  const columns = names.map((n) =>
    mergeColumn(
      a.columns.find((c) => c.name === n),
      b.columns.find((c) => c.name === n),
      a.rows,
      b.rows,
      maxCategories,
    ),
  );
  const truncated = a.rowHashesTruncated || b.rowHashesTruncated;
  const hashes = truncated ? [] : [...new Set([...a.rowHashes, ...b.rowHashes])].sort();
  const over = hashes.length > maxRowHashes;
  // Keys of different recipes do not mix: the union is left without keys (the gate then screens on the
  // SHA-256 hashes' prefixes, slower but as exact).
  const recipe = a.rowKeyRecipe ?? 'aisec-rowkey/v1';
  const sameRecipe = recipe === (b.rowKeyRecipe ?? 'aisec-rowkey/v1');
  const keys = truncated || over || !a.rowKeys || !b.rowKeys || !sameRecipe ? undefined : [...new Set([...a.rowKeys, ...b.rowKeys])].sort();
  return {
    format: a.format,
    // Written in this version's layout; sketches a version 1 side lacked stay absent.
    version: PROFILE_VERSION,
    rows: a.rows + b.rows,
    files: [...new Set([...a.files, ...b.files])].sort(),
    columns,
    hashColumns: a.hashColumns,
    rowHashes: over ? [] : hashes,
    ...(keys ? { ...(a.rowKeyRecipe ? { rowKeyRecipe: a.rowKeyRecipe } : {}), rowKeys: keys } : {}),
    rowHashesTruncated: truncated || over,
    limits: { maxCategories, maxRowHashes },
    // Shards of one dataset share a label column; a shard without a model (or of another label)
    // leaves the whole without one, as a model of part of the data would misjudge the rest.
    ...(a.labelModel && b.labelModel && a.labelModel.labelColumn === b.labelModel.labelColumn ? { labelModel: mergeLabelModelJson(a.labelModel, b.labelModel) } : {}),
  };
}

/**
 * The profile of the union of the shards' rows. Counts, kinds, histograms, categories, hashes and
 * distinct-count sketches are exact in any order; moments agree with a single pass to rounding;
 * quantile sketches are the union's within their rank-error bound, and the same shards merged in the
 * same order give the same bytes. Column order: first appearance.
 */
export function mergeProfiles(profiles: readonly DataProfile[]): DataProfile {
  const [first, ...rest] = profiles;
  if (!first) throw new UserError('no profiles to merge');
  return rest.reduce(mergeTwo, first);
}
