import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError, buildReport } from '@aisec/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CONTRACT_SCHEMA,
  DATA_INPUT_RULES,
  type DataContract,
  checkContract,
  contractFindings,
  contractMetrics,
  contractToYaml,
  inferContract,
  loadContract,
  parseContract,
  schemaDiff,
} from '../../../packages/data-gate/src/contract/index';
import { readProblemFindings, readTable } from '../../../packages/data-gate/src/readers/index';

const SHARED = resolve(__dirname, '../../../../shared/data/data-gate');
const tmp = mkdtempSync(join(tmpdir(), 'aisec-contract-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Reference {
  files: { reference: string; current: string };
  schema: { reference: { columns: string[]; types: Record<string, string> }; current: { columns: string[]; types: Record<string, string> }; diff: unknown };
  injected: { type_break?: Record<string, string>; renamed?: Record<string, string>; dropped?: string[]; added?: string[] };
}
const ref = (name: string): Reference => JSON.parse(readFileSync(join(SHARED, 'reference', `${name}.json`), 'utf8')) as Reference;
const table = (file: string) => readTable(file, {}, { workspace: SHARED });

async function schemaOf(file: string): Promise<{ columns: string[]; types: Record<string, string> }> {
  const t = table(file);
  const columns: string[] = [];
  for await (const b of t) for (const c of b.columns) if (!columns.includes(c)) columns.push(c);
  return { columns, types: t.types() };
}

describe('schema break (dev_schema_break_200)', () => {
  const r = ref('dev_schema_break_200');

  it('schemaDiff over the readers\u2019 inferred schemas equals the reference diff exactly', async () => {
    const before = await schemaOf(r.files.reference);
    const after = await schemaOf(r.files.current);
    expect(before).toEqual(r.schema.reference);
    expect(after).toEqual(r.schema.current);
    expect(schemaDiff(before, after)).toEqual(r.schema.diff);
  });

  it('a contract inferred from the reference reports the rename, the drop, the additions and the type break with its rows', async () => {
    const contract = await inferContract(table(r.files.reference));
    const violations = await checkContract(contract, table(r.files.current));
    const typeBreakRows = JSON.parse(/rows (\[[\d, ]+\])/.exec(r.injected.type_break?.x_int ?? '')?.[1] ?? '[]') as number[];
    expect(typeBreakRows).toEqual([19, 56, 145]);
    expect(violations.map((v) => [v.kind, v.column, v.renamedTo ?? null])).toEqual([
      ['missing-column', 'x_skew', 'x_skewness'],
      ['missing-column', 'text', null],
      ['added-column', 'x_skewness', null],
      ['added-column', 'source_url', null],
      ['type', 'x_int', null],
    ]);
    expect(Object.entries(r.injected.renamed ?? {})).toEqual([['x_skew', 'x_skewness']]);
    const type = violations.find((v) => v.kind === 'type');
    expect(type).toMatchObject({ rows: typeBreakRows, lines: [21, 58, 147], count: 3, examples: ['unknown'], expectedType: 'integer', actualType: 'string' });

    const findings = contractFindings(violations);
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['AISEC-DATA-001', 'high'],
      ['AISEC-DATA-001', 'high'],
      ['AISEC-DATA-002', 'medium'],
      ['AISEC-DATA-002', 'medium'],
      ['AISEC-DATA-003', 'high'],
    ]);
    const typeFinding = findings[4];
    expect(typeFinding?.message).toBe(`data/dev_schema_break_200_cur.csv: values that are not integer in integer column 'x_int': "unknown" (3 rows; first: 19, 56, 145)`);
    expect(typeFinding?.location).toEqual({ path: 'data/dev_schema_break_200_cur.csv', line: 21 });
    expect(typeFinding?.properties).toMatchObject({ column: 'x_int', rows: [19, 56, 145], rows_total: 3 });
    expect(findings[0]?.message).toMatch(/column 'x_skew' is missing \(renamed to 'x_skewness'\?\)/);
    // Every rule used is declared, so the core can build a report from them.
    expect(buildReport({ gate: 'data-gate', version: '0', findings }, DATA_INPUT_RULES).rules.map((x) => x.id)).toEqual(['AISEC-DATA-001', 'AISEC-DATA-002', 'AISEC-DATA-003']);
  });
});

