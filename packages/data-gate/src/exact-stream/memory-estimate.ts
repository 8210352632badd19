import { statSync } from 'node:fs';
import { formatOf, listDataFiles } from '../readers/table-reader';

/**
 * How much memory the in-memory file-against-file gate would take, from the inputs' sizes: it holds
 * every cell (about 9 bytes a number plus the strings of text cells), a row hash per row of both sides
 * and the near-duplicate signatures. Measured: 1,090 MB peak for a 50 MB CSV batch with a 5 MB
 * reference (bench/data-gate, 10 columns), about 20 times the bytes; compressed inputs expand first.
 */
export const DEFAULT_MEMORY_MB = 1024;

const TEXT_FACTOR = 20;
const GZIP_FACTOR = 100;
const PARQUET_FACTOR = 80;

function factorOf(path: string): number {
  if (formatOf(path) === 'parquet') return PARQUET_FACTOR;
  return /\.gz$/i.test(path) ? GZIP_FACTOR : TEXT_FACTOR;
}

function filesOf(path: string, maxEntries: number): string[] {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return [];
  return stat.isDirectory() ? listDataFiles(path, maxEntries) : [path];
}

/** Estimated bytes the in-memory gate needs for these inputs (0 for paths that do not exist: the readers report those). */
export function estimatedInMemoryBytes(paths: readonly string[], maxEntries: number): number {
  let total = 0;
  for (const p of paths) for (const f of filesOf(p, maxEntries)) total += (statSync(f, { throwIfNoEntry: false })?.size ?? 0) * factorOf(f);
  return total;
}

/** Upper estimate of the rows of these inputs (at least 8 bytes a row), to size the row-key partitions. */
export function estimatedRows(paths: readonly string[], maxEntries: number): number {
  let total = 0;
  for (const p of paths) for (const f of filesOf(p, maxEntries)) total += Math.ceil(((statSync(f, { throwIfNoEntry: false })?.size ?? 0) * (factorOf(f) / TEXT_FACTOR)) / 8);
  return total;
}
