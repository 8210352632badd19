import type { Finding, Severity } from '@aisec/core';
import { Ajv, type ValidateFunction } from 'ajv';
import { type Cell, CellKind, type ColumnChunk, type RowBatch, cellOf, columnTypeOf, kindFits } from '../readers/index';
import type { ContractColumn, DataContract } from './contract-schema';
import {
  RULE_CATEGORY_NOT_ALLOWED,
  RULE_COLUMN_ADDED,
  RULE_COLUMN_MISSING,
  RULE_COLUMN_ORDER,
  RULE_NOT_UNIQUE,
  RULE_NULL_NOT_ALLOWED,
  RULE_OUT_OF_RANGE,
  RULE_PATTERN_MISMATCH,
  RULE_ROW_SCHEMA,
  RULE_TYPE_CONFUSION,
} from './input-rules';
import { InternedVerdicts } from './interned-verdicts';
import { kindsPresent } from '../readers/kinds-present';
import { likelyRename } from './schema-diff';

export type ViolationKind = 'missing-column' | 'added-column' | 'column-order' | 'type' | 'null' | 'range' | 'category' | 'unique' | 'pattern' | 'row-schema';

/** One kind of breach of the contract, in one column of one file, with the first rows where it happened. */
export interface ContractViolation {
  kind: ViolationKind;
  ruleId: string;
  severity: Severity;
  /** Workspace-relative file. */
  file: string;
  column?: string;
  message: string;
  /** First rows (0-based data rows of `file`), at most `maxRows`. */
  rows: number[];
  lines: number[];
  /** All occurrences. */
  count: number;
  /** Distinct offending values (as text), at most 10. */
  examples: string[];
  /** For a missing column: the added column it was most likely renamed to. */
  renamedTo?: string;
  /** For a type violation: the declared type and the type the column reads as. */
  expectedType?: string;
  actualType?: string;
}

export interface CheckOptions {
  /** Rows kept per violation. Default 100. */
  maxRows?: number;
  /** Distinct values remembered per unique column; past it, uniqueness is not checked further. Default 2,000,000. */
  maxDistinct?: number;
}

const RULES: Record<ViolationKind, [string, Severity]> = {
  'missing-column': [RULE_COLUMN_MISSING, 'high'],
  'added-column': [RULE_COLUMN_ADDED, 'medium'],
  'column-order': [RULE_COLUMN_ORDER, 'low'],
  type: [RULE_TYPE_CONFUSION, 'high'],
  null: [RULE_NULL_NOT_ALLOWED, 'medium'],
  range: [RULE_OUT_OF_RANGE, 'medium'],
  category: [RULE_CATEGORY_NOT_ALLOWED, 'medium'],
  unique: [RULE_NOT_UNIQUE, 'medium'],
  pattern: [RULE_PATTERN_MISMATCH, 'medium'],
  'row-schema': [RULE_ROW_SCHEMA, 'medium'],
};

/** The kinds of violation found cell by cell in one declared column. */
type CellViolation = 'null' | 'type' | 'range' | 'category' | 'unique' | 'pattern';

/** A column's violation in the file being read, with what saves work on its next offending cell. */
interface OpenViolation {
  v: ContractViolation;
  /** Numbers (cells without a literal) whose text is already among `v.examples`: a repeat skips String(). */
  numbers: number[];
}

interface ColumnRule {
  spec: ContractColumn;
  /** Allowed categories by their JSON type (a cell matches by value, or by its text). */
  allowedStrings?: Set<string>;
  allowedNumbers?: Set<number>;
  allowedBooleans?: Set<boolean>;
  pattern?: RegExp;
  /**
   * Category and pattern verdicts (VERDICT_* bits) on numbers without a literal (CSV numbers, judged by
   * value and String()), for the first MAX_NUMBER_VERDICTS distinct values of the column.
   */
  numberVerdicts: Map<number, number>;
  seen?: Set<string | number>;
  /** Bit per CellKind a cell may have without a null or type violation. */
  fits: number;
  /** Whether min or max is set; then `min`/`max` are the bounds, open ends at -/+Infinity. */
  ranged: boolean;
  min: number;
  max: number;
  /** Categories, pattern or uniqueness: the checks that look at each cell's value. */
  perValue: boolean;
  messages: Record<CellViolation, string>;
  /** Verdict bits (VERDICT_*) on the column's interned texts. */
  verdicts: InternedVerdicts;
  /** The column's violations in `openFile` by kind, so an offending cell skips building the violation's key. */
  openFile: string;
  open: Map<CellViolation, OpenViolation>;
}

