import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CancelledError, DEFAULT_LIMITS } from '@aisec/core';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { readTable } from '../../../packages/data-gate/src/readers/index';
import { SHARED, column, readAll } from './helpers';

const tmp = mkdtempSync(join(tmpdir(), 'aisec-cross-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the same table in CSV, gzip, JSON Lines and Parquet reads the same', () => {
  it('dev_no_drift_500_ref in every format gives identical cells and row numbers', async () => {
    const csv = await readAll(join(SHARED, 'data/dev_no_drift_500_ref.csv'));
    const types = csv.table.types();
    // JSON Lines as Python would write it (floats keep a decimal point), gzipped CSV, and Parquet.
    const jsonl = csv.records
      .map((r) => `{${csv.columns.map((c, i) => {
        const v = r.values[i] ?? null;
        return `${JSON.stringify(c)}: ${typeof v === 'number' && types[c] === 'number' && Number.isInteger(v) ? `${v}.0` : JSON.stringify(v)}`;
      }).join(', ')}}`)
      .join('\n');
    writeFileSync(join(tmp, 'same.jsonl'), `${jsonl}\n`);
    writeFileSync(join(tmp, 'same.jsonl.gz'), gzipSync(`${jsonl}\n`));
    writeFileSync(join(tmp, 'same.csv.gz'), gzipSync(await import('node:fs').then((fs) => fs.readFileSync(join(SHARED, 'data/dev_no_drift_500_ref.csv')))));
    const parquetType = (c: string): 'INT64' | 'DOUBLE' | 'STRING' => (types[c] === 'integer' ? 'INT64' : types[c] === 'number' ? 'DOUBLE' : 'STRING');
    writeFileSync(
      join(tmp, 'same.parquet'),
      Buffer.from(
        parquetWriteBuffer({
          columnData: csv.columns.map((c) => ({
            name: c,
            type: parquetType(c),
            data: column(csv, c).map((v) => (v !== null && parquetType(c) === 'INT64' ? BigInt(v as number) : v)),
          })),
          rowGroupSize: 128,
        }),
      ),
    );
    for (const file of ['same.jsonl', 'same.jsonl.gz', 'same.csv.gz', 'same.parquet']) {
      const other = await readAll(join(tmp, file));
      expect(other.columns, file).toEqual(csv.columns);
      expect(other.table.types(), file).toEqual(types);
      expect(other.records.map((r) => r.values), file).toEqual(csv.records.map((r) => r.values));
      expect(other.records.map((r) => r.row), file).toEqual(csv.records.map((r) => r.row));
    }
  });

  it('a 200k-row Parquet file in 8 row groups streams with its rows in order and the right sums', async () => {
    const n = 200_000;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    writeFileSync(
      join(tmp, 'groups.parquet'),
      Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'i', data: Int32Array.from({ length: n }, (_, i) => i), type: 'INT32' }, { name: 'x', data: x, type: 'DOUBLE' }], rowGroupSize: 25_000 })),
    );
    let rows = 0;
    let sum = 0;
    let inOrder = true;
    for await (const batch of readTable(join(tmp, 'groups.parquet'))) {
      const [ids, xs] = batch.data;
      for (let k = 0; k < batch.length; k++) {
        if (batch.rows[k] !== rows || ids?.numbers[k] !== rows) inOrder = false;
        sum += xs?.numbers[k] ?? Number.NaN;
        rows++;
      }
    }
    expect(rows).toBe(n);
    expect(inOrder).toBe(true);
    expect(sum).toBeCloseTo(x.reduce((a, b) => a + b, 0), 9);
  });
});

describe('Parquet footer claims are checked before decompression', () => {
  it('a column chunk that expands past the decompression ratio is a UserError before it is read', async () => {
    const path = join(tmp, 'zeros.parquet');
    const zeros = new Float64Array(2_000_000);
    writeFileSync(path, Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'z', data: zeros, type: 'DOUBLE', encoding: 'PLAIN' }], rowGroupSize: 2_000_000 })));
    const table = readTable(path, {}, { limits: { ...DEFAULT_LIMITS, maxDecompressionRatio: 5 } });
    await expect(
      (async () => {
        for await (const batch of table) void batch;
      })(),
    ).rejects.toThrow(/column z expands \d+ to 160\d{5} bytes, over the 5x ratio/);
    expect(table.rows).toBe(0);
  });
});

describe('time and cancellation', () => {
  const big = join(tmp, 'slow.csv');
  writeFileSync(big, `a,b\n${'1,2\n'.repeat(3_000_000)}`);

  it('a file that takes longer than timePerFileMs is a UserError naming it', async () => {
    const table = readTable(big, {}, { limits: { ...DEFAULT_LIMITS, timePerFileMs: 1 } });
    await expect(
      (async () => {
        for await (const batch of table) void batch;
      })(),
    ).rejects.toThrow(/took longer than 1 ms, at data row \d+ \(line \d+\)/);
  });

  it('an aborted signal stops reading with CancelledError', async () => {
    const controller = new AbortController();
    const table = readTable(big, {}, { signal: controller.signal });
    let batches = 0;
    await expect(
      (async () => {
        for await (const batch of table) {
          void batch;
          if (++batches === 2) controller.abort();
        }
      })(),
    ).rejects.toThrow(CancelledError);
    expect(table.rows).toBeLessThan(3_000_000);
  });
});
