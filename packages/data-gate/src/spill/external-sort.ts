import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { MemoryBudget } from './memory-budget';
import { sortFloat64 } from './radix-sort';
import { FileColumn, MemoryColumn, type SortedColumn, readValues } from './sorted-column';
import type { SpillDir } from './spill-dir';

/**
 * An external sort of one column's Float64 values: values are appended to a buffer that grows inside
 * the memory budget; a full buffer is sorted (Float64Array.sort) and written out as a run; at the end
 * the runs are k-way merged, in bounded blocks and as many levels as the fan-in needs, into one sorted
 * file. A column that fits in one buffer never touches the disk.
 */
const MIN_BUFFER = 16;
const MAX_FAN_IN = 64;

/** The total order Float64Array.sort uses (NaN never enters): −0 sorts before +0. */
function before(a: number, b: number): boolean {
  return a < b || (a === 0 && b === 0 && Object.is(a, -0) && !Object.is(b, -0));
}

interface Run {
  path: string;
  length: number;
}

export class ExternalSorter {
  private buf = new Float64Array(0);
  private len = 0;
  private readonly runs: Run[] = [];
  private count = 0;

  /** `maxRun`: the most values one run buffer may hold (the budget may stop it earlier). */
  constructor(
    private readonly dir: SpillDir,
    private readonly budget: MemoryBudget,
    private readonly maxRun: number,
  ) {}

  get length(): number {
    return this.count;
  }

  /** Runs written so far (a test sees that a small budget forces many). */
  get runCount(): number {
    return this.runs.length;
  }

  push(value: number): void {
    if (this.len === this.buf.length) this.makeRoom();
    this.buf[this.len++] = value;
    this.count++;
  }

  private makeRoom(): void {
    const cap = this.buf.length;
    const want = Math.min(Math.max(this.maxRun, MIN_BUFFER), Math.max(MIN_BUFFER, cap * 2));
    if (want > cap && this.budget.tryAcquire(want)) {
      const next = new Float64Array(want);
      next.set(this.buf.subarray(0, this.len));
      this.budget.release(cap);
      this.buf = next;
      return;
    }
    if (this.len > 0) {
      this.writeRun();
      return;
    }
    // Nothing held and nothing free: a forced minimum, so the column still makes progress.
    this.budget.acquire(MIN_BUFFER);
    this.buf = new Float64Array(MIN_BUFFER);
  }

  /** Sorts in place: by radix with a scratch array when the budget has room for one, else Float64Array.sort. */
  private sortBuffer(): Float64Array {
    const data = this.buf.subarray(0, this.len);
    if (this.len >= 1 << 16 && this.budget.tryAcquire(this.len)) {
      try {
        sortFloat64(data, new Float64Array(this.len));
      } finally {
        this.budget.release(this.len);
      }
    } else data.sort();
    return data;
  }

  private writeRun(): void {
    const data = this.sortBuffer();
    const path = this.dir.file('run');
    writeValues(path, [data]);
    this.runs.push({ path, length: this.len });
    this.len = 0;
  }

  /** Sorts what is left and hands over the sorted column; the sorter is spent. */
  finish(): SortedColumn {
    if (this.runs.length === 0) {
      let data = this.sortBuffer();
      let held = this.buf.length;
      if (this.len < held / 2 && this.budget.tryAcquire(this.len)) {
        data = data.slice();
        this.budget.release(held);
        held = this.len;
      }
      this.buf = new Float64Array(0);
      return new MemoryColumn(data, this.budget, held);
    }
    if (this.len > 0) this.writeRun();
    // The run buffer becomes the merge's working memory, then goes back to the budget.
    const work = this.buf.length >= MIN_BUFFER * 4 ? this.buf : this.grownForMerge();
    let runs = this.runs.splice(0);
    const fanIn = Math.max(2, Math.min(MAX_FAN_IN, Math.floor(work.length / 4096) - 1, Math.floor(work.length / 2) - 1));
    while (runs.length > 1) {
      const next: Run[] = [];
      for (let i = 0; i < runs.length; i += fanIn) {
        const group = runs.slice(i, i + fanIn);
        next.push(group.length === 1 ? (group[0] as Run) : mergeRuns(group, work, this.dir));
      }
      runs = next;
    }
    this.budget.release(work.length);
    this.buf = new Float64Array(0);
    const only = runs[0] as Run;
    return new FileColumn(only.path, only.length, this.dir);
  }

  private grownForMerge(): Float64Array {
    const size = MIN_BUFFER * 4;
    this.budget.acquire(size - this.buf.length);
    this.buf = new Float64Array(size);
    return this.buf;
  }

  /** Drops the buffer (on errors; the spill folder's removal deletes the runs). */
  discard(): void {
    this.budget.release(this.buf.length);
    this.buf = new Float64Array(0);
    this.len = 0;
  }
}

function writeValues(path: string, chunks: Float64Array[]): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    for (const c of chunks) writeAll(fd, c);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, values: Float64Array): void {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** One k-way merge of sorted runs into a new run, through blocks carved out of `work`. */
function mergeRuns(runs: Run[], work: Float64Array, dir: SpillDir): Run {
  const k = runs.length;
  const block = Math.floor(work.length / (k + 1));
  const out = work.subarray(k * block, (k + 1) * block);
  let outLen = 0;
  const path = dir.file('merge');
  const outFd = openSync(path, 'w', 0o600);
  const fds = runs.map((r) => openSync(r.path, 'r'));
  const blocks = runs.map((_, i) => work.subarray(i * block, (i + 1) * block));
  const read = new Float64Array(k); // values of run i consumed from its file
  const pos = new Int32Array(k);
  const end = new Int32Array(k);
  const heap = new Int32Array(k);
  let size = 0;
  const head = (i: number): number => (blocks[i] as Float64Array)[pos[i] as number] as number;
  const refill = (i: number): boolean => {
    const run = runs[i] as Run;
    const left = run.length - (read[i] as number);
    if (left <= 0) return false;
    const n = Math.min(block, left);
    readValues(fds[i] as number, blocks[i] as Float64Array, n, read[i] as number);
    read[i] = (read[i] as number) + n;
    pos[i] = 0;
    end[i] = n;
    return true;
  };
  const less = (a: number, b: number): boolean => {
    const x = head(a);
    const y = head(b);
    return before(x, y) || (!before(y, x) && a < b);
  };
  const siftDown = (at: number): void => {
    let i = at;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && less(heap[l] as number, heap[m] as number)) m = l;
      if (r < size && less(heap[r] as number, heap[m] as number)) m = r;
      if (m === i) return;
      const t = heap[i] as number;
      heap[i] = heap[m] as number;
      heap[m] = t;
      i = m;
    }
  };
  let total = 0;
  try {
    for (let i = 0; i < k; i++) if (refill(i)) heap[size++] = i;
    for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i);
    while (size > 0) {
      const top = heap[0] as number;
      out[outLen++] = head(top);
      total++;
      if (outLen === out.length) {
        writeAll(outFd, out);
        outLen = 0;
      }
      pos[top] = (pos[top] as number) + 1;
      if (pos[top] === end[top] && !refill(top)) {
        heap[0] = heap[--size] as number;
      }
      if (size > 0) siftDown(0);
    }
    if (outLen > 0) writeAll(outFd, out.subarray(0, outLen));
  } finally {
    closeSync(outFd);
    for (const fd of fds) closeSync(fd);
  }
  for (const r of runs) unlinkSync(r.path);
  return { path, length: total };
}