// Verdict bits on one interned text of a column. The category and pattern bits depend on the text
// alone; IN_SEEN means the text is in the column's uniqueness set (which never forgets), so a repeat
// is known without hashing it; the EXAMPLE bits mean the text is among that violation's examples in
// this file (InternedVerdicts starts afresh per file, as violations are per file).
const VERDICT_KNOWN = 1;
const VERDICT_NOT_A_CATEGORY = 2;
const VERDICT_NO_MATCH = 4;
const VERDICT_IN_SEEN = 8;
const EXAMPLE_BIT: Record<CellViolation, number> = { null: 0, type: 16, range: 0, category: 32, pattern: 64, unique: 128 };

const NUMBER_BITS = (1 << CellKind.Integer) | (1 << CellKind.Float);
const ALL_KINDS = [CellKind.Null, CellKind.Integer, CellKind.Float, CellKind.Text, CellKind.Boolean] as const;

function columnRule(spec: ContractColumn): ColumnRule {
  const nullable = spec.nullable !== false;
  let fits = 0;
  for (const kind of ALL_KINDS) if (kind === CellKind.Null ? nullable : kindFits(kind, spec.type)) fits |= 1 << kind;
  const name = spec.name;
  const rule: ColumnRule = {
    spec,
    fits,
    ranged: spec.min !== undefined || spec.max !== undefined,
    min: spec.min ?? Number.NEGATIVE_INFINITY,
    max: spec.max ?? Number.POSITIVE_INFINITY,
    perValue: spec.categories !== undefined || spec.pattern !== undefined || spec.unique === true,
    messages: {
      null: `nulls in '${name}', which the contract declares not nullable`,
      type: `values that are not ${spec.type} in ${spec.type} column '${name}'`,
      range: `values of '${name}' outside [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}]`,
      category: `values of '${name}' outside its allowed categories`,
      pattern: `values of '${name}' that do not match /${spec.pattern}/`,
      unique: `repeated values in '${name}', which the contract declares unique`,
    },
    verdicts: new InternedVerdicts(),
    numberVerdicts: new Map(),
    openFile: '',
    open: new Map(),
  };
  if (spec.categories) {
    rule.allowedStrings = new Set(spec.categories.filter((c): c is string => typeof c === 'string'));
    rule.allowedNumbers = new Set(spec.categories.filter((c): c is number => typeof c === 'number'));
    rule.allowedBooleans = new Set(spec.categories.filter((c): c is boolean => typeof c === 'boolean'));
  }
  if (spec.pattern !== undefined) rule.pattern = new RegExp(spec.pattern, 'u');
  if (spec.unique) rule.seen = new Set();
  return rule;
}

/** A cell's text as the contract sees it: the text itself, a JSON literal, or the number's String(). */
function cellText(chunk: ColumnChunk, i: number): string {
  return chunk.texts[i] ?? String(cellOf(chunk, i));
}

/** Whether a non-null cell is one of the allowed categories: by its value, or by its text. */
function allowedCategory(rule: ColumnRule, chunk: ColumnChunk, i: number, kind: CellKind): boolean {
  const strings = rule.allowedStrings as Set<string>;
  const num = chunk.numbers[i] as number;
  if (kind === CellKind.Text) return strings.has(chunk.texts[i] ?? '');
  if (kind === CellKind.Boolean) return (rule.allowedBooleans as Set<boolean>).has(num === 1) || (strings.size > 0 && strings.has(cellText(chunk, i)));
  if ((rule.allowedNumbers as Set<number>).has(num)) return true;
  if (strings.size === 0) return false;
  const literal = chunk.texts[i];
  return (literal != null && strings.has(literal)) || strings.has(String(num));
}

