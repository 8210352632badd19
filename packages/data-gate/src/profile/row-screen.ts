import type { ColumnChunk, RowBatch } from '../readers/index';
import { RowCollector } from '../gate/row-findings';
import { RowHasher } from '../stats/index';
import { encodeBatchRow, hashBatchRow } from './batch-row-hash';
import { BatchRowKeys } from './batch-row-keys';
import { RowKeyFilters } from './row-key-filter';
import { RowKeySet } from './row-key-set';
import type { SortedRowHashes } from './sorted-row-hashes';

/** Batch row keys kept for duplicates within the batch (16 to 32 bytes each). */
export const MAX_BATCH_HASHES = 2_000_000;

/**
 * How the reference's rows are known: by keys of recipe v2 with SHA-256 hashes to confirm them
 * (`v2`), by recipe v1 keys (`v1`, older profiles: each batch row is keyed by v1 as well), by the
 * hashes alone (`hashes`, older still: their first 8 bytes screen, and every row is hashed), or not
 * at all (`none`: the profile dropped its hashes).
 */
export type ReferenceRows = { kind: 'v2' | 'v1' | 'hashes'; keys: RowKeySet; hashes: SortedRowHashes } | { kind: 'none' };

/**
 * Duplicates within the batch and rows copied from the reference, batch by batch: the batch's row
 * keys come column-wise (BatchRowKeys), the batch's first MAX_BATCH_HASHES distinct keys are kept, and
 * a key of the reference is confirmed on the row's SHA-256. Filters stand in front of both key tables
 * (tens of megabytes, where a lookup missed the cache on nearly every row). A class of its
 * own, so the per-row loop is a small function V8 optimizes whole rather than a loop inside the gate's
 * long async function.
 */
export class RowScreen {
  readonly within = new RowCollector();
  readonly copied = new RowCollector();
  /** Some rows came after the duplicate table was full and were not all checked. */
  seenCapped = false;
  private readonly keys = new BatchRowKeys();
  private readonly hasher = new RowHasher();
  private readonly seen: RowKeySet;
  private readonly filters: RowKeyFilters;

  constructor(
    private readonly reference: ReferenceRows,
    private readonly hashColumns: readonly string[],
    estimatedRows: number,
    /** Distinct batch keys kept for duplicates (smaller in tests). */
    private readonly maxKept = MAX_BATCH_HASHES,
  ) {
    // Sized once for the rows the batch is estimated to have (growing by doubling rehashes every key).
    const kept = Math.min(maxKept, Math.max(estimatedRows, 1 << 16));
    this.seen = new RowKeySet(kept);
    this.filters = new RowKeyFilters(reference.kind === 'none' ? undefined : reference.keys, kept);
  }

  push(batch: RowBatch): void {
    const chunks = this.hashColumns.map((name) => batch.data.find((d) => d.name === name));
    this.keys.compute(chunks, batch.length);
    this.filters.lookUp(this.keys.lo, batch.length);
    this.screenWithin(batch);
    if (this.reference.kind !== 'none') this.screenCopies(batch, chunks);
  }

  private screenWithin(batch: RowBatch): void {
    const { hi, lo } = this.keys;
    const seen = this.seen;
    const filters = this.filters;
    // The words fetched for this batch miss the keys it adds; once the table is full it adds none.
    const fetchedCurrent = seen.size >= this.maxKept;
    for (let i = 0; i < batch.length; i++) {
      const h = hi[i] as number;
      const l = lo[i] as number;
      if (seen.size < this.maxKept) {
        if (seen.addOrHas(h, l)) this.within.add(batch.file, batch.rows[i] as number, batch.lines[i] as number);
        else filters.addBatch(h, l);
      } else if ((fetchedCurrent ? filters.batchAt(i, h) : filters.mayBeBatch(h, l)) && seen.has(h, l)) this.within.add(batch.file, batch.rows[i] as number, batch.lines[i] as number);
      else this.seenCapped = true;
    }
  }

  private screenCopies(batch: RowBatch, chunks: readonly (ColumnChunk | undefined)[]): void {
    const ref = this.reference;
    const filters = this.filters;
    if (ref.kind === 'none') return;
    const { keys, hashes } = ref;
    const hasher = this.hasher;
    if (ref.kind === 'v2') {
      const { hi, lo } = this.keys;
      for (let i = 0; i < batch.length; i++) {
        const h = hi[i] as number;
        const l = lo[i] as number;
        // Only a candidate copy is encoded and hashed with SHA-256.
        if (filters.referenceAt(i, h) && keys.has(h, l) && hashes.has(hashBatchRow(hasher, chunks, i))) this.copied.add(batch.file, batch.rows[i] as number, batch.lines[i] as number);
      }
    } else if (ref.kind === 'v1') {
      for (let i = 0; i < batch.length; i++) {
        encodeBatchRow(hasher, chunks, i);
        hasher.key();
        if (keys.has(hasher.keyHi, hasher.keyLo) && hashes.has(hasher.digest())) this.copied.add(batch.file, batch.rows[i] as number, batch.lines[i] as number);
      }
    } else {
      for (let i = 0; i < batch.length; i++) {
        const digest = hashBatchRow(hasher, chunks, i);
        if (keys.has(digest.readUInt32BE(0), digest.readUInt32BE(4)) && hashes.has(digest)) this.copied.add(batch.file, batch.rows[i] as number, batch.lines[i] as number);
      }
    }
  }
}
