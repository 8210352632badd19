import { type Cell, CellKind } from './cell';

/**
 * One column of a batch, stored the way the statistics want it: numbers already in a Float64Array
 * (NaN where the cell is not a number), the kind of each cell, and the text of text cells.
 */
export interface ColumnChunk {
  readonly name: string;
  readonly kinds: Uint8Array;
  /** Integer and Float cells: the value; Boolean: 1 or 0; Null and Text: NaN. */
  readonly numbers: Float64Array;
  /**
   * Text cells: the string. Numbers and booleans: the JSON literal in JSON Lines; null in CSV and
   * Parquet (a CSV number is its value, as pandas reads it; making a string per numeric field was a
   * fifth of the CSV reader's time). Null cells: null. Use `String(number)` where a key is needed.
   */
  readonly texts: readonly (string | null)[];
  /**
   * Set by readers that intern repeated text (CSV): per cell, the id of its text in `dictionary`, the
   * same id for the same text in every batch that carries the same dictionary object; -1 where the cell
   * is not text or its text was not interned (free text past the interner's bounds). Code that keeps
   * state per distinct value (counts, verdicts, hashes) keys it by id, so a repeat costs an array
   * index instead of a string hash, and falls back to `texts` at -1.
   */
  readonly codes?: Int32Array;
  /** id -> text for `codes`. Grows as the read goes on; an id never changes its text. */
  readonly dictionary?: readonly string[];
}

/** A row as a record, for code that wants rows rather than columns. */
export interface RowRecord {
  /** 0-based data row within `file` (a CSV header is not counted). */
  row: number;
  /** 1-based line in the file where the row starts (0 when the format has no lines, e.g. Parquet). */
  line: number;
  values: Cell[];
}

/**
 * A run of consecutive rows from one file. Batches from a folder come file by file, in sorted order,
 * and every row keeps its file and its row number in that file.
 */
export interface RowBatch {
  /** Workspace-relative path (forward slashes) of the file the rows come from. */
  readonly file: string;
  readonly columns: readonly string[];
  readonly length: number;
  /** 0-based data row in `file` of each row. */
  readonly rows: Float64Array;
  /** 1-based line where each row starts, 0 where unknown. */
  readonly lines: Float64Array;
  /** Row offset of this batch's first row in the logical table (all files of a folder, in order). */
  readonly tableRow: number;
  readonly data: readonly ColumnChunk[];
}

export function cellOf(chunk: ColumnChunk, i: number): Cell {
  switch (chunk.kinds[i]) {
    case CellKind.Integer:
    case CellKind.Float:
      return chunk.numbers[i] ?? null;
    case CellKind.Boolean:
      return chunk.numbers[i] === 1;
    case CellKind.Text:
      return chunk.texts[i] ?? null;
    default:
      return null;
  }
}

export function recordOf(batch: RowBatch, i: number): RowRecord {
  return {
    row: batch.rows[i] ?? -1,
    line: batch.lines[i] ?? 0,
    values: batch.data.map((chunk) => cellOf(chunk, i)),
  };
}

/** Rows of a batch as records; allocates per row, so prefer the columns on hot paths. */
export function* recordsOf(batch: RowBatch): Generator<RowRecord> {
  for (let i = 0; i < batch.length; i++) yield recordOf(batch, i);
}

/** Fills the columns of one batch row by row, then hands out a RowBatch of exactly the rows filled. */
export class BatchBuilder {
  // Public so a reader's inner loop can fill a cell with three stores instead of a call.
  readonly kinds: Uint8Array[];
  readonly numbers: Float64Array[];
  readonly texts: (string | null)[][];
  private readonly rows: Float64Array;
  private readonly lines: Float64Array;
  private count = 0;

  constructor(
    readonly file: string,
    readonly columns: readonly string[],
    readonly capacity: number,
  ) {
    const n = columns.length;
    this.kinds = Array.from({ length: n }, () => new Uint8Array(capacity));
    this.numbers = Array.from({ length: n }, () => new Float64Array(capacity));
    // Plain arrays filled in slot order (every slot sets every column), so they stay packed.
    this.texts = Array.from({ length: n }, () => []);
    this.rows = new Float64Array(capacity);
    this.lines = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** Starts a row and returns its slot; the caller then sets every column (`setNull` for gaps). */
  begin(row: number, line: number): number {
    const i = this.count++;
    this.rows[i] = row;
    this.lines[i] = line;
    return i;
  }

  setNull(slot: number, column: number): void {
    this.set(slot, column, CellKind.Null, Number.NaN, null);
  }

  set(slot: number, column: number, kind: CellKind, number: number, text: string | null): void {
    (this.kinds[column] as Uint8Array)[slot] = kind;
    (this.numbers[column] as Float64Array)[slot] = number;
    (this.texts[column] as (string | null)[])[slot] = text;
  }

  /** The rows filled so far as a batch; the builder starts empty again with fresh storage. */
  take(tableRow: number): RowBatch {
    const n = this.count;
    const batch: RowBatch = {
      file: this.file,
      columns: this.columns,
      length: n,
      rows: this.rows.slice(0, n),
      lines: this.lines.slice(0, n),
      tableRow,
      data: this.columns.map((name, c) => ({
        name,
        kinds: (this.kinds[c] as Uint8Array).slice(0, n),
        numbers: (this.numbers[c] as Float64Array).slice(0, n),
        texts: (this.texts[c] as (string | null)[]).slice(0, n),
      })),
    };
    this.count = 0;
    return batch;
  }
}
