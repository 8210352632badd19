/**
 * Compensated (Neumaier) summation. Statistics over millions of rows lose digits to naive summation
 * long before they reach SciPy's own pairwise error, and the reference values are checked to 1e-9.
 */
export class NeumaierSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const t = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - t + value;
    else this.compensation += value - t + this.sum;
    this.sum = t;
  }

  /** Folds another accumulator in, so partial sums of shards merge without losing the compensation. */
  merge(other: NeumaierSum): void {
    this.add(other.sum);
    this.add(other.compensation);
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}

export function neumaierSum(values: ArrayLike<number>): number {
  const acc = new NeumaierSum();
  for (let i = 0; i < values.length; i++) acc.add(values[i]!);
  return acc.value;
}
