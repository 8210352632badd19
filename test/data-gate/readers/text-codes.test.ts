import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CellKind, type ColumnChunk, type ReadTableOptions, type RowBatch, readTable } from '../../../packages/data-gate/src/readers/index';
import { prng } from '../../helpers/prng';
import { FIXTURES } from './helpers';

const tmp = mkdtempSync(join(tmpdir(), 'aisec-text-codes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface ColumnCells {
  kinds: number[];
  texts: (string | null)[];
  codes: number[];
  /** Every dictionary object the column's batches carried. */
  dictionaries: Set<readonly string[]>;
}

async function columnsOf(path: string, options: ReadTableOptions = {}): Promise<Map<string, ColumnCells>> {
  const out = new Map<string, ColumnCells>();
  for await (const batch of readTable(path, options, { workspace: tmp }) as AsyncIterable<RowBatch>) {
    for (const chunk of batch.data) {
      let cells = out.get(chunk.name);
      if (cells === undefined) out.set(chunk.name, (cells = { kinds: [], texts: [], codes: [], dictionaries: new Set() }));
      if (chunk.codes?.length !== batch.length) throw new Error(`${chunk.name}: ${chunk.codes?.length} codes for ${batch.length} rows`);
      const codes = chunk.codes;
      if (chunk.dictionary) cells.dictionaries.add(chunk.dictionary);
      for (let i = 0; i < batch.length; i++) {
        cells.kinds.push(chunk.kinds[i] as number);
        cells.texts.push(chunk.texts[i] ?? null);
        cells.codes.push(codes[i] as number);
      }
    }
  }
  return out;
}

/** What every reader of codes relies on, checked cell by cell (failures gathered, for speed and a readable diff). */
function expectCodesHold(cells: ColumnCells): void {
  expect(cells.dictionaries.size).toBe(1);
  const dictionary = [...cells.dictionaries][0] as readonly string[];
  const inDictionary = new Set(dictionary);
  const codeOf = new Map<string, number>();
  const wrong: string[] = [];
  for (let i = 0; i < cells.codes.length; i++) {
    const code = cells.codes[i] as number;
    const text = cells.texts[i] as string | null;
    if (cells.kinds[i] !== CellKind.Text) {
      if (code !== -1) wrong.push(`${i}: non-text cell has code ${code}`);
      continue;
    }
    if (code >= 0 && dictionary[code] !== text) wrong.push(`${i}: dictionary[${code}] is ${dictionary[code]}, the text ${text}`);
    // One code per text over the whole file, and -1 only for text the dictionary never holds.
    const seen = codeOf.get(text as string);
    if (seen === undefined) codeOf.set(text as string, code);
    else if (code !== seen) wrong.push(`${i}: ${text} has code ${code}, earlier ${seen}`);
    if (code === -1 && inDictionary.has(text as string)) wrong.push(`${i}: ${text} is in the dictionary but has code -1`);
    if (wrong.length > 10) break;
  }
  expect(wrong).toEqual([]);
  // Ids are dense, in order of first appearance, and the dictionary holds nothing else.
  expect(inDictionary.size).toBe(dictionary.length);
  const firstSeen = [...new Set(cells.codes.filter((c) => c >= 0))];
  expect(firstSeen).toEqual(dictionary.map((_, id) => id));
}

const CATEGORIES = ['alpha', 'beta', 'gamma', 'k17', 'yes', 'no', 'naïve', 'a-much-longer-category-name', 'x', 'é'];

function categoryFile(rows: number, seed: number, quote: (field: string) => string): string {
  const rnd = prng(seed);
  const lines = ['id,cat,num,free'];
  for (let r = 0; r < rows; r++) {
    const cat = CATEGORIES[Math.floor(rnd() * CATEGORIES.length)] as string;
    const num = rnd() < 0.1 ? 'n/a' : (rnd() * 100).toFixed(2);
    // Free text: mostly distinct, some longer than the interner keeps.
    const free = rnd() < 0.05 ? 'z'.repeat(65 + Math.floor(rnd() * 10)) : `w${Math.floor(rnd() * 1e9)}`;
    lines.push([String(r), cat, num, free].map(quote).join(','));
  }
  return lines.join('\n') + '\n';
}

describe('interned text ids (ColumnChunk.codes and dictionary)', () => {
  it('give each text one id for the whole file, across batches and chunks, with dictionary[code] === text', async () => {
    // About 3 MB: the rows cross the reader's 1 MiB chunks, and batches of 1000 rows cut them again.
    writeFileSync(join(tmp, 'cats.csv'), categoryFile(80_000, 7, (f) => f));
    const cols = await columnsOf(join(tmp, 'cats.csv'), { readerLimits: { batchRows: 1000 } });
    for (const cells of cols.values()) expectCodesHold(cells);
    const cat = cols.get('cat') as ColumnCells;
    expect([...cat.dictionaries][0]).toHaveLength(CATEGORIES.length);
    expect(cat.codes.every((c) => c >= 0)).toBe(true);
    // Numbers are never coded; `n/a` is text in a number column and is.
    const num = cols.get('num') as ColumnCells;
    expect([...num.dictionaries][0]).toEqual(['n/a']);
    expect(num.codes.filter((c) => c === 0).length).toBe(num.texts.filter((t) => t === 'n/a').length);
    expect((cols.get('id') as ColumnCells).codes.every((c) => c === -1)).toBe(true);
  });

  it('tell apart texts of every length up to the 64 interned bytes, including ones differing in one byte', async () => {
    const rnd = prng(5);
    const texts: string[] = [];
    for (let len = 1; len <= 66; len++) {
      const base = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.:'.slice(0, len);
      // The same length with the first, a middle or the last byte changed, and a multi-byte character.
      texts.push(base, `Z${base.slice(1)}`, `${base.slice(0, len >> 1)}Z${base.slice((len >> 1) + 1)}`, `${base.slice(0, -1)}Z`, `é${base.slice(2)}`);
    }
    const rows = Array.from({ length: 6000 }, () => texts[Math.floor(rnd() * texts.length)] as string);
    writeFileSync(join(tmp, 'lengths.csv'), `t\n${rows.join('\n')}\n`);
    const cells = (await columnsOf(join(tmp, 'lengths.csv'), { readerLimits: { batchRows: 500 } })).get('t') as ColumnCells;
    expectCodesHold(cells);
    expect(cells.texts).toEqual(rows);
    const distinct = new Set(rows);
    const short = [...distinct].filter((t) => Buffer.byteLength(t) <= 64);
    expect([...cells.dictionaries][0]).toHaveLength(short.length);
  });

  it('stop at the interner bounds: text over 64 bytes and text after 4096 distinct values get -1', async () => {
    const cols = await columnsOf(join(tmp, 'cats.csv'), { readerLimits: { batchRows: 1000 } });
    const free = cols.get('free') as ColumnCells;
    expectCodesHold(free);
    expect([...free.dictionaries][0]).toHaveLength(4096);
    const long = free.codes.filter((_, i) => (free.texts[i] as string).length > 64);
    expect(long.length).toBeGreaterThan(1000);
    expect(long.every((c) => c === -1)).toBe(true);
    expect(free.codes.slice(0, 100).filter((c) => c >= 0).length).toBeGreaterThan(90);
    expect(free.codes.slice(-1000).filter((c) => c >= 0).length).toBeLessThan(5);
  });

  it('are the same on the general path (every field quoted, some with escapes) as on the plain one', async () => {
    writeFileSync(join(tmp, 'plain.csv'), categoryFile(30_000, 9, (f) => f));
    writeFileSync(join(tmp, 'quoted.csv'), categoryFile(30_000, 9, (f) => `"${f}"`));
    const plain = await columnsOf(join(tmp, 'plain.csv'));
    const quoted = await columnsOf(join(tmp, 'quoted.csv'));
    for (const [name, a] of plain) {
      const b = quoted.get(name) as ColumnCells;
      expectCodesHold(b);
      expect(b.codes.flatMap((code, i) => (code === a.codes[i] ? [] : [`${name}[${i}]: ${code}, plain ${a.codes[i]}`])).slice(0, 5)).toEqual([]);
      expect(b.codes.length).toBe(a.codes.length);
      expect([...b.dictionaries][0]).toEqual([...a.dictionaries][0]);
    }
    // A field with "" escapes has its text built from pieces; it is coded by that text.
    writeFileSync(join(tmp, 'escaped.csv'), 'q\n"say ""hi"""\nplain\n"say ""hi"""\n"tail"x\ntailx\n');
    const escaped = (await columnsOf(join(tmp, 'escaped.csv'))).get('q') as ColumnCells;
    expectCodesHold(escaped);
    expect(escaped.codes).toEqual([0, 1, 0, 2, 2]);
    expect([...escaped.dictionaries][0]).toEqual(['say "hi"', 'plain', 'tailx']);
  });

  it('give invalid UTF-8 bytes the id of the text they decode to, and keep latin-1 text apart', async () => {
    // 0xff and 0xfe both decode to U+FFFD: one text, one id.
    // 0xff, 0xfe and a real U+FFFD (valid UTF-8 bytes ef bf bd) all read as the text x\uFFFD.
    writeFileSync(join(tmp, 'invalid.csv'), Buffer.concat([Buffer.from('a,b\nx\xff,1\nx\xfe,2\n', 'latin1'), Buffer.from('x\uFFFD,3\nok,4\n', 'utf8')]));
    const invalid = (await columnsOf(join(tmp, 'invalid.csv'))).get('a') as ColumnCells;
    expectCodesHold(invalid);
    expect(invalid.texts).toEqual(['x\uFFFD', 'x\uFFFD', 'x\uFFFD', 'ok']);
    expect(invalid.codes).toEqual([0, 0, 0, 1]);
    const latin1 = (await columnsOf(join(FIXTURES, 'csv/latin1.csv'), { encoding: 'latin1' })).values();
    for (const cells of latin1) expectCodesHold(cells);
  });

  it('come with gzip and UTF-16 input too', async () => {
    writeFileSync(join(tmp, 'cats.csv.gz'), gzipSync(categoryFile(5_000, 3, (f) => f)));
    const text = categoryFile(2_000, 4, (f) => f);
    writeFileSync(join(tmp, 'utf16.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    writeFileSync(join(tmp, 'utf8.csv'), text);
    for (const cells of (await columnsOf(join(tmp, 'cats.csv.gz'))).values()) expectCodesHold(cells);
    const utf16 = await columnsOf(join(tmp, 'utf16.csv'));
    const utf8 = await columnsOf(join(tmp, 'utf8.csv'));
    for (const [name, cells] of utf16) {
      expectCodesHold(cells);
      expect(cells.codes.join()).toBe((utf8.get(name) as ColumnCells).codes.join());
    }
  });

  it('are left out by JSON Lines and Parquet', async () => {
    writeFileSync(join(tmp, 'rows.jsonl'), '{"a":"x","b":1}\n{"a":"x","b":2}\n');
    let chunks = 0;
    for (const path of [join(tmp, 'rows.jsonl'), join(FIXTURES, 'parquet/small.parquet')]) {
      for await (const batch of readTable(path, {}, { workspace: tmp })) {
        for (const chunk of batch.data as ColumnChunk[]) {
          chunks++;
          expect(chunk.codes).toBeUndefined();
          expect(chunk.dictionary).toBeUndefined();
        }
      }
    }
    expect(chunks).toBeGreaterThan(2);
  });
});
