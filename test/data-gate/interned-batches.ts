import { type Cell, CellKind, type ColumnChunk, type RowBatch } from '../../packages/data-gate/src/readers/index';

/** A number as JSON Lines hands it over: its value and the literal the file spelled. */
export interface Literal {
  value: number;
  literal: string;
}

export type HandCell = Cell | Literal;

/**
 * Builds RowBatch objects by hand, cell by cell, the way the readers do: numbers without a literal (CSV)
 * or with one (JSON Lines), rows numbered per file, and, when `intern` is set, `codes` and a
 * `dictionary` per column of each file, one growing array object shared by that column's batches as
 * the reader contract (readers/row-batch.ts) says. Texts `internable` rejects get -1, like free text
 * past the interner's bounds.
 */
export class HandReader {
  private readonly dictionaries = new Map<string, { ids: Map<string, number>; dictionary: string[] }>();
  private readonly nextRow = new Map<string, number>();
  private tableRow = 0;

  constructor(
    private readonly intern: boolean,
    private readonly internable: (text: string) => boolean = () => true,
  ) {}

  batch(file: string, columns: readonly string[], rows: readonly (readonly HandCell[])[]): RowBatch {
    const first = this.nextRow.get(file) ?? 0;
    const n = rows.length;
    const data: ColumnChunk[] = columns.map((name, c) => {
      const kinds = new Uint8Array(n);
      const numbers = new Float64Array(n);
      const texts: (string | null)[] = [];
      const codes = new Int32Array(n).fill(-1);
      let dict = this.dictionaries.get(`${file}\u0000${name}`);
      if (!dict) {
        dict = { ids: new Map(), dictionary: [] };
        this.dictionaries.set(`${file}\u0000${name}`, dict);
      }
      for (let i = 0; i < n; i++) {
        const cell = rows[i]?.[c] ?? null;
        if (cell === null) {
          kinds[i] = CellKind.Null;
          numbers[i] = Number.NaN;
          texts.push(null);
        } else if (typeof cell === 'number') {
          kinds[i] = Number.isInteger(cell) ? CellKind.Integer : CellKind.Float;
          numbers[i] = cell;
          texts.push(null);
        } else if (typeof cell === 'boolean') {
          kinds[i] = CellKind.Boolean;
          numbers[i] = cell ? 1 : 0;
          texts.push(String(cell));
        } else if (typeof cell === 'string') {
          kinds[i] = CellKind.Text;
          numbers[i] = Number.NaN;
          texts.push(cell);
          if (this.internable(cell)) {
            let id = dict.ids.get(cell);
            if (id === undefined) {
              id = dict.dictionary.length;
              dict.dictionary.push(cell);
              dict.ids.set(cell, id);
            }
            codes[i] = id;
          }
        } else {
          kinds[i] = Number.isInteger(cell.value) && !/[.eE]/.test(cell.literal) ? CellKind.Integer : CellKind.Float;
          numbers[i] = cell.value;
          texts.push(cell.literal);
        }
      }
      const chunk: ColumnChunk = { name, kinds, numbers, texts };
      return this.intern ? { ...chunk, codes, dictionary: dict.dictionary } : chunk;
    });
    const batch: RowBatch = {
      file,
      columns,
      length: n,
      rows: Float64Array.from({ length: n }, (_, i) => first + i),
      // 1-based line after a header line.
      lines: Float64Array.from({ length: n }, (_, i) => first + i + 2),
      tableRow: this.tableRow,
      data,
    };
    this.nextRow.set(file, first + n);
    this.tableRow += n;
    return batch;
  }
}

/** Splits rows into batches of the given sizes (cycled), all from one file. */
export function batchesOf(reader: HandReader, file: string, columns: readonly string[], rows: readonly (readonly HandCell[])[], sizes: readonly number[]): RowBatch[] {
  const out: RowBatch[] = [];
  let at = 0;
  for (let k = 0; at < rows.length; k++) {
    const size = sizes[k % sizes.length] ?? rows.length;
    out.push(reader.batch(file, columns, rows.slice(at, at + size)));
    at += size;
  }
  return out;
}