describe('contracts inferred from every shared reference', () => {
  const names = ['dev_no_drift_500', 'dev_mean_shift_2k', 'dev_variance_change_3k', 'dev_label_flip_2k', 'dev_outliers_5k', 'dev_duplicates_2k'];
  for (const name of names) {
    it(`${name}: the current batch keeps the contract (same columns and types, no unseen categories)`, async () => {
      const r = ref(name);
      const contract = await inferContract(table(r.files.reference));
      expect(contract.columns.map((c) => [c.name, c.type])).toEqual(Object.entries(r.schema.reference.types));
      expect(await checkContract(contract, table(r.files.current))).toEqual([]);
    });
  }

  it('dev_category_shift_3k (JSON Lines): the unseen category NEW is a category violation at exactly its rows', async () => {
    const r = ref('dev_category_shift_3k');
    const contract = await inferContract(table(r.files.reference));
    expect(contract.columns.find((c) => c.name === 'cat')?.categories).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
    const newRows = readFileSync(join(SHARED, r.files.current), 'utf8')
      .split('\n')
      .map((line, i) => (line.includes('"cat": "NEW"') ? i : -1))
      .filter((i) => i >= 0);
    const violations = await checkContract(contract, table(r.files.current), { maxRows: 1000 });
    expect(violations.map((v) => [v.kind, v.column, v.examples])).toEqual([['category', 'cat', ['NEW']]]);
    expect(violations[0]?.rows).toEqual(newRows);
    expect(violations[0]?.lines).toEqual(newRows.map((i) => i + 1));
  });

  it('infers uniqueness for the id column, nullability where nulls occur, categories only for low-cardinality text', async () => {
    const contract = await inferContract(table('data/dev_outliers_5k_ref.csv'));
    const by = Object.fromEntries(contract.columns.map((c) => [c.name, c]));
    expect(by.id).toMatchObject({ type: 'integer', unique: true, nullable: false });
    expect(by.x_miss).toMatchObject({ type: 'number', nullable: true });
    expect(by.x_miss?.unique).toBeUndefined();
    expect(by.text?.categories).toBeUndefined();
    expect(by.flag?.categories).toEqual(['no', 'yes']);
    const ranged = await inferContract(table('data/dev_outliers_5k_ref.csv'), { ranges: true, rangeMargin: 0.1 });
    const x = ranged.columns.find((c) => c.name === 'x_int');
    expect(x?.min).toBeLessThanOrEqual(0);
    expect(x?.max).toBeGreaterThan(10);
  });
});

