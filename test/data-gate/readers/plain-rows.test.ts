import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '@aisec/core';
import { CellKind, DEFAULT_READER_LIMITS, ReadProblemLog, type ReaderLimits, type ReadTableOptions, type RowBatch, readTable } from '../../../packages/data-gate/src/readers/index';
import { readCsvFile } from '../../../packages/data-gate/src/readers/csv-reader';
import type { ReadSession } from '../../../packages/data-gate/src/readers/read-session';

const tmp = mkdtempSync(join(tmpdir(), 'aisec-plain-rows-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A seeded generator, so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

// Fields that sit on the edges of the number grammar and of the interner.
const EDGES = ['0', '-0', '-0.0', '5.', '.5', '-.5', '007', '+5', '-', '.', '1e5', '-2.5E-3', 'inf', '-Infinity', 'nan', 'NaN', ' 5', '5 ', '123456789012345', '1234567890123456', '0.1234567890123456', 'no', 'in', 'n', 'i', 'yes', 'alpha', 'é', 'naïve', ''];

function field(rnd: () => number): string {
  const r = rnd();
  if (r < 0.3) return EDGES[Math.floor(rnd() * EDGES.length)] as string;
  if (r < 0.5) return ((rnd() - 0.5) * 10 ** Math.floor(rnd() * 8)).toFixed(Math.floor(rnd() * 7));
  if (r < 0.6) return String(Math.floor(rnd() * 1e6) - 5e5);
  if (r < 0.9) return ['cat', 'dog', 'bird', 'k1', 'k22', 'x'][Math.floor(rnd() * 6)] as string;
  return `w${Math.floor(rnd() * 1e9)}`;
}

/** The first few places where two long arrays differ (a diff of whole arrays this long takes minutes). */
function differences(got: readonly unknown[], expected: readonly unknown[], what: string): string[] {
  const out: string[] = [];
  if (got.length !== expected.length) out.push(`${what}: ${got.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length && out.length < 5; i++) if (!Object.is(got[i], expected[i])) out.push(`${what}[${i}]: ${String(got[i])}, expected ${String(expected[i])}`);
  return out;
}

interface Cells {
  kinds: number[];
  numbers: number[];
  texts: (string | null)[];
  codes: number[];
  rows: number[];
  lines: number[];
}

async function cellsOf(path: string, options: ReadTableOptions = {}): Promise<Cells> {
  return cellsOfBatches(readTable(path, { readerLimits: { batchRows: 97 }, ...options }, { workspace: tmp }));
}

function sessionOf(limits: Partial<ReaderLimits> = {}): ReadSession {
  return {
    limits: DEFAULT_LIMITS,
    reader: { ...DEFAULT_READER_LIMITS, batchRows: 97, ...limits },
    problems: new ReadProblemLog(100),
    kinds: new Map(),
    tableRow: 0,
  };
}

/** The cells as the general tokenizer alone reads them (the reader's plain-row decoder switched off). */
async function generalCellsOf(path: string): Promise<Cells> {
  return cellsOfBatches(readCsvFile(path, path, { plainRows: false }, sessionOf()));
}

async function cellsOfBatches(batches: AsyncIterable<RowBatch>): Promise<Cells> {
  const out: Cells = { kinds: [], numbers: [], texts: [], codes: [], rows: [], lines: [] };
  for await (const batch of batches) {
    for (let i = 0; i < batch.length; i++) {
      out.rows.push(batch.rows[i] as number);
      out.lines.push(batch.lines[i] as number);
      for (const chunk of batch.data) {
        out.kinds.push(chunk.kinds[i] as number);
        out.numbers.push(chunk.numbers[i] as number);
        out.texts.push(chunk.texts[i] ?? null);
        out.codes.push(chunk.codes?.[i] ?? -2);
      }
    }
  }
  return out;
}

describe('plain rows (the fast path) read exactly as the general tokenizer reads them', () => {
  it('gives the same kinds, numbers (to the bit), texts, codes, rows and lines as the general tokenizer: plain, quoted, CRLF, mixed', async () => {
    const rnd = lcg(11);
    const width = 7;
    const rows: string[][] = [];
    for (let r = 0; r < 20_000; r++) rows.push(Array.from({ length: width }, () => field(rnd)));
    const header = Array.from({ length: width }, (_, c) => `c${c}`);
    // The same rows plain, quoted and with CRLF line ends, and now and then a ragged row or a blank
    // line (which the fast path leaves to the general one): each must read as the general tokenizer
    // alone reads it.
    const lines = [header, ...rows].map((r, i) => (i % 997 === 500 ? [...r, 'extra'] : i % 1009 === 700 ? r.slice(1) : r));
    const files: Record<string, string> = {
      'plain.csv': lines.map((r) => r.join(',')).join('\n') + '\n\n',
      'quoted.csv': lines.map((r) => r.map((f) => `"${f}"`).join(',')).join('\n') + '\n',
      'crlf.csv': lines.map((r) => r.join(',')).join('\r\n') + '\r\n',
      'mixed.csv': lines.map((r, i) => r.map((f, c) => ((i + c) % 3 === 0 ? `"${f}"` : f)).join(',') + (i % 2 === 0 ? '\r\n' : '\n') + (i % 1013 === 0 ? '\n' : '')).join(''),
    };
    for (const [file, text] of Object.entries(files)) {
      writeFileSync(join(tmp, file), text);
      const expected = await generalCellsOf(join(tmp, file));
      expect(expected.rows.length).toBe(20_000);
      expect(expected.codes).not.toContain(-2);
      // The file holds every kind, so the comparison covered each path.
      for (const kind of [CellKind.Null, CellKind.Integer, CellKind.Float, CellKind.Text]) expect(expected.kinds).toContain(kind);
      const got = await cellsOf(join(tmp, file));
      // Object.is tells -0 from 0 and NaN from NaN alike: numbers are compared to the bit.
      for (const key of ['kinds', 'numbers', 'texts', 'codes', 'rows', 'lines'] as const) expect(differences(got[key], expected[key], `${file} ${key}`)).toEqual([]);
    }
  });

  it('leaves quoted fields with escapes, line breaks or text after the quote to the general path', async () => {
    writeFileSync(join(tmp, 'quotes.csv'), 'a,b\n"x""y",1\n"two\nlines",2\n"q"tail,3\n"",4\n"5",""\n"a,b","-1.5"\n');
    const cells = await cellsOf(join(tmp, 'quotes.csv'));
    expect(cells.texts).toEqual(['x"y', null, 'two\nlines', null, 'qtail', null, null, null, null, null, 'a,b', null]);
    expect(cells.kinds).toEqual([3, 1, 3, 1, 3, 1, 0, 1, 1, 0, 3, 2]);
    expect(cells.numbers.filter((v) => !Number.isNaN(v))).toEqual([1, 2, 3, 4, 5, -1.5]);
    expect(cells.lines).toEqual([2, 3, 5, 6, 7, 8]);
  });

  it('reads ragged rows, blank lines, CRLF and bad quoting with their rows and lines intact', async () => {
    writeFileSync(join(tmp, 'mixed.csv'), 'a,b,c\n1,2,3\n\n4,5\n6,7,8,9\r\n10,x"y,11\n12,13,14');
    const cells = await cellsOf(join(tmp, 'mixed.csv'));
    expect(cells.rows).toEqual([0, 1, 2, 3, 4]);
    expect(cells.lines).toEqual([2, 4, 5, 6, 7]);
    expect(cells.numbers.slice(0, 6)).toEqual([1, 2, 3, 4, 5, Number.NaN]);
    expect(cells.texts[10]).toBe('x"y');
    expect(cells.numbers.slice(6)).toEqual([6, 7, 8, 10, Number.NaN, 11, 12, 13, 14]);
  });

  it('is not used where the delimiter can be part of a number (-, ., a digit)', async () => {
    // With `.` as the delimiter, 1.5 is two fields (a ragged row here), not the number 1.5.
    writeFileSync(join(tmp, 'dot.csv'), 'x\n1.5\n2\n');
    const dot = await cellsOf(join(tmp, 'dot.csv'), { delimiter: '.' });
    expect(dot.numbers).toEqual([1, 2]);
    writeFileSync(join(tmp, 'minus.csv'), 'x-y\n-5\n3-4\n');
    const minus = await cellsOf(join(tmp, 'minus.csv'), { delimiter: '-' });
    expect(minus.kinds).toEqual([CellKind.Null, CellKind.Integer, CellKind.Integer, CellKind.Integer]);
    expect(minus.numbers.slice(1)).toEqual([5, 3, 4]);
    writeFileSync(join(tmp, 'digit.csv'), 'a7b\n170\n');
    const digit = await cellsOf(join(tmp, 'digit.csv'), { delimiter: '7' });
    expect(digit.numbers).toEqual([1, 0]);
  });

  it('types columns from every cell of a batch, one odd cell among thousands included', async () => {
    const rows = Array.from({ length: 10_000 }, (_, r) => `${r === 5001 ? '1.5' : r},${r === 9998 ? 'x' : r % 7},${r % 3 === 0 ? '' : 'a'}`);
    writeFileSync(join(tmp, 'odd.csv'), `i,j,k\n${rows.join('\n')}\n`);
    const table = readTable(join(tmp, 'odd.csv'), {}, { workspace: tmp });
    for await (const batch of table) void batch;
    expect(table.types()).toEqual({ i: 'number', j: 'string', k: 'string' });
  });

  it('gives a very wide table fewer rows per batch, the cells intact', async () => {
    const width = 5000;
    const header = Array.from({ length: width }, (_, c) => `c${c}`).join(',');
    const lines = Array.from({ length: 1000 }, (_row, r) => Array.from({ length: width }, (_cell, c) => String(r * width + c)).join(','));
    writeFileSync(join(tmp, 'wide.csv'), `${header}\n${lines.join('\n')}\n`);
    let rows = 0;
    let largest = 0;
    const wrong: string[] = [];
    for await (const batch of readTable(join(tmp, 'wide.csv'), {}, { workspace: tmp })) {
      largest = Math.max(largest, batch.length);
      for (let i = 0; i < batch.length; i++) {
        const r = batch.rows[i] as number;
        for (const c of [0, 1, width - 1]) if (batch.data[c]?.numbers[i] !== r * width + c) wrong.push(`${r},${c}`);
      }
      rows += batch.length;
    }
    expect(wrong).toEqual([]);
    expect(rows).toBe(1000);
    expect(largest).toBe(Math.floor(2 ** 21 / width));
  });

  it('agrees with the general tokenizer on 400 random files of CSV-steering bytes: cells, problems, errors', async () => {
    const rnd = lcg(77);
    const alphabet = ['1', '2', '0', '.', '-', 'e', 'a', 'n', 'i', 'x', 'é', ' ', ',', ',', ',', '"', '\r', '\n', '\n', '\n'];
    const outcome = async (path: string, plainRows: boolean, limits: Partial<ReaderLimits>): Promise<string> => {
      const session = sessionOf(limits);
      try {
        const cells = await cellsOfBatches(readCsvFile(path, path, { plainRows }, session));
        const numbers = cells.numbers.map((v) => (Object.is(v, -0) ? '-0' : String(v)));
        return JSON.stringify({ ...cells, numbers, problems: session.problems.problems, types: [...session.kinds] });
      } catch (error) {
        return `error: ${(error as Error).message}`;
      }
    };
    let rowsRead = 0;
    let errors = 0;
    for (let k = 0; k < 400; k++) {
      let text = ['a\n', 'a,b\n', 'a,b,c\n'][k % 3] as string;
      const n = Math.floor(rnd() * 400);
      for (let i = 0; i < n; i++) text += alphabet[Math.floor(rnd() * alphabet.length)];
      const path = join(tmp, `random-${k}.csv`);
      writeFileSync(path, text);
      // Every other file with small field and row limits, so the errors are compared too.
      const limits = k % 2 === 0 ? {} : { maxFieldChars: 2 + Math.floor(rnd() * 20), maxRecordChars: 8 + Math.floor(rnd() * 60) };
      const general = await outcome(path, false, limits);
      expect(await outcome(path, true, limits), text).toBe(general);
      if (general.startsWith('error')) errors++;
      if (!general.startsWith('error')) rowsRead += (JSON.parse(general) as Cells).rows.length;
    }
    expect(rowsRead).toBeGreaterThan(2000);
    expect(errors).toBeGreaterThan(50);
  });
});
