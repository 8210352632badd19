import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countCategories, numericView, readTable } from '../../../packages/data-gate/src/readers/index';
import { FIXTURES, SHARED } from './helpers';

describe('column views for the statistics', () => {
  it('numericView drops nulls and NaN and keeps each value\u2019s row', async () => {
    const values: number[] = [];
    const rows: number[] = [];
    for await (const batch of readTable(join(FIXTURES, 'csv/types.csv'))) {
      const chunk = batch.data.find((c) => c.name === 'words');
      if (!chunk) throw new Error('no words column');
      const words = numericView(chunk);
      values.push(...words.values);
      rows.push(...[...words.index].map((i) => batch.rows[i] as number));
    }
    expect(values).toEqual([Infinity, -Infinity]);
    expect(rows).toEqual([0, 2]);
  });

  it('reproduces the reference profile of x_miss (count, sum) and the category counts of cat on a shared file', async () => {
    const ref = JSON.parse(readFileSync(join(SHARED, 'reference/dev_outliers_5k.json'), 'utf8')) as {
      profiles: { current: Record<string, { count: number; null_count: number; sum: number; top: [string, number][] }> };
    };
    const want = ref.profiles.current;
    let n = 0;
    let sum = 0;
    const counts = new Map<string, number>();
    for await (const batch of readTable(join(SHARED, 'data/dev_outliers_5k_cur.csv'))) {
      const xMiss = batch.data.find((c) => c.name === 'x_miss');
      const cat = batch.data.find((c) => c.name === 'cat');
      if (!xMiss || !cat) throw new Error('columns missing');
      const v = numericView(xMiss);
      n += v.values.length;
      for (const x of v.values) sum += x;
      countCategories(cat, counts);
    }
    expect(n).toBe((want.x_miss?.count ?? 0) - (want.x_miss?.null_count ?? 0));
    expect(sum).toBeCloseTo(want.x_miss?.sum ?? Number.NaN, 6);
    expect([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))).toEqual(want.cat?.top);
  });

  it('countCategories keys numbers by value, so 5, 5.0 and 5.00 are one category across formats', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'aisec-cat-'));
    writeFileSync(join(dir, 'a.csv'), 'v\n5\n5.00\nx\n\n');
    writeFileSync(join(dir, 'b.jsonl'), '{"v": 5.0}\n{"v": true}\n{"v": "x"}\n{"v": null}\n');
    const counts = new Map<string, number>();
    for await (const batch of readTable(dir)) for (const chunk of batch.data) countCategories(chunk, counts);
    rmSync(dir, { recursive: true, force: true });
    expect(Object.fromEntries(counts)).toEqual({ '5': 3, x: 2, true: 1 });
  });
});
