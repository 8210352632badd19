import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CheckOptions, ContractChecker, type ContractViolation, type DataContract, checkContract, contractFindings, contractMetrics } from '../../../packages/data-gate/src/contract/index';
import { InternedVerdicts } from '../../../packages/data-gate/src/contract/interned-verdicts';
import { kindsPresent } from '../../../packages/data-gate/src/readers/kinds-present';
import { CellKind, type ColumnChunk, readTable } from '../../../packages/data-gate/src/readers/index';
import { prng } from '../../helpers/prng';
import { type HandCell, HandReader, batchesOf } from '../interned-batches';

const CONTRACT: DataContract = {
  version: 1,
  columns: [
    { name: 'id', type: 'integer', unique: true, nullable: false },
    { name: 'key', type: 'string', unique: true },
    { name: 'cat', type: 'string', categories: ['A', 'B', 'C', 5, true] },
    { name: 'email', type: 'string', pattern: '^[^@]+@[^@]+$' },
    { name: 'age', type: 'integer', min: 0, max: 130, nullable: false },
    { name: 'score', type: 'number', min: -1, max: 1 },
    { name: 'flag', type: 'boolean' },
    { name: 'n', type: 'integer', categories: [1, 2, 3] },
  ],
  additionalColumns: false,
};
const COLUMNS = ['id', 'key', 'cat', 'email', 'age', 'score', 'flag', 'n', 'extra'];

/** One seeded row: mostly valid, with every kind of breach mixed in at random. */
function rowOf(rand: () => number, r: number): HandCell[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const u = rand();
  return [
    u < 0.05 ? null : u < 0.1 ? 'unknown' : u < 0.13 ? r + 0.5 : u < 0.2 ? Math.floor(rand() * r) : r,
    pick(['k1', 'k2', 'k3', `k${r}`, `k${r}`, `free ${r % 7}`, null]),
    pick(['A', 'B', 'C', 'D', 'E', 'a', 5, 6, { value: 5, literal: '5.0' }, true, false, null, '']),
    rand() < 0.7 ? `u${Math.floor(rand() * 150)}@x.org` : pick(['not-an-email', 'a@b@c', `bad${Math.floor(rand() * 90)}`, null, 7]),
    pick([34, 0, 130, 131, -1, 200, null, 'n/a', 12.5, Number.POSITIVE_INFINITY, Number.NaN]),
    pick([0.5, -1, 1, 1.5, -3, { value: 2, literal: '2.00' }, 'x', null, Number.NEGATIVE_INFINITY]),
    pick([true, false, 'yes', 1, null]),
    pick([1, 2, 3, 4, 5.5, 'three', { value: 2, literal: '2.0' }]),
    pick(['x', 1, null]),
  ];
}

/** Pushes the same seeded rows, file by file and batch by batch, into a checker fed codes and one fed none. */
function runBoth(seed: number, options: CheckOptions): [ContractViolation[], ContractViolation[]] {
  const rand = prng(seed);
  // Texts starting with "free" are left uninterned (-1), like free text past the interner's bounds.
  const interned = new HandReader(true, (t) => !t.startsWith('free'));
  const plain = new HandReader(false);
  const withCodes = new ContractChecker(CONTRACT, options);
  const without = new ContractChecker(CONTRACT, options);
  for (const file of ['a.csv', 'b.csv', 'c.csv']) {
    let r = 0;
    for (let k = 0; k < 12; k++) {
      const rows = Array.from({ length: 1 + Math.floor(rand() * 60) }, () => rowOf(rand, r++));
      // Built and pushed one at a time, so the dictionaries grow between pushes as a reader's do.
      withCodes.push(interned.batch(file, COLUMNS, rows));
      without.push(plain.batch(file, COLUMNS, rows));
    }
  }
  return [withCodes.finish(), without.finish()];
}

