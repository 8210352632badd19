import { describe, expect, it } from 'vitest';
import { RowKeyFilters } from '../../../packages/data-gate/src/profile/row-key-filter';
import { RowKeySet } from '../../../packages/data-gate/src/profile/row-key-set';
import { prng } from '../../helpers/prng';

describe('the row key filters', () => {
  it('let every key of their set through, stop nearly all others, and keep the reference and the batch apart', () => {
    const rand = prng(5);
    const word = (): number => Math.floor(rand() * 2 ** 32);
    for (const n of [0, 1000, 300_000]) {
      const reference = new RowKeySet(n);
      const referenceKeys: [number, number][] = [];
      for (let i = 0; i < n; i++) {
        const key: [number, number] = [word(), word()];
        referenceKeys.push(key);
        reference.addOrHas(key[0], key[1]);
      }
      const filters = new RowKeyFilters(reference, n);
      const batchKeys: [number, number][] = Array.from({ length: n }, () => [word(), word()]);
      for (const [hi, lo] of batchKeys) filters.addBatch(hi, lo);
      expect(referenceKeys.every(([hi, lo]) => filters.mayBeReference(hi, lo))).toBe(true);
      expect(batchKeys.every(([hi, lo]) => filters.mayBeBatch(hi, lo))).toBe(true);
      // A batch's lookUp answers as the single lookups do, row by row.
      const probe = [...referenceKeys.slice(0, 500), ...batchKeys.slice(0, 500), ...Array.from({ length: 500 }, (): [number, number] => [word(), word()])];
      filters.lookUp(Uint32Array.from(probe, ([, lo]) => lo), probe.length);
      expect(probe.map(([hi], i) => [filters.referenceAt(i, hi), filters.batchAt(i, hi)])).toEqual(probe.map(([hi, lo]) => [filters.mayBeReference(hi, lo), filters.mayBeBatch(hi, lo)]));
      // 8 to 16 bits a key with three bits in one word: a few percent pass (none for the empty set),
      // and the keys of one set pass the other's filter no more often than any key.
      const trials = 100_000;
      const bound = n === 0 ? 1e-9 : 0.03;
      let passed = 0;
      for (let i = 0; i < trials; i++) if (filters.mayBeReference(word(), word())) passed++;
      expect(passed / trials).toBeLessThan(bound);
      passed = 0;
      for (let i = 0; i < trials; i++) if (filters.mayBeBatch(word(), word())) passed++;
      expect(passed / trials).toBeLessThan(bound);
      expect(batchKeys.filter(([hi, lo]) => filters.mayBeReference(hi, lo)).length).toBeLessThan(bound * Math.max(n, 1));
      expect(referenceKeys.filter(([hi, lo]) => filters.mayBeBatch(hi, lo)).length).toBeLessThan(bound * Math.max(n, 1));
    }
  });

  it('has no batch keys until they are added, whatever the reference holds', () => {
    const reference = new RowKeySet(10);
    reference.addOrHas(1, 2);
    const filters = new RowKeyFilters(reference, 10);
    expect(filters.mayBeReference(1, 2)).toBe(true);
    expect(filters.mayBeBatch(1, 2)).toBe(false);
    filters.lookUp(Uint32Array.of(2), 1);
    filters.addBatch(1, 2);
    expect(filters.mayBeBatch(1, 2)).toBe(true);
    // Words fetched before a key was added do not have it.
    expect(filters.batchAt(0, 1)).toBe(false);
    filters.lookUp(Uint32Array.of(2), 1);
    expect(filters.batchAt(0, 1)).toBe(true);
    expect(new RowKeyFilters(undefined, 10).mayBeReference(1, 2)).toBe(false);
  });
});
