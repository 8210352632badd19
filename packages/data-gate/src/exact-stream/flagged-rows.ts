import type { Finding } from '@aisec/core';
import { MAX_LISTED_ROWS } from '../gate/row-findings';

/**
 * Flagged rows that arrive out of table order (row-key partitions are processed one after another):
 * per file the total and the 1,000 smallest rows with their lines, so the findings list what
 * `rowFindings` lists (rows in order, located at the first flagged row's line) in bounded memory.
 */
export class FlaggedRows {
  private readonly byFile = new Map<number, { rows: number[]; lines: number[]; total: number }>();

  add(fileIndex: number, row: number, line: number): void {
    let g = this.byFile.get(fileIndex);
    if (!g) {
      g = { rows: [], lines: [], total: 0 };
      this.byFile.set(fileIndex, g);
    }
    g.total++;
    g.rows.push(row);
    g.lines.push(line);
    if (g.rows.length >= 4 * MAX_LISTED_ROWS) this.trim(g);
  }

  private trim(g: { rows: number[]; lines: number[] }): void {
    const order = g.rows.map((_, i) => i).sort((a, b) => (g.rows[a] as number) - (g.rows[b] as number)).slice(0, MAX_LISTED_ROWS);
    g.rows = order.map((i) => g.rows[i] as number);
    g.lines = order.map((i) => g.lines[i] as number);
  }

  get total(): number {
    let n = 0;
    for (const g of this.byFile.values()) n += g.total;
    return n;
  }

  findings(files: readonly string[], make: (rows: { file: string; rows: number[]; total: number; firstLine: number }) => Finding): Finding[] {
    return [...this.byFile.keys()]
      .sort((a, b) => a - b)
      .map((fileIndex) => {
        const g = this.byFile.get(fileIndex) as { rows: number[]; lines: number[]; total: number };
        this.trim(g);
        const file = files[fileIndex] as string;
        const firstLine = g.lines[0] ?? 0;
        const f = make({ file, rows: g.rows, total: g.total, firstLine });
        f.location = { path: file, ...(firstLine > 0 ? { line: firstLine } : {}) };
        f.properties = { ...f.properties, rows: g.rows, rows_total: g.total };
        return f;
      });
  }
}
