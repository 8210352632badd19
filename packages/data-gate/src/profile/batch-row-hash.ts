import { CellKind, type ColumnChunk } from '../readers/index';
import type { RowHasher } from '../stats/index';

/** The recipe v1 row hash (see stats/row-hash.ts) of row `i` of the batch: its 32 bytes. */
export function hashBatchRow(hasher: RowHasher, chunks: readonly (ColumnChunk | undefined)[], i: number): Buffer {
  encodeBatchRow(hasher, chunks, i);
  return hasher.digest();
}

/**
 * Feeds row `i` into the hasher straight from the batch's columns: no per-row array of cells, no
 * per-cell Buffer. A missing column hashes as null. Then call `digest()` or `key()` (or both). `count`
 * takes only the first columns (the streaming exact mode leaves trailing nulls out).
 */
export function encodeBatchRow(hasher: RowHasher, chunks: readonly (ColumnChunk | undefined)[], i: number, count = chunks.length): void {
  hasher.begin();
  for (let c = 0; c < count; c++) {
    const chunk = chunks[c];
    if (!chunk) {
      hasher.null();
      continue;
    }
    switch (chunk.kinds[i]) {
      case CellKind.Integer:
      case CellKind.Float:
        hasher.number(chunk.numbers[i] as number);
        break;
      case CellKind.Boolean:
        hasher.boolean(chunk.numbers[i] === 1);
        break;
      case CellKind.Text: {
        const t = chunk.texts[i];
        if (t === null || t === undefined) hasher.null();
        else hasher.text(t);
        break;
      }
      default:
        hasher.null();
    }
  }
}
