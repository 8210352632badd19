import type { Finding } from '@aisec/core';
import { type ScannedTable, placeOf } from './table-scan';

/** Rows listed in a finding's properties (the interface: the first 1,000, plus the total). */
export const MAX_LISTED_ROWS = 1000;

/**
 * One finding per file for a set of table rows: located at the first row's line, with
 * `properties.rows` (0-based data rows of that file, the first 1,000) and `properties.rows_total`.
 */
export function rowFindings(table: ScannedTable, tableRows: readonly number[], make: (rows: { file: string; rows: number[]; total: number; firstLine: number }) => Finding): Finding[] {
  const byFile = new Map<string, { rows: number[]; total: number; firstLine: number }>();
  for (const r of tableRows) {
    const place = placeOf(table, r);
    let g = byFile.get(place.file);
    if (!g) {
      g = { rows: [], total: 0, firstLine: place.line };
      byFile.set(place.file, g);
    }
    g.total++;
    if (g.rows.length < MAX_LISTED_ROWS) g.rows.push(place.row);
  }
  return [...byFile].map(([file, g]) => {
    const f = make({ file, ...g });
    f.location = { path: file, ...(g.firstLine > 0 ? { line: g.firstLine } : {}) };
    f.properties = { ...f.properties, rows: g.rows, rows_total: g.total };
    return f;
  });
}

export function firstRows(rows: readonly number[], n = 5): string {
  return `${rows.slice(0, n).join(', ')}${rows.length > n ? ', …' : ''}`;
}

/**
 * The streaming counterpart of `rowFindings`: rows are added as batches pass (file, 0-based row,
 * line), keeping per file the first 1,000 rows and the total, so memory stays bounded however many
 * rows qualify.
 */
export class RowCollector {
  private readonly byFile = new Map<string, { rows: number[]; total: number; firstLine: number }>();

  add(file: string, row: number, line: number): void {
    let g = this.byFile.get(file);
    if (!g) {
      g = { rows: [], total: 0, firstLine: line };
      this.byFile.set(file, g);
    }
    g.total++;
    if (g.rows.length < MAX_LISTED_ROWS) g.rows.push(row);
  }

  get total(): number {
    let n = 0;
    for (const g of this.byFile.values()) n += g.total;
    return n;
  }

  findings(make: (rows: { file: string; rows: number[]; total: number; firstLine: number }) => Finding): Finding[] {
    return [...this.byFile].map(([file, g]) => {
      const f = make({ file, ...g });
      f.location = { path: file, ...(g.firstLine > 0 ? { line: g.firstLine } : {}) };
      f.properties = { ...f.properties, rows: g.rows, rows_total: g.total };
      return f;
    });
  }
}
