import { NeumaierSum } from './sum';

/**
 * Streaming, mergeable moments for profiles: values arrive one at a time (Welford's update) and
 * profiles of shards combine with Chan, Golub and LeVeque's pairwise formula, so the profile of a
 * dataset is the merge of its shards' profiles in any order, agreeing with the two-pass result to
 * rounding. The sum is kept compensated on the side because profiles report it exactly.
 */
export interface MomentsState {
  n: number;
  mean: number;
  /** Σ(x − mean)². */
  m2: number;
  min: number;
  max: number;
  sum: number;
  nulls: number;
}

export class MomentsAccumulator {
  private n = 0;
  private avg = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private nulls = 0;
  private readonly total = new NeumaierSum();

  /** NaN counts as a null. */
  add(value: number): void {
    if (Number.isNaN(value)) {
      this.nulls++;
      return;
    }
    this.n++;
    const delta = value - this.avg;
    this.avg += delta / this.n;
    this.m2 += delta * (value - this.avg);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.total.add(value);
  }

  addAll(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.add(values[i]!);
  }

  merge(other: MomentsAccumulator): void {
    const s = other.state();
    this.nulls += s.nulls;
    if (s.n === 0) return;
    if (this.n === 0) {
      this.n = s.n;
      this.avg = s.mean;
      this.m2 = s.m2;
    } else {
      const n = this.n + s.n;
      const delta = s.mean - this.avg;
      this.avg += (delta * s.n) / n;
      this.m2 += s.m2 + (delta * delta * this.n * s.n) / n;
      this.n = n;
    }
    if (s.min < this.min) this.min = s.min;
    if (s.max > this.max) this.max = s.max;
    this.total.merge(other.total);
  }

  state(): MomentsState {
    return {
      n: this.n,
      mean: this.n > 0 ? this.avg : NaN,
      m2: this.m2,
      min: this.n > 0 ? this.min : NaN,
      max: this.n > 0 ? this.max : NaN,
      sum: this.total.value,
      nulls: this.nulls,
    };
  }

  std(ddof: number): number {
    return this.n - ddof > 0 ? Math.sqrt(this.m2 / (this.n - ddof)) : NaN;
  }
}
