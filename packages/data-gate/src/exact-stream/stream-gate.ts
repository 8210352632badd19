import { type Finding, type GateContext, type Metrics, type Report, UserError, buildReport, workspaceRelative } from '@aisec/core';
import { ContractChecker, ContractInferrer, contractFindings, contractMetrics, loadContract } from '../contract/index';
import { type ColumnRole, isIdName, pickLabelColumn, pickSourceColumn } from '../gate/column-roles';
import { summarizeDrift } from '../gate/drift-check';
import { copiedFindingMaker, duplicateFindingMaker } from '../gate/duplicate-check';
import type { DataGateOptions } from '../gate/gate';
import { outlierExcess, outlierFindingMaker } from '../gate/outlier-check';
import { RowCollector } from '../gate/row-findings';
import { DATA_GATE_RULES } from '../gate/rules';
import { LabelFlipPass, TextInjectionScanner, labelShiftFromCounts, sourceConcentrationFromCounts } from '../poisoning/index';
import { type ColumnChunk, estimateRowCount, readProblemFindings, readTable } from '../readers/index';
import { RowHasher } from '../stats/index';
import { MemoryBudget } from '../spill/memory-budget';
import type { SortedColumn } from '../spill/sorted-column';
import { SpillDir } from '../spill/spill-dir';
import { checkAbort } from './abort';
import { FlaggedRows } from './flagged-rows';
import { LabelSplit, MAX_SPLIT_LABELS, driftWithinLabels, labelKeyOf, withinLabelFeatures } from './label-split';
import { estimatedRows } from './memory-estimate';
import { RowKeyPartitions } from './row-key-partitions';
import { BatchColumn, type SideLimits, SideColumn } from './side-columns';
import { STREAM_LIMITS } from './stream-limits';
import { type StreamedOutliers, fitOnBatchAndFlag, fitOutlierColumn, flagOutliers } from './streamed-outliers';
import { streamedDrift } from './streamed-drift';
import { strippedRowKey } from './stripped-row-key';
import { TriggerSearch, triggerFindings } from './trigger-search';

/** Batch rows the label-flip check scores at most (about a microsecond each); past it, a deterministic sample. */
const LABEL_FLIP_MAX_ROWS = 2_000_000;

/**
 * The exact file-against-file gate in bounded memory. The reference is read once: each numeric
 * column's values go to an external sort, categories are counted, row keys go to hash partitions and
 * the contract is inferred. The batch is read once: its columns are sorted and counted the same way,
 * each row is checked against the outlier rule fitted on the reference and against the contract as it
 * passes, and its row keys are partitioned. Then the drift tests walk the sorted columns and the
 * partitions are joined for duplicate and copied rows. Metric names, findings and their rows are the
 * in-memory gate's; see STREAMING_LEAVES_OUT for what it does not do.
 */
export const STREAMING_LEAVES_OUT = 'near-duplicates (MinHash signatures of every row compared side by side) were not searched';

export interface GateParts {
  findings: Finding[];
  metrics: Metrics;
  notes: string[];
  timings: Record<string, number>;
}

interface SideFiles {
  files: string[];
  ids: Map<string, number>;
}

function fileIndexOf(side: SideFiles, file: string): number {
  let id = side.ids.get(file);
  if (id === undefined) {
    id = side.files.length;
    side.ids.set(file, id);
    side.files.push(file);
  }
  return id;
}


export async function runExactStreaming(options: DataGateOptions, ctx: GateContext, parts: GateParts, memoryMb: number, version: string): Promise<Report> {
  const dir = new SpillDir();
  const budget = MemoryBudget.fromMegabytes(memoryMb);
  try {
    return await streamExact(options, ctx, parts, budget, dir, version);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      throw new UserError(`the temporary folder ${dir.path} ran out of space while spilling sorted columns of ${workspaceRelative(ctx.workspace, options.current as string)}`, {
        file: workspaceRelative(ctx.workspace, options.current as string),
        hint: 'point TMPDIR at a disk with room for about 16 bytes per numeric cell plus 56 per row, or compare against a profile of the reference (aisec data-gate profile)',
        cause: error,
      });
    }
    throw error;
  } finally {
    dir.remove();
  }
}

