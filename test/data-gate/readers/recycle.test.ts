import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RowBatch, readTable, recycleBatch } from '../../../packages/data-gate/src/readers/index';
import { prng } from '../../helpers/prng';

const tmp = mkdtempSync(join(tmpdir(), 'aisec-recycle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every cell of a batch as [kind, number, text, code], copied out before the batch is given back. */
function cellsOf(batch: RowBatch): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < batch.length; i++) {
    out.push(batch.rows[i], batch.lines[i]);
    for (const chunk of batch.data) out.push(chunk.kinds[i], chunk.numbers[i], chunk.texts[i], chunk.codes?.[i]);
  }
  return out;
}

async function read(path: string, recycle: boolean): Promise<{ cells: unknown[]; reused: number }> {
  const cells: unknown[] = [];
  const seen = new Set<ArrayBufferLike>();
  let reused = 0;
  for await (const batch of readTable(path, { readerLimits: { batchRows: 97 } }, { workspace: tmp })) {
    const buffer = batch.data[0]?.kinds.buffer;
    if (buffer && seen.has(buffer)) reused++;
    if (buffer) seen.add(buffer);
    cells.push(...cellsOf(batch));
    if (recycle) recycleBatch(batch);
  }
  return { cells, reused };
}

describe('recycled batches', () => {
  it('read the same cells as fresh ones: the storage given back is reset to null cells before it is filled again', async () => {
    const rand = prng(3);
    // Columns that switch between numbers, interned text, long text and empty fields from row to
    // row, so a reused slot held something else in the batch before.
    const field = (): string => {
      const r = rand();
      if (r < 0.3) return '';
      if (r < 0.55) return (rand() * 100).toFixed(3);
      if (r < 0.8) return ['alpha', 'beta', 'north_america', 'x'][Math.floor(rand() * 4)] as string;
      if (r < 0.9) return 'a long free text that is over sixty-four bytes and is not interned: ' + Math.floor(rand() * 1e6);
      return String(Math.floor(rand() * 10));
    };
    const rows = Array.from({ length: 40_000 }, () => Array.from({ length: 5 }, field).join(','));
    const path = join(tmp, 'mixed.csv');
    writeFileSync(path, `a,b,c,d,e\n${rows.join('\n')}\n`);
    // Two megabytes: the reader's chunks are one, and a batch's storage comes back while the next chunk is read.
    const fresh = await read(path, false);
    const recycled = await read(path, true);
    expect(fresh.reused).toBe(0);
    expect(recycled.reused).toBeGreaterThanOrEqual(4);
    expect(recycled.cells).toHaveLength(fresh.cells.length);
    expect(recycled.cells).toEqual(fresh.cells);
  });

  it('gives nothing back for a batch that is not full or was not made by a reader', async () => {
    const path = join(tmp, 'short.csv');
    writeFileSync(path, 'a\n1\n2\n3\n');
    const buffers: ArrayBufferLike[] = [];
    for (let k = 0; k < 2; k++) {
      for await (const batch of readTable(path, { readerLimits: { batchRows: 97 } }, { workspace: tmp })) {
        buffers.push((batch.data[0] as RowBatch['data'][number]).kinds.buffer);
        recycleBatch(batch);
      }
    }
    expect(buffers).toHaveLength(2);
    expect(buffers[0]).not.toBe(buffers[1]);
    expect(() => recycleBatch({ file: 'x', columns: [], length: 0, rows: new Float64Array(0), lines: new Float64Array(0), tableRow: 0, data: [] })).not.toThrow();
  });
});
