import { join, resolve } from 'node:path';
import { type Cell, type ReadTableOptions, type RowRecord, type TableReader, readTable, recordsOf } from '../../../packages/data-gate/src/readers/index';

/** The shared reference data, beside the repository (../shared). */
export const SHARED = resolve(__dirname, '../../../../shared/data/data-gate');
export const FIXTURES = join(__dirname, '../../fixtures/data-gate');

export interface ReadAll {
  table: TableReader;
  columns: readonly string[];
  records: RowRecord[];
  files: string[];
}

/** Reads a whole (small) table into records, remembering each record's file. */
export async function readAll(path: string, options: ReadTableOptions = {}, workspace = '/'): Promise<ReadAll> {
  const table = readTable(path, options, { workspace });
  const records: RowRecord[] = [];
  const files: string[] = [];
  const columns: string[] = [];
  for await (const batch of table) {
    for (const name of batch.columns) if (!columns.includes(name)) columns.push(name);
    for (const r of recordsOf(batch)) {
      // Records of a batch follow its own columns; put them in the order of the union.
      r.values = columns.map((name) => {
        const i = batch.columns.indexOf(name);
        return i === -1 ? null : (r.values[i] ?? null);
      });
      records.push(r);
      files.push(batch.file);
    }
  }
  return { table, columns, records, files };
}

export function column(all: ReadAll, name: string): Cell[] {
  const i = all.columns.indexOf(name);
  return all.records.map((r) => r.values[i] ?? null);
}
