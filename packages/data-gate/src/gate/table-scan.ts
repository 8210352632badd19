import { CancelledError } from '@aisec/core';
import { type Cell, CellKind, type ColumnType, type ReadProblem, type RowBatch, type TableReader } from '../readers/index';

/**
 * One side (reference or current) of a file-against-file comparison, held column by column in typed
 * arrays, row-aligned: the exact statistics (KS, Anderson-Darling, Wasserstein, quantile-fitted
 * outliers) need every value, and the poisoning signals need rows side by side. About 9 bytes per
 * numeric cell plus the strings of text cells; the profile mode is the bounded alternative.
 */
export interface ScannedColumn {
  readonly name: string;
  /** CellKind per row (Null for rows of files that lack the column). */
  kinds: Uint8Array;
  /** The number of Integer/Float cells (1/0 for booleans), NaN otherwise. */
  numbers: Float64Array;
  /** The text of Text cells, null otherwise. */
  texts: (string | null)[];
}

export interface ScannedTable {
  /** Workspace-relative files, in reading order. */
  files: readonly string[];
  rows: number;
  /** Column names in order of first appearance. */
  columns: string[];
  types: Record<string, ColumnType>;
  byName: Map<string, ScannedColumn>;
  /** Per table row: index into `files`, 0-based data row in that file, 1-based line (0 if unknown). */
  fileIndex: Uint32Array;
  fileRow: Float64Array;
  lines: Float64Array;
  problems: ReadProblem[];
}

/** Where a table row lives: its file, its row in that file and the line the row starts on. */
export interface RowPlace {
  file: string;
  row: number;
  line: number;
}

export function placeOf(table: ScannedTable, tableRow: number): RowPlace {
  return {
    file: table.files[table.fileIndex[tableRow] as number] as string,
    row: table.fileRow[tableRow] as number,
    line: table.lines[tableRow] as number,
  };
}

export function cellAt(column: ScannedColumn, row: number): Cell {
  switch (column.kinds[row]) {
    case CellKind.Integer:
    case CellKind.Float:
      return column.numbers[row] as number;
    case CellKind.Boolean:
      return column.numbers[row] === 1;
    case CellKind.Text:
      return column.texts[row] ?? '';
    default:
      return null;
  }
}

/** The category key of a cell, as the readers' countCategories makes it (numbers by value). */
export function categoryKeyAt(column: ScannedColumn, row: number): string | null {
  const kind = column.kinds[row];
  if (kind === CellKind.Null || kind === undefined) return null;
  if (kind === CellKind.Text) return column.texts[row] ?? '';
  if (kind === CellKind.Boolean) return String(column.numbers[row] === 1);
  return String(column.numbers[row]);
}

function grow<T extends Uint8Array | Float64Array | Uint32Array>(a: T, need: number, make: (n: number) => T, fill?: number): T {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2, 1024));
  b.set(a);
  if (fill !== undefined) b.fill(fill, a.length);
  return b;
}

/** Reads every batch of `reader` into memory, calling `onBatch` on each as it passes (contract checks, inference). */
export async function scanTable(reader: TableReader, signal: AbortSignal | undefined, onBatch?: (batch: RowBatch) => void): Promise<ScannedTable> {
  const fileIds = new Map<string, number>();
  const files: string[] = [];
  const byName = new Map<string, ScannedColumn>();
  const columns: string[] = [];
  let capacity = 0;
  let rows = 0;
  let fileIndex = new Uint32Array(0);
  let fileRow = new Float64Array(0);
  let lines = new Float64Array(0);

  const ensure = (need: number): void => {
    if (need <= capacity) return;
    const cap = Math.max(need, capacity * 2, 1024);
    fileIndex = grow(fileIndex, cap, (n) => new Uint32Array(n));
    fileRow = grow(fileRow, cap, (n) => new Float64Array(n));
    lines = grow(lines, cap, (n) => new Float64Array(n));
    for (const c of byName.values()) {
      c.kinds = grow(c.kinds, cap, (n) => new Uint8Array(n));
      c.numbers = grow(c.numbers, cap, (n) => new Float64Array(n), Number.NaN);
    }
    capacity = cap;
  };

  for await (const batch of reader) {
    if (signal?.aborted) throw new CancelledError();
    onBatch?.(batch);
    let fid = fileIds.get(batch.file);
    if (fid === undefined) {
      fid = files.length;
      fileIds.set(batch.file, fid);
      files.push(batch.file);
    }
    ensure(rows + batch.length);
    for (const chunk of batch.data) {
      let col = byName.get(chunk.name);
      if (!col) {
        // A column first seen here (JSON Lines keys, a later shard): earlier rows are null.
        col = { name: chunk.name, kinds: new Uint8Array(capacity), numbers: new Float64Array(capacity).fill(Number.NaN), texts: Array.from({ length: rows }, (): string | null => null) };
        byName.set(chunk.name, col);
        columns.push(chunk.name);
      }
      for (let i = 0; i < batch.length; i++) {
        const kind = chunk.kinds[i] as CellKind;
        col.kinds[rows + i] = kind;
        col.numbers[rows + i] = kind === CellKind.Text || kind === CellKind.Null ? Number.NaN : (chunk.numbers[i] as number);
        col.texts.push(kind === CellKind.Text ? (chunk.texts[i] ?? '') : null);
      }
    }
    // Columns this batch lacks stay null for its rows (kinds 0, NaN already there).
    for (const col of byName.values()) if (col.texts.length < rows + batch.length) while (col.texts.length < rows + batch.length) col.texts.push(null);
    for (let i = 0; i < batch.length; i++) {
      fileIndex[rows + i] = fid;
      fileRow[rows + i] = batch.rows[i] as number;
      lines[rows + i] = batch.lines[i] as number;
    }
    rows += batch.length;
  }
  for (const c of byName.values()) {
    c.kinds = c.kinds.subarray(0, rows);
    c.numbers = c.numbers.subarray(0, rows);
  }
  return {
    files,
    rows,
    columns,
    types: reader.types(),
    byName,
    fileIndex: fileIndex.subarray(0, rows),
    fileRow: fileRow.subarray(0, rows),
    lines: lines.subarray(0, rows),
    problems: reader.problems(),
  };
}

/** Non-null numbers of a column (nulls, text and NaN dropped), optionally only at `rows`. */
export function numbersOf(column: ScannedColumn, rows?: readonly number[]): Float64Array {
  const out: number[] = [];
  const take = (i: number): void => {
    const k = column.kinds[i];
    if (k !== CellKind.Integer && k !== CellKind.Float) return;
    const v = column.numbers[i] as number;
    if (!Number.isNaN(v)) out.push(v);
  };
  if (rows) for (const i of rows) take(i);
  else for (let i = 0; i < column.kinds.length; i++) take(i);
  return Float64Array.from(out);
}

/** Category counts of a column (non-null cells), keys as categoryKeyAt makes them. */
export function categoryCounts(column: ScannedColumn): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < column.kinds.length; i++) {
    const key = categoryKeyAt(column, i);
    if (key !== null) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
