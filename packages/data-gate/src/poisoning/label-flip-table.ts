import type { ColumnChunk, RowBatch } from '../readers/index';
import type { ColumnRole } from '../gate/column-roles';
import type { ScannedColumn, ScannedTable } from '../gate/table-scan';
import { LABEL_FLIP_DEFAULTS, type LabelFlipOptions, type LabelFlipResult, LabelFlipScanner } from './label-flip';
import { type LabelModelOptions, LabelModelBuilder } from './label-model';

/** Rows per batch handed to the builder and the scanner when a table is already in memory. */
const BATCH_ROWS = 8192;

/**
 * A table read in full, replayed as RowBatches of `columns` (views, no copies), one file at a time as
 * the readers would hand them over.
 */
export function* batchesOf(table: ScannedTable, columns: readonly string[]): Generator<RowBatch> {
  const present = columns.filter((c) => table.byName.has(c));
  let start = 0;
  while (start < table.rows) {
    const fid = table.fileIndex[start] as number;
    let end = start;
    while (end < table.rows && end - start < BATCH_ROWS && table.fileIndex[end] === fid) end++;
    const data: ColumnChunk[] = present.map((name) => {
      const col = table.byName.get(name) as ScannedColumn;
      return { name, kinds: col.kinds.subarray(start, end), numbers: col.numbers.subarray(start, end), texts: col.texts.slice(start, end) };
    });
    yield {
      file: table.files[fid] as string,
      columns: present,
      length: end - start,
      rows: table.fileRow.subarray(start, end),
      lines: table.lines.subarray(start, end),
      tableRow: start,
      data,
    };
    start = end;
  }
}

/**
 * The label-flip check for the in-memory gate: the model is built on the reference's numeric and
 * categorical columns (the gate's roles; ids and free text left out), then the batch is scanned.
 */
export function checkLabelFlips(
  reference: ScannedTable,
  current: ScannedTable,
  labelColumn: string,
  roles: ReadonlyMap<string, ColumnRole>,
  options: Partial<LabelFlipOptions> = LABEL_FLIP_DEFAULTS,
  model: Omit<LabelModelOptions, 'labelColumn' | 'exclude'> = {},
): LabelFlipResult {
  const features = reference.columns.filter((c) => c !== labelColumn && (roles.get(c) === 'numeric' || roles.get(c) === 'categorical'));
  const exclude = reference.columns.filter((c) => c !== labelColumn && !features.includes(c));
  const builder = new LabelModelBuilder({ ...model, labelColumn, exclude });
  const wanted = [labelColumn, ...features];
  for (const batch of batchesOf(reference, wanted)) builder.push(batch);
  const scanner = new LabelFlipScanner(builder.finish(), options);
  for (const batch of batchesOf(current, wanted)) scanner.push(batch);
  return scanner.finish();
}
