import { describe, expect, it } from 'vitest';
import { ProfileBuilder } from '../../../packages/data-gate/src/profile/profile-builder';
import { CellKind, type ColumnChunk, type RowBatch } from '../../../packages/data-gate/src/readers/index';
import { prng } from '../../helpers/prng';

/**
 * A batch of one mixed column (text, numbers, NaN, booleans, nulls) and one text column; with
 * `dictionary`, text cells carry interned ids as the CSV reader gives them (a few texts left without
 * one, as past the interner's bounds).
 */
function batch(file: string, seed: number, length: number, distinct: number, dictionary?: string[]): RowBatch {
  const rand = prng(seed);
  const column = (name: string, mixed: boolean): ColumnChunk => {
    const kinds = new Uint8Array(length);
    const numbers = new Float64Array(length).fill(Number.NaN);
    const texts: (string | null)[] = [];
    const codes = new Int32Array(length).fill(-1);
    for (let i = 0; i < length; i++) {
      const r = rand();
      texts.push(null);
      if (mixed && r < 0.1) kinds[i] = CellKind.Null;
      else if (mixed && r < 0.3) {
        kinds[i] = rand() < 0.5 ? CellKind.Integer : CellKind.Float;
        numbers[i] = rand() < 0.05 ? Number.NaN : Math.floor(rand() * distinct) / 4;
      } else if (mixed && r < 0.35) {
        kinds[i] = CellKind.Boolean;
        numbers[i] = rand() < 0.5 ? 1 : 0;
      } else {
        kinds[i] = CellKind.Text;
        const text = `v${Math.floor(rand() * distinct)}`;
        texts[i] = text;
        const interned = rand() > 0.02; // drawn either way, so both builds see the same cells
        if (dictionary && interned) {
          let id = dictionary.indexOf(text);
          if (id === -1) id = dictionary.push(text) - 1;
          codes[i] = id;
        }
      }
    }
    return dictionary ? { name, kinds, numbers, texts, codes, dictionary } : { name, kinds, numbers, texts };
  };
  return { file, columns: ['mixed', 'text'], length, rows: Float64Array.from({ length }, (_, i) => i), lines: Float64Array.from({ length }, (_, i) => i + 2), tableRow: 0, data: [column('mixed', true), column('text', false)] };
}

describe('profiles from interned text ids', () => {
  it('equal the profile from the strings: counts, truncation, distinct sketches, across files with their own dictionaries', () => {
    for (const [maxCategories, distinct] of [
      [10_000, 40],
      [50, 40],
      [50, 200],
      [5, 40],
    ] as const) {
      const coded = new ProfileBuilder({ maxCategories });
      const plain = new ProfileBuilder({ maxCategories });
      for (const [file, dictionary] of [
        ['a.csv', []],
        ['b.csv', []],
      ] as const) {
        const shared: string[] = [...dictionary];
        for (let k = 0; k < 4; k++) {
          coded.push(batch(file, 100 * k + file.length, 700, distinct, shared));
          plain.push(batch(file, 100 * k + file.length, 700, distinct));
        }
      }
      const a = coded.finish();
      const b = plain.finish();
      expect(a).toEqual(b);
      const text = a.columns.find((c) => c.name === 'text');
      expect(text?.categoriesTruncated).toBe(distinct > maxCategories);
      expect(Object.keys(text?.categories ?? {}).length).toBe(distinct > maxCategories ? 0 : distinct);
    }
  });

  it('take a column of numbers only as it is, and count the nulls of a column without numbers, as a mixed column is counted', () => {
    const rand = prng(21);
    const fast = new ProfileBuilder({ maxCategories: 50 });
    const mixed = new ProfileBuilder({ maxCategories: 50 });
    const length = 3000;
    const rows = Float64Array.from({ length: length + 1 }, (_, i) => i);
    for (let k = 0; k < 3; k++) {
      const values = Float64Array.from({ length }, () => (rand() < 0.5 ? Math.floor(rand() * 40) : Math.round(rand() * 1e4) / 100));
      const words = Array.from({ length }, () => (rand() < 0.2 ? null : `w${Math.floor(rand() * 30)}`));
      const numberKinds = Uint8Array.from(values, (v) => (Number.isInteger(v) ? CellKind.Integer : CellKind.Float));
      const textKinds = Uint8Array.from(words, (w) => (w === null ? CellKind.Null : CellKind.Text));
      const batchOf = (extra: boolean): RowBatch => ({
        file: 'a.csv',
        columns: ['x', 't'],
        length: length + (extra ? 1 : 0),
        rows,
        lines: rows,
        tableRow: 0,
        // The extra row makes both columns mixed (a null among numbers, a number among texts), so they are gathered cell by cell.
        data: [
          { name: 'x', kinds: extra ? Uint8Array.from([...numberKinds, CellKind.Null]) : numberKinds, numbers: extra ? Float64Array.from([...values, Number.NaN]) : values, texts: [] },
          { name: 't', kinds: extra ? Uint8Array.from([...textKinds, CellKind.Integer]) : textKinds, numbers: extra ? Float64Array.from([...words.map(() => Number.NaN), 7]) : words.map(() => Number.NaN), texts: extra ? [...words, null] : words } as ColumnChunk,
        ],
      });
      fast.push(batchOf(false));
      mixed.push(batchOf(true));
    }
    const [fx, ft] = fast.finish().columns;
    const [mx, mt] = mixed.finish().columns;
    expect(mx?.nulls).toBe((fx?.nulls ?? 0) + 3);
    expect({ ...fx, nulls: 0 }).toEqual({ ...mx, nulls: 0 });
    expect(ft?.nulls).toBeGreaterThan(1000);
    expect(ft?.nulls).toBe(mt?.nulls);
    expect(ft?.textCells).toBe(mt?.textCells);
    expect({ ...mt?.categories, 7: undefined }).toEqual({ ...ft?.categories, 7: undefined });
  });
});
