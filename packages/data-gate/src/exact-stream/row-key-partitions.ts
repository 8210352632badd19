import { closeSync, openSync, writeSync } from 'node:fs';
import { RowKeySet } from '../profile/row-key-set';
import type { MemoryBudget } from '../spill/memory-budget';
import { readValues } from '../spill/sorted-column';
import type { SpillDir } from '../spill/spill-dir';
import type { FlaggedRows } from './flagged-rows';

/**
 * Exact-duplicate and copied-row detection over 64-bit row keys in bounded memory, as a Grace hash
 * join: every row's key goes to one of P partitions by its high bits (reference rows as [hi, lo],
 * batch rows as [hi, lo, file, row, line], in table order); then partition by partition the
 * reference's keys fill a key table, and the batch's rows, replayed in table order, are checked
 * against it and against the keys seen before them. Equal rows share a partition, so nothing is
 * missed, and only one partition's distinct keys are held at a time. Each side is one file: a full
 * partition buffer is appended to it as a chunk, and the chunks of a partition are chained, so the
 * number of open files stays two however many partitions there are.
 */
const REF_WIDTH = 2;
const CUR_WIDTH = 5;

function grow<T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T {
  const b = make(a.length * 2);
  b.set(a);
  return b;
}

class PartitionWriter {
  private fd: number;
  private readonly bufs: Float64Array[];
  private readonly lens: Int32Array;
  readonly counts: Float64Array;
  readonly path: string;
  private written = 0;
  // Chunks in write order: partition, first value in the file, records; and the chain per partition.
  private chunkOffset = new Float64Array(1024);
  private chunkRecords = new Int32Array(1024);
  private chunkNext = new Int32Array(1024);
  private chunks = 0;
  private readonly first: Int32Array;
  private readonly last: Int32Array;

  constructor(
    dir: SpillDir,
    kind: string,
    partitions: number,
    private readonly width: number,
    recordsPerBuffer: number,
  ) {
    this.path = dir.file(kind);
    this.fd = openSync(this.path, 'w', 0o600);
    this.bufs = Array.from({ length: partitions }, () => new Float64Array(recordsPerBuffer * width));
    this.lens = new Int32Array(partitions);
    this.counts = new Float64Array(partitions);
    this.first = new Int32Array(partitions).fill(-1);
    this.last = new Int32Array(partitions).fill(-1);
  }

  get heldValues(): number {
    return this.bufs.length * (this.bufs[0]?.length ?? 0);
  }

  /** Appends a record; `a`..`c` are ignored for the two-value reference records. */
  add(p: number, hi: number, lo: number, a = 0, b = 0, c = 0): void {
    const buf = this.bufs[p] as Float64Array;
    let at = this.lens[p] as number;
    buf[at++] = hi;
    buf[at++] = lo;
    if (this.width === CUR_WIDTH) {
      buf[at++] = a;
      buf[at++] = b;
      buf[at++] = c;
    }
    this.lens[p] = at;
    this.counts[p] = (this.counts[p] as number) + 1;
    if (at === buf.length) this.flush(p);
  }

  private flush(p: number): void {
    const len = this.lens[p] as number;
    if (len === 0) return;
    const buf = this.bufs[p] as Float64Array;
    const bytes = new Uint8Array(buf.buffer, 0, len * 8);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    if (this.chunks === this.chunkOffset.length) {
      this.chunkOffset = grow(this.chunkOffset, (n) => new Float64Array(n));
      this.chunkRecords = grow(this.chunkRecords, (n) => new Int32Array(n));
      this.chunkNext = grow(this.chunkNext, (n) => new Int32Array(n));
    }
    const k = this.chunks++;
    this.chunkOffset[k] = this.written;
    this.chunkRecords[k] = len / this.width;
    this.chunkNext[k] = -1;
    const tail = this.last[p] as number;
    if (tail < 0) this.first[p] = k;
    else this.chunkNext[tail] = k;
    this.last[p] = k;
    this.written += len;
    this.lens[p] = 0;
  }

  /** Writes out what is buffered (unless `flush` is false: a run cut short) and closes the file for writing. */
  close(flush = true): void {
    if (this.fd < 0) return;
    if (flush) for (let p = 0; p < this.bufs.length; p++) this.flush(p);
    closeSync(this.fd);
    this.fd = -1;
    this.bufs.length = 0;
  }

  /** Visits partition `p`'s records in the order they were added, reading its chunks in blocks. */
  forEachRecord(p: number, block: Float64Array, visit: (r: Float64Array, at: number) => void): void {
    if (this.first[p] === -1) return;
    const fd = openSync(this.path, 'r');
    try {
      const perBlock = Math.max(1, Math.floor(block.length / this.width));
      for (let k = this.first[p] as number; k >= 0; k = this.chunkNext[k] as number) {
        const records = this.chunkRecords[k] as number;
        const offset = this.chunkOffset[k] as number;
        for (let done = 0; done < records; ) {
          const n = Math.min(perBlock, records - done);
          readValues(fd, block, n * this.width, offset + done * this.width);
          for (let i = 0; i < n; i++) visit(block, i * this.width);
          done += n;
        }
      }
    } finally {
      closeSync(fd);
    }
  }
}

