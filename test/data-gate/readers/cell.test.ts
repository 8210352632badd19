import { describe, expect, it } from 'vitest';
import { CellKind, classifyCsvField } from '../../../packages/data-gate/src/readers/index';
import { csvScratch } from '../../../packages/data-gate/src/readers/cell';

/** A seeded linear congruential generator, so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('classifyCsvField', () => {
  it('parses numbers to exactly the double Number() gives (fast path included), on 200k random literals', () => {
    const rnd = lcg(7);
    const mismatches: string[] = [];
    const cases = ['0', '-0', '-0.0', '+1.5', '.5', '5.', '-.5', '123456789012345', '1234567890123456', '12345678901234567890', '0.1', '9007199254740993', '0.30000000000000004', '00012.50', '1e5', '-2.5E-3'];
    for (let t = 0; t < 200_000; t++) {
      const digits = 1 + Math.floor(rnd() * 18);
      let s = '';
      for (let d = 0; d < digits; d++) s += Math.floor(rnd() * 10);
      const dot = Math.floor(rnd() * (digits + 1));
      cases.push((rnd() < 0.5 ? '-' : '') + s.slice(0, dot) + (rnd() < 0.8 ? '.' : '') + s.slice(dot));
    }
    for (const s of cases) {
      const kind = classifyCsvField(s);
      if (kind !== CellKind.Integer && kind !== CellKind.Float) mismatches.push(`${s}: kind ${kind}`);
      else if (!Object.is(csvScratch.number, Number(s))) mismatches.push(`${s}: ${csvScratch.number} vs ${Number(s)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('follows the references\u2019 rule: ^[+-]?\\d+$ is an integer, what float() accepts is a float, the rest text', () => {
    const kinds = Object.fromEntries(
      ['12', '-3', '+4', '1.0', '1e3', ' 5', '5 ', 'inf', '-Infinity', 'NaN', '', '1_000', '0x10', '1.2.3', '-', '.', 'e5', '1e', 'NA', 'null', 'yes'].map((s) => [s, classifyCsvField(s)]),
    );
    expect(kinds).toEqual({
      '12': CellKind.Integer,
      '-3': CellKind.Integer,
      '+4': CellKind.Integer,
      '1.0': CellKind.Float,
      '1e3': CellKind.Float,
      ' 5': CellKind.Float,
      '5 ': CellKind.Float,
      inf: CellKind.Float,
      '-Infinity': CellKind.Float,
      NaN: CellKind.Float,
      '': CellKind.Null,
      '1_000': CellKind.Text,
      '0x10': CellKind.Text,
      '1.2.3': CellKind.Text,
      '-': CellKind.Text,
      '.': CellKind.Text,
      e5: CellKind.Text,
      '1e': CellKind.Text,
      NA: CellKind.Text,
      null: CellKind.Text,
      yes: CellKind.Text,
    });
  });
});