async function streamExact(options: DataGateOptions, ctx: GateContext, parts: GateParts, budget: MemoryBudget, dir: SpillDir, version: string): Promise<Report> {
  const { findings, metrics, notes, timings } = parts;
  const refPath = options.reference as string;
  const curPath = options.current as string;
  const time = async <T>(phase: string, work: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    try {
      return await work();
    } finally {
      timings[phase] = Math.round(performance.now() - t);
    }
  };
  notes.push(`exact mode streamed with a memory budget of ${Math.round((budget.capacity * 8) / 1048576)} MB (memory-mb): sorted columns spilled to a temporary folder`);
  const contract = options.contract ? loadContract(options.contract, workspaceRelative(ctx.workspace, options.contract)) : undefined;
  const inferrer = contract ? undefined : new ContractInferrer();
  const isId = options.idColumns ? (name: string) => (options.idColumns as string[]).includes(name) : isIdName;
  const partitions = new RowKeyPartitions(dir, budget, estimatedRows([refPath, curPath], ctx.limits.maxEntries));
  let limits: SideLimits | undefined;
  const limitsFor = (columns: number): SideLimits => {
    // Half the budget for the run buffers of both sides' columns; cursors, merges and key tables take the rest.
    limits ??= { ...STREAM_LIMITS, maxRun: Math.max(64, Math.floor(budget.capacity / 4 / Math.max(1, columns))) };
    return limits;
  };
  const hasher = new RowHasher();

  // 1. The reference.
  const refCols = new Map<string, SideColumn>();
  const refOrder: string[] = [];
  const keyColumns: string[] = [];
  const refFiles: SideFiles = { files: [], ids: new Map() };
  let refRows = 0;
  // Drift within labels: each numeric feature split by the label as the rows pass (the label column is
  // the one the first batch names; a later-appearing one leaves the split undone, with a note).
  let splitLabel: string | undefined;
  const refSplit = options.poisoning ? new LabelSplit(dir, budget, Math.max(256, Math.floor(budget.capacity / 8 / 64))) : undefined;
  const refReader = readTable(refPath, options.read, ctx);
  // Label flips: scoring costs about a microsecond a row, so past LABEL_FLIP_MAX_ROWS a sample is scored.
  const estimated = estimateRowCount(options.current as string, ctx.limits.maxEntries);
  const flips = options.poisoning ? new LabelFlipPass(options, { sampleRate: Math.min(1, LABEL_FLIP_MAX_ROWS / Math.max(estimated, 1)) }) : undefined;
  await time('read.reference', async () => {
    for await (const batch of refReader) {
      checkAbort(ctx.signal);
      inferrer?.push(batch);
      flips?.reference(batch);
      fileIndexOf(refFiles, batch.file);
      const lim = limitsFor(batch.data.length);
      for (const chunk of batch.data) {
        let col = refCols.get(chunk.name);
        if (!col) {
          col = new SideColumn(chunk.name, dir, budget, lim, !isId(chunk.name));
          refCols.set(chunk.name, col);
          refOrder.push(chunk.name);
          if (!isId(chunk.name)) keyColumns.push(chunk.name);
        }
        for (let i = 0; i < batch.length; i++) col.pushReference(chunk, i);
      }
      const byName = new Map(batch.data.map((c) => [c.name, c]));
      if (refSplit) {
        splitLabel ??= pickLabelColumn(batch.data.map((c) => c.name), options.labelColumn);
        const labelChunk = splitLabel === undefined ? undefined : byName.get(splitLabel);
        if (labelChunk) {
          const labels = Array.from({ length: batch.length }, (_, i) => labelKeyOf(labelChunk, i));
          for (const chunk of batch.data) {
            if (chunk.name === splitLabel || isId(chunk.name)) continue;
            if (refCols.get(chunk.name)?.numbers) refSplit.pushChunk(chunk.name, chunk, labels, batch.length);
            else refSplit.dropFeature(chunk.name);
          }
        }
      }
      const keyChunks = keyColumns.map((k) => byName.get(k));
      for (let i = 0; i < batch.length; i++) {
        strippedRowKey(hasher, keyChunks, i);
        partitions.addReference(hasher.keyHi, hasher.keyLo);
      }
      refRows += batch.length;
      ctx.logger.progress('exact mode: reference rows read', refRows);
    }
  });

  checkAbort(ctx.signal);
  // Checked before the batch is read: on large files that pass is the long one.
  if (options.labelColumn && !refCols.has(options.labelColumn)) {
    throw new UserError(`label column '${options.labelColumn}' is not in the reference (${refFiles.files[0] ?? ''})`, { key: 'label-column', hint: `columns: ${refOrder.join(', ')}` });
  }
  const types = refReader.types();
  const roles = new Map<string, ColumnRole>();
  const refSorted = new Map<string, SortedColumn>();
  const textRefLengths = new Map<string, SortedColumn>();
  for (const name of refOrder) {
    const col = refCols.get(name) as SideColumn;
    const type = types[name];
    let role: ColumnRole;
    if (isId(name)) role = 'id';
    else if (type === 'integer' || type === 'number') role = 'numeric';
    else if (type === 'null' || type === undefined) role = 'empty';
    else if (col.countsOverflowed) {
      role = 'text';
      if (STREAM_LIMITS.maxCategories < col.nonNull / 2) notes.push(`column '${name}' has more than ${STREAM_LIMITS.maxCategories} distinct values: compared as free text (length and vocabulary) rather than by category counts`);
    } else {
      const distinct = col.categoryCounts()?.size ?? 0;
      role = col.nonNull > 0 && distinct > col.nonNull / 2 ? 'text' : 'categorical';
    }
    roles.set(name, role);
    if (role === 'numeric') {
      const sorted = col.sortedNumbers();
      if (sorted) refSorted.set(name, sorted);
    } else col.dropNumbers();
    if (role === 'text') {
      col.textFromCounts();
      const lengths = col.sortedLengths();
      if (lengths) textRefLengths.set(name, lengths);
    }
  }
  const labelColumn = pickLabelColumn(refOrder, options.labelColumn);
  if (refSplit && (labelColumn === undefined || labelColumn !== splitLabel)) refSplit.abandon();
  for (const name of refOrder) if (roles.get(name) !== 'numeric') refSplit?.dropFeature(name);
  const refByLabel = refSplit?.seal();
  const curSplit = refSplit && !refSplit.abandoned ? new LabelSplit(dir, budget, Math.max(256, Math.floor(budget.capacity / 8 / 64))) : undefined;

  // Outlier rules fitted on the reference, and how many reference values each flags.
  const o = options.outliers;
  const outlierColumns = new Map<string, StreamedOutliers>();
  const fitOnReference = o.fit === 'reference';
  if (o.method !== 'none' && fitOnReference) {
    for (const [name, sorted] of refSorted) {
      if (name === labelColumn) continue;
      const fitted = fitOutlierColumn(sorted, budget, o);
      if (fitted) outlierColumns.set(name, { ...fitted, rows: new RowCollector(), nCur: 0 });
    }
  }

  const checker = new ContractChecker(contract ?? (inferrer as ContractInferrer).finish());
  if (!contract) notes.push('no contract given: the batch was checked against a contract inferred from the reference (column set, types, nullability, categories of low-cardinality text, unique ids)');

  // 2. The batch.
  const curCols = new Map<string, BatchColumn>();
  const curOrder: string[] = [];
  const curSeen = new Set<string>();
  const curFiles: SideFiles = { files: [], ids: new Map() };
  const text = new TextInjectionScanner();
  const sourceColumn = pickSourceColumn(refOrder, options.sourceColumn);
  let curRows = 0;
  const triggers = options.poisoning && labelColumn !== undefined ? new TriggerSearch(labelColumn, roles) : undefined;
  const curReader = readTable(curPath, options.read, ctx);
  const batchColumn = (name: string): BatchColumn | undefined => {
    let c = curCols.get(name);
    if (c) return c;
    const role = roles.get(name);
    const counted = name === labelColumn || name === sourceColumn;
    if (role === undefined || ((role === 'id' || role === 'empty') && !counted)) return undefined;
    const vocabulary = role === 'text' ? refCols.get(name)?.vocabulary : undefined;
    c = new BatchColumn(name, role === 'numeric' || role === 'categorical' || role === 'text' ? role : 'counted', dir, budget, limitsFor(refOrder.length), vocabulary, counted);
    curCols.set(name, c);
    return c;
  };
  await time('read.current', async () => {
    for await (const batch of curReader) {
      checkAbort(ctx.signal);
      checker.push(batch);
      flips?.current(batch);
      if (options.poisoning) text.push(batch);
      const fid = fileIndexOf(curFiles, batch.file);
      const byName = new Map<string, ColumnChunk>();
      for (const chunk of batch.data) {
        byName.set(chunk.name, chunk);
        if (!curSeen.has(chunk.name)) {
          curSeen.add(chunk.name);
          curOrder.push(chunk.name);
        }
        const c = batchColumn(chunk.name);
        if (c) for (let i = 0; i < batch.length; i++) c.push(chunk, i);
        const out = outlierColumns.get(chunk.name);
        if (out) flagOutliers(batch, chunk, out);
      }
      triggers?.push(batch, byName);
      const labelChunk = curSplit && labelColumn !== undefined ? byName.get(labelColumn) : undefined;
      if (curSplit && labelChunk) {
        const labels = Array.from({ length: batch.length }, (_, i) => labelKeyOf(labelChunk, i));
        for (const chunk of batch.data) if (chunk.name !== labelColumn && roles.get(chunk.name) === 'numeric') curSplit.pushChunk(chunk.name, chunk, labels, batch.length);
      }
      const keyChunks = keyColumns.map((k) => byName.get(k));
      for (let i = 0; i < batch.length; i++) {
        strippedRowKey(hasher, keyChunks, i);
        partitions.addCurrent(hasher.keyHi, hasher.keyLo, fid, batch.rows[i] as number, batch.lines[i] as number);
      }
      curRows += batch.length;
      ctx.logger.progress('exact mode: batch rows read', curRows);
    }
  });

  checkAbort(ctx.signal);
  metrics['rows.reference'] = refRows;
  metrics['rows.current'] = curRows;
  metrics['columns.reference'] = refOrder.length;
  metrics['columns.current'] = curOrder.length;
  findings.push(...readProblemFindings([...refReader.problems(), ...curReader.problems()]));
  const violations = checker.finish();
  findings.push(...contractFindings(violations));
  Object.assign(metrics, contractMetrics(violations));

  // 3. Drift per column from the sorted columns and the counts.
  const curPathShown = curFiles.files[0] ?? '.';
  const curSorted = new Map<string, SortedColumn>();
  for (const [name, c] of curCols) {
    const sorted = c.sortedNumbers();
    if (sorted) curSorted.set(name, sorted);
  }
  const drift = await time('drift', () => streamedDrift(refOrder, roles, refCols, refSorted, textRefLengths, curSorted, curCols, curSeen, options.drift, budget, notes));
  findings.push(...summarizeDrift(drift.rows, drift.metrics, options.drift, curPathShown).findings);
  Object.assign(metrics, drift.metrics);

  // Drift within labels now, so the split columns are released before the row keys are joined.
  let withinLabel: { findings: Finding[]; metrics: Metrics } | undefined;
  const curByLabel = curSplit?.seal();
  if (options.poisoning && labelColumn && curSeen.has(labelColumn)) {
    const refCounts = refCols.get(labelColumn)?.categoryCounts();
    const curCounts = curCols.get(labelColumn)?.categoryCounts();
    if (refByLabel && curByLabel && refCounts && curCounts && refCounts.size > 0 && curCounts.size > 0) {
      const drifted = drift.rows.filter((r) => r.drift && r.column !== labelColumn && roles.get(r.column) !== 'id').map((r) => r.column);
      withinLabel = await time('drift_by_label', () => driftWithinLabels(labelColumn, refCounts, curCounts, withinLabelFeatures(refOrder, roles, labelColumn, curSeen), refByLabel, curByLabel, drifted, curPathShown, budget));
    } else if (refSplit?.abandoned || curSplit?.abandoned) {
      notes.push(`drift within labels not checked: the label '${labelColumn}' has more than ${MAX_SPLIT_LABELS} values`);
    }
  }
  for (const byLabel of [...(refByLabel?.values() ?? []), ...(curByLabel?.values() ?? [])]) for (const c of byLabel.values()) c.release();

  checkAbort(ctx.signal);
  if (curRows > 0 && refRows > 0) {
    await time('outliers', async () => {
      if (o.method !== 'none' && !fitOnReference) await fitOnBatchAndFlag(options, ctx, curSorted, refSorted, labelColumn, outlierColumns, budget);
      for (const name of refOrder) {
        const out = outlierColumns.get(name);
        if (!out || !curSeen.has(name)) continue;
        const count = out.rows.total;
        metrics[`outliers.${name}.${o.method}.count`] = count;
        metrics[`outliers.${name}.${o.method}.reference_count`] = out.refFlagged;
        if (count === 0) continue;
        findings.push(...out.rows.findings(outlierFindingMaker(name, o, out.params, out.refFlagged, out.nRef, outlierExcess(count, out.nCur, out.refFlagged, out.nRef))));
      }
    });
    for (const c of [...refSorted.values(), ...textRefLengths.values(), ...curSorted.values()]) c.release();
    refSorted.clear();
    curSorted.clear();
    textRefLengths.clear();
    await time('duplicates', () => {
      const within = new FlaggedRows();
      const copied = new FlaggedRows();
      partitions.join(within, copied);
      findings.push(...within.findings(curFiles.files, duplicateFindingMaker(keyColumns)), ...copied.findings(curFiles.files, copiedFindingMaker(keyColumns)));
      metrics['duplicates.within'] = within.total;
      metrics['duplicates.from_reference'] = copied.total;
    });
  } else partitions.discard();
  for (const s of [...refSorted.values(), ...textRefLengths.values(), ...curSorted.values()]) s.release();

  if (options.poisoning) {
    await time('poisoning', async () => {
      if (labelColumn && curSeen.has(labelColumn)) {
        const refCounts = refCols.get(labelColumn)?.categoryCounts();
        const curCounts = curCols.get(labelColumn)?.categoryCounts();
        if (refCounts && curCounts) {
          const drifted = drift.rows.filter((r) => r.drift && r.column !== labelColumn && roles.get(r.column) !== 'id').map((r) => r.column);
          const shift = labelShiftFromCounts(labelColumn, refCounts, curCounts, drifted, curPathShown);
          findings.push(...shift.findings);
          Object.assign(metrics, shift.metrics);
          if (withinLabel) {
            findings.push(...withinLabel.findings);
            Object.assign(metrics, withinLabel.metrics);
          }
          if (triggers) {
            const found = triggers.evaluate((c) => (roles.get(c) === 'text' ? refCols.get(c)?.tokenCounts : refCols.get(c)?.categoryCounts()), refRows, curRows, curCounts);
            const t = await triggerFindings(curPath, options.read, ctx, labelColumn, roles, found);
            findings.push(...t.findings);
            Object.assign(metrics, t.metrics);
            notes.push(...found.notes);
          }
        } else notes.push(`label '${labelColumn}' has more than ${STREAM_LIMITS.maxCategories} distinct values: its distribution shift was not checked`);
        const flipped = flips?.finish();
        if (flipped) {
          findings.push(...flipped.findings);
          Object.assign(metrics, flipped.metrics);
          notes.push(...flipped.notes);
        }
      } else {
        notes.push('no label column (label-column, or a column named label/target/y/class): label shift, drift within labels, label flips and trigger search were not checked');
      }
      if (sourceColumn && curSeen.has(sourceColumn)) {
        const ref = refCols.get(sourceColumn)?.categoryCounts();
        const cur = curCols.get(sourceColumn)?.categoryCounts();
        if (ref && cur) {
          const s = sourceConcentrationFromCounts(sourceColumn, ref, cur, curPathShown);
          findings.push(...s.findings);
          Object.assign(metrics, s.metrics);
        } else notes.push(`source column '${sourceColumn}' has more than ${STREAM_LIMITS.maxCategories} distinct values: source concentration was not checked`);
      }
      const t = text.finish();
      findings.push(...t.findings);
      Object.assign(metrics, t.metrics);
    });
    notes.push(`streaming exact mode: ${STREAMING_LEAVES_OUT}; raise memory-mb (or gate a smaller batch) to have them`);
  }
  metrics['exact.memory_budget_values'] = budget.capacity;
  metrics['exact.memory_peak_values'] = budget.peak;
  return buildReport({ gate: 'data-gate', version, findings, metrics, timings, notes }, DATA_GATE_RULES);
}