/** Distinct numbers whose verdict a column remembers: a bound on memory, not on correctness. */
const MAX_NUMBER_VERDICTS = 4096;

/** The category and pattern verdict on a text cell's text (VERDICT_* bits). */
function judgeText(rule: ColumnRule, text: string): number {
  let verdict = VERDICT_KNOWN;
  if (rule.allowedStrings && !rule.allowedStrings.has(text)) verdict |= VERDICT_NOT_A_CATEGORY;
  if (rule.pattern && !rule.pattern.test(text)) verdict |= VERDICT_NO_MATCH;
  return verdict;
}

/** The same for a number without a literal: a category by value or by its String(), the pattern on its String(). */
function judgeNumber(rule: ColumnRule, num: number): number {
  let verdict = VERDICT_KNOWN;
  const strings = rule.allowedStrings;
  if (strings && !(rule.allowedNumbers as Set<number>).has(num) && (strings.size === 0 || !strings.has(String(num)))) verdict |= VERDICT_NOT_A_CATEGORY;
  if (rule.pattern && !rule.pattern.test(String(num))) verdict |= VERDICT_NO_MATCH;
  return verdict;
}

/**
 * Checks batches against a contract in one pass (push every batch, then finish). Column-set
 * problems are decided per file; cell problems keep the first rows. Also usable next to the
 * statistics on the same batches.
 *
 * Runs column by column: a column's kinds are folded into a bit set first, so a column whose kinds
 * all fit (nearly every column of nearly every batch) costs one pass over its kind bytes; ranges are
 * one comparison over the numbers; categories and patterns are decided once per interned text
 * (ColumnChunk `codes`) or number value, and per cell only for text the reader did not intern.
 */
export class ContractChecker {
  private readonly byName = new Map<string, ColumnRule>();
  private readonly violations = new Map<string, ContractViolation>();
  private readonly files = new Map<string, { columns: readonly string[]; kinds: Map<string, number> }>();
  private readonly maxRows: number;
  private readonly maxDistinct: number;
  private readonly rowValidator: ValidateFunction | undefined;

  constructor(
    readonly contract: DataContract,
    options: CheckOptions = {},
  ) {
    this.maxRows = options.maxRows ?? 100;
    this.maxDistinct = options.maxDistinct ?? 2_000_000;
    for (const spec of contract.columns) this.byName.set(spec.name, columnRule(spec));
    if (contract.rowSchema !== undefined) this.rowValidator = new Ajv({ strict: false, allErrors: false }).compile(contract.rowSchema);
  }

  private add(kind: ViolationKind, file: string, column: string | undefined, message: string): ContractViolation {
    const key = `${kind}\u0000${file}\u0000${column ?? ''}`;
    let v = this.violations.get(key);
    if (!v) {
      const [ruleId, severity] = RULES[kind];
      v = { kind, ruleId, severity, file, message, rows: [], lines: [], count: 0, examples: [] };
      if (column !== undefined) v.column = column;
      this.violations.set(key, v);
    }
    return v;
  }

  /** Counts one offending row: its row and line while fewer than maxRows are kept. Returns whether examples are still wanted. */
  private count(v: ContractViolation, batch: RowBatch, i: number): boolean {
    v.count++;
    if (v.rows.length < this.maxRows) {
      v.rows.push(batch.rows[i] as number);
      v.lines.push(batch.lines[i] as number);
    }
    return v.examples.length < 10;
  }

  private open(rule: ColumnRule, kind: CellViolation, file: string): OpenViolation {
    if (rule.openFile !== file) {
      rule.openFile = file;
      rule.open.clear();
    }
    let o = rule.open.get(kind);
    if (!o) {
      o = { v: this.add(kind, file, rule.spec.name, rule.messages[kind]), numbers: [] };
      rule.open.set(kind, o);
    }
    return o;
  }