export class RowKeyPartitions {
  private readonly partitions: number;
  private readonly shift: number;
  private ref: PartitionWriter | undefined;
  private cur: PartitionWriter | undefined;
  private readonly held: number;

  /** `expectedRows`: an upper estimate of reference plus batch rows, to size the partitions. */
  constructor(
    private readonly dir: SpillDir,
    private readonly budget: MemoryBudget,
    expectedRows: number,
  ) {
    // A partition's key tables take about 2 slots (8 bytes, one budget value) per distinct key: aim for
    // a quarter of the budget; the write buffers (4 records or more per partition) get an eighth.
    const keysPerPartition = Math.max(256, Math.floor(budget.capacity / 8));
    const maxPartitions = Math.max(1, Math.floor(budget.capacity / 8 / (4 * (REF_WIDTH + CUR_WIDTH))));
    let p = 1;
    while (p < 4096 && p * 2 <= maxPartitions && p * keysPerPartition < expectedRows) p *= 2;
    this.partitions = p;
    this.shift = 32 - Math.log2(p);
    const perBuffer = Math.max(4, Math.min(8192, Math.floor(budget.capacity / 8 / (p * (REF_WIDTH + CUR_WIDTH)))));
    this.ref = new PartitionWriter(dir, 'keys-ref', p, REF_WIDTH, perBuffer);
    this.cur = new PartitionWriter(dir, 'keys-cur', p, CUR_WIDTH, perBuffer);
    this.held = this.ref.heldValues + this.cur.heldValues;
    if (!budget.tryAcquire(this.held)) budget.acquire(this.held);
    dir.onRemove(() => this.discard());
  }

  get partitionCount(): number {
    return this.partitions;
  }

  private partitionOf(hi: number): number {
    return this.partitions === 1 ? 0 : hi >>> this.shift;
  }

  addReference(hi: number, lo: number): void {
    (this.ref as PartitionWriter).add(this.partitionOf(hi), hi, lo);
  }

  addCurrent(hi: number, lo: number, fileIndex: number, row: number, line: number): void {
    (this.cur as PartitionWriter).add(this.partitionOf(hi), hi, lo, fileIndex, row, line);
  }

  /** Joins partition by partition; rows repeating an earlier batch row go to `within`, rows found in the reference to `copied`. */
  join(within: FlaggedRows, copied: FlaggedRows): void {
    const ref = this.ref as PartitionWriter;
    const cur = this.cur as PartitionWriter;
    ref.close();
    cur.close();
    this.budget.release(this.held);
    this.ref = undefined;
    this.cur = undefined;
    const blockValues = Math.max(CUR_WIDTH * 16, Math.min(1 << 16, Math.floor(this.budget.free / 4)));
    if (!this.budget.tryAcquire(blockValues)) this.budget.acquire(blockValues);
    const block = new Float64Array(blockValues);
    try {
      for (let p = 0; p < this.partitions; p++) {
        const nRef = ref.counts[p] as number;
        const nCur = cur.counts[p] as number;
        if (nCur === 0) continue;
        const slots = tableSlots(nRef) + tableSlots(nCur);
        if (!this.budget.tryAcquire(slots)) this.budget.acquire(slots);
        try {
          const refKeys = new RowKeySet(Math.max(1, nRef));
          ref.forEachRecord(p, block, (r, at) => {
            refKeys.addOrHas(r[at] as number, r[at + 1] as number);
          });
          const seen = new RowKeySet(Math.max(1, nCur));
          cur.forEachRecord(p, block, (r, at) => {
            const hi = r[at] as number;
            const lo = r[at + 1] as number;
            const fileIndex = r[at + 2] as number;
            const row = r[at + 3] as number;
            const line = r[at + 4] as number;
            if (seen.addOrHas(hi, lo)) within.add(fileIndex, row, line);
            if (nRef > 0 && refKeys.has(hi, lo)) copied.add(fileIndex, row, line);
          });
        } finally {
          this.budget.release(slots);
        }
      }
    } finally {
      this.budget.release(blockValues);
    }
  }

  /** Closes the partition files (on errors; the spill folder's removal deletes them). */
  discard(): void {
    for (const w of [this.ref, this.cur]) w?.close(false);
    if (this.ref || this.cur) this.budget.release(this.held);
    this.ref = undefined;
    this.cur = undefined;
  }
}

/** Slots RowKeySet allocates for `expected` keys (a power of two at least 2×expected, at least 1024), growth included. */
function tableSlots(expected: number): number {
  let slots = 1024;
  while (slots < expected * 2) slots *= 2;
  return slots;
}
