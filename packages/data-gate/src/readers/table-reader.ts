import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_LIMITS, type GateContext, type Limits, UserError, workspaceRelative } from '@aisec/core';
import { type ColumnType, columnTypeOf } from './column-type';
import { readCsvFile } from './csv-reader';
import { readJsonlFile } from './jsonl-reader';
import { readParquetFile } from './parquet-reader';
import { DEFAULT_READER_LIMITS, type ReaderLimits } from './reader-limits';
import { type ReadProblem, ReadProblemLog } from './read-problems';
import type { ReadSession } from './read-session';
import type { RowBatch } from './row-batch';
import type { TextEncoding } from './text-decoding';

export type DataFormat = 'csv' | 'tsv' | 'jsonl' | 'parquet';

export interface ReadTableOptions {
  /** By extension when absent: .csv, .tsv/.tab, .jsonl/.ndjson, .parquet/.pq (each also with .gz, except Parquet). */
  format?: DataFormat;
  /** CSV/TSV delimiter, one character. */
  delimiter?: string;
  /** Text encoding (CSV, TSV, JSON Lines); a UTF-16 byte-order mark wins. Default utf-8. */
  encoding?: TextEncoding;
  /** Overrides of the reader's own bounds. */
  readerLimits?: Partial<ReaderLimits>;
  /** Largest uncompressed Parquet row group, in bytes. */
  maxRowGroupBytes?: number;
}

/** The part of a GateContext the readers use; a whole GateContext will do. */
export type ReadContext = Partial<Pick<GateContext, 'workspace' | 'signal' | 'logger'>> & { limits?: Limits };

/**
 * One logical table: a data file, or a folder of data files read in sorted path order (recursively,
 * skipping names that start with `.`). Iterate it for batches; afterwards `problems` holds what was
 * wrong with the input and `types()` the column types. A file with no rows still yields one empty
 * batch (length 0) so its columns are known.
 */
export interface TableReader extends AsyncIterable<RowBatch> {
  /** Workspace-relative paths of the files, in reading order. */
  readonly files: readonly string[];
  /** Problems found so far (complete once iteration has finished). */
  problems(): ReadProblem[];
  /** Column types inferred from every row read so far, by column name in order of first appearance. */
  types(): Record<string, ColumnType>;
  /** Rows read so far over all files. */
  readonly rows: number;
}

const EXTENSIONS: [RegExp, DataFormat][] = [
  [/\.csv(\.gz)?$/i, 'csv'],
  [/\.(tsv|tab)(\.gz)?$/i, 'tsv'],
  [/\.(jsonl|ndjson)(\.gz)?$/i, 'jsonl'],
  [/\.(parquet|pq)$/i, 'parquet'],
];

export function formatOf(path: string): DataFormat | undefined {
  for (const [re, format] of EXTENSIONS) if (re.test(path)) return format;
  return undefined;
}

/** Data files under a folder, sorted by their path relative to it (byte order, as DVC sorts). */
export function listDataFiles(dir: string, maxEntries: number): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const entries = readdirSync(join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && formatOf(e.name) !== undefined) {
        out.push(r);
        if (out.length > maxEntries) {
          throw new UserError(`${dir} holds more than ${maxEntries} data files`, {
            file: dir,
            hint: 'point at a smaller folder or raise limits.maxEntries',
          });
        }
      }
    }
  };
  walk('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((r) => join(dir, r));
}

export function readTable(path: string, options: ReadTableOptions = {}, ctx: ReadContext = {}): TableReader {
  const workspace = ctx.workspace ?? process.cwd();
  const abs = resolve(workspace, path);
  const shown = workspaceRelative(workspace, abs);
  let st;
  try {
    st = statSync(abs);
  } catch (error) {
    throw new UserError(`cannot read ${shown}: ${(error as Error).message}`, {
      file: shown,
      hint: 'check the path (relative paths are taken from the workspace root)',
      cause: error,
    });
  }
  const limits = ctx.limits ?? DEFAULT_LIMITS;
  const reader: ReaderLimits = { ...DEFAULT_READER_LIMITS, ...options.readerLimits };
  const files = st.isDirectory() ? listDataFiles(abs, limits.maxEntries) : [abs];
  if (files.length === 0) {
    throw new UserError(`${shown} holds no data files (.csv, .tsv, .jsonl, .ndjson, .parquet, optionally .gz)`, {
      file: shown,
    });
  }
  const session: ReadSession = {
    limits,
    reader,
    problems: new ReadProblemLog(reader.maxProblemRows),
    kinds: new Map(),
    tableRow: 0,
  };
  if (ctx.signal) session.signal = ctx.signal;
  const shownFiles = files.map((f) => workspaceRelative(workspace, f));

  async function* iterate(): AsyncGenerator<RowBatch> {
    let firstColumns: readonly string[] | undefined;
    for (const [k, file] of files.entries()) {
      const display = shownFiles[k] as string;
      const format = options.format ?? formatOf(file);
      if (format === undefined) {
        throw new UserError(`cannot tell the format of ${display} from its name`, {
          file: display,
          hint: 'name it .csv, .tsv, .jsonl or .parquet, or pass the format option',
        });
      }
      let checked = false;
      const batches =
        format === 'parquet'
          ? readParquetFile(file, display, { maxRowGroupBytes: options.maxRowGroupBytes }, session)
          : format === 'jsonl'
            ? readJsonlFile(file, display, { encoding: options.encoding }, session)
            : readCsvFile(file, display, { delimiter: options.delimiter ?? (format === 'tsv' ? '\t' : undefined), encoding: options.encoding }, session);
      for await (const batch of batches) {
        // An empty file still declares its columns (typed `null` until a row says otherwise).
        if (batch.length === 0) for (const c of batch.columns) if (!session.kinds.has(c)) session.kinds.set(c, 0);
        if (!checked && (batch.length > 0 || batch.columns.length > 0)) {
          checked = true;
          if (firstColumns === undefined) firstColumns = batch.columns;
          else if (!sameColumns(firstColumns, batch.columns)) {
            session.problems.add(
              'shard-columns-differ',
              display,
              `columns differ from the first file's (${shownFiles[0]}): [${batch.columns.join(', ')}] vs [${firstColumns.join(', ')}]`,
            );
          }
        }
        ctx.logger?.progress(`reading ${display}`, session.tableRow);
        yield batch;
      }
    }
    for (const [name, bits] of session.kinds) {
      if (bits === 0 && session.tableRow > 0) {
        session.problems.add('all-null-column', files.length === 1 ? (shownFiles[0] as string) : shown, `column '${name}' has no non-null value`, {
          column: name,
        });
      }
    }
  }

  return {
    files: shownFiles,
    problems: () => session.problems.problems,
    types: () => Object.fromEntries([...session.kinds].map(([name, bits]) => [name, columnTypeOf(bits)])),
    get rows() {
      return session.tableRow;
    },
    [Symbol.asyncIterator]: iterate,
  };
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
