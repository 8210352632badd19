import { describe, expect, it } from 'vitest';
import { RowKeySet } from '../../../packages/data-gate/src/profile/row-key-set';
import { SortedRowHashes } from '../../../packages/data-gate/src/profile/sorted-row-hashes';
import { type Cell, RowHasher, rowHash, rowKeyHex } from '../../../packages/data-gate/src/stats/index';

function viaHasher(h: RowHasher, cells: Cell[]): string {
  h.begin();
  for (const c of cells) {
    if (c === null) h.null();
    else if (typeof c === 'number') h.number(c);
    else if (typeof c === 'boolean') h.boolean(c);
    else h.text(c);
  }
  return h.digest().toString('hex');
}

describe('RowHasher', () => {
  it('gives the recipe v1 hash of rowHash, for every cell type and non-ASCII text', () => {
    const h = new RowHasher();
    const rows: Cell[][] = [[5, 'x', null], [-0, Number.NaN, true, false], ['é中😀', 'a\ud800b', ''], ['x'.repeat(5000), 1e300, -2.5], []];
    for (const r of rows) expect(viaHasher(h, r)).toBe(rowHash(r));
  });

  it('gives the pinned recipe v1 key (version 2 profiles store these keys: it must never change)', () => {
    const h = new RowHasher();
    h.begin();
    h.number(-0.1234);
    h.text('gamma');
    h.null();
    h.boolean(true);
    h.text('ünï');
    h.key();
    expect(rowKeyHex(h.keyHi, h.keyLo)).toBe('c5e159597572ed3d');
  });
});

describe('RowKeySet', () => {
  it('finds exactly the keys added, across growth and the zero key', () => {
    const s = new RowKeySet(4);
    const keys: [number, number][] = [[0, 0], [0, 1], [1, 0], [0xffffffff, 0xffffffff]];
    for (let i = 1; i <= 5000; i++) keys.push([Math.imul(i, 2654435761) >>> 0, i * 7]);
    for (const [a, b] of keys) expect(s.addOrHas(a, b)).toBe(false);
    for (const [a, b] of keys) expect(s.addOrHas(a, b)).toBe(true);
    expect(s.size).toBe(keys.length);
    expect(s.has(12345, 999999)).toBe(false);
  });
});

describe('SortedRowHashes', () => {
  it('finds exactly the hashes given, in any order and with repeats, and skips what is not a hash', () => {
    const hashes = Array.from({ length: 3000 }, (_, i) => rowHash([i, `r${i}`]));
    const s = new SortedRowHashes([...hashes.slice(1500), ...hashes.slice(0, 1600), 'not-a-hash', 'A'.repeat(64), `${'0'.repeat(63)}g`]);
    expect(s.size).toBe(3000);
    for (const h of hashes) expect(s.has(Buffer.from(h, 'hex'))).toBe(true);
    expect(s.has(Buffer.from(rowHash([-1, 'r-1']), 'hex'))).toBe(false);
    const sorted = new SortedRowHashes([...hashes].sort());
    expect(hashes.every((h) => sorted.has(Buffer.from(h, 'hex')))).toBe(true);
    expect(sorted.has(Buffer.alloc(32))).toBe(false);
    // Sorted input with a hash out of place (equal in its first 31 bytes to its neighbour) is still sorted by seal.
    const near = [...hashes].sort();
    const twin = `${(near[10] as string).slice(0, 62)}00`;
    const withTwin = new SortedRowHashes([...near.slice(0, 11), twin, ...near.slice(11)]);
    expect(withTwin.size).toBe(twin === near[10] ? 3000 : 3001);
    expect([...near, twin].every((h) => withTwin.has(Buffer.from(h, 'hex')))).toBe(true);
  });
});
