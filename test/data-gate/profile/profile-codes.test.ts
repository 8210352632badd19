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
});
