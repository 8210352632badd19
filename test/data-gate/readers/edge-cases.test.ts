import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULT_LIMITS, UserError } from '@aisec/core';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvTokenizer, readProblemFindings, readTable } from '../../../packages/data-gate/src/readers/index';
import { FIXTURES, column, readAll } from './helpers';

const tmp = mkdtempSync(join(tmpdir(), 'aisec-readers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function readError(path: string, options = {}, limits = DEFAULT_LIMITS): Promise<UserError> {
  try {
    const table = readTable(path, options, { workspace: FIXTURES, limits });
    for await (const batch of table) void batch;
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

const fx = (p: string): string => join(FIXTURES, p);

describe('CSV', () => {
  it('follows RFC 4180: quoted delimiters, doubled quotes, embedded CRLF and LF, CRLF line ends', async () => {
    const all = await readAll(fx('csv/rfc4180.csv'));
    expect(all.columns).toEqual(['id', 'name', 'note']);
    expect(all.records.map((r) => r.values)).toEqual([
      [1, 'Smith, J', 'said "hi"'],
      [2, 'plain', 'two\r\nlines'],
      [3, null, 'x\ny'],
    ]);
    expect(all.records.map((r) => r.row)).toEqual([0, 1, 2]);
    expect(all.records.map((r) => r.line)).toEqual([2, 3, 5]);
    expect(all.table.problems()).toEqual([]);
  });

  it('gives the same records and lines whatever the chunk boundaries, even inside a character', () => {
    const text = 'a,b\r\n"x,""y""\r\nz",2\r\n3,"q"\n,\n"",""\r\nné,"é""x"tail\rlast,"open';
    const bytes = Buffer.from(text, 'utf8');
    const parse = (pieces: Buffer[]): [number, string[], boolean][] => {
      const out: [number, string[], boolean][] = [];
      const p = new CsvTokenizer(',', { maxFieldChars: 1000, maxRecordChars: 1000, maxColumns: 10 });
      for (const piece of pieces) p.push(piece, (r) => out.push([r.line, r.texts(), r.badQuoting]));
      p.end((r) => out.push([r.line, r.texts(), r.badQuoting]));
      return out;
    };
    const whole = parse([bytes]);
    expect(whole).toEqual([
      [1, ['a', 'b'], false],
      [2, ['x,"y"\r\nz', '2'], false],
      [4, ['3', 'q'], false],
      [5, ['', ''], false],
      [6, ['', ''], false],
      [7, ['né', 'é"xtail'], true],
      [8, ['last', 'open'], true],
    ]);
    for (let size = 1; size <= 9; size++) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
      expect(parse(pieces)).toEqual(whole);
    }
  });

  it('types cells as the references do: integers, Python floats (inf, nan, padded), everything else text', async () => {
    const all = await readAll(fx('csv/types.csv'));
    expect(all.table.types()).toEqual({ i: 'integer', f: 'number', s: 'string', b: 'string', mixed: 'string', padded: 'number', words: 'number' });
    expect(column(all, 'i')).toEqual([1, -2, 3]);
    expect(column(all, 'f')).toEqual([1.5, 2, 300]);
    const words = column(all, 'words') as number[];
    expect(words[0]).toBe(Infinity);
    expect(Number.isNaN(words[1])).toBe(true);
    expect(words[2]).toBe(-Infinity);
    expect(column(all, 'b')).toEqual(['True', 'False', 'True']);
  });

  it('strips a UTF-8 byte-order mark', async () => {
    const all = await readAll(fx('csv/bom-utf8.csv'));
    expect(all.columns).toEqual(['a', 'b']);
    expect(column(all, 'b')).toEqual(['é']);
  });

  it('decodes UTF-16 LE and BE by their byte-order marks', async () => {
    const le = await readAll(fx('csv/utf16le-bom.csv'));
    expect(le.columns).toEqual(['a', 'b']);
    expect(column(le, 'b')).toEqual(['ü', 'x']);
    const be = await readAll(fx('csv/utf16be-bom.csv'));
    expect(column(be, 'b')).toEqual(['ü']);
  });

  it('recognises UTF-16 without a byte-order mark by its NUL bytes', async () => {
    const le = join(tmp, 'nobom-le.csv');
    writeFileSync(le, Buffer.from('name,city\nJosé,Zürich\nAnna,Köln\nWei,北京\n'.repeat(4), 'utf16le'));
    const all = await readAll(le);
    expect(all.columns).toEqual(['name', 'city']);
    expect(column(all, 'city').slice(0, 3)).toEqual(['Zürich', 'Köln', '北京']);
    expect(all.table.problems()).toEqual([]);
  });

  it('reads latin-1 when asked, and reports invalid UTF-8 rows otherwise', async () => {
    const asked = await readAll(fx('csv/latin1.csv'), { encoding: 'latin1' });
    expect(column(asked, 'city')).toEqual(['Zürich', 'Köln']);
    expect(asked.table.problems()).toEqual([]);
    const mixed = await readAll(fx('csv/mixed-encoding.csv'));
    expect(column(mixed, 'city')).toEqual(['Zürich', 'K\uFFFDln', '北京']);
    const [p] = mixed.table.problems();
    expect(p).toMatchObject({ kind: 'invalid-encoding', rows: [1], lines: [3], count: 1 });
  });

  it('reports ragged rows, pads short ones with nulls and drops extra fields', async () => {
    const all = await readAll(fx('csv/ragged.csv'));
    expect(all.records.map((r) => r.values)).toEqual([
      [1, 2, 3],
      [4, 5, null],
      [6, 7, 8],
      [10, 11, 12],
    ]);
    expect(all.table.problems()).toMatchObject([{ kind: 'ragged-row', rows: [1, 2], lines: [3, 4], count: 2 }]);
    const [finding] = readProblemFindings(all.table.problems());
    expect(finding).toMatchObject({ ruleId: 'AISEC-DATA-015', severity: 'medium', location: { line: 3 }, properties: { rows: [1, 2], rows_total: 2 } });
  });

  it('keeps misplaced quotes as text, as pandas does, and reports the rows', async () => {
    const all = await readAll(fx('csv/bad-quoting.csv'));
    expect(column(all, 'b')).toEqual(['say "hi"', 'closedtail', 'ok']);
    expect(all.table.problems()).toMatchObject([{ kind: 'bad-quoting', rows: [0, 1] }]);
  });

  it('an unclosed quote at the end swallows the rest and is reported at its row', async () => {
    const all = await readAll(fx('csv/unclosed-quote.csv'));
    expect(all.records.length).toBe(2);
    expect(column(all, 'b')).toEqual(['ok', 'never closed\n3,x\n']);
    expect(all.table.problems()).toMatchObject([{ kind: 'bad-quoting', rows: [1], lines: [3] }]);
  });

  it('an unclosed quote in a big file stops at the field cap with a UserError naming file, row and line', async () => {
    const path = join(tmp, 'runaway.csv');
    writeFileSync(path, `a,b\n1,x\n2,"open\n${'3,filler text\n'.repeat(200_000)}`);
    const error = await readError(path, { readerLimits: { maxFieldChars: 100_000 } });
    expect(error.message).toMatch(/longer than 100000 bytes in row 1 \(line 3\)/);
    expect(error.file).toMatch(/runaway\.csv$/);
    expect(error.line).toBe(3);
    expect(error.hint).toMatch(/unbalanced "/);
  });

  it('reports empty files and header-only files, and yields their (empty) shape', async () => {
    const empty = await readAll(fx('csv/empty.csv'));
    expect(empty.records).toEqual([]);
    expect(empty.table.problems()).toMatchObject([{ kind: 'empty-file', message: expect.stringMatching(/empty/) }]);
    const header = readTable(fx('csv/header-only.csv'));
    const batches = [];
    for await (const b of header) batches.push(b);
    expect(batches.map((b) => [b.length, b.columns])).toEqual([[0, ['a', 'b', 'c']]]);
    expect(header.problems()).toMatchObject([{ kind: 'empty-file', message: expect.stringMatching(/header but no data rows/) }]);
    expect(header.types()).toEqual({ a: 'null', b: 'null', c: 'null' });
  });

  it('reports a column of all nulls and types it null', async () => {
    const all = await readAll(fx('csv/all-null-column.csv'));
    expect(all.table.types().b).toBe('null');
    expect(all.table.problems()).toMatchObject([{ kind: 'all-null-column', column: 'b' }]);
    expect(readProblemFindings(all.table.problems())[0]?.ruleId).toBe('AISEC-DATA-019');
  });

  it('skips blank lines without counting them as rows', async () => {
    const all = await readAll(fx('csv/blank-lines.csv'));
    expect(all.records.map((r) => [r.row, r.line, ...r.values])).toEqual([
      [0, 3, 1, 2],
      [1, 5, 3, 4],
    ]);
  });

  it('renames duplicate and blank header names the way pandas does, and reports duplicates', async () => {
    const all = await readAll(fx('csv/duplicate-header.csv'));
    expect(all.columns).toEqual(['a', 'a.1', 'Unnamed: 2']);
    expect(all.table.problems()).toMatchObject([{ kind: 'duplicate-column', column: 'a' }]);
  });

  it('takes tab for .tsv and sniffs the delimiter of other names', async () => {
    const tsv = await readAll(fx('tsv/tabs.tsv'));
    expect(tsv.records.map((r) => r.values)).toEqual([
      [1, 'x,y'],
      [2, 'z'],
    ]);
    const semi = await readAll(fx('csv/semicolon.txt'), { format: 'csv' });
    expect(semi.columns).toEqual(['a', 'b', 'c']);
  });

  it('reads gzip by its magic bytes', async () => {
    const all = await readAll(fx('csv/data.csv.gz'));
    expect(all.records.map((r) => r.values)).toEqual([
      [1, 'x'],
      [2, 'y'],
    ]);
  });

  it('stops a gzip bomb at the decompression ratio and size limits', async () => {
    const path = join(tmp, 'bomb.csv.gz');
    writeFileSync(path, gzipSync(Buffer.from(`a\n${'1\n'.repeat(32 * 1024 * 1024)}`)));
    const ratio = await readError(path);
    expect(ratio.message).toMatch(/expands more than 1000 times/);
    const size = await readError(path, {}, { ...DEFAULT_LIMITS, maxDecompressionRatio: 1e9, maxDecompressedBytes: 8 * 1024 * 1024 });
    expect(size.message).toMatch(/decompresses to more than 8388608 bytes/);
  });

  it('a corrupt gzip stream is a UserError, not a crash', async () => {
    const path = join(tmp, 'truncated.csv.gz');
    const good = gzipSync(Buffer.from('a,b\n'.repeat(10_000)));
    writeFileSync(path, good.subarray(0, good.length - 20));
    const error = await readError(path);
    expect(error.message).toMatch(/not a valid gzip stream .*, at data row \d+ \(line \d+\)/);
    expect(error.line).toBeGreaterThan(1);
  });

  it('a 10 GB file without line ends stops at the row cap in bounded memory, and a file over maxFileBytes is refused up front', async () => {
    const path = join(tmp, 'ten-gb.csv');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 10 * 1024 ** 3); // sparse: 10 GB of NUL bytes, no disk used
    closeSync(fd);
    const before = process.memoryUsage().rss;
    const error = await readError(path);
    expect(error.message).toMatch(/a (row|field) longer than/);
    expect(error.message).toMatch(/in the header \(line 1\)/);
    expect(process.memoryUsage().rss - before).toBeLessThan(400 * 1024 * 1024);
    const refused = await readError(path, {}, { ...DEFAULT_LIMITS, maxFileBytes: 1024 ** 3 });
    expect(refused.message).toMatch(/over the 1073741824-byte file limit/);
  });

  it('caps the number of columns', async () => {
    const path = join(tmp, 'wide.csv');
    writeFileSync(path, `${Array.from({ length: 50 }, (_, i) => `c${i}`).join(',')}\n`);
    const error = await readError(path, { readerLimits: { maxColumns: 20 } });
    expect(error.message).toMatch(/more than 20 columns in the header \(line 1\)/);
    writeFileSync(path, `a,b\n1,2\n${'x,'.repeat(30)}\n`);
    const inRow = await readError(path, { readerLimits: { maxColumns: 20 } });
    expect(inRow.message).toMatch(/more than 20 columns in row 1 \(line 3\)/);
  });

  it('streams a generated 20 MB file in bounded memory with row numbers intact', async () => {
    const path = join(tmp, 'big.csv');
    const row = '123,0.123456,"quoted, text",cat\n';
    const rows = Math.ceil((20 * 1024 * 1024) / row.length);
    writeFileSync(path, `id,x,t,c\n${row.repeat(rows)}`);
    const table = readTable(path);
    let n = 0;
    let maxBatch = 0;
    let peak = 0;
    for await (const batch of table) {
      expect(batch.rows[0]).toBe(n);
      n += batch.length;
      maxBatch = Math.max(maxBatch, batch.length);
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(n).toBe(rows);
    expect(maxBatch).toBe(8192);
    expect(peak).toBeLessThan(300 * 1024 * 1024);
  });
});

describe('JSON Lines', () => {
  it('keeps JSON types: 5.0 and 1e3 are floats, nested values are JSON text, null is null, new keys add columns', async () => {
    const all = await readAll(fx('jsonl/types.jsonl'));
    expect(all.table.types()).toEqual({ i: 'integer', f: 'number', b: 'boolean', s: 'string', n: 'null', nested: 'string', extra: 'integer' });
    expect(column(all, 'f')).toEqual([5, 2.5, 1000]);
    expect(column(all, 's')).toEqual(['x', 'y"q', 'z']);
    expect(column(all, 'nested')).toEqual(['{"k": [1, 2]}', '[1]', null]);
    expect(column(all, 'extra')).toEqual([null, null, 7]);
    // The blank line is not a row; rows are data rows, lines are file lines.
    expect(all.records.map((r) => [r.row, r.line])).toEqual([
      [0, 1],
      [1, 2],
      [2, 4],
    ]);
  });

  it('reports rows with bytes that are not UTF-8', async () => {
    const path = join(tmp, 'mixed.jsonl');
    writeFileSync(path, Buffer.concat([Buffer.from('{"city": "Zürich"}\n'), Buffer.from('{"city": "Köln"}\n', 'latin1'), Buffer.from('{"city": "北京"}\n')]));
    const all = await readAll(path);
    expect(column(all, 'city')).toEqual(['Zürich', 'K\uFFFDln', '北京']);
    expect(all.table.problems()).toMatchObject([{ kind: 'invalid-encoding', rows: [1], lines: [2] }]);
  });

  it('maps keys to columns by name whatever their order, escaped keys included', async () => {
    const path = join(tmp, 'orders.jsonl');
    writeFileSync(path, ['{"a": 1, "q\\"k": "x", "b": 2}', '{"b": 3, "a": 4, "q\\"k": "y"}', '{"q\\"k": "z", "a": 5}', '{"a": 6, "q\\"k": "w", "b": 7}'].join('\n'));
    const all = await readAll(path);
    expect(all.columns).toEqual(['a', 'q"k', 'b']);
    expect(all.records.map((r) => r.values)).toEqual([
      [1, 'x', 2],
      [4, 'y', 3],
      [5, 'z', null],
      [6, 'w', 7],
    ]);
  });

  it('reports lines that are not one JSON object, skips them and keeps the row numbering', async () => {
    const all = await readAll(fx('jsonl/bad-lines.jsonl'));
    expect(all.records.map((r) => [r.row, ...r.values])).toEqual([
      [0, 1],
      [3, 4],
      [5, 6],
    ]);
    const [p] = all.table.problems();
    expect(p).toMatchObject({ kind: 'bad-json-line', rows: [1, 2, 4], lines: [2, 3, 5], count: 3 });
    expect(readProblemFindings(all.table.problems())[0]).toMatchObject({ ruleId: 'AISEC-DATA-020', severity: 'high', location: { line: 2 } });
  });

  it('bounds nesting depth and line length', async () => {
    const deep = join(tmp, 'deep.jsonl');
    writeFileSync(deep, `{"a": ${'['.repeat(100)}${']'.repeat(100)}}\n{"a": 1}\n`);
    const all = await readAll(deep);
    expect(all.table.problems()).toMatchObject([{ kind: 'bad-json-line', rows: [0], message: expect.stringMatching(/nested deeper than 16/) }]);
    const long = join(tmp, 'long.jsonl');
    writeFileSync(long, `{"a": "${'x'.repeat(3 * 1024 * 1024)}"}\n`);
    const error = await readError(long, { readerLimits: { maxRecordChars: 1024 * 1024 } });
    expect(error.message).toMatch(/a line longer than 1048576 characters at row 0 \(line 1\)/);
  });
});

describe('Parquet (hyparquet, row group at a time)', () => {
  it('reads every row group with nulls and types', async () => {
    const all = await readAll(fx('parquet/small.parquet'));
    expect(all.columns).toEqual(['id', 'x', 'cat', 'flag']);
    expect(all.records.map((r) => r.values)).toEqual([
      [0, 0.5, 'A', true],
      [1, null, 'B', false],
      [2, 2, null, true],
      [3, -1.25, 'A', null],
      [4, 3, 'C', false],
    ]);
    expect(all.records.map((r) => r.row)).toEqual([0, 1, 2, 3, 4]);
    expect(all.table.types()).toEqual({ id: 'integer', x: 'number', cat: 'string', flag: 'boolean' });
  });

  it('a file that is not Parquet is a UserError', async () => {
    const path = join(tmp, 'fake.parquet');
    writeFileSync(path, 'id,x\n1,2\n');
    const error = await readError(path);
    expect(error.message).toMatch(/not a readable Parquet file/);
  });

  it('refuses a row group over the size bound before reading it', async () => {
    const error = await readError(fx('parquet/small.parquet'), { maxRowGroupBytes: 10 });
    expect(error.message).toMatch(/row group 0 of .*small\.parquet \(rows 0\.\.2\) is \d+ bytes uncompressed, over the 10-byte limit/);
  });
});

describe('folders', () => {
  it('reads data files in sorted path order as one table, skipping hidden and non-data files, with file and row kept', async () => {
    const table = readTable('folder', {}, { workspace: FIXTURES });
    expect(table.files).toEqual(['folder/part-000.csv', 'folder/part-001.jsonl', 'folder/sub/part-002.csv']);
    const seen: [string, number, number][] = [];
    for await (const batch of table) for (let i = 0; i < batch.length; i++) seen.push([batch.file, batch.rows[i] as number, batch.tableRow + i]);
    expect(seen).toEqual([
      ['folder/part-000.csv', 0, 0],
      ['folder/part-000.csv', 1, 1],
      ['folder/part-001.jsonl', 0, 2],
      ['folder/sub/part-002.csv', 0, 3],
    ]);
    expect(table.problems()).toMatchObject([{ kind: 'shard-columns-differ', file: 'folder/sub/part-002.csv' }]);
    expect(readProblemFindings(table.problems())[0]?.ruleId).toBe('AISEC-DATA-021');
  });

  it('a missing path or an unknown format is a UserError that says what to do', async () => {
    expect(() => readTable('nope.csv', {}, { workspace: FIXTURES })).toThrow(UserError);
    await expect(readError(fx('folder/README.md'))).resolves.toMatchObject({ message: expect.stringMatching(/cannot tell the format/) });
  });
});
