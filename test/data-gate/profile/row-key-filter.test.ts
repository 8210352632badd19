import { describe, expect, it } from 'vitest';
import { RowKeyFilter } from '../../../packages/data-gate/src/profile/row-key-filter';
import { RowKeySet } from '../../../packages/data-gate/src/profile/row-key-set';
import { prng } from '../../helpers/prng';

describe('the row key filter', () => {
  it('lets every key of its set through and stops nearly all others', () => {
    const rand = prng(5);
    const word = (): number => Math.floor(rand() * 2 ** 32);
    for (const n of [0, 1000, 300_000]) {
      const set = new RowKeySet(n);
      const members: [number, number][] = [];
      for (let i = 0; i < n; i++) {
        const key: [number, number] = [word(), word()];
        members.push(key);
        set.addOrHas(key[0], key[1]);
      }
      const filter = new RowKeyFilter(set);
      expect(members.every(([hi, lo]) => filter.mayHave(hi, lo))).toBe(true);
      let passed = 0;
      const trials = 100_000;
      for (let i = 0; i < trials; i++) if (filter.mayHave(word(), word())) passed++;
      // About 8 bits a key with two bits in one word: a few percent pass (none for the empty set).
      expect(passed / trials).toBeLessThan(n === 0 ? 1e-9 : 0.08);
    }
  });
});
