import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CellKind, readTable } from '../../../packages/data-gate/src/readers/index';
import { SHARED, column, readAll } from './helpers';

interface NumericProfile {
  count: number;
  null_count: number;
  n_unique: number;
  sum?: number;
  min?: number;
  max?: number;
  top?: [string, number][];
}
interface Reference {
  files: { reference: string; current: string };
  rows: { reference: number; current: number };
  schema: Record<'reference' | 'current', { columns: string[]; types: Record<string, string> }>;
  profiles: Record<'reference' | 'current', Record<string, NumericProfile>>;
  injected: Record<string, unknown>;
}

const scenarios = readdirSync(join(SHARED, 'reference'))
  .filter((f) => f.startsWith('dev_'))
  .map((f) => ({ name: f.replace(/\.json$/, ''), ref: JSON.parse(readFileSync(join(SHARED, 'reference', f), 'utf8')) as Reference }));

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(1e-9, 1e-6 * Math.abs(b));
}

describe('readers on the shared data-gate datasets', () => {
  it('finds every scenario index.json lists, with the same row counts', () => {
    const index = JSON.parse(readFileSync(join(SHARED, 'reference/index.json'), 'utf8')) as {
      scenarios: { scenario: string; reference_json: string; rows: { reference: number; current: number } }[];
    };
    expect(index.scenarios.map((s) => s.scenario).sort()).toEqual(scenarios.map((s) => s.name).sort());
    for (const s of index.scenarios) expect(scenarios.find((x) => x.name === s.scenario)?.ref.rows).toEqual(s.rows);
  });

  for (const { name, ref } of scenarios) {
    for (const side of ['reference', 'current'] as const) {
      it(`${name} ${side}: rows, columns, types and per-column profile counts match the reference`, async () => {
        const all = await readAll(join(SHARED, ref.files[side]));
        expect(all.records.length).toBe(ref.rows[side]);
        expect(all.columns).toEqual(ref.schema[side].columns);
        expect(all.table.types()).toEqual(ref.schema[side].types);
        expect(all.table.problems()).toEqual([]);
        all.records.forEach((r, i) => expect(r.row).toBe(i));
        const mismatches: string[] = [];
        for (const [col, p] of Object.entries(ref.profiles[side])) {
          const cells = column(all, col);
          const nonNull = cells.filter((c) => c !== null);
          if (cells.length - nonNull.length !== p.null_count) mismatches.push(`${col} null_count`);
          if (nonNull.length !== p.count - p.null_count) mismatches.push(`${col} count`);
          if (new Set(nonNull.map((c) => (typeof c === 'number' ? c : String(c)))).size !== p.n_unique) mismatches.push(`${col} n_unique`);
          const numbers = nonNull.filter((c): c is number => typeof c === 'number');
          if (p.sum !== undefined && numbers.length === nonNull.length) {
            const sum = numbers.reduce((a, b) => a + b, 0);
            if (!close(sum, p.sum)) mismatches.push(`${col} sum ${sum} vs ${p.sum}`);
            if (Math.min(...numbers) !== p.min || Math.max(...numbers) !== p.max) mismatches.push(`${col} min/max`);
          }
          const counts = new Map<string, number>();
          for (const c of nonNull) counts.set(String(c), (counts.get(String(c)) ?? 0) + 1);
          for (const [value, n] of p.top ?? []) if (counts.get(value) !== n) mismatches.push(`${col}=${value} count`);
        }
        expect(mismatches).toEqual([]);
      });
    }
  }

  it('dev_schema_break_200 current: "unknown" in x_int at exactly the injected rows (0-based, header not counted)', async () => {
    const table = readTable(join(SHARED, 'data/dev_schema_break_200_cur.csv'));
    const textRows: number[] = [];
    const lines: number[] = [];
    const texts = new Set<string>();
    for await (const batch of table) {
      const chunk = batch.data[batch.columns.indexOf('x_int')];
      if (!chunk) throw new Error('x_int missing');
      for (let i = 0; i < batch.length; i++) {
        if (chunk.kinds[i] === CellKind.Text) {
          textRows.push(batch.rows[i] as number);
          lines.push(batch.lines[i] as number);
          texts.add(chunk.texts[i] ?? '');
        }
      }
    }
    expect(textRows).toEqual([19, 56, 145]);
    expect(lines).toEqual([21, 58, 147]);
    expect([...texts]).toEqual(['unknown']);
    expect(table.types().x_int).toBe('string');
  });

  it('keeps the text of quoted fields with commas and doubled quotes', async () => {
    const all = await readAll(join(SHARED, 'data/dev_outliers_5k_ref.csv'));
    const text = column(all, 'text') as string[];
    expect(text.some((t) => t.includes(','))).toBe(true);
    expect(text.some((t) => t.includes('"'))).toBe(true);
    const raw = readFileSync(join(SHARED, 'data/dev_outliers_5k_ref.csv'), 'utf8');
    // Every text value appears in the file, quoted by RFC 4180 when it needs to be.
    for (const t of text.slice(0, 500)) {
      const quoted = /[",\n]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
      expect(raw.includes(quoted)).toBe(true);
    }
  });

  it('reads the shared data folder as one logical table, files in sorted order, the DVC fixture included', async () => {
    const table = readTable('data', {}, { workspace: SHARED });
    const perFile = new Map<string, number>();
    let tableRow = 0;
    for await (const batch of table) {
      expect(batch.tableRow).toBe(tableRow);
      tableRow += batch.length;
      perFile.set(batch.file, (perFile.get(batch.file) ?? 0) + batch.length);
    }
    const files = [...perFile.keys()];
    expect(files).toEqual([...files].sort());
    expect(perFile.get('data/dev_duplicates_2k_cur.csv')).toBe(2000);
    expect(table.files).toContain('data/dvc_dir/sub/c.jsonl');
    // The schema-break current file and the DVC fixture have other columns: reported, not fatal.
    expect(table.problems().filter((p) => p.kind === 'shard-columns-differ').length).toBeGreaterThan(0);
  });
});
