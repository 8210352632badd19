import type { Finding, Severity } from '@aisec/core';
import { Ajv, type ValidateFunction } from 'ajv';
import { type Cell, CellKind, type ColumnChunk, type RowBatch, cellOf, columnTypeOf, kindBit, kindFits } from '../readers/index';
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

interface ColumnRule {
  spec: ContractColumn;
  /** Allowed categories by their JSON type (a cell matches by value, or by its text). */
  allowedStrings?: Set<string>;
  allowedNumbers?: Set<number>;
  allowedBooleans?: Set<boolean>;
  pattern?: RegExp;
  seen?: Set<string | number>;
  /** Whether a cell of this column needs more than its kind looked at (range, categories, pattern, uniqueness). */
  valueChecks: boolean;
}

function columnRule(spec: ContractColumn): ColumnRule {
  const rule: ColumnRule = { spec, valueChecks: false };
  if (spec.categories) {
    rule.allowedStrings = new Set(spec.categories.filter((c): c is string => typeof c === 'string'));
    rule.allowedNumbers = new Set(spec.categories.filter((c): c is number => typeof c === 'number'));
    rule.allowedBooleans = new Set(spec.categories.filter((c): c is boolean => typeof c === 'boolean'));
  }
  if (spec.pattern !== undefined) rule.pattern = new RegExp(spec.pattern, 'u');
  if (spec.unique) rule.seen = new Set();
  rule.valueChecks = spec.categories !== undefined || spec.pattern !== undefined || spec.unique === true || spec.min !== undefined || spec.max !== undefined;
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

/**
 * Checks batches against a contract in one pass (push every batch, then finish). Column-set
 * problems are decided per file; cell problems keep the first rows. Also usable next to the
 * statistics on the same batches.
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

  /** Counts one offending cell: its row and line while fewer than maxRows are kept, its text among the first 10 distinct. */
  private addCell(kind: ViolationKind, batch: RowBatch, spec: ContractColumn | undefined, message: string, i: number, example: (() => string) | undefined): void {
    const v = this.add(kind, batch.file, spec?.name, message);
    v.count++;
    if (v.rows.length < this.maxRows) {
      v.rows.push(batch.rows[i] as number);
      v.lines.push(batch.lines[i] as number);
    }
    if (example !== undefined && v.examples.length < 10) {
      const text = example();
      if (!v.examples.includes(text)) v.examples.push(text);
    }
  }

  push(batch: RowBatch): void {
    let file = this.files.get(batch.file);
    if (!file) {
      file = { columns: batch.columns, kinds: new Map() };
      this.files.set(batch.file, file);
    } else if (batch.columns.length > file.columns.length) {
      file.columns = batch.columns; // JSON Lines can add keys as it goes
    }
    for (const chunk of batch.data) {
      let bits = file.kinds.get(chunk.name) ?? 0;
      const rule = this.byName.get(chunk.name);
      const kinds = chunk.kinds;
      const n = batch.length;
      if (!rule) {
        for (let i = 0; i < n; i++) bits |= kindBit(kinds[i] as CellKind);
        file.kinds.set(chunk.name, bits);
        continue;
      }
      const spec = rule.spec;
      const nullable = spec.nullable !== false;
      for (let i = 0; i < n; i++) {
        const kind = kinds[i] as CellKind;
        bits |= kindBit(kind);
        if (kind === CellKind.Null) {
          if (!nullable) this.addCell('null', batch, spec, `nulls in '${spec.name}', which the contract declares not nullable`, i, undefined);
          continue;
        }
        if (!kindFits(kind, spec.type)) {
          this.addCell('type', batch, spec, `values that are not ${spec.type} in ${spec.type} column '${spec.name}'`, i, () => cellText(chunk, i));
          continue;
        }
        if (rule.valueChecks) this.checkValue(rule, batch, chunk, i, kind);
      }
      file.kinds.set(chunk.name, bits);
    }
    if (this.rowValidator) {
      for (let i = 0; i < batch.length; i++) {
        const obj: Record<string, Cell> = {};
        for (const chunk of batch.data) obj[chunk.name] = cellOf(chunk, i);
        if (!this.rowValidator(obj)) {
          const e = this.rowValidator.errors?.[0];
          const what = e ? `${e.instancePath || '(row)'} ${e.message ?? e.keyword}` : 'invalid';
          this.addCell('row-schema', batch, undefined, `rows that fail the contract rowSchema (first: ${what})`, i, () => what);
        }
      }
    }
  }

  /** Range, categories, pattern and uniqueness of one non-null cell whose kind fits. */
  private checkValue(rule: ColumnRule, batch: RowBatch, chunk: ColumnChunk, i: number, kind: CellKind): void {
    const spec = rule.spec;
    const text = (): string => cellText(chunk, i);
    const num = chunk.numbers[i] as number;
    const isNumber = kind === CellKind.Integer || kind === CellKind.Float;
    if (isNumber && ((spec.min !== undefined && num < spec.min) || (spec.max !== undefined && num > spec.max))) {
      this.addCell('range', batch, spec, `values of '${spec.name}' outside [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}]`, i, text);
    }
    if (rule.allowedStrings && !allowedCategory(rule, chunk, i, kind)) {
      this.addCell('category', batch, spec, `values of '${spec.name}' outside its allowed categories`, i, text);
    }
    if (rule.pattern && !rule.pattern.test(text())) {
      this.addCell('pattern', batch, spec, `values of '${spec.name}' that do not match /${spec.pattern}/`, i, text);
    }
    if (rule.seen) {
      const key = kind === CellKind.Text ? (chunk.texts[i] ?? '') : num;
      if (rule.seen.has(key)) this.addCell('unique', batch, spec, `repeated values in '${spec.name}', which the contract declares unique`, i, text);
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
