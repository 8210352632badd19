import { describe, expect, it } from 'vitest';
import { CellKind, type JsonFields, JsonLineError, classifyCsvField, parseJsonObjectLine } from '../../../packages/data-gate/src/readers/index';
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

describe('parseJsonObjectLine', () => {
  const parse = (line: string, hint?: (string | undefined)[]): JsonFields => {
    const out: JsonFields = { keys: [], kinds: [], numbers: [], texts: [] };
    parseJsonObjectLine(line, out, 16, hint);
    return out;
  };

  it('accepts exactly the JSON number grammar, and tells integers from floats by the literal', () => {
    const ok = ['0', '-0', '12', '-3', '1.5', '1.0', '1e5', '1E+5', '-2.5e-3', '123456789012345678'];
    for (const literal of ok) {
      const f = parse(`{"n": ${literal}}`);
      expect(f.numbers[0], literal).toBe(Number(literal));
      expect(f.kinds[0], literal).toBe(/[.eE]/.test(literal) ? CellKind.Float : CellKind.Integer);
      expect(f.texts[0], literal).toBe(literal);
    }
    for (const literal of ['01', '1.', '-', '1e', '.5', '+1', '1.5.2', '0x1F', 'NaN', '1e5e5']) {
      expect(() => parse(`{"n": ${literal}}`), literal).toThrow(JsonLineError);
    }
  });

  it('reuses hinted keys only when the raw text matches them', () => {
    const first = parse('{"a": 1, "b\\"q": 2, "c": 3}');
    expect(first.keys).toEqual(['a', 'b"q', 'c']);
    const hinted = parse('{"a": 4, "b\\"q": 5, "cc": 6}', ['a', undefined, 'c']);
    expect(hinted.keys).toEqual(['a', 'b"q', 'cc']);
    expect(hinted.keys[0]).toBe('a');
    expect(hinted.numbers).toEqual([4, 5, 6]);
  });

  it('rejects what JSON rejects', () => {
    for (const line of ['{"a": 1,}', '{"a" 1}', '{a: 1}', '{"a": tru}', '{"a": "x}', '{"a": 1} 2', '[1]', '{"a": "\u0001"}', '{"a": [1, }']) {
      expect(() => parse(line), line).toThrow(JsonLineError);
    }
  });
});
