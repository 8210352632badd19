import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '@aisec/core';
import { hashBatchRow } from '../../../packages/data-gate/src/profile/batch-row-hash';
import { BatchRowKeys } from '../../../packages/data-gate/src/profile/batch-row-keys';
import { RowKeySet } from '../../../packages/data-gate/src/profile/row-key-set';
import { RowScreen } from '../../../packages/data-gate/src/profile/row-screen';
import { SortedRowHashes } from '../../../packages/data-gate/src/profile/sorted-row-hashes';
import { readTable } from '../../../packages/data-gate/src/readers/index';
import { RowHasher } from '../../../packages/data-gate/src/stats/index';

const tmp = mkdtempSync(join(tmpdir(), 'aisec-row-screen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const COLUMNS = ['id', 'x', 'tag'];
const row = (i: number): string => `r${i},${(i * 0.37).toFixed(2)},${['a', 'b', 'c'][i % 3]}`;

/** The rows listed by a collector's findings (0-based data rows). */
function listed(collector: RowScreen['within']): number[] {
  return collector.findings((g) => ({ properties: { rows: g.rows } }) as unknown as Finding).flatMap((f) => f.properties?.rows as number[]);
}

describe('the row screen', () => {
  it('keeps the first distinct batch keys; later rows are checked against them through the fetched filter words', async () => {
    // Rows 0..49, copies of rows 10 and 20, rows 52..299, then copies of rows 0..99, in batches of 64:
    // with 50 keys kept, the table fills within the first batch (whose next rows copy rows of that
    // same batch, after its filter words were fetched), later batches use the words fetched per
    // batch, and only copies of the first 50 rows can be found.
    const rows = Array.from({ length: 400 }, (_, i) => row(i === 50 ? 10 : i === 51 ? 20 : i < 300 ? i : i - 300));
    const path = join(tmp, 'batch.csv');
    writeFileSync(path, `${COLUMNS.join(',')}\n${rows.join('\n')}\n`);
    const screen = new RowScreen({ kind: 'none' }, COLUMNS, rows.length, 50);
    for await (const batch of readTable(path, { readerLimits: { batchRows: 64 } }, { workspace: tmp })) screen.push(batch);
    expect(listed(screen.within)).toEqual([50, 51, ...Array.from({ length: 50 }, (_, i) => 300 + i)]);
    expect(screen.seenCapped).toBe(true);
    // Kept whole, every copy is found.
    const whole = new RowScreen({ kind: 'none' }, COLUMNS, rows.length);
    for await (const batch of readTable(path, { readerLimits: { batchRows: 64 } }, { workspace: tmp })) whole.push(batch);
    // (Rows 50 and 51 themselves never came before their copies at 350 and 351.)
    expect(listed(whole.within)).toEqual([50, 51, ...Array.from({ length: 50 }, (_, i) => 300 + i), ...Array.from({ length: 48 }, (_, i) => 352 + i)]);
    expect(whole.seenCapped).toBe(false);
  });

  it('finds the rows copied from the reference by their keys, confirmed on their SHA-256', async () => {
    const reference = join(tmp, 'reference.csv');
    writeFileSync(reference, `${COLUMNS.join(',')}\n${Array.from({ length: 500 }, (_, i) => row(i)).join('\n')}\n`);
    const keys = new RowKeySet();
    const hashes = new SortedRowHashes();
    const rowKeys = new BatchRowKeys();
    const hasher = new RowHasher();
    for await (const batch of readTable(reference, {}, { workspace: tmp })) {
      const chunks = COLUMNS.map((c) => batch.data.find((d) => d.name === c));
      rowKeys.compute(chunks, batch.length);
      for (let i = 0; i < batch.length; i++) {
        keys.addOrHas(rowKeys.hi[i] as number, rowKeys.lo[i] as number);
        hashes.add(hashBatchRow(hasher, chunks, i).toString('hex'));
      }
    }
    hashes.seal();
    // Batch rows 1000..1999 are new; every 7th of them copies a reference row.
    const batchRows = Array.from({ length: 1000 }, (_, i) => (i % 7 === 3 ? row(i % 500) : row(1000 + i)));
    const path = join(tmp, 'copies.csv');
    writeFileSync(path, `${COLUMNS.join(',')}\n${batchRows.join('\n')}\n`);
    const screen = new RowScreen({ kind: 'v2', keys, hashes }, COLUMNS, batchRows.length);
    for await (const batch of readTable(path, { readerLimits: { batchRows: 128 } }, { workspace: tmp })) screen.push(batch);
    expect(listed(screen.copied)).toEqual(Array.from({ length: 1000 }, (_, i) => i).filter((i) => i % 7 === 3));
    expect(listed(screen.within)).toEqual([]);
  });
});