describe('contract file format', () => {
  it('the YAML infer writes validates against the schema and reads back to the same contract (yes/no stay strings)', async () => {
    const contract = await inferContract(table('data/dev_no_drift_500_ref.csv'), { description: 'from dev_no_drift_500_ref' });
    const yaml = contractToYaml(contract, 'written by aisec data-gate infer\nfrom a trusted sample');
    expect(yaml).toMatch(/^# written by aisec data-gate infer\n# from a trusted sample\n/);
    expect(yaml).toContain('- "yes"');
    const path = join(tmp, 'contract.yml');
    writeFileSync(path, yaml);
    expect(loadContract(path)).toEqual(contract);
    expect(parseContract(JSON.stringify(contract), 'contract.json')).toEqual(contract);
    expect(CONTRACT_SCHEMA.properties.columns.items.properties.type.enum).toEqual(['integer', 'number', 'boolean', 'string']);
  });

  it('bad contracts are UserErrors naming the line and key', () => {
    const bad = (text: string): UserError => {
      try {
        parseContract(text, 'contract.yml');
      } catch (error) {
        if (error instanceof UserError) return error;
        throw error;
      }
      throw new Error('expected a UserError');
    };
    const wrongType = bad('version: 1\ncolumns:\n  - name: a\n    type: integer\n  - name: b\n    type: float\n');
    expect(wrongType.format()).toBe(
      'contract.yml:6:11: columns[1].type must be equal to one of the allowed values (integer, number, boolean, string) (key \'columns[1].type\'). see the contract format in the data-gate README (or write one with `aisec data-gate infer`)',
    );
    expect(bad('version: 1\ncolumns:\n  - name: a\n    type: string\n    colour: red\n').message).toMatch(/columns\[0\] unknown key 'colour'/);
    expect(bad('version: 1\ncolumns:\n  - name: a\n    type: string\n    pattern: "("\n').message).toMatch(/columns\[0\]\.pattern not a valid regular expression/);
    expect(bad('version: 1\ncolumns:\n  - {name: a, type: number, min: 5, max: 1}\n').message).toMatch(/min 5 above max 1/);
    expect(bad('version: 1\ncolumns: [\n').line).toBeGreaterThan(0);
    expect(bad('version: 2\ncolumns: []\n').message).toMatch(/version must be equal to constant/);
    expect(bad('version: 1\ncolumns:\n  - {name: a, type: string}\n  - {name: a, type: string}\n').message).toMatch(/declared twice/);
    expect(bad('version: 1\ncolumns: []\nrowSchema: {type: nonsense}\n').message).toMatch(/rowSchema is not a valid JSON Schema/);
  });
});

describe('every contract check', () => {
  const data = join(tmp, 'people.csv');
  writeFileSync(data, 'id,age,cat,email,score\n1,34,A,a@x.org,0.5\n2,,B,b@x.org,0.7\n2,200,Z,not-an-email,1.5\n3,-1,A,c@x.org,\n');
  const contract: DataContract = {
    version: 1,
    columns: [
      { name: 'id', type: 'integer', unique: true, nullable: false },
      { name: 'age', type: 'integer', min: 0, max: 130, nullable: false },
      { name: 'cat', type: 'string', categories: ['A', 'B'] },
      { name: 'email', type: 'string', pattern: '^[^@]+@[^@]+$' },
      { name: 'score', type: 'number', nullable: true },
    ],
    rowSchema: { type: 'object', properties: { score: { type: ['number', 'null'], maximum: 1 } } },
    ordered: true,
  };

  it('finds nulls, ranges, categories, patterns, repeats and row-schema failures with their rows', async () => {
    const violations = await checkContract(contract, readTable(data));
    expect(violations.map((v) => [v.kind, v.column ?? null, v.rows, v.examples])).toEqual([
      ['null', 'age', [1], []],
      ['range', 'age', [2, 3], ['200', '-1']],
      ['category', 'cat', [2], ['Z']],
      ['unique', 'id', [2], ['2']],
      ['pattern', 'email', [2], ['not-an-email']],
      ['row-schema', null, [2], ['/score must be <= 1']],
    ]);
    const findings = contractFindings(violations);
    expect(findings.map((f) => f.ruleId)).toEqual(['AISEC-DATA-004', 'AISEC-DATA-005', 'AISEC-DATA-006', 'AISEC-DATA-007', 'AISEC-DATA-008', 'AISEC-DATA-009']);
    expect(findings[1]?.location.line).toBe(4);
    expect(contractMetrics(violations)).toEqual({
      'contract.violations': 6,
      'contract.null.count': 1,
      'contract.range.count': 2,
      'contract.category.count': 1,
      'contract.unique.count': 1,
      'contract.pattern.count': 1,
      'contract.row-schema.count': 1,
    });
  });

  it('reports column order when the contract is ordered, and tolerates extra columns when it allows them', async () => {
    const swapped = join(tmp, 'swapped.csv');
    writeFileSync(swapped, 'age,id,cat,email,score,extra\n1,1,A,a@b,0.1,x\n');
    const strict = await checkContract(contract, readTable(swapped));
    expect(strict.map((v) => [v.kind, v.column ?? null])).toEqual([
      ['added-column', 'extra'],
      ['column-order', null],
    ]);
    const lenient = await checkContract({ ...contract, additionalColumns: true, ordered: false }, readTable(swapped));
    expect(lenient).toEqual([]);
  });

  it('categories compare numbers by value, whatever literal the file spelled', async () => {
    const jsonl = join(tmp, 'mixed.jsonl');
    writeFileSync(jsonl, '{"v": 5.0}\n{"v": "x"}\n{"v": 5}\n{"v": "x"}\n');
    const inferred = await inferContract(readTable(jsonl));
    expect(inferred.columns).toEqual([{ name: 'v', type: 'string', nullable: false, categories: ['5', 'x'] }]);
    const csv = join(tmp, 'mixed.csv');
    writeFileSync(csv, 'v\n5.00\nx\n6\n');
    const violations = await checkContract(inferred, readTable(csv));
    expect(violations.map((v) => [v.kind, v.rows, v.examples])).toEqual([['category', [2], ['6']]]);
  });

  it('keeps at most maxRows rows per violation but counts all of them', async () => {
    const many = join(tmp, 'many.csv');
    writeFileSync(many, `n\n${'oops\n'.repeat(500)}`);
    const [v] = await checkContract({ version: 1, columns: [{ name: 'n', type: 'number' }] }, readTable(many), { maxRows: 10 });
    expect(v).toMatchObject({ kind: 'type', count: 500, rows: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], examples: ['oops'] });
  });

  it('every input rule id is unique, in the 001-039 range, and has the text SARIF needs', () => {
    const ids = DATA_INPUT_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of DATA_INPUT_RULES) {
      expect(r.id).toMatch(/^AISEC-DATA-0[0-3]\d$/);
      expect(r.shortDescription.length).toBeGreaterThan(0);
      expect(r.fullDescription.length).toBeGreaterThan(0);
      expect(r.help.length).toBeGreaterThan(0);
    }
    // Reader problems map onto declared rules too.
    const problems = readProblemFindings([{ kind: 'ragged-row', file: 'f.csv', message: 'm', rows: [1], lines: [3], count: 1 }]);
    expect(buildReport({ gate: 'data-gate', version: '0', findings: problems }, DATA_INPUT_RULES).rules.map((r) => r.id)).toEqual(['AISEC-DATA-015']);
  });
});
