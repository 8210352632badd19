import { describe, expect, it } from 'vitest';
import { hashBatchRow } from '../../../packages/data-gate/src/profile/batch-row-hash';
import { BatchRowKeys, ROW_KEY_RECIPE } from '../../../packages/data-gate/src/profile/batch-row-keys';
import { RowKeySet } from '../../../packages/data-gate/src/profile/row-key-set';
import { CellKind, type ColumnChunk } from '../../../packages/data-gate/src/readers/index';
import { RowHasher, rowKeyHex } from '../../../packages/data-gate/src/stats/index';
import { prng } from '../../helpers/prng';

type TestCell = { kind: CellKind; number?: number; text?: string | null };

/** A column chunk of the given cells; with `interned`, texts also get ids into a shared dictionary, as the CSV reader gives them. */
function chunk(name: string, cells: readonly TestCell[], interned?: string[]): ColumnChunk {
  const kinds = Uint8Array.from(cells, (c) => c.kind);
  const numbers = Float64Array.from(cells, (c) => c.number ?? Number.NaN);
  const texts = cells.map((c) => (c.kind === CellKind.Text ? (c.text ?? null) : null));
  if (!interned) return { name, kinds, numbers, texts };
  const codes = Int32Array.from(cells, (c) => {
    if (c.kind !== CellKind.Text || c.text === null || c.text === undefined) return -1;
    let id = interned.indexOf(c.text);
    if (id === -1) id = interned.push(c.text) - 1;
    return id;
  });
  return { name, kinds, numbers, texts, codes, dictionary: interned };
}

const CELLS: TestCell[] = [
  { kind: CellKind.Null },
  { kind: CellKind.Integer, number: 5 },
  { kind: CellKind.Float, number: 5 },
  { kind: CellKind.Float, number: 5.5 },
  { kind: CellKind.Integer, number: 0 },
  { kind: CellKind.Float, number: -0 },
  { kind: CellKind.Float, number: Number.NaN },
  { kind: CellKind.Float, number: -Infinity },
  { kind: CellKind.Integer, number: 1 },
  { kind: CellKind.Boolean, number: 1 },
  { kind: CellKind.Boolean, number: 0 },
  { kind: CellKind.Text, text: '' },
  { kind: CellKind.Text, text: '5' },
  { kind: CellKind.Text, text: 'null' },
  { kind: CellKind.Text, text: 'true' },
  { kind: CellKind.Text, text: 'alpha' },
  { kind: CellKind.Text, text: 'alph' },
  { kind: CellKind.Text, text: 'ünï' },
  { kind: CellKind.Text, text: null },
];

function keysOf(chunks: readonly (ColumnChunk | undefined)[], length: number): string[] {
  const keys = new BatchRowKeys();
  keys.compute(chunks, length);
  return Array.from({ length }, (_, i) => rowKeyHex(keys.hi[i] as number, keys.lo[i] as number));
}

