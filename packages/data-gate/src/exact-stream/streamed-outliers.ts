import type { GateContext } from '@aisec/core';
import type { DataGateOptions } from '../gate/gate';
import { MIN_DISTINCT, outlierPredicate } from '../gate/outlier-check';
import { RowCollector } from '../gate/row-findings';
import { CellKind, type ColumnChunk, type RowBatch, readTable } from '../readers/index';
import type { OutlierParams } from '../stats/index';
import type { MemoryBudget } from '../spill/memory-budget';
import type { SortedColumn } from '../spill/sorted-column';
import { countDistinctOf, outlierParamsOf } from '../spill/sorted-quantiles';
import { checkAbort } from './abort';

/**
 * Outliers in the streaming exact mode: the rule fitted on the reference's sorted column (quantiles
 * read at their ranks), the reference's own flagged count by one walk, and each batch cell checked as
 * it passes; with `outlier-fit: current`, fitted on the batch's sorted column and the batch read again.
 */
export interface StreamedOutliers {
  params: OutlierParams;
  flag: ((v: number) => boolean) | undefined;
  refFlagged: number;
  nRef: number;
  rows: RowCollector;
  nCur: number;
}

export function fitOutlierColumn(sorted: SortedColumn, budget: MemoryBudget, o: DataGateOptions['outliers']): { params: OutlierParams; flag: ((v: number) => boolean) | undefined; refFlagged: number; nRef: number } | undefined {
  if (sorted.length === 0 || countDistinctOf(sorted, budget, MIN_DISTINCT) < MIN_DISTINCT) return undefined;
  const params = outlierParamsOf(sorted, budget);
  const flag = outlierPredicate(params, o);
  let refFlagged = 0;
  if (flag) {
    const c = sorted.cursor(budget);
    try {
      for (; !c.done; c.advance()) if (flag(c.peek())) refFlagged++;
    } finally {
      c.close();
    }
  }
  return { params, flag, refFlagged, nRef: sorted.length };
}

/** Batch cells of a numeric column checked against the fitted rule (booleans count as 1/0, as the in-memory check reads them). */
export function flagOutliers(batch: RowBatch, chunk: ColumnChunk, out: { flag: ((v: number) => boolean) | undefined; rows: RowCollector; nCur: number }): void {
  for (let i = 0; i < batch.length; i++) {
    const kind = chunk.kinds[i];
    if (kind !== CellKind.Integer && kind !== CellKind.Float && kind !== CellKind.Boolean) continue;
    const v = chunk.numbers[i] as number;
    if (Number.isNaN(v)) continue;
    out.nCur++;
    if (out.flag?.(v)) out.rows.add(batch.file, batch.rows[i] as number, batch.lines[i] as number);
  }
}

/** `outlier-fit: current`: the rule is fitted on the batch's sorted columns, then the batch is read again to flag rows. */
export async function fitOnBatchAndFlag(
  options: DataGateOptions,
  ctx: GateContext,
  curSorted: ReadonlyMap<string, SortedColumn>,
  refSorted: Map<string, SortedColumn>,
  labelColumn: string | undefined,
  out: Map<string, StreamedOutliers>,
  budget: MemoryBudget,
): Promise<void> {
  for (const [name, ref] of refSorted) {
    if (name === labelColumn || countDistinctOf(ref, budget, MIN_DISTINCT) < MIN_DISTINCT) continue;
    const cur = curSorted.get(name);
    if (!cur || cur.length === 0) continue;
    const params = outlierParamsOf(cur, budget);
    const flag = outlierPredicate(params, options.outliers);
    let refFlagged = 0;
    if (flag) {
      const c = ref.cursor(budget);
      try {
        for (; !c.done; c.advance()) if (flag(c.peek())) refFlagged++;
      } finally {
        c.close();
      }
    }
    out.set(name, { params, flag, refFlagged, nRef: ref.length, rows: new RowCollector(), nCur: 0 });
  }
  for await (const batch of readTable(options.current as string, options.read, ctx)) {
    checkAbort(ctx.signal);
    for (const chunk of batch.data) {
      const o = out.get(chunk.name);
      if (o) flagOutliers(batch, chunk, o);
    }
  }
}
