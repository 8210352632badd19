import { CancelledError, type Finding, type GateContext, type Metrics } from '@aisec/core';
import type { ColumnRole } from '../gate/column-roles';
import { RowCollector, firstRows } from '../gate/row-findings';
import { RULE_TRIGGER_VALUE } from '../gate/rules';
import { TRIGGER_DEFAULTS } from '../poisoning/index';
import { CellKind, type ColumnChunk, type ReadTableOptions, type RowBatch, readTable } from '../readers/index';
import { betaIncomplete, tokenize } from '../stats/index';
import { labelKeyOf } from './label-split';

/**
 * The backdoor-trigger search of poisoning/trigger-values.ts from counts kept as the batch streams
 * past: per categorical value or free-text token, its rows and their labels (at most 500,000 distinct
 * units a column, as there); the reference side is the counts the gate already keeps. Same candidates,
 * binomial tail, Bonferroni correction, thresholds and messages. The rows of a reported unit (its
 * first 1,000) are collected by a second read of the batch, and only when something is reported.
 */
interface UnitStats {
  total: number;
  byLabel: Map<string, number>;
}

interface ColumnUnits {
  role: 'text' | 'categorical';
  stats: Map<string, UnitStats>;
  capped: boolean;
}

interface Reported {
  column: string;
  unit: string;
  top: string;
  k: number;
  total: number;
  p: number;
  tail: number;
  referenceCount: number;
}

function unitsOf(chunk: ColumnChunk, i: number, role: 'text' | 'categorical'): string[] {
  if (role === 'text') {
    if (chunk.kinds[i] !== CellKind.Text) return [];
    const t = chunk.texts[i];
    return t === null || t === undefined ? [] : [...new Set(tokenize(t))];
  }
  const k = labelKeyOf(chunk, i);
  return k === null ? [] : [k];
}

export class TriggerSearch {
  private readonly columns = new Map<string, ColumnUnits>();
  private readonly o = TRIGGER_DEFAULTS;

  constructor(
    private readonly label: string,
    private readonly roles: ReadonlyMap<string, ColumnRole>,
  ) {}

  push(batch: RowBatch, byName: ReadonlyMap<string, ColumnChunk>): void {
    const labelChunk = byName.get(this.label);
    for (const chunk of batch.data) {
      const role = this.roles.get(chunk.name);
      if (chunk.name === this.label || (role !== 'text' && role !== 'categorical')) continue;
      let col = this.columns.get(chunk.name);
      if (!col) {
        col = { role, stats: new Map(), capped: false };
        this.columns.set(chunk.name, col);
      }
      if (!labelChunk) continue;
      for (let i = 0; i < batch.length; i++) {
        const l = labelKeyOf(labelChunk, i);
        if (l === null) continue;
        for (const u of unitsOf(chunk, i, role)) {
          let s = col.stats.get(u);
          if (!s) {
            if (col.stats.size >= this.o.maxTokens) {
              col.capped = true;
              continue;
            }
            s = { total: 0, byLabel: new Map() };
            col.stats.set(u, s);
          }
          s.total++;
          s.byLabel.set(l, (s.byLabel.get(l) ?? 0) + 1);
        }
      }
    }
  }

