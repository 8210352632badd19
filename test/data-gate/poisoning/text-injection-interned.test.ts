import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_CONTROL_CHARACTERS, RULE_FORMULA_INJECTION, RULE_HOMOGLYPHS } from '../../../packages/data-gate/src/gate/rules';
import { TextInjectionScanner, hasControlCharacters, isFormulaLike, mixedScriptWord } from '../../../packages/data-gate/src/poisoning/index';
import { readTable } from '../../../packages/data-gate/src/readers/index';
import { prng } from '../../helpers/prng';
import { type HandCell, HandReader } from '../interned-batches';

const POOL: HandCell[] = [
  'alpha',
  'beta',
  'yes',
  'k17',
  '',
  'café',
  '日本語',
  '- a list item',
  '-5 stars',
  '=SUM(A1:A9)',
  "+cmd|' /C calc'!A0",
  '@foo',
  'a\u202Eb',
  'zero\u200Bwidth',
  'p\u0430ypal',
  'g\u043e\u043egle login',
  '=p\u0430y\u200B',
  'привет',
  null,
  3,
  2.5,
  true,
];
const COLUMNS = ['a', 'b', 'c', 'n'];

function rowOf(rand: () => number, r: number): HandCell[] {
  const pick = (): HandCell => POOL[Math.floor(rand() * POOL.length)] ?? null;
  // Column c is mostly unique text (so much of it goes uninterned below); n is numbers only.
  return [pick(), rand() < 0.97 ? 'plain' : pick(), rand() < 0.5 ? `note ${r}` : pick(), r];
}

describe('text injection scan on interned text (codes and dictionary)', () => {
  it('finds the same cells, rows, counts and examples with and without codes, and as many as the checks themselves count', () => {
    for (const seed of [1, 2, 3]) {
      const rand = prng(seed);
      const interned = new HandReader(true, (t) => !t.startsWith('note'));
      const plain = new HandReader(false);
      const withCodes = new TextInjectionScanner();
      const without = new TextInjectionScanner();
      const expected = { formula: 0, control: 0, homoglyph: 0 };
      for (const file of ['a.csv', 'b.csv']) {
        let r = 0;
        for (let k = 0; k < 15; k++) {
          const rows = Array.from({ length: 1 + Math.floor(rand() * 80) }, () => rowOf(rand, r++));
          for (const row of rows) {
            for (const cell of row) {
              if (typeof cell !== 'string') continue;
              if (cell !== '' && isFormulaLike(cell)) expected.formula++;
              if (hasControlCharacters(cell)) expected.control++;
              if (mixedScriptWord(cell) !== undefined) expected.homoglyph++;
            }
          }
          withCodes.push(interned.batch(file, COLUMNS, rows));
          without.push(plain.batch(file, COLUMNS, rows));
        }
      }
      const a = withCodes.finish();
      const b = without.finish();
      expect(a, `seed ${seed}`).toEqual(b);
      expect(a.metrics).toEqual({ 'poisoning.formula_cells': expected.formula, 'poisoning.control_character_cells': expected.control, 'poisoning.homoglyph_cells': expected.homoglyph });
      expect(expected.formula * expected.control * expected.homoglyph).toBeGreaterThan(0);
      // One finding per signal, column and file, each listing its rows.
      for (const f of a.findings) expect(f.properties?.rows).toEqual(expect.arrayContaining([expect.any(Number)]));
    }
  });

  it('gives the first flagged cell of each signal as its example, at its 0-based rows, with or without codes', () => {
    const rows: HandCell[][] = [['ok'], ['=1+1'], ['a\u202Eb'], ['=1+1'], ['p\u0430ypal'], ['=\u200Bp\u0430y'], ['ok'], ['a\u202Eb']];
    for (const intern of [true, false]) {
      const scan = new TextInjectionScanner();
      const reader = new HandReader(intern);
      scan.push(reader.batch('f.csv', ['t'], rows.slice(0, 3)));
      scan.push(reader.batch('f.csv', ['t'], rows.slice(3)));
      const { findings, metrics } = scan.finish();
      expect(findings.map((f) => [f.ruleId, f.properties?.example, f.properties?.rows, f.location.line]), `intern ${intern}`).toEqual([
        [RULE_FORMULA_INJECTION, '=1+1', [1, 3, 5], 3],
        [RULE_CONTROL_CHARACTERS, 'U+202E', [2, 5, 7], 4],
        [RULE_HOMOGLYPHS, 'p\u0430ypal', [4, 5], 6],
      ]);
      expect(metrics).toEqual({ 'poisoning.formula_cells': 3, 'poisoning.control_character_cells': 3, 'poisoning.homoglyph_cells': 2 });
    }
  });

  it('through readTable: the same findings whether or not the reader interned', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-text-interned-'));
    try {
      const rand = prng(4);
      const lines = ['id,t,u'];
      for (let r = 0; r < 3000; r++) lines.push(`${r},${['alpha', 'beta', '=1+1', 'p\u0430ypal', 'zw\u200Bj'][Math.floor(rand() * 5)]},note ${r}`);
      writeFileSync(join(dir, 'd.csv'), `${lines.join('\n')}\n`);
      const batches = [];
      for await (const b of readTable(join(dir, 'd.csv'), {}, { workspace: dir })) batches.push(b);
      // The CSV reader interns the short repeated text, so the first pass below takes the coded path.
      expect(batches.length).toBeGreaterThan(0);
      for (const batch of batches) expect(batch.data.find((c) => c.name === 't')?.codes?.some((id) => id >= 0)).toBe(true);
      const stripped = batches.map((b) => ({ ...b, data: b.data.map(({ codes: _c, dictionary: _d, ...chunk }) => chunk) }));
      const a = new TextInjectionScanner();
      const b = new TextInjectionScanner();
      for (const batch of batches) a.push(batch);
      for (const batch of stripped) b.push(batch);
      const found = a.finish();
      expect(found).toEqual(b.finish());
      const texts = lines.slice(1).map((l) => l.split(',')[1]);
      expect(found.metrics).toEqual({
        'poisoning.formula_cells': texts.filter((t) => t === '=1+1').length,
        'poisoning.control_character_cells': texts.filter((t) => t === 'zw\u200Bj').length,
        'poisoning.homoglyph_cells': texts.filter((t) => t === 'p\u0430ypal').length,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
