/**
 * The streaming exact gate's memory budget, counted in 8-byte values (a Float64 of a spilled column,
 * a slot of a row-key table). Every buffer the spill code allocates is acquired here first and
 * released when dropped, so `peak` is what the run held at once: tests assert it never passes the
 * budget, which a heap measurement inside vitest could not show.
 */
export class MemoryBudget {
  private heldValues = 0;
  private peakValues = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 64)) throw new RangeError(`memory budget of ${capacity} values is too small (at least 64)`);
  }

  static fromMegabytes(mb: number): MemoryBudget {
    return new MemoryBudget(Math.floor((mb * 1024 * 1024) / 8));
  }

  get held(): number {
    return this.heldValues;
  }

  get peak(): number {
    return this.peakValues;
  }

  get free(): number {
    return Math.max(0, this.capacity - this.heldValues);
  }

  /** Takes `n` values if they fit; false otherwise (the caller spills instead). */
  tryAcquire(n: number): boolean {
    if (this.heldValues + n > this.capacity) return false;
    this.take(n);
    return true;
  }

  /**
   * Takes `n` values whether or not they fit: only for the few fixed minimums (a block of 16 values)
   * without which no progress is possible; `peak` shows it if that ever passes the budget.
   */
  acquire(n: number): void {
    this.take(n);
  }

  release(n: number): void {
    this.heldValues -= n;
    if (this.heldValues < 0) throw new Error('memory budget released more than it held');
  }

  private take(n: number): void {
    this.heldValues += n;
    if (this.heldValues > this.peakValues) this.peakValues = this.heldValues;
  }
}
