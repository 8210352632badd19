import { describe, expect, it } from 'vitest';
import { compare, type Mismatch } from './reference-compare';

function run(expected: Parameters<typeof compare>[0], actual: Parameters<typeof compare>[1]): { checked: number; mismatches: Mismatch[] } {
  const out = { checked: 0, mismatches: [] as Mismatch[] };
  compare(expected, actual, 'drift', out);
  return out;
}

describe('reference comparison walker', () => {
  it('fails loudly on a statistic the engine did not produce', () => {
    const out = run({ x: { ks: { statistic: 0.1, pvalue_auto: 0.5 } } }, { x: { ks: { statistic: 0.1 } } });
    expect(out.checked).toBe(2);
    expect(out.mismatches.map((m) => m.path)).toEqual(['drift.x.ks.pvalue_auto']);
  });

  it('applies the README tolerances', () => {
    expect(run({ a: 1.0 }, { a: 1.0 + 5e-7 }).mismatches).toEqual([]);
    expect(run({ a: 1.0 }, { a: 1.0 + 5e-6 }).mismatches).toHaveLength(1);
    // p-values below 1e-6: relative, not the default absolute 1e-9
    expect(run({ pvalue: 1e-20 }, { pvalue: 1.0000001e-20 }).mismatches).toEqual([]);
    expect(run({ pvalue: 1e-10 }, { pvalue: 1e-10 + 5e-13 }).mismatches).toEqual([]);
    expect(run({ pvalue: 1e-10 }, { pvalue: 2e-10 }).mismatches).toHaveLength(1);
    expect(run({ pvalue: 1e-9 }, { pvalue: 3e-9 }).mismatches).toHaveLength(1);
    // counts and indices exactly
    expect(run({ ref_counts: [3, 4] }, { ref_counts: [3, 4.0000001] }).mismatches).toHaveLength(1);
    expect(run({ significance_level: 0.25 }, { significance_level: 0.2500009 }).mismatches).toEqual([]);
    expect(run({ significance_level: 0.25 }, { significance_level: 0.250002 }).mismatches).toHaveLength(1);
    // non-finite values are spelled as strings in the references
    expect(run({ statistic: 'inf' }, { statistic: 'inf' }).mismatches).toEqual([]);
    expect(run({ statistic: 'inf' }, { statistic: 1e308 }).mismatches).toHaveLength(1);
  });

  it('compares arrays by length and element', () => {
    expect(run({ indices: [1, 2, 3] }, { indices: [1, 2] }).mismatches).toHaveLength(1);
    expect(run({ keys: ['A', 'B'] }, { keys: ['A', 'C'] }).mismatches).toHaveLength(1);
  });
});
