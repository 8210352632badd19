import { describe, expect, it } from 'vitest';
import { RowKeySet, firstSlot } from '../../../packages/data-gate/src/profile/row-key-set';
import { prng } from '../../helpers/prng';

describe('the row key set', () => {
  it('spreads keys that share their high bits (one exact-mode partition) over the table, and holds them', () => {
    // The exact mode splits row keys into partitions by their high bits and fills one set per
    // partition: a first slot taken from those bits would pile a partition's keys into a few slots.
    const rand = prng(17);
    const word = (): number => Math.floor(rand() * 2 ** 32);
    const n = 20_000;
    const keys = Array.from({ length: n }, (): [number, number] => [(0xabc00000 | (word() & 0xfffff)) >>> 0, word()]);
    const slots = Math.ceil(n / 0.7);
    // Uniform first slots would give about 72% of n distinct ones; the high bits alone, about 7.
    expect(new Set(keys.map(([hi, lo]) => firstSlot(hi, lo, slots))).size).toBeGreaterThan(0.6 * n);
    const set = new RowKeySet(n);
    for (const [hi, lo] of keys) set.addOrHas(hi, lo);
    expect(set.size).toBe(new Set(keys.map(([hi, lo]) => `${hi}:${lo}`)).size);
    expect(keys.every(([hi, lo]) => set.has(hi, lo))).toBe(true);
    expect(keys.filter(([hi, lo]) => set.has(hi, (lo ^ 1) >>> 0)).length).toBeLessThan(5);
  });
});
