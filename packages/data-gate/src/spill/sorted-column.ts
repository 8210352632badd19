import { closeSync, openSync, readSync } from 'node:fs';
import type { MemoryBudget } from './memory-budget';
import type { SpillDir } from './spill-dir';

/**
 * A column's non-null values sorted ascending (−0 before +0, as Float64Array.sort orders them), either
 * held in memory (it fitted in one run) or in one merged file of native-endian float64s read back in
 * blocks. Positional reads (`at`) give quantiles at known ranks; cursors walk it forward, or backward
 * from a rank (the MAD walks outward from the median both ways).
 */
export interface SortedColumn {
  readonly length: number;
  at(rank: number): number;
  /** A forward cursor starting at `from` (default 0); its block comes out of `budget`. */
  cursor(budget: MemoryBudget, from?: number): SortedCursor;
  /** A backward cursor starting at `from` and moving to lower ranks. */
  reverseCursor(budget: MemoryBudget, from: number): SortedCursor;
  /** Frees the memory it holds (a memory column) or closes its file. */
  release(): void;
}

/** Values per cursor block: large enough to amortize a read, small against any budget worth having. */
export const CURSOR_BLOCK = 1 << 16;

/**
 * Walks a sorted column one value at a time: `index` is the rank of the value `peek()` returns (valid
 * while `index` is inside the column), `advance()` moves one rank on (down, for a reverse cursor).
 */
export class SortedCursor {
  index: number;
  private pos = 0;
  private end = 0;
  private buf: Float64Array;
  private readonly inMemory: boolean;

  constructor(
    private readonly length: number,
    from: number,
    private readonly step: 1 | -1,
    private source: { data: Float64Array } | { fd: number; budget: MemoryBudget; block: Float64Array },
  ) {
    this.index = from;
    this.inMemory = 'data' in source;
    if ('data' in source) {
      this.buf = source.data;
      this.pos = from;
      this.end = step === 1 ? length : -1;
    } else {
      this.buf = source.block;
      this.refill();
    }
  }

  peek(): number {
    return this.buf[this.pos] as number;
  }

  get done(): boolean {
    return this.index < 0 || this.index >= this.length;
  }

  advance(): void {
    this.index += this.step;
    this.pos += this.step;
    if (this.pos === this.end && !this.inMemory && !this.done) this.refill();
  }

  private refill(): void {
    if (this.done || 'data' in this.source) return;
    const block = this.source.block;
    if (this.step === 1) {
      const count = Math.min(block.length, this.length - this.index);
      readValues(this.source.fd, block, count, this.index);
      this.pos = 0;
      this.end = count;
    } else {
      const start = Math.max(0, this.index - block.length + 1);
      const count = this.index - start + 1;
      readValues(this.source.fd, block, count, start);
      this.pos = count - 1;
      this.end = -1;
    }
  }

  close(): void {
    if ('budget' in this.source) {
      this.source.budget.release(this.source.block.length);
      this.source = { data: new Float64Array(0) };
    }
  }
}

/** Reads `count` float64s starting at value `position` of the file into `into`. */
export function readValues(fd: number, into: Float64Array, count: number, position: number): void {
  const bytes = new Uint8Array(into.buffer, into.byteOffset, count * 8);
  let done = 0;
  while (done < bytes.length) {
    const n = readSync(fd, bytes, done, bytes.length - done, position * 8 + done);
    if (n === 0) throw new Error(`spill file ended early (wanted ${count} values at ${position})`);
    done += n;
  }
}

export class MemoryColumn implements SortedColumn {
  constructor(
    private data: Float64Array,
    private readonly budget: MemoryBudget,
    private held: number,
  ) {}

  get length(): number {
    return this.data.length;
  }

  at(rank: number): number {
    return this.data[rank] as number;
  }

  cursor(_budget: MemoryBudget, from = 0): SortedCursor {
    return new SortedCursor(this.data.length, from, 1, { data: this.data });
  }

  reverseCursor(_budget: MemoryBudget, from: number): SortedCursor {
    return new SortedCursor(this.data.length, from, -1, { data: this.data });
  }

  release(): void {
    this.budget.release(this.held);
    this.held = 0;
    this.data = new Float64Array(0);
  }
}

export class FileColumn implements SortedColumn {
  private fd: number;
  private readonly one = new Float64Array(1);
  private readonly unregister: () => void;

  constructor(
    readonly path: string,
    readonly length: number,
    dir: SpillDir,
  ) {
    this.fd = openSync(path, 'r');
    this.unregister = dir.onRemove(() => this.release());
  }

  at(rank: number): number {
    readValues(this.fd, this.one, 1, rank);
    return this.one[0] as number;
  }

  private block(budget: MemoryBudget): Float64Array {
    // Half of what is free, at most CURSOR_BLOCK, at least 16 values (a forced minimum).
    const size = Math.max(16, Math.min(CURSOR_BLOCK, Math.floor(budget.free / 2), this.length));
    if (!budget.tryAcquire(size)) budget.acquire(size);
    return new Float64Array(size);
  }

  cursor(budget: MemoryBudget, from = 0): SortedCursor {
    return new SortedCursor(this.length, from, 1, { fd: this.fd, budget, block: this.block(budget) });
  }

  reverseCursor(budget: MemoryBudget, from: number): SortedCursor {
    return new SortedCursor(this.length, from, -1, { fd: this.fd, budget, block: this.block(budget) });
  }

  release(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.unregister();
  }
}
