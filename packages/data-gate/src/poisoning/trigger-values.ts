import type { Finding, Metrics } from '@aisec/core';
import { betaIncomplete, tokenize } from '../stats/index';
import type { ColumnRole } from '../gate/column-roles';
import { firstRows, rowFindings } from '../gate/row-findings';
import { RULE_TRIGGER_VALUE } from '../gate/rules';
import { type ScannedTable, categoryKeyAt } from '../gate/table-scan';

/**
 * Backdoor triggers: a token (in free text) or a value (in a categorical column) that the reference
 * rarely or never has, and that the batch pairs almost only with one label. For each candidate (at
 * least `minRows` rows in the batch, at most a tenth of its batch rate in the reference) the chance
 * that `k` of its `n` rows carry the label by luck is the binomial tail at that label's share of the
 * batch; a candidate is reported when that tail, times the number of candidates (Bonferroni), is below
 * `alpha`, and at least `minPurity` of its rows carry the label.
 */
export interface TriggerOptions {
  minRows: number;
  minPurity: number;
  alpha: number;
  /** Distinct tokens tracked per column; past it, new tokens are not counted (memory bound). */
  maxTokens: number;
}

export const TRIGGER_DEFAULTS: TriggerOptions = { minRows: 5, minPurity: 0.9, alpha: 0.001, maxTokens: 500_000 };

interface TokenStats {
  rows: number[];
  total: number;
  byLabel: Map<string, number>;
}

function unitsOf(table: ScannedTable, column: string, role: ColumnRole, row: number): string[] {
  const col = table.byName.get(column);
  if (!col) return [];
  if (role === 'text') {
    const t = col.texts[row];
    return t === null || t === undefined ? [] : [...new Set(tokenize(t))];
  }
  const k = categoryKeyAt(col, row);
  return k === null ? [] : [k];
}

export function checkTriggers(reference: ScannedTable, current: ScannedTable, label: string, roles: ReadonlyMap<string, ColumnRole>, o: TriggerOptions = TRIGGER_DEFAULTS): { findings: Finding[]; metrics: Metrics; notes: string[] } {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const curLabel = current.byName.get(label);
  if (!curLabel) return { findings, metrics: {}, notes };
  const labelShare = new Map<string, number>();
  let labelled = 0;
  for (let r = 0; r < current.rows; r++) {
    const l = categoryKeyAt(curLabel, r);
    if (l === null) continue;
    labelled++;
    labelShare.set(l, (labelShare.get(l) ?? 0) + 1);
  }
  let candidatesTotal = 0;
  const columns = current.columns.filter((c) => c !== label && (roles.get(c) === 'text' || roles.get(c) === 'categorical'));
  const perColumn: { column: string; stats: Map<string, TokenStats>; refCounts: Map<string, number> }[] = [];
  for (const column of columns) {
    const role = roles.get(column) as ColumnRole;
    const refCounts = new Map<string, number>();
    for (let r = 0; r < reference.rows; r++) for (const u of unitsOf(reference, column, role, r)) if (refCounts.has(u) || refCounts.size < o.maxTokens) refCounts.set(u, (refCounts.get(u) ?? 0) + 1);
    const stats = new Map<string, TokenStats>();
    let capped = false;
    for (let r = 0; r < current.rows; r++) {
      const l = categoryKeyAt(curLabel, r);
      if (l === null) continue;
      for (const u of unitsOf(current, column, role, r)) {
        let s = stats.get(u);
        if (!s) {
          if (stats.size >= o.maxTokens) {
            capped = true;
            continue;
          }
          stats.set(u, (s = { rows: [], total: 0, byLabel: new Map() }));
        }
        s.total++;
        if (s.rows.length < 1000) s.rows.push(r);
        s.byLabel.set(l, (s.byLabel.get(l) ?? 0) + 1);
      }
    }
    if (capped) notes.push(`trigger search in '${column}' tracked only its first ${o.maxTokens} distinct tokens`);
    for (const [u, s] of stats) {
      if (s.total < o.minRows || (refCounts.get(u) ?? 0) / Math.max(reference.rows, 1) > s.total / current.rows / 10) stats.delete(u);
    }
    candidatesTotal += stats.size;
    perColumn.push({ column, stats, refCounts });
  }
  let reported = 0;
  for (const { column, stats, refCounts } of perColumn) {
    for (const [u, s] of [...stats].sort((a, b) => b[1].total - a[1].total || (a[0] < b[0] ? -1 : 1))) {
      let top = '';
      let k = 0;
      for (const [l, c] of s.byLabel) if (c > k || (c === k && l < top)) [top, k] = [l, c];
      const p = (labelShare.get(top) ?? 0) / Math.max(labelled, 1);
      const tail = k > s.total ? 0 : betaIncomplete(k, s.total - k + 1, p);
      if (k / s.total < o.minPurity || tail * candidatesTotal >= o.alpha) continue;
      reported++;
      const shown = u.length > 40 ? `${u.slice(0, 40)}…` : u;
      findings.push(
        ...rowFindings(current, s.rows, (g) => ({
          ruleId: RULE_TRIGGER_VALUE,
          severity: 'high',
          message: `${roles.get(column) === 'text' ? 'token' : 'value'} ${JSON.stringify(shown)} in '${column}' appears in ${s.total} rows, ${k} of them with ${label} = ${top} (${((100 * k) / s.total).toFixed(0)}%, vs ${(100 * p).toFixed(0)}% of the batch), and ${refCounts.get(u) ?? 0} times in the reference: a possible backdoor trigger (rows ${firstRows(g.rows)})`,
          location: { path: g.file },
          evidence: `trigger ${column} ${shown} ${label}=${top}`,
          properties: { column, token: u, label_column: label, label: top, label_rows: k, reference_count: refCounts.get(u) ?? 0, binomial_pvalue: tail, candidates: candidatesTotal },
        })),
      );
      // rows_total counts the rows listed; the token's own total is in the message.
    }
  }
  return { findings, metrics: { 'poisoning.trigger.candidates': candidatesTotal, 'poisoning.trigger.reported': reported }, notes };
}
