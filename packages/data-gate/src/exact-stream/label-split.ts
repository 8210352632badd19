import type { Finding, Metrics } from '@aisec/core';
import type { ColumnRole } from '../gate/column-roles';
import { LABEL_SHIFT_DEFAULTS, withinLabelFinding } from '../poisoning/index';
import { CellKind, type ColumnChunk } from '../readers/index';
import { ksTestOf } from '../spill/sorted-tests';
import { ExternalSorter } from '../spill/external-sort';
import type { MemoryBudget } from '../spill/memory-budget';
import type { SortedColumn } from '../spill/sorted-column';
import type { SpillDir } from '../spill/spill-dir';

/**
 * Each numeric feature's values split by the row's label, one external sort per (feature, label), for
 * the drift within each label that label flips show in (poisoning/label-shift.ts compares them with
 * KS). Labels are keyed as categoryKeyAt keys them. A label column with more than `maxLabels` values
 * (a regression target) is not split: the stores are dropped and `abandoned` says so.
 */
export const MAX_SPLIT_LABELS = 50;

/** The category key of a label cell (categoryKeyAt on a batch chunk), or null. */
export function labelKeyOf(chunk: ColumnChunk, i: number): string | null {
  switch (chunk.kinds[i]) {
    case CellKind.Integer:
    case CellKind.Float:
      return String(chunk.numbers[i]);
    case CellKind.Boolean:
      return String(chunk.numbers[i] === 1);
    case CellKind.Text:
      return chunk.texts[i] ?? '';
    default:
      return null;
  }
}

export class LabelSplit {
  private readonly stores = new Map<string, Map<string, ExternalSorter>>();
  private readonly labels = new Set<string>();
  abandoned = false;

  constructor(
    private readonly dir: SpillDir,
    private readonly budget: MemoryBudget,
    private readonly maxRun: number,
    private readonly maxLabels = MAX_SPLIT_LABELS,
  ) {}

  /** Pushes the Integer/Float non-NaN cells of `chunk` (what numbersOf keeps) under each row's label. */
  pushChunk(feature: string, chunk: ColumnChunk, labels: readonly (string | null)[], length: number): void {
    if (this.abandoned) return;
    let byLabel = this.stores.get(feature);
    if (!byLabel) {
      byLabel = new Map();
      this.stores.set(feature, byLabel);
    }
    for (let i = 0; i < length; i++) {
      const label = labels[i];
      if (label === null || label === undefined) continue;
      const kind = chunk.kinds[i];
      if (kind !== CellKind.Integer && kind !== CellKind.Float) continue;
      const v = chunk.numbers[i] as number;
      if (Number.isNaN(v)) continue;
      let store = byLabel.get(label);
      if (!store) {
        if (!this.labels.has(label)) {
          if (this.labels.size >= this.maxLabels) {
            this.abandon();
            return;
          }
          this.labels.add(label);
        }
        store = new ExternalSorter(this.dir, this.budget, this.maxRun);
        byLabel.set(label, store);
      }
      store.push(v);
    }
  }

  dropFeature(feature: string): void {
    const byLabel = this.stores.get(feature);
    if (!byLabel) return;
    for (const s of byLabel.values()) s.discard();
    this.stores.delete(feature);
  }

  abandon(): void {
    for (const feature of this.stores.keys()) this.dropFeature(feature);
    this.abandoned = true;
  }

  /** Sorts every store now, so their run buffers go back to the budget (the batch is read after the reference). */
  seal(): Map<string, Map<string, SortedColumn>> {
    const out = new Map<string, Map<string, SortedColumn>>();
    for (const [feature, byLabel] of this.stores) {
      const sorted = new Map<string, SortedColumn>();
      for (const [label, store] of byLabel) sorted.set(label, store.finish());
      out.set(feature, sorted);
    }
    this.stores.clear();
    return out;
  }
}

/**
 * The second half of poisoning/label-shift.ts on the split sorted columns: KS of each numeric feature
 * within each label present on both sides, Bonferroni-corrected over features × labels, reported only
 * when no feature drifted as a whole (otherwise the covariates moved and the labels with them).
 */
export function driftWithinLabels(
  label: string,
  refCounts: ReadonlyMap<string, number>,
  curCounts: ReadonlyMap<string, number>,
  features: readonly string[],
  reference: ReadonlyMap<string, ReadonlyMap<string, SortedColumn>>,
  current: ReadonlyMap<string, ReadonlyMap<string, SortedColumn>>,
  driftedFeatures: readonly string[],
  path: string,
  budget: MemoryBudget,
): { findings: Finding[]; metrics: Metrics } {
  const options = LABEL_SHIFT_DEFAULTS;
  const findings: Finding[] = [];
  const metrics: Metrics = {};
  const keys = [...new Set([...refCounts.keys(), ...curCounts.keys()])].sort();
  const labels = keys.filter((k) => (refCounts.get(k) ?? 0) > 0 && (curCounts.get(k) ?? 0) > 0);
  const tests = features.length * labels.length;
  for (const feature of features) {
    for (const l of labels) {
      const a = reference.get(feature)?.get(l);
      const b = current.get(feature)?.get(l);
      if (!a || !b || a.length === 0 || b.length === 0) continue;
      const ks = ksTestOf(a, b, budget);
      metrics[`drift_by_label.${feature}.${l}.ks.statistic`] = ks.statistic;
      metrics[`drift_by_label.${feature}.${l}.ks.pvalue`] = ks.pvalue;
      const f = withinLabelFinding(feature, label, l, ks, a.length, b.length, tests, driftedFeatures, path, options);
      if (f) findings.push(f);
    }
  }
  return { findings, metrics };
}

/** Features of the within-label comparison: numeric columns other than the label that the batch has. */
export function withinLabelFeatures(columns: readonly string[], roles: ReadonlyMap<string, ColumnRole>, label: string, inBatch: ReadonlySet<string>): string[] {
  return columns.filter((c) => roles.get(c) === 'numeric' && c !== label && inBatch.has(c));
}