  /**
   * Counts an offending cell of a declared column and, while fewer than 10 distinct are kept, its text
   * among the examples (null cells have none). An interned text or a number already listed skips
   * making and comparing its text.
   */
  private offend(rule: ColumnRule, kind: CellViolation, batch: RowBatch, chunk: ColumnChunk, i: number, verdicts: Uint8Array | undefined): void {
    const o = this.open(rule, kind, batch.file);
    if (!this.count(o.v, batch, i) || kind === 'null') return;
    const examples = o.v.examples;
    const cellKind = chunk.kinds[i] as CellKind;
    const code = verdicts !== undefined && cellKind === CellKind.Text ? ((chunk.codes as Int32Array)[i] as number) : -1;
    if (code >= 0 && code < (verdicts as Uint8Array).length) {
      const bit = EXAMPLE_BIT[kind];
      const v = verdicts as Uint8Array;
      if (((v[code] as number) & bit) !== 0) return;
      const text = cellText(chunk, i);
      if (!examples.includes(text)) examples.push(text);
      v[code] = (v[code] as number) | bit;
      return;
    }
    if (chunk.texts[i] == null && (cellKind === CellKind.Integer || cellKind === CellKind.Float)) {
      const num = chunk.numbers[i] as number;
      // String() is the same for numbers SameValueZero calls equal (0 and -0, NaN and NaN).
      if (o.numbers.includes(num)) return;
      o.numbers.push(num);
    }
    const text = cellText(chunk, i);
    if (!examples.includes(text)) examples.push(text);
  }

  push(batch: RowBatch): void {
    let file = this.files.get(batch.file);
    if (!file) {
      file = { columns: batch.columns, kinds: new Map() };
      this.files.set(batch.file, file);
    } else if (batch.columns.length > file.columns.length) {
      file.columns = batch.columns; // JSON Lines can add keys as it goes
    }
    const n = batch.length;
    for (const chunk of batch.data) {
      const present = kindsPresent(chunk.kinds, n);
      // kindBit leaves Null out of the bit set columnTypeOf reads.
      file.kinds.set(chunk.name, (file.kinds.get(chunk.name) ?? 0) | (present & ~(1 << CellKind.Null)));
      const rule = this.byName.get(chunk.name);
      if (!rule) continue;
      const verdicts = rule.perValue || (present & ~rule.fits) !== 0 ? rule.verdicts.of(chunk, batch.file) : undefined;
      if ((present & ~rule.fits) !== 0) this.checkKinds(rule, batch, chunk, verdicts);
      if (rule.ranged && (present & rule.fits & NUMBER_BITS) !== 0) this.checkRange(rule, batch, chunk);
      if (rule.perValue) this.checkValues(rule, batch, chunk, verdicts);
    }
    if (this.rowValidator) {
      for (let i = 0; i < batch.length; i++) {
        const obj: Record<string, Cell> = {};
        for (const chunk of batch.data) obj[chunk.name] = cellOf(chunk, i);
        if (!this.rowValidator(obj)) {
          const e = this.rowValidator.errors?.[0];
          const what = e ? `${e.instancePath || '(row)'} ${e.message ?? e.keyword}` : 'invalid';
          const v = this.add('row-schema', batch.file, undefined, `rows that fail the contract rowSchema (first: ${what})`);
          if (this.count(v, batch, i) && !v.examples.includes(what)) v.examples.push(what);
        }
      }
    }
  }

  /** Nulls where the contract forbids them and cells whose kind does not fit the declared type. */
  private checkKinds(rule: ColumnRule, batch: RowBatch, chunk: ColumnChunk, verdicts: Uint8Array | undefined): void {
    const kinds = chunk.kinds;
    const fits = rule.fits;
    for (let i = 0; i < batch.length; i++) {
      const kind = kinds[i] as number;
      if (((fits >> kind) & 1) !== 0) continue;
      this.offend(rule, kind === CellKind.Null ? 'null' : 'type', batch, chunk, i, verdicts);
    }
  }

  /** min and max over the numbers: NaN (text, null) compares false, so only the kind of an offender is looked at. */
  private checkRange(rule: ColumnRule, batch: RowBatch, chunk: ColumnChunk): void {
    const { min, max, fits } = rule;
    const numbers = chunk.numbers;
    const kinds = chunk.kinds;
    for (let i = 0; i < batch.length; i++) {
      const x = numbers[i] as number;
      if (!(x < min || x > max)) continue;
      const kind = kinds[i] as number;
      if ((kind === CellKind.Integer || kind === CellKind.Float) && ((fits >> kind) & 1) !== 0) this.offend(rule, 'range', batch, chunk, i, undefined);
    }
  }

