import type { Finding } from '@aisec/core';
import {
  RULE_ALL_NULL_COLUMN,
  RULE_BAD_JSON_LINE,
  RULE_BAD_QUOTING,
  RULE_DUPLICATE_COLUMN,
  RULE_EMPTY_DATA,
  RULE_INVALID_ENCODING,
  RULE_RAGGED_ROWS,
  RULE_SHARD_COLUMNS,
} from '../contract/input-rules';
import type { ReadProblem, ReadProblemKind } from './read-problems';

const RULE_OF: Record<ReadProblemKind, { id: string; severity: Finding['severity'] }> = {
  'ragged-row': { id: RULE_RAGGED_ROWS, severity: 'medium' },
  'bad-quoting': { id: RULE_BAD_QUOTING, severity: 'medium' },
  'invalid-encoding': { id: RULE_INVALID_ENCODING, severity: 'medium' },
  'empty-file': { id: RULE_EMPTY_DATA, severity: 'medium' },
  'all-null-column': { id: RULE_ALL_NULL_COLUMN, severity: 'medium' },
  'bad-json-line': { id: RULE_BAD_JSON_LINE, severity: 'high' },
  'shard-columns-differ': { id: RULE_SHARD_COLUMNS, severity: 'high' },
  'duplicate-column': { id: RULE_DUPLICATE_COLUMN, severity: 'medium' },
};

/** One finding per problem (kind, file, column), pointing at the first row's line, with the rows. */
export function readProblemFindings(problems: readonly ReadProblem[]): Finding[] {
  return problems.map((p) => {
    const { id, severity } = RULE_OF[p.kind];
    const where = p.rows.length > 0 ? ` (${p.count} row${p.count === 1 ? '' : 's'}; first: ${p.rows.slice(0, 5).join(', ')})` : '';
    const finding: Finding = {
      ruleId: id,
      severity,
      message: `${p.file}: ${p.message}${where}`,
      location: { path: p.file },
      evidence: `${p.kind} ${p.column ?? ''}`.trim(),
      properties: { rows: p.rows, rows_total: p.count, kind: p.kind },
    };
    const line = p.lines[0];
    if (line !== undefined && line > 0) finding.location.line = line;
    if (p.column !== undefined) (finding.properties as Record<string, unknown>).column = p.column;
    return finding;
  });
}