describe('contract checks on interned text (codes and dictionary)', () => {
  it('report exactly what the per-cell checks report: violations, rows, lines, counts, examples, findings, metrics', () => {
    for (const [seed, options] of [
      [1, {}],
      [2, { maxRows: 7 }],
      [3, { maxDistinct: 5 }],
      [4, { maxRows: 1000, maxDistinct: 40 }],
    ] as const) {
      const [coded, plain] = runBoth(seed, options);
      expect(coded, `seed ${seed}`).toEqual(plain);
      expect(contractFindings(coded)).toEqual(contractFindings(plain));
      expect(contractMetrics(coded)).toEqual(contractMetrics(plain));
      // Every kind of cell breach is exercised, in every file.
      expect(new Set(coded.map((v) => v.kind))).toEqual(new Set(['added-column', 'type', 'null', 'range', 'category', 'unique', 'pattern']));
      for (const file of ['a.csv', 'b.csv', 'c.csv']) expect(coded.filter((v) => v.file === file && v.kind === 'pattern').length).toBe(1);
    }
  });

  it('a hand-checked batch gives the same answer with and without codes', async () => {
    const rows: HandCell[][] = [
      [0, 'k1', 'A', 'a@x.org', 34, 0.5, true, 1, 'x'],
      [1, 'k2', 'D', 'nope', 200, 1.5, 'yes', 2, 'x'],
      [2, 'k1', 'D', 'nope', -1, 'x', false, 4, 'x'],
      [2, 'free', 6, 'b@x.org', null, -1, true, 4, 'x'],
      ['unknown', 'free', { value: 5, literal: '5.0' }, 'nope', 131, 0, 'yes', 'three', 'x'],
      ['unknown', 'k3', 'E', 'a@x.org', 131, 2, true, 4, 'x'],
    ];
    const expected = [
      { kind: 'added-column', column: 'extra', count: 1, rows: [], lines: [], examples: [] },
      { kind: 'type', column: 'id', count: 2, rows: [4, 5], lines: [6, 7], examples: ['unknown'] },
      { kind: 'type', column: 'score', count: 1, rows: [2], lines: [4], examples: ['x'] },
      { kind: 'type', column: 'flag', count: 2, rows: [1, 4], lines: [3, 6], examples: ['yes'] },
      { kind: 'type', column: 'n', count: 1, rows: [4], lines: [6], examples: ['three'] },
      { kind: 'null', column: 'age', count: 1, rows: [3], lines: [5], examples: [] },
      { kind: 'range', column: 'age', count: 4, rows: [1, 2, 4, 5], lines: [3, 4, 6, 7], examples: ['200', '-1', '131'] },
      { kind: 'range', column: 'score', count: 2, rows: [1, 5], lines: [3, 7], examples: ['1.5', '2'] },
      { kind: 'category', column: 'cat', count: 4, rows: [1, 2, 3, 5], lines: [3, 4, 5, 7], examples: ['D', '6', 'E'] },
      { kind: 'category', column: 'n', count: 3, rows: [2, 3, 5], lines: [4, 5, 7], examples: ['4'] },
      { kind: 'unique', column: 'id', count: 1, rows: [3], lines: [5], examples: ['2'] },
      { kind: 'unique', column: 'key', count: 2, rows: [2, 4], lines: [4, 6], examples: ['k1', 'free'] },
      { kind: 'pattern', column: 'email', count: 3, rows: [1, 2, 4], lines: [3, 4, 6], examples: ['nope'] },
    ];
    for (const intern of [true, false]) {
      const reader = new HandReader(intern, (t) => t !== 'free');
      const violations = await checkContract(CONTRACT, batchesOf(reader, 'f.csv', COLUMNS, rows, [2, 3]));
      expect(violations.map(({ kind, column, count, rows: r, lines, examples }) => ({ kind, column, count, rows: r, lines, examples })), `intern ${intern}`).toEqual(expected);
    }
  });

  it('lists ten distinct examples in first-seen order, counting every cell, when one text repeats across batches', () => {
    const contract: DataContract = { version: 1, columns: [{ name: 'c', type: 'string', categories: ['ok'] }] };
    const values = ['ok', 'v0', 'v0', 'v1', 'v2', 'v1', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10', 'v0', 'ok'];
    for (const intern of [true, false]) {
      const checker = new ContractChecker(contract, { maxRows: 4 });
      for (const b of batchesOf(new HandReader(intern), 'f.csv', ['c'], values.map((v) => [v]), [3])) checker.push(b);
      const [v] = checker.finish();
      expect(v).toMatchObject({ kind: 'category', count: 14, rows: [1, 2, 3, 4], examples: ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9'] });
    }
  });

  it('tests a pattern on a number without a literal by its String(), once per value, and on a literal as spelled', () => {
    const contract: DataContract = { version: 1, columns: [{ name: 'zip', type: 'string', pattern: '^\\d{3}$' }] };
    const values: HandCell[] = [123, 1234, 123, -0, { value: 123, literal: '123.0' }, '123', '12a', 1234, 0, 999.5, 123];
    const checker = new ContractChecker(contract);
    for (const b of batchesOf(new HandReader(true), 'f.csv', ['zip'], values.map((v) => [v]), [4])) checker.push(b);
    expect(checker.finish()).toMatchObject([{ kind: 'pattern', count: 7, rows: [1, 3, 4, 6, 7, 8, 9], examples: ['1234', '0', '123.0', '12a', '999.5'] }]);
  });

  it('through readTable: the same violations whether or not the reader interned', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-interned-'));
    try {
      const rand = prng(9);
      const lines = ['id,cat,email'];
      for (let r = 0; r < 3000; r++) lines.push(`${rand() < 0.01 ? 'unknown' : r % 2900},${['A', 'B', 'Z', 'é'][Math.floor(rand() * 4)]},${rand() < 0.9 ? `u${r % 50}@x.org` : 'nope'}`);
      writeFileSync(join(dir, 'd.csv'), `${lines.join('\n')}\n`);
      const contract: DataContract = {
        version: 1,
        columns: [
          { name: 'id', type: 'integer', unique: true },
          { name: 'cat', type: 'string', categories: ['A', 'B'] },
          { name: 'email', type: 'string', pattern: '^[^@]+@[^@]+$' },
        ],
      };
      const batches = [];
      for await (const b of readTable(join(dir, 'd.csv'), {}, { workspace: dir })) batches.push(b);
      // The same batches stripped of codes take the per-cell path.
      // The CSV reader interns the short repeated text, so the first pass below takes the coded path.
      expect(batches.length).toBeGreaterThan(0);
      for (const batch of batches) expect(batch.data.find((c) => c.name === 'cat')?.codes?.some((id) => id >= 0)).toBe(true);
      const stripped = batches.map((b) => ({ ...b, data: b.data.map(({ codes: _c, dictionary: _d, ...chunk }) => chunk) }));
      const a = await checkContract(contract, batches);
      const b = await checkContract(contract, stripped);
      expect(a).toEqual(b);
      expect(a.map((v) => [v.kind, v.column])).toEqual([
        ['type', 'id'],
        ['category', 'cat'],
        ['unique', 'id'],
        ['pattern', 'email'],
      ]);
      // The offending categories in the order the file first shows them.
      const cats = lines.slice(1).map((l) => l.split(',')[1] as string);
      expect(a.find((v) => v.kind === 'category')?.examples).toEqual(['Z', 'é'].sort((x, y) => cats.indexOf(x) - cats.indexOf(y)));
      expect(a.find((v) => v.kind === 'category')?.count).toBe(cats.filter((c) => c === 'Z' || c === 'é').length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kindsPresent', () => {
  const naive = (kinds: Uint8Array, n: number): number => {
    let bits = 0;
    for (let i = 0; i < n; i++) bits |= 1 << (kinds[i] as number);
    return bits;
  };

  it('equals the byte-by-byte fold for uniform, mixed and odd-length columns at any offset', () => {
    const rand = prng(5);
    for (let t = 0; t < 400; t++) {
      const buffer = new Uint8Array(80);
      const offset = Math.floor(rand() * 8);
      const n = Math.floor(rand() * 70);
      const kinds = buffer.subarray(offset, offset + n);
      kinds.fill(Math.floor(rand() * 5));
      // Sometimes one odd cell, anywhere (the first, inside a word, in the tail past the last word).
      if (n > 0 && rand() < 0.6) kinds[Math.floor(rand() * n)] = Math.floor(rand() * 5);
      expect(kindsPresent(kinds, n), `offset ${offset} n ${n}`).toBe(naive(kinds, n));
    }
    expect(kindsPresent(new Uint8Array(0), 0)).toBe(0);
    expect(kindsPresent(Uint8Array.of(CellKind.Text, CellKind.Text, CellKind.Text, CellKind.Text, CellKind.Null), 5)).toBe((1 << CellKind.Text) | 1);
  });
});

describe('InternedVerdicts', () => {
  const chunk = (dictionary: string[]): ColumnChunk => ({ name: 'c', kinds: new Uint8Array(0), numbers: new Float64Array(0), texts: [], codes: new Int32Array(0), dictionary });

  it('keeps verdicts while the dictionary grows, and starts afresh for another dictionary or file', () => {
    const v = new InternedVerdicts();
    expect(v.of({ name: 'c', kinds: new Uint8Array(0), numbers: new Float64Array(0), texts: [] }, 'a')).toBeUndefined();
    const dict = ['x'];
    const first = v.of(chunk(dict), 'a') as Uint8Array;
    first[0] = 3;
    for (let i = 1; i < 200; i++) dict.push(`v${i}`);
    const grown = v.of(chunk(dict), 'a') as Uint8Array;
    expect(grown.length).toBeGreaterThanOrEqual(200);
    expect(grown[0]).toBe(3);
    expect((v.of(chunk(dict), 'b') as Uint8Array)[0]).toBe(0);
    expect((v.of(chunk([...dict]), 'b') as Uint8Array)[0]).toBe(0);
  });
});
