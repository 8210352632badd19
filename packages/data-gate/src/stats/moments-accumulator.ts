import { NeumaierSum } from './sum';

/**
 * Streaming, mergeable moments for profiles: values arrive one at a time (Welford's update) or a batch
 * at a time (a corrected two-pass over the batch, merged in), and profiles of shards combine with Chan,
 * Golub and LeVeque's pairwise formula, so the profile of a dataset is the merge of its shards' profiles
 * in any order, agreeing with the two-pass result to rounding. The sum is kept compensated on the side
 * because profiles report it exactly.
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

  /**
   * Adds values[0..count) (NaN counts as a null, as in `add`). The batch's own mean and M2 come from
   * the corrected two-pass algorithm (Chan, Golub and LeVeque 1983): m = Σx/n, then Σ(x − m)² less
   * (Σ(x − m))²/n, the rounding left in m, which corrects the mean too. It is at least as accurate as
   * Welford's update and has no division per value; the batch is merged with the pairwise formula, as
   * a shard's moments are. The exact sum is n·m (its rounding error recovered by Dekker's product) plus
   * Σ(x − m), all three added to the compensated total. A batch whose sum is not finite (±Infinity, or
   * an overflow) takes the per-value path, so the NaN and infinite results are the same as `add`'s.
   */
  addMany(values: Float64Array, count: number): void {
    if (!(count >= 0 && count <= values.length)) throw new RangeError(`count ${count} is outside [0, ${values.length}]`);
    const n = finiteSum(values, count);
    const sum = pass[0] as number;
    this.nulls += count - n;
    if (n === 0) return;
    const m = sum / n;
    const product = n * m;
    if (!Number.isFinite(product)) {
      this.nulls -= count - n;
      for (let i = 0; i < count; i++) this.add(values[i] as number);
      return;
    }
    deviations(values, count, m);
    const s1 = pass[0] as number;
    const s2 = pass[1] as number;
    const lo = pass[2] as number;
    const hi = pass[3] as number;
    this.combine(n, m + s1 / n, Math.max(s2 - (s1 * s1) / n, 0));
    if (lo < this.min) this.min = lo;
    if (hi > this.max) this.max = hi;
    this.total.add(product);
    this.total.add(productError(n, m, product));
    this.total.add(s1);
  }

  /** Chan et al.'s pairwise update with a part of n values, mean `mean` and Σ(x − mean)² `m2`. */
  private combine(n: number, mean: number, m2: number): void {
    if (this.n === 0) {
      this.n = n;
      this.avg = mean;
      this.m2 = m2;
      return;
    }
    const total = this.n + n;
    const delta = mean - this.avg;
    this.avg += (delta * n) / total;
    this.m2 += m2 + (delta * delta * this.n * n) / total;
    this.n = total;
  }

  merge(other: MomentsAccumulator): void {
    const s = other.state();
    this.nulls += s.nulls;
    if (s.n === 0) return;
    this.combine(s.n, s.mean, s.m2);
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

/** Veltkamp's split of a double into two halves of 26 bits whose sum is it exactly. */
function split(a: number): [number, number] {
  const c = 134_217_729 * a; // 2^27 + 1
  const high = c - (c - a);
  return [high, a - high];
}

/** a·b − p exactly, for p = a·b rounded (Dekker's TwoProduct, without a fused multiply-add). */
function productError(a: number, b: number, p: number): number {
  const [aHigh, aLow] = split(a);
  const [bHigh, bLow] = split(b);
  return aLow * bLow - (((p - aHigh * bHigh) - aLow * bHigh) - aHigh * bLow);
}

/**
 * The passes' results (sum; or Σd, Σd², min, max). The passes are functions of their own: in one
 * method called once per batch, V8 compiled a loop on the fly, then dropped the compiled code at the
 * first statement after it, batch after batch, running the rest unoptimized.
 */
const pass = new Float64Array(4);

/** Σx over the non-NaN values[0..count) into pass[0]; returns how many. */
function finiteSum(values: Float64Array, count: number): number {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const x = values[i] as number;
    if (x !== x) continue;
    n++;
    sum += x;
  }
  pass[0] = sum;
  return n;
}

/** Σ(x − m), Σ(x − m)², min and max over the non-NaN values[0..count) into pass[0..3]. */
function deviations(values: Float64Array, count: number, m: number): void {
  let s1 = 0;
  let s2 = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < count; i++) {
    const x = values[i] as number;
    if (x !== x) continue;
    const d = x - m;
    s1 += d;
    s2 += d * d;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  pass[0] = s1;
  pass[1] = s2;
  pass[2] = lo;
  pass[3] = hi;
}