  /** Candidates and what is reported; `referenceCounts` gives a column's reference counts of values or tokens. */
  evaluate(referenceCounts: (column: string) => ReadonlyMap<string, number> | undefined, referenceRows: number, batchRows: number, labelCounts: ReadonlyMap<string, number>): { reported: Reported[]; candidates: number; notes: string[] } {
    const o = this.o;
    const notes: string[] = [];
    let labelled = 0;
    for (const c of labelCounts.values()) labelled += c;
    let candidates = 0;
    const perColumn: { column: string; stats: [string, UnitStats][]; ref: ReadonlyMap<string, number> }[] = [];
    for (const [column, col] of this.columns) {
      const ref = referenceCounts(column) ?? new Map<string, number>();
      if (col.capped) notes.push(`trigger search in '${column}' tracked only its first ${o.maxTokens} distinct tokens`);
      const kept: [string, UnitStats][] = [];
      for (const [u, s] of col.stats) {
        if (s.total < o.minRows || (ref.get(u) ?? 0) / Math.max(referenceRows, 1) > s.total / batchRows / 10) continue;
        kept.push([u, s]);
      }
      candidates += kept.length;
      perColumn.push({ column, stats: kept, ref });
    }
    const reported: Reported[] = [];
    for (const { column, stats, ref } of perColumn) {
      for (const [u, s] of stats.sort((a, b) => b[1].total - a[1].total || (a[0] < b[0] ? -1 : 1))) {
        let top = '';
        let k = 0;
        for (const [l, c] of s.byLabel) if (c > k || (c === k && l < top)) [top, k] = [l, c];
        const p = (labelCounts.get(top) ?? 0) / Math.max(labelled, 1);
        const tail = k > s.total ? 0 : betaIncomplete(k, s.total - k + 1, p);
        if (k / s.total < o.minPurity || tail * candidates >= o.alpha) continue;
        reported.push({ column, unit: u, top, k, total: s.total, p, tail, referenceCount: ref.get(u) ?? 0 });
      }
    }
    this.columns.clear();
    return { reported, candidates, notes };
  }
}

/** Reads the batch again for the first 1,000 labelled rows of each reported unit, and makes the findings. */
export async function triggerFindings(
  path: string,
  read: ReadTableOptions,
  ctx: Pick<GateContext, 'workspace' | 'signal' | 'logger' | 'limits'>,
  label: string,
  roles: ReadonlyMap<string, ColumnRole>,
  result: { reported: Reported[]; candidates: number },
): Promise<{ findings: Finding[]; metrics: Metrics }> {
  const metrics: Metrics = { 'poisoning.trigger.candidates': result.candidates, 'poisoning.trigger.reported': result.reported.length };
  if (result.reported.length === 0) return { findings: [], metrics };
  const wanted = new Map<string, Map<string, { rows: RowCollector; listed: number }>>();
  for (const r of result.reported) {
    let byUnit = wanted.get(r.column);
    if (!byUnit) wanted.set(r.column, (byUnit = new Map()));
    byUnit.set(r.unit, { rows: new RowCollector(), listed: 0 });
  }
  for await (const batch of readTable(path, read, ctx)) {
    if (ctx.signal.aborted) throw new CancelledError();
    const labelChunk = batch.data.find((c) => c.name === label);
    if (!labelChunk) continue;
    for (const chunk of batch.data) {
      const byUnit = wanted.get(chunk.name);
      const role = roles.get(chunk.name);
      if (!byUnit || (role !== 'text' && role !== 'categorical')) continue;
      for (let i = 0; i < batch.length; i++) {
        if (labelKeyOf(labelChunk, i) === null) continue;
        for (const u of unitsOf(chunk, i, role)) {
          const w = byUnit.get(u);
          if (!w || w.listed >= 1000) continue;
          w.listed++;
          w.rows.add(batch.file, batch.rows[i] as number, batch.lines[i] as number);
        }
      }
    }
  }
  const findings: Finding[] = [];
  for (const r of result.reported) {
    const w = wanted.get(r.column)?.get(r.unit);
    if (!w) continue;
    const shown = r.unit.length > 40 ? `${r.unit.slice(0, 40)}…` : r.unit;
    findings.push(
      ...w.rows.findings((g) => ({
        ruleId: RULE_TRIGGER_VALUE,
        severity: 'high',
        message: `${roles.get(r.column) === 'text' ? 'token' : 'value'} ${JSON.stringify(shown)} in '${r.column}' appears in ${r.total} rows, ${r.k} of them with ${label} = ${r.top} (${((100 * r.k) / r.total).toFixed(0)}%, vs ${(100 * r.p).toFixed(0)}% of the batch), and ${r.referenceCount} times in the reference: a possible backdoor trigger (rows ${firstRows(g.rows)})`,
        location: { path: g.file },
        evidence: `trigger ${r.column} ${shown} ${label}=${r.top}`,
        properties: { column: r.column, token: r.unit, label_column: label, label: r.top, label_rows: r.k, reference_count: r.referenceCount, binomial_pvalue: r.tail, candidates: result.candidates },
      })),
    );
  }
  return { findings, metrics };
}