  /** Categories, pattern and uniqueness of the non-null cells whose kind fits: once per interned text, else per cell. */
  private checkValues(rule: ColumnRule, batch: RowBatch, chunk: ColumnChunk, verdicts: Uint8Array | undefined): void {
    const kinds = chunk.kinds;
    const texts = chunk.texts;
    const codes = verdicts === undefined ? undefined : chunk.codes;
    const held = verdicts === undefined ? 0 : verdicts.length;
    const fits = rule.fits & ~(1 << CellKind.Null);
    const seen = rule.seen;
    for (let i = 0; i < batch.length; i++) {
      const kind = kinds[i] as CellKind;
      if (((fits >> kind) & 1) === 0) continue;
      const code = codes !== undefined && kind === CellKind.Text ? (codes[i] as number) : -1;
      if (code < 0 || code >= held) {
        this.checkCell(rule, batch, chunk, i, kind);
        continue;
      }
      const v = verdicts as Uint8Array;
      let verdict = v[code] as number;
      if (verdict === 0) v[code] = verdict = judgeText(rule, texts[i] ?? '');
      if ((verdict & VERDICT_NOT_A_CATEGORY) !== 0) this.offend(rule, 'category', batch, chunk, i, v);
      if ((verdict & VERDICT_NO_MATCH) !== 0) this.offend(rule, 'pattern', batch, chunk, i, v);
      if (seen === undefined) continue;
      if ((verdict & VERDICT_IN_SEEN) !== 0) {
        this.offend(rule, 'unique', batch, chunk, i, v);
        continue;
      }
      const text = texts[i] ?? '';
      if (seen.has(text)) this.offend(rule, 'unique', batch, chunk, i, v);
      else if (seen.size < this.maxDistinct) seen.add(text);
      else continue;
      v[code] = (v[code] as number) | VERDICT_IN_SEEN;
    }
  }

  /** Categories, pattern and uniqueness of one cell with no interned text. */
  private checkCell(rule: ColumnRule, batch: RowBatch, chunk: ColumnChunk, i: number, kind: CellKind): void {
    if ((kind === CellKind.Integer || kind === CellKind.Float) && chunk.texts[i] == null) {
      if (rule.allowedStrings || rule.pattern) {
        // Numbers repeat too (codes, counts, flags as 0/1): judged once per value. The Map's key
        // equality (SameValueZero: 0 and -0, NaN and NaN) gives the same String() and category.
        const num = chunk.numbers[i] as number;
        let verdict = rule.numberVerdicts.get(num);
        if (verdict === undefined) {
          verdict = judgeNumber(rule, num);
          if (rule.numberVerdicts.size < MAX_NUMBER_VERDICTS) rule.numberVerdicts.set(num, verdict);
        }
        if ((verdict & VERDICT_NOT_A_CATEGORY) !== 0) this.offend(rule, 'category', batch, chunk, i, undefined);
        if ((verdict & VERDICT_NO_MATCH) !== 0) this.offend(rule, 'pattern', batch, chunk, i, undefined);
      }
    } else {
      if (rule.allowedStrings && !allowedCategory(rule, chunk, i, kind)) this.offend(rule, 'category', batch, chunk, i, undefined);
      if (rule.pattern && !rule.pattern.test(cellText(chunk, i))) this.offend(rule, 'pattern', batch, chunk, i, undefined);
    }
    if (rule.seen) {
      const key = kind === CellKind.Text ? (chunk.texts[i] ?? '') : (chunk.numbers[i] as number);
      if (rule.seen.has(key)) this.offend(rule, 'unique', batch, chunk, i, undefined);
      else if (rule.seen.size < this.maxDistinct) rule.seen.add(key);
    }
  }

