import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { formatOf, listDataFiles } from './table-reader';

/** Bytes looked at to measure a text file's row length. */
const PROBE_BYTES = 256 * 1024;
/** Assumed bytes a row where the bytes cannot be probed (gzip, Parquet): small, so estimates err high. */
const OPAQUE_BYTES_PER_ROW = 16;

/**
 * About how many rows a data file or folder holds, without reading it: text files by their size over
 * the mean line length of their first 256 KB; gzip and Parquet from their size with a small assumed
 * row (they compress), so the estimate errs high. For sizing work before a pass (a sample rate), not
 * for anything reported.
 */
export function estimateRowCount(path: string, maxEntries: number): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  const files = stat.isDirectory() ? listDataFiles(path, maxEntries) : [path];
  let rows = 0;
  for (const f of files) {
    const size = statSync(f, { throwIfNoEntry: false })?.size ?? 0;
    if (formatOf(f) === 'parquet' || /\.gz$/i.test(f)) {
      rows += size / OPAQUE_BYTES_PER_ROW;
      continue;
    }
    const probe = Buffer.alloc(Math.min(PROBE_BYTES, size));
    const fd = openSync(f, 'r');
    try {
      readSync(fd, probe, 0, probe.length, 0);
    } finally {
      closeSync(fd);
    }
    let lines = 0;
    for (let i = probe.indexOf(0x0a); i !== -1; i = probe.indexOf(0x0a, i + 1)) lines++;
    rows += lines === 0 ? 1 : (size * lines) / Math.max(probe.length, 1);
  }
  return Math.ceil(rows);
}
