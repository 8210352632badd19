import { CellKind, type ColumnChunk } from '../readers/index';
import type { RowHasher } from '../stats/index';
import { encodeBatchRow } from '../profile/batch-row-hash';

/**
 * A row's 64-bit key over the key columns with its trailing nulls left out. Streaming, the reference's
 * key columns are only known up to the batch being read (a JSON Lines key can first appear late, and
 * earlier rows then count it as null); rows equal on the final columns, nulls equal to nulls, are
 * exactly the rows whose encodings agree once trailing nulls are dropped (each cell is self-delimiting),
 * so reference rows keyed early and batch rows keyed on every column still meet. Cells are encoded as
 * in recipe v1 (encodeBatchRow); the key is only compared within one run, never stored.
 */
function isNullCell(chunk: ColumnChunk | undefined, i: number): boolean {
  if (!chunk) return true;
  const kind = chunk.kinds[i];
  if (kind === CellKind.Text) return chunk.texts[i] === null || chunk.texts[i] === undefined;
  return kind !== CellKind.Integer && kind !== CellKind.Float && kind !== CellKind.Boolean;
}

export function strippedRowKey(hasher: RowHasher, chunks: readonly (ColumnChunk | undefined)[], i: number): void {
  let last = chunks.length - 1;
  while (last >= 0 && isNullCell(chunks[last], i)) last--;
  encodeBatchRow(hasher, chunks, i, last + 1);
  hasher.key();
}