  /** Column-set checks per file, then every violation, in a stable order. */
  finish(): ContractViolation[] {
    const declared = this.contract.columns.map((c) => c.name);
    const declaredSet = new Set(declared);
    for (const [file, info] of this.files) {
      const present = new Set(info.columns);
      const added = info.columns.filter((c) => !declaredSet.has(c));
      const typeOf = (c: string): string => columnTypeOf(info.kinds.get(c) ?? 0);
      for (const spec of this.contract.columns) {
        if (present.has(spec.name)) {
          const actual = typeOf(spec.name);
          const v = this.violations.get(`type\u0000${file}\u0000${spec.name}`);
          if (v) {
            v.expectedType = spec.type;
            v.actualType = actual;
          }
          continue;
        }
        const renamedTo = likelyRename(spec.name, added, typeOf, spec.type);
        const v = this.add('missing-column', file, spec.name, `column '${spec.name}' is missing${renamedTo ? ` (renamed to '${renamedTo}'?)` : ''}`);
        v.count = 1;
        if (renamedTo) v.renamedTo = renamedTo;
      }
      if (!this.contract.additionalColumns) {
        for (const c of added) this.add('added-column', file, c, `column '${c}' (${typeOf(c)}) is not in the contract`).count = 1;
      }
      if (this.contract.ordered) {
        const common = info.columns.filter((c) => declaredSet.has(c));
        const expected = declared.filter((c) => present.has(c));
        if (common.some((c, i) => expected[i] !== c)) this.add('column-order', file, undefined, `columns are in a different order than the contract's: ${common.join(', ')}`).count = 1;
      }
    }
    const order: ViolationKind[] = ['missing-column', 'added-column', 'column-order', 'type', 'null', 'range', 'category', 'unique', 'pattern', 'row-schema'];
    return [...this.violations.values()].sort((a, b) => a.file.localeCompare(b.file) || order.indexOf(a.kind) - order.indexOf(b.kind) || declaredIndex(a) - declaredIndex(b));

    function declaredIndex(v: ContractViolation): number {
      const i = v.column === undefined ? -1 : declared.indexOf(v.column);
      return i === -1 ? declared.length : i;
    }
  }
}

/** Reads every batch and returns the violations. */
export async function checkContract(contract: DataContract, batches: AsyncIterable<RowBatch> | Iterable<RowBatch>, options: CheckOptions = {}): Promise<ContractViolation[]> {
  const checker = new ContractChecker(contract, options);
  for await (const batch of batches) checker.push(batch);
  return checker.finish();
}

/** Findings for violations: file and first row's line in the location, rows in the properties. */
export function contractFindings(violations: readonly ContractViolation[]): Finding[] {
  return violations.map((v) => {
    const examples = v.examples.length > 0 ? `: ${v.examples.slice(0, 3).map((e) => JSON.stringify(e.length > 60 ? `${e.slice(0, 60)}…` : e)).join(', ')}` : '';
    const rows = v.rows.length > 0 ? ` (${v.count} row${v.count === 1 ? '' : 's'}; first: ${v.rows.slice(0, 5).join(', ')})` : '';
    const properties: Finding['properties'] = { kind: v.kind, rows: v.rows, rows_total: v.rows.length > 0 ? v.count : 0, examples: v.examples };
    if (v.column !== undefined) properties.column = v.column;
    if (v.renamedTo !== undefined) properties.renamed_to = v.renamedTo;
    if (v.expectedType !== undefined) properties.expected_type = v.expectedType;
    if (v.actualType !== undefined) properties.actual_type = v.actualType;
    const finding: Finding = {
      ruleId: v.ruleId,
      severity: v.severity,
      message: `${v.file}: ${v.message}${examples}${rows}`,
      location: { path: v.file },
      evidence: `${v.kind} ${v.column ?? ''}`.trim(),
      properties,
    };
    const line = v.lines[0];
    if (line !== undefined && line > 0) finding.location.line = line;
    return finding;
  });
}

/**
 * Report metrics for contract violations (documented names): `contract.violations` (entries) and,
 * for each kind, `contract.<kind>.count`: columns for column-set kinds, rows for cell kinds.
 */
export function contractMetrics(violations: readonly ContractViolation[]): Record<string, number> {
  const metrics: Record<string, number> = { 'contract.violations': violations.length };
  for (const v of violations) metrics[`contract.${v.kind}.count`] = (metrics[`contract.${v.kind}.count`] ?? 0) + v.count;
  return metrics;
}
