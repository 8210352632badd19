import { CellKind } from './cell';
import type { ColumnChunk } from './row-batch';

/**
 * The two views the statistics take of a column chunk, without per-row allocation: its numbers
 * (as a Float64Array, with the rows they came from) and its category counts.
 */
export interface NumericView {
  values: Float64Array;
  /** Index into the batch of each value (add the batch's `rows[i]` for the file row). */
  index: Uint32Array;
}

/**
 * Integer and Float cells, in row order. Nulls are dropped, as every statistic in the references
 * does first; NaN (a CSV `nan`, a Parquet NaN) is dropped too, as pandas treats it as missing.
 */
export function numericView(chunk: ColumnChunk): NumericView {
  const n = chunk.kinds.length;
  const values = new Float64Array(n);
  const index = new Uint32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const kind = chunk.kinds[i];
    if (kind !== CellKind.Integer && kind !== CellKind.Float) continue;
    const v = chunk.numbers[i] as number;
    if (Number.isNaN(v)) continue;
    values[k] = v;
    index[k] = i;
    k++;
  }
  return { values: values.subarray(0, k), index: index.subarray(0, k) };
}

/**
 * Adds the chunk's non-null cells to `counts`: text by its text, numbers by `String(value)` (so `5`,
 * `5.0` and a Parquet 5 are one category, as numbers compare as doubles in the references), booleans
 * as `true`/`false`.
 */
export function countCategories(chunk: ColumnChunk, counts: Map<string, number>): Map<string, number> {
  const n = chunk.kinds.length;
  for (let i = 0; i < n; i++) {
    const kind = chunk.kinds[i];
    if (kind === CellKind.Null) continue;
    const key = kind === CellKind.Text ? (chunk.texts[i] ?? '') : kind === CellKind.Boolean ? String(chunk.numbers[i] === 1) : String(chunk.numbers[i]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
