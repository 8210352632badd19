import type { Finding, Metrics } from '@aisec/core';
import { RULE_SOURCE_CONCENTRATION } from '../gate/rules';
import { type ScannedTable, categoryCounts } from '../gate/table-scan';

/** A source at least this share of the batch and this many times its reference share is reported. */
export const SOURCE_MIN_SHARE = 0.2;
export const SOURCE_MIN_RATIO = 2;
/** A source the reference never had is reported from this share of the batch. */
export const SOURCE_NEW_MIN_SHARE = 0.1;

export function checkSourceConcentration(reference: ScannedTable, current: ScannedTable, column: string): { findings: Finding[]; metrics: Metrics } {
  const refCol = reference.byName.get(column);
  const curCol = current.byName.get(column);
  if (!refCol || !curCol) return { findings: [], metrics: {} };
  return sourceConcentrationFromCounts(column, categoryCounts(refCol), categoryCounts(curCol), current.files[0] ?? '.');
}

/** The same from the source column's category counts alone (the streaming exact mode keeps counts, not rows). */
export function sourceConcentrationFromCounts(column: string, ref: ReadonlyMap<string, number>, cur: ReadonlyMap<string, number>, path: string): { findings: Finding[]; metrics: Metrics } {
  const findings: Finding[] = [];
  const nRef = [...ref.values()].reduce((s, c) => s + c, 0);
  const nCur = [...cur.values()].reduce((s, c) => s + c, 0);
  let top = 0;
  for (const [source, count] of [...cur].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    const share = count / Math.max(nCur, 1);
    top = Math.max(top, share);
    const refShare = (ref.get(source) ?? 0) / Math.max(nRef, 1);
    const isNew = (ref.get(source) ?? 0) === 0;
    if ((isNew && share >= SOURCE_NEW_MIN_SHARE) || (!isNew && share >= SOURCE_MIN_SHARE && share >= SOURCE_MIN_RATIO * refShare)) {
      findings.push({
        ruleId: RULE_SOURCE_CONCENTRATION,
        severity: 'medium',
        message: `source ${JSON.stringify(source)} ('${column}') supplies ${(100 * share).toFixed(1)}% of the batch (${count} of ${nCur} rows) against ${(100 * refShare).toFixed(1)}% of the reference${isNew ? ', which never had it' : ''}`,
        location: { path },
        evidence: `source concentration ${column} ${source}`,
        properties: { column, source, share, reference_share: refShare, rows_total: count },
      });
    }
  }
  return { findings, metrics: { 'poisoning.source.top_share': top } };
}
