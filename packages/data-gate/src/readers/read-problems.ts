/**
 * Problems in a data file that are worth a finding but not worth stopping for: the reader records
 * them, keeps going, and the gate turns them into findings with the file and the first rows.
 * Each kind keeps at most `maxRows` row numbers, plus the total, so a file of ten million bad rows
 * costs a few kilobytes.
 */
export type ReadProblemKind =
  /** A row with fewer or more fields than the header. Short rows are padded with nulls, extra fields dropped. */
  | 'ragged-row'
  /** A quote inside an unquoted field, or text after a closing quote. */
  | 'bad-quoting'
  /** Bytes that are not valid in the file's encoding (typically latin-1 text in a UTF-8 file). */
  | 'invalid-encoding'
  /** A file with no data rows (empty, or a header only). */
  | 'empty-file'
  /** A column with no non-null value. */
  | 'all-null-column'
  /** A JSON Lines line that is not one JSON object. The row is skipped. */
  | 'bad-json-line'
  /** A file of a folder whose columns differ from the folder's first file. */
  | 'shard-columns-differ'
  /** The same column name twice in a header. The later one is renamed `name.1` (as pandas does). */
  | 'duplicate-column';

export interface ReadProblem {
  kind: ReadProblemKind;
  /** Workspace-relative file path. */
  file: string;
  column?: string;
  message: string;
  /** First rows (0-based data rows) where it happened. */
  rows: number[];
  /** 1-based lines of those rows, where known (0 otherwise). */
  lines: number[];
  /** Every occurrence, including those beyond `rows`. */
  count: number;
}

export class ReadProblemLog {
  private readonly byKey = new Map<string, ReadProblem>();

  constructor(readonly maxRows = 100) {}

  /** Records one occurrence; `message` is kept from the first one. */
  add(kind: ReadProblemKind, file: string, message: string, at?: { row?: number; line?: number; column?: string }): void {
    const key = `${kind}\u0000${file}\u0000${at?.column ?? ''}`;
    let p = this.byKey.get(key);
    if (!p) {
      p = { kind, file, message, rows: [], lines: [], count: 0 };
      if (at?.column !== undefined) p.column = at.column;
      this.byKey.set(key, p);
    }
    p.count++;
    if (at?.row !== undefined && p.rows.length < this.maxRows) {
      p.rows.push(at.row);
      p.lines.push(at.line ?? 0);
    }
  }

  get problems(): ReadProblem[] {
    return [...this.byKey.values()];
  }

  has(kind: ReadProblemKind): boolean {
    return this.problems.some((p) => p.kind === kind);
  }
}
