import type { Metrics } from '@aisec/core';
import type { ColumnRole } from '../gate/column-roles';
import { type ColumnDriftRow, type DriftOptions, categoricalDriftRow, chartEdges, setFigures, toShare } from '../gate/drift-check';
import type { MemoryBudget } from '../spill/memory-budget';
import { MAX_VALUE_BINS, histogramCountsOf, sortedSturgesEdges } from '../spill/sorted-binning';
import type { SortedColumn } from '../spill/sorted-column';
import { numericColumnDriftOf } from '../spill/sorted-column-drift';
import { ksTestOf } from '../spill/sorted-tests';
import type { BatchColumn, SideColumn } from './side-columns';
import { STREAM_LIMITS } from './stream-limits';

/**
 * Per-column drift in the streaming exact mode, in the in-memory checkDrift's order, tests, metric
 * names and chart: numeric columns from their sorted (possibly spilled) columns, categorical ones
 * from their counts, free text from its sorted lengths and the batch's out-of-vocabulary count.
 */
/** Histogram shares on Sturges edges for the summary's chart, as numericChart draws them. */
function numericChartOf(ref: SortedColumn, cur: SortedColumn, budget: MemoryBudget): ColumnDriftRow['chart'] {
  if (ref.length === 0 || cur.length === 0) return undefined;
  const edges = chartEdges(sortedSturgesEdges(ref, cur));
  return {
    labels: edges.slice(0, -1).map((e) => Number(e.toPrecision(3)).toString()),
    ref: toShare(histogramCountsOf(ref, edges, budget), ref.length),
    cur: toShare(histogramCountsOf(cur, edges, budget), cur.length),
  };
}

export async function streamedDrift(
  refOrder: readonly string[],
  roles: ReadonlyMap<string, ColumnRole>,
  refCols: ReadonlyMap<string, SideColumn>,
  refSorted: ReadonlyMap<string, SortedColumn>,
  textRefLengths: ReadonlyMap<string, SortedColumn>,
  curSortedNumbers: ReadonlyMap<string, SortedColumn>,
  curCols: ReadonlyMap<string, BatchColumn>,
  curSeen: ReadonlySet<string>,
  options: DriftOptions,
  budget: MemoryBudget,
  notes: string[],
): Promise<{ rows: ColumnDriftRow[]; metrics: Metrics }> {
  const rows: ColumnDriftRow[] = [];
  const metrics: Metrics = {};
  for (const name of refOrder) {
    const role = roles.get(name);
    if (!curSeen.has(name) || role === 'id' || role === 'empty' || role === undefined) continue;
    const cur = curCols.get(name);
    if (role === 'numeric') {
      const ref = refSorted.get(name);
      const curSorted = curSortedNumbers.get(name);
      const nRef = ref?.length ?? 0;
      const nCur = curSorted?.length ?? 0;
      if (!ref || !curSorted || nRef === 0 || nCur === 0) {
        notes.push(`drift of '${name}' not computed: ${nRef === 0 ? 'the reference' : 'the batch'} has no numeric values in it`);
        continue;
      }
      const d = numericColumnDriftOf(ref, curSorted, budget, options);
      if (!d.tests.psi) notes.push(`psi and js of '${name}' not computed: the reference has at most 20 distinct values and the batch more than ${MAX_VALUE_BINS}, one bin each`);
      setFigures(metrics, name, d);
      const drift = options.driftTest === 'evidently' ? d.evidently.drift : d.decision.drift;
      rows.push({ column: name, kind: 'numeric', drift, nRef: d.nRef, nCur: d.nCur, test: 'ks', pvalue: d.decision.pvalue, effectSizeName: d.decision.effectSizeName, effectSize: d.decision.effectSize, chart: numericChartOf(ref, curSorted, budget), figures: d });
    } else if (role === 'categorical') {
      const refCounts = refCols.get(name)?.categoryCounts();
      const curCounts = cur?.categoryCounts();
      if (!refCounts || !curCounts) {
        notes.push(`drift of '${name}' not computed: the batch has more than ${STREAM_LIMITS.maxCategories} distinct values in it`);
        continue;
      }
      if (refCounts.size === 0 || curCounts.size === 0) continue;
      rows.push(categoricalDriftRow(name, refCounts, curCounts, options, metrics));
    } else {
      const refLengths = textRefLengths.get(name);
      const curLengths = cur?.sortedLengths();
      try {
        if (!refLengths || !curLengths || refLengths.length === 0 || curLengths.length === 0) continue;
        const ks = ksTestOf(refLengths, curLengths, budget);
        metrics[`drift.${name}.length_ks.statistic`] = ks.statistic;
        metrics[`drift.${name}.length_ks.pvalue`] = ks.pvalue;
        const large = Math.min(refLengths.length, curLengths.length) > (options.largeSampleRows ?? 1000);
        const refCol = refCols.get(name);
        if (refCol?.vocabularyOverflow || !cur) {
          notes.push(`out-of-vocabulary rate of '${name}' not computed: the reference has more than ${STREAM_LIMITS.maxVocabulary} distinct tokens in it; its drift is decided by the length test`);
          const drift = ks.pvalue < (options.alpha ?? 0.05);
          rows.push({ column: name, kind: 'text', drift, nRef: refLengths.length, nCur: curLengths.length, test: 'length_ks', pvalue: ks.pvalue, effectSizeName: 'length_ks', effectSize: ks.statistic });
          continue;
        }
        const oov = cur.tokens === 0 ? 0 : cur.unseenTokens / cur.tokens;
        metrics[`drift.${name}.oov_rate.statistic`] = oov;
        const drift = large ? oov >= (options.effectThreshold ?? 0.1) : ks.pvalue < (options.alpha ?? 0.05);
        rows.push({ column: name, kind: 'text', drift, nRef: refLengths.length, nCur: curLengths.length, test: 'length_ks', pvalue: ks.pvalue, effectSizeName: 'oov_rate', effectSize: oov });
      } finally {
        curLengths?.release();
      }
    }
  }
  return { rows, metrics };
}