describe('row keys, recipe v2 (column-wise)', () => {
  it('call rows equal exactly when their recipe v1 SHA-256 row hashes are equal', () => {
    const rand = prng(7);
    const width = 3;
    const n = 6000;
    const columns = Array.from({ length: width }, () => Array.from({ length: n }, () => CELLS[Math.floor(rand() * CELLS.length)] as TestCell));
    const plain = columns.map((cells, c) => chunk(`c${c}`, cells));
    const keys = keysOf(plain, n);
    const hasher = new RowHasher();
    const shas = Array.from({ length: n }, (_, i) => hashBatchRow(hasher, plain, i).toString('hex'));
    const keyOfSha = new Map<string, string>();
    const shaOfKey = new Map<string, string>();
    for (let i = 0; i < n; i++) {
      const [k, s] = [keys[i] as string, shas[i] as string];
      expect(keyOfSha.get(s) ?? k).toBe(k);
      expect(shaOfKey.get(k) ?? s).toBe(s);
      keyOfSha.set(s, k);
      shaOfKey.set(k, s);
    }
    // 19^3 possible rows (fewer classes: 5 and 5.0, 0 and -0, the two nulls are alike), 6000 drawn: many repeats and many distinct rows, so both directions are exercised.
    expect(keyOfSha.size).toBeGreaterThan(2000);
    expect(keyOfSha.size).toBeLessThan(n);
  });

  it('give the same keys with interned ids as from the strings, across batches sharing a dictionary', () => {
    const rand = prng(11);
    const n = 500;
    const cells = Array.from({ length: n }, () => CELLS[Math.floor(rand() * CELLS.length)] as TestCell);
    const dictionary: string[] = [];
    const keys = new BatchRowKeys();
    const plainKeys = keysOf([chunk('a', cells), chunk('b', cells.toReversed())], n);
    // One instance, two batches over one dictionary: the cached words of the first serve the second.
    for (let round = 0; round < 2; round++) {
      keys.compute([chunk('a', cells, dictionary), chunk('b', cells.toReversed(), dictionary)], n);
      expect(Array.from({ length: n }, (_, i) => rowKeyHex(keys.hi[i] as number, keys.lo[i] as number))).toEqual(plainKeys);
    }
  });

  it('are the same for a column of one kind (mixed in one loop) as cell by cell', () => {
    const rand = prng(13);
    const n = 3000;
    const numberCells = CELLS.filter((c) => c.kind === CellKind.Integer || c.kind === CellKind.Float);
    const textCells = CELLS.filter((c) => c.kind === CellKind.Text || c.kind === CellKind.Null);
    const numbers = Array.from({ length: n }, () => numberCells[Math.floor(rand() * numberCells.length)] as TestCell);
    const texts = Array.from({ length: n }, () => textCells[Math.floor(rand() * textCells.length)] as TestCell);
    // A boolean in one more row makes each column mixed, so the same rows go cell by cell.
    const odd: TestCell = { kind: CellKind.Boolean, number: 1 };
    const dictionary: string[] = [];
    const uniform = keysOf([chunk('n', numbers), chunk('t', texts, dictionary)], n);
    const mixed = keysOf([chunk('n', [...numbers, odd]), chunk('t', [...texts, odd], dictionary)], n + 1);
    expect(uniform).toEqual(mixed.slice(0, n));
    // Texts the reader did not intern (code -1) are keyed by their strings on both paths.
    const uninterned = chunk('t', texts, dictionary);
    (uninterned.codes as Int32Array).fill(-1, 0, n >> 1);
    expect(keysOf([chunk('n', numbers), uninterned], n)).toEqual(uniform);
    expect(new Set(uniform).size).toBeGreaterThan(20);
  });

  it('depend on the order of the cells and on where a text ends; a missing column is a column of nulls', () => {
    const t = (text: string): TestCell => ({ kind: CellKind.Text, text });
    const [ab] = keysOf([chunk('x', [t('a')]), chunk('y', [t('b')])], 1);
    const [ba] = keysOf([chunk('x', [t('b')]), chunk('y', [t('a')])], 1);
    const [abEmpty] = keysOf([chunk('x', [t('ab')]), chunk('y', [t('')])], 1);
    expect(new Set([ab, ba, abEmpty]).size).toBe(3);
    const nulls = chunk('y', [{ kind: CellKind.Null }]);
    expect(keysOf([chunk('x', [t('a')]), undefined], 1)).toEqual(keysOf([chunk('x', [t('a')]), nulls], 1));
    // One column fewer is another row, even when the extra column is null.
    expect(keysOf([chunk('x', [t('a')])], 1)).not.toEqual(keysOf([chunk('x', [t('a')]), nulls], 1));
  });

  it('are pinned: the recipe is stored in profiles and must never change in place', () => {
    expect(ROW_KEY_RECIPE).toBe('aisec-rowkey/v2');
    const row = [
      chunk('n', [{ kind: CellKind.Float, number: -0.1234 }]),
      chunk('i', [{ kind: CellKind.Integer, number: 17 }]),
      chunk('s', [{ kind: CellKind.Text, text: 'gamma' }]),
      chunk('b', [{ kind: CellKind.Boolean, number: 1 }]),
      chunk('z', [{ kind: CellKind.Null }]),
    ];
    expect(keysOf(row, 1)).toEqual(['097dda4601968342']);
  });

  it('read back from their stored hex into the key set, and anything else is refused', () => {
    const keys = new BatchRowKeys();
    const rand = prng(3);
    const n = 2000;
    keys.compute([chunk('x', Array.from({ length: n }, () => ({ kind: CellKind.Float, number: rand() })))], n);
    const set = new RowKeySet();
    const addHex = (hex: string): boolean => set.addHex(Buffer.from(`,${hex}"`, 'latin1'), 1, hex.length + 1);
    for (let i = 0; i < n; i += 2) expect(addHex(rowKeyHex(keys.hi[i] as number, keys.lo[i] as number))).toBe(true);
    for (let i = 0; i < n; i++) expect(set.has(keys.hi[i] as number, keys.lo[i] as number)).toBe(i % 2 === 0);
    for (const bad of ['097DDA4601968342', '097dda460196834', '097dda46019683420', '097dda460196834g', '']) expect(addHex(bad)).toBe(false);
    expect(set.size).toBe(n / 2);
  });
});
