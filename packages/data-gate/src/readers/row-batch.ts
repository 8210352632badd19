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
   *
   * The CSV reader guarantees, per column and file: ids are 0, 1, 2... in order of first appearance;
   * a text has one code for the whole file (an id from its first appearance on, or -1 everywhere), so
   * a text with code -1 is never in the dictionary and the two kinds of keys never overlap. A text is
   * interned when it is at most 64 bytes and met while the column has fewer than 4096 texts (and 64 KB
   * of them); JSON Lines and Parquet leave codes undefined.
   */
  readonly codes?: Int32Array;
  /**
   * id -> text for `codes`: one array per column and file (a new file of a folder brings new ones),
   * growing as the read goes on; an id never changes its text.
   */
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

/** The storage of one full batch (see BatchBuilder), kept for reuse once the batch is recycled. */
interface BatchStorage {
  kinds: Uint8Array;
  numbers: Float64Array;
  codes: Int32Array;
  texts: (string | null)[][];
  rows: Float64Array;
  lines: Float64Array;
}

/**
 * A full batch's storage, kept on the batch under a symbol until it is recycled: on the batch, so it
 * lives exactly as long as the batch does (in a WeakMap, the batches and their storage outlived young
 * collections, and reading got 10% slower and 50 MB bigger for consumers that never recycle).
 */
const STORAGE = Symbol('batch storage');
type StoredBatch = RowBatch & { [STORAGE]?: BatchStorage | undefined };
/** Storage given back, for the next batch of the same shape. */
const spares: BatchStorage[] = [];
const MAX_SPARES = 4;

/**
 * Gives a batch's storage back for a later batch to fill, from a caller done with the batch that keeps
 * nothing of it (its chunks' arrays are overwritten). Optional: a batch not given back is collected
 * as usual. Fresh storage per batch is more than a megabyte of typed arrays and text arrays for
 * 8,192 rows of 10 columns, zeroed by the allocator and then by `prepare`, and ArrayBuffers that come
 * and go that fast make V8 collect garbage for their external memory; a reused one is only reset.
 */
export function recycleBatch(batch: RowBatch): void {
  const stored = batch as StoredBatch;
  const storage = stored[STORAGE];
  if (storage === undefined) return;
  stored[STORAGE] = undefined;
  if (spares.length < MAX_SPARES) spares.push(storage);
}

/** A spare storage for `columns` columns of `capacity` rows (with codes when `coded`), reset to null cells; undefined when there is none. */
function spareFor(columns: number, capacity: number, coded: boolean): BatchStorage | undefined {
  const at = spares.findIndex((s) => s.rows.length === capacity && s.texts.length === columns && s.kinds.length === columns * capacity && (s.codes.length > 0) === coded);
  if (at < 0) return undefined;
  const storage = spares.splice(at, 1)[0] as BatchStorage;
  storage.kinds.fill(CellKind.Null);
  storage.numbers.fill(Number.NaN);
  storage.codes.fill(-1);
  for (const text of storage.texts) text.fill(null);
  return storage;
}

/**
 * Fills the columns of one batch row by row, then hands out a RowBatch of exactly the rows filled.
 * Storage is one typed array per field for all columns (column c, slot i at `c * capacity + i`), so
 * a reader's inner loop loads it once rather than per cell; it starts as null cells (kind Null,
 * number NaN, code -1, text null), so a reader stores only what differs. `take` hands the storage
 * itself over (each column a view of it) and the next row gets fresh storage: copying every array per
 * batch was a tenth of reading a CSV.
 */
export class BatchBuilder {
  // Public so a reader's inner loop can fill cells with plain stores instead of calls.
  kinds: Uint8Array = EMPTY_KINDS;
  numbers: Float64Array = EMPTY_NUMBERS;
  /** Interned text ids, when the builder has dictionaries. */
  codes: Int32Array = EMPTY_CODES;
  texts: (string | null)[][] = [];
  rows: Float64Array = EMPTY_NUMBERS;
  lines: Float64Array = EMPTY_NUMBERS;
  /** Rows filled; a reader that fills slots itself advances it. */
  count = 0;
  private allocated = false;
  private nulls: (string | null)[] = [];

