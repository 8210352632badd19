import type { Finding, Metrics } from '@aisec/core';
import { duplicatesWithin, rowHash, rowsFoundIn } from '../stats/index';
import { firstRows, rowFindings } from './row-findings';
import { RULE_DUPLICATE_ROWS, RULE_ROWS_FROM_REFERENCE } from './rules';
import { type ScannedTable, cellAt } from './table-scan';

/** Row hashes over `keys` (missing columns hash as null), in table-row order. */
export function rowHashes(table: ScannedTable, keys: readonly string[]): string[] {
  const cols = keys.map((k) => table.byName.get(k));
  const out: string[] = [];
  for (let r = 0; r < table.rows; r++) out.push(rowHash(cols.map((c) => (c ? cellAt(c, r) : null))));
  return out;
}

/**
 * Exact duplicates within the batch and rows of the batch found in the reference, compared on every
 * column of the reference except the id columns (numbers as doubles, null equal to null).
 */
export function checkDuplicates(reference: ScannedTable, current: ScannedTable, keys: readonly string[], referenceHashes?: ReadonlySet<string>): { findings: Finding[]; metrics: Metrics; currentHashes: string[]; referenceHashes: ReadonlySet<string> } {
  const currentHashes = rowHashes(current, keys);
  const within = duplicatesWithin(currentHashes);
  const refSet = referenceHashes ?? new Set(rowHashes(reference, keys));
  const copied = rowsFoundIn(currentHashes, refSet);
  const findings: Finding[] = [...rowFindings(current, within, duplicateFindingMaker(keys)), ...rowFindings(current, copied, copiedFindingMaker(keys))];
  return { findings, metrics: { 'duplicates.within': within.length, 'duplicates.from_reference': copied.length }, currentHashes, referenceHashes: refSet };
}

type RowGroup = { file: string; rows: number[]; total: number };

/** The finding for one file's rows repeating an earlier batch row (shared by the in-memory and streaming gates). */
export function duplicateFindingMaker(keys: readonly string[]): (g: RowGroup) => Finding {
  return (g) => ({
    ruleId: RULE_DUPLICATE_ROWS,
    severity: 'medium',
    message: `${g.total} row${g.total === 1 ? '' : 's'} repeat an earlier row of the batch (rows ${firstRows(g.rows)}), compared on ${keys.length} columns`,
    location: { path: g.file },
    evidence: 'duplicates within batch',
    properties: { key_columns: keys.join(', ') },
  });
}

/** The finding for one file's rows also found in the reference. */
export function copiedFindingMaker(keys: readonly string[]): (g: RowGroup) => Finding {
  return (g) => ({
    ruleId: RULE_ROWS_FROM_REFERENCE,
    severity: 'high',
    message: `${g.total} row${g.total === 1 ? '' : 's'} of the batch also occur in the reference (rows ${firstRows(g.rows)}), compared on ${keys.length} columns`,
    location: { path: g.file },
    evidence: 'rows copied from reference',
    properties: { key_columns: keys.join(', ') },
  });
}