  /** With `dictionaries` (one per column, or undefined for a column without), batches carry `codes`. */
  constructor(
    readonly file: string,
    readonly columns: readonly string[],
    readonly capacity: number,
    private readonly dictionaries?: readonly (readonly string[] | undefined)[],
  ) {}

  get length(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** Makes sure there is storage to fill (after `take`, the next batch's is allocated on first use). */
  prepare(): void {
    if (this.allocated) return;
    this.allocated = true;
    const cap = this.capacity;
    const cells = this.columns.length * cap;
    const spare = spareFor(this.columns.length, cap, this.dictionaries !== undefined && cells > 0);
    if (spare !== undefined) {
      ({ kinds: this.kinds, numbers: this.numbers, codes: this.codes, texts: this.texts, rows: this.rows, lines: this.lines } = spare);
      return;
    }
    this.kinds = new Uint8Array(cells);
    this.numbers = new Float64Array(cells).fill(Number.NaN);
    if (this.dictionaries !== undefined) this.codes = new Int32Array(cells).fill(-1);
    // Null up front, so a number cell needs no store here. Copies of one packed array of nulls: half
    // the cost of new Array(cap).fill(null), and packed rather than holey for the consumers.
    if (this.nulls.length !== cap) this.nulls = Array.from({ length: cap }, (): string | null => null);
    const nulls = this.nulls;
    this.texts = this.columns.map(() => nulls.slice());
    this.rows = new Float64Array(cap);
    this.lines = new Float64Array(cap);
  }

  /** Starts a row and returns its slot; the caller then sets every column (`setNull` for gaps). */
  begin(row: number, line: number): number {
    this.prepare();
    const i = this.count++;
    this.rows[i] = row;
    this.lines[i] = line;
    return i;
  }

  setNull(slot: number, column: number): void {
    this.set(slot, column, CellKind.Null, Number.NaN, null);
  }

  set(slot: number, column: number, kind: CellKind, number: number, text: string | null, code = -1): void {
    const at = column * this.capacity + slot;
    this.kinds[at] = kind;
    this.numbers[at] = number;
    if (this.dictionaries !== undefined) this.codes[at] = code;
    (this.texts[column] as (string | null)[])[slot] = text;
  }

  /** The rows filled so far as a batch; the builder starts empty again with fresh storage. */
  take(tableRow: number): RowBatch {
    this.prepare();
    const n = this.count;
    const cap = this.capacity;
    const { kinds, numbers, codes, texts, dictionaries } = this;
    const batch: StoredBatch = {
      file: this.file,
      columns: this.columns,
      length: n,
      rows: n === cap ? this.rows : this.rows.subarray(0, n),
      lines: n === cap ? this.lines : this.lines.subarray(0, n),
      tableRow,
      data: this.columns.map((name, c): ColumnChunk => {
        const from = c * cap;
        const text = texts[c] as (string | null)[];
        if (n < cap) text.length = n;
        const dictionary = dictionaries?.[c];
        // One object shape for every chunk, with or without codes, keeps consumers' reads monomorphic.
        return {
          name,
          kinds: kinds.subarray(from, from + n),
          numbers: numbers.subarray(from, from + n),
          texts: text,
          codes: dictionary === undefined ? undefined : codes.subarray(from, from + n),
          dictionary,
        };
      }),
      // Every batch has the property (one object shape); only a full one can give its storage back.
      [STORAGE]: n === cap && n > 0 ? { kinds, numbers, codes, texts, rows: this.rows, lines: this.lines } : undefined,
    };
    this.count = 0;
    this.allocated = false;
    return batch;
  }
}

const EMPTY_KINDS = new Uint8Array(0);
const EMPTY_NUMBERS = new Float64Array(0);
const EMPTY_CODES = new Int32Array(0);
