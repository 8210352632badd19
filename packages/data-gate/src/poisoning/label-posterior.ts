import type { ColumnStats, LabelModel } from './label-model';
import { choleskyWithRidge, labelCorrelations, mahalanobis } from './pairwise-comoments';

/**
 * p(label | features) from a LabelModel: per label a Gaussian on the numeric columns (full covariance
 * over the correlated ones: each label's variances times its correlation matrix, the latter shrunk
 * toward the pooled one), naive-Bayes category frequencies (Laplace-smoothed) on the categorical ones,
 * and the reference's label shares as prior. A missing value, or a category the reference never had,
 * says nothing: the Gaussian is marginalized over the missing numbers (the sub-matrix of the present
 * ones) and the category is left out of the product.
 */
export interface PosteriorOptions {
  /**
   * Pseudo-rows of the pooled (all-label) variance mixed into each label's variance: a label with few
   * rows borrows the pooled spread instead of trusting a noisy one, and two labels with slightly
   * different variances do not turn a far-out value into a confident vote.
   */
  varianceShrinkage: number;
  /** Numbers are clipped to the reference mean ± this many pooled standard deviations before scoring. */
  clipSd: number;
  /** Laplace smoothing of category frequencies. */
  laplace: number;
  /** A column whose number cells are at least this share of its non-null cells is numeric. */
  numericShare: number;
}

export const POSTERIOR_DEFAULTS: PosteriorOptions = { varianceShrinkage: 10, clipSd: 5, laplace: 1, numericShare: 0.9 };

interface NumericFeature {
  kind: 'numeric';
  column: number;
  name: string;
  lo: number;
  hi: number;
  pooled: number;
  mean: Float64Array;
  variance: Float64Array;
  logVariance: Float64Array;
  invSd: Float64Array;
  /** Position in the correlated block, -1 when the column is modelled with its variance alone. */
  block: number;
}

/** The factor of each label's correlation sub-matrix for one set of present block columns. */
interface MaskFactor {
  m: number;
  /** The block positions present, in order. */
  idx: Int32Array;
  L: Float64Array[];
  logDet: Float64Array;
}

/**
 * Distinct missing-value patterns whose factors are kept. A row with a pattern past them is scored with
 * the variances alone (no correlations): factoring per row would cost labels × columns³ each time.
 */
const MAX_MASKS = 1024;

interface CategoricalFeature {
  kind: 'categorical';
  column: number;
  name: string;
  keys: Map<string, number>;
  /** Per key, per label: the smoothed count; per label: the smoothed total. */
  counts: Float64Array;
  totals: Float64Array;
  /** log(count/total), key-major. */
  logp: Float64Array;
}

type Feature = NumericFeature | CategoricalFeature;

export interface FeatureUse {
  column: string;
  role: 'numeric' | 'categorical' | 'unused';
  /** Why an unused column is unused. */
  reason?: string;
}

function labelVariance(stats: ColumnStats['numeric'], l: number, pooled: number, k: number): number {
  const n = stats.count[l] as number;
  const own = n > 1 ? (stats.m2[l] as number) / (n - 1) : pooled;
  const v = (Math.max(n - 1, 0) * own + k * pooled) / (Math.max(n - 1, 0) + k);
  return Math.max(v, pooled * 1e-6);
}

export class LabelPosterior {
  readonly labels: readonly string[];
  readonly labelIndex: ReadonlyMap<string, number>;
  readonly features: readonly Feature[];
  readonly uses: readonly FeatureUse[];
  private readonly labelCounts: Float64Array;
  private readonly total: number;
  private readonly logPrior: Float64Array;
  /** Each label's correlation matrix over the block columns (m×m). */
  private readonly correlations: Float64Array[];
  private readonly blockSize: number;
  private readonly masks = new Map<number, MaskFactor>();
  /** Scratch: standardized values per label (L×m) and a vector for the substitution. */
  private readonly z: Float64Array;
  private readonly y: Float64Array;
  private readonly zSub: Float64Array;

  constructor(
    readonly model: LabelModel,
    readonly o: PosteriorOptions = POSTERIOR_DEFAULTS,
  ) {
    const d = model.data;
    this.labels = d.labels;
    this.labelIndex = new Map(d.labels.map((l, i) => [l, i]));
    const L = d.labels.length;
    this.labelCounts = Float64Array.from(d.labelCounts);
    this.total = d.labelCounts.reduce((s, c) => s + c, 0);
    this.logPrior = Float64Array.from(d.labelCounts, (c) => Math.log((c + 1) / (this.total + L)));
    const features: Feature[] = [];
    const uses: FeatureUse[] = [];
    d.columns.forEach((col, column) => {
      const nonNull = col.numberCells + col.otherCells;
      if (nonNull > 0 && col.numberCells >= o.numericShare * nonNull) {
        const f = this.numeric(col, column);
        if (f) {
          features.push(f);
          uses.push({ column: col.name, role: 'numeric' });
        } else uses.push({ column: col.name, role: 'unused', reason: 'constant in the reference' });
      } else if (nonNull > 0 && !col.categories.overflow && col.categories.keys.length >= 2) {
        features.push(this.categorical(col, column));
        uses.push({ column: col.name, role: 'categorical' });
      } else {
        uses.push({ column: col.name, role: 'unused', reason: nonNull === 0 ? 'no values' : col.categories.overflow ? `more than ${d.options.maxCategories} distinct values (free text or an id)` : 'a single value' });
      }
    });
    this.features = features;
    this.uses = uses;
    const corr = d.correlation;
    const positions: number[] = [];
    for (const f of features) {
      if (f.kind !== 'numeric') continue;
      const at = corr.columns.indexOf(f.name);
      if (at < 0) continue;
      f.block = positions.length;
      positions.push(at);
    }
    this.blockSize = positions.length;
    this.correlations = labelCorrelations(corr, positions, o.varianceShrinkage);
    this.z = new Float64Array(L * this.blockSize);
    this.y = new Float64Array(this.blockSize);
    this.zSub = new Float64Array(this.blockSize);
  }

  /** Rows scored without correlations because their missing-value pattern was one too many. */
  uncorrelatedRows = 0;

  private factor(mask: number): MaskFactor | undefined {
    const cached = this.masks.get(mask);
    if (cached) return cached;
    if (this.masks.size >= MAX_MASKS) return undefined;
    const idx: number[] = [];
    for (let b = 0; b < this.blockSize; b++) if ((mask & (1 << b)) !== 0) idx.push(b);
    const m = idx.length;
    const B = this.blockSize;
    const Ls: Float64Array[] = [];
    const logDet = new Float64Array(this.labels.length);
    this.correlations.forEach((R, l) => {
      const sub = new Float64Array(m * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) sub[i * m + j] = R[(idx[i] as number) * B + (idx[j] as number)] as number;
      const c = choleskyWithRidge(sub, m);
      Ls.push(c.L);
      logDet[l] = c.logDet;
    });
    const f = { m, idx: Int32Array.from(idx), L: Ls, logDet };
    this.masks.set(mask, f);
    return f;
  }

  private numeric(col: ColumnStats, column: number): NumericFeature | undefined {
    const s = col.numeric;
    const L = this.labels.length;
    let n = 0;
    let mean = 0;
    let within = 0;
    for (let l = 0; l < L; l++) {
      const c = s.count[l] as number;
      n += c;
      mean += c * (s.mean[l] as number);
      within += s.m2[l] as number;
    }
    if (n < 2) return undefined;
    mean /= n;
    let total = within;
    for (let l = 0; l < L; l++) total += (s.count[l] as number) * ((s.mean[l] as number) - mean) ** 2;
    const sd = Math.sqrt(total / n);
    const pooled = within / Math.max(n - L, 1);
    if (!(sd > 0) || !(pooled > 0)) return undefined;
    const variance = Float64Array.from({ length: L }, (_, l) => labelVariance(s, l, pooled, this.o.varianceShrinkage));
    return {
      kind: 'numeric',
      column,
      name: col.name,
      lo: mean - this.o.clipSd * sd,
      hi: mean + this.o.clipSd * sd,
      pooled,
      // A label without number cells in this column gets the overall mean: no evidence either way.
      mean: Float64Array.from({ length: L }, (_, l) => ((s.count[l] as number) > 0 ? (s.mean[l] as number) : mean)),
      variance,
      logVariance: variance.map(Math.log),
      invSd: variance.map((v) => 1 / Math.sqrt(v)),
      block: -1,
    };
  }

  private categorical(col: ColumnStats, column: number): CategoricalFeature {
    const L = this.labels.length;
    const K = col.categories.keys.length;
    const a = this.o.laplace;
    const counts = new Float64Array(K * L);
    const totals = new Float64Array(L);
    col.categories.counts.forEach((row, k) => {
      for (let l = 0; l < L; l++) {
        counts[k * L + l] = (row[l] as number) + a;
        totals[l] = (totals[l] as number) + (row[l] as number);
      }
    });
    // One share of smoothing mass kept back for keys the reference never had.
    for (let l = 0; l < L; l++) totals[l] = (totals[l] as number) + a * (K + 1);
    const logp = counts.map((c, i) => Math.log(c / (totals[i % L] as number)));
    return { kind: 'categorical', column, name: col.name, keys: new Map(col.categories.keys.map((k, i) => [k, i])), counts, totals, logp };
  }

  /**
   * Fills `out` with p(label | cells), `cells` aligned to the model's columns. With `leaveOut` ≥ 0 the
   * row (labelled `leaveOut`, and counted in the model) is first taken out of that label's statistics:
   * exact leave-one-out, so the reference's own rows are scored as if unseen.
   */
  posterior(cells: readonly (number | string | null)[], out: Float64Array, leaveOut = -1): Float64Array {
    const L = this.labels.length;
    if (leaveOut < 0) for (let l = 0; l < L; l++) out[l] = this.logPrior[l] as number;
    else for (let l = 0; l < L; l++) out[l] = Math.log(((this.labelCounts[l] as number) - (l === leaveOut ? 1 : 0) + 1) / (this.total - 1 + L));
    // The present block columns, as the bits of an int32 (the block has at most 32 columns).
    let mask = 0;
    for (const f of this.features) {
      const v = cells[f.column] ?? null;
      if (v === null) continue;
      if (f.kind === 'numeric') {
        if (typeof v !== 'number') continue;
        const x = v < f.lo ? f.lo : v > f.hi ? f.hi : v;
        if (f.block >= 0) mask |= 1 << f.block;
        for (let l = 0; l < L; l++) {
          let mean = f.mean[l] as number;
          let variance = f.variance[l] as number;
          let logVariance = f.logVariance[l] as number;
          if (l === leaveOut) {
            const stats = (this.model.data.columns[f.column] as ColumnStats).numeric;
            const n = stats.count[l] as number;
            if (n >= 2) {
              // Welford run backwards: the label's moments without this value (the raw value, as counted).
              const m = stats.mean[l] as number;
              mean = (n * m - v) / (n - 1);
              const m2 = Math.max((stats.m2[l] as number) - (v - m) * (v - mean), 0);
              const own = n - 1 > 1 ? m2 / (n - 2) : f.pooled;
              const k = this.o.varianceShrinkage;
              variance = Math.max(((n - 2) * own + k * f.pooled) / (n - 2 + k), f.pooled * 1e-6);
              logVariance = Math.log(variance);
            }
          }
          const d = x - mean;
          if (f.block >= 0) {
            this.z[l * this.blockSize + f.block] = l === leaveOut ? d / Math.sqrt(variance) : d * (f.invSd[l] as number);
            out[l] = (out[l] as number) - 0.5 * logVariance;
          } else out[l] = (out[l] as number) - 0.5 * ((d * d) / variance + logVariance);
        }
      } else {
        const k = f.keys.get(typeof v === 'number' ? String(v) : v);
        if (k === undefined) continue;
        const base = k * L;
        for (let l = 0; l < L; l++) out[l] = (out[l] as number) + (f.logp[base + l] as number);
        if (leaveOut >= 0) {
          const c = (f.counts[base + leaveOut] as number) - 1;
          const t = (f.totals[leaveOut] as number) - 1;
          out[leaveOut] = (out[leaveOut] as number) - (f.logp[base + leaveOut] as number) + Math.log(Math.max(c, 1e-300) / t);
        }
      }
    }
    if (mask !== 0) {
      // The correlation matrix of each label is not left out: one row moves it by O(1/n).
      const fac = this.factor(mask);
      const B = this.blockSize;
      if (!fac) {
        this.uncorrelatedRows++;
        for (let l = 0; l < L; l++) {
          let q = 0;
          for (let b = 0; b < B; b++) if ((mask & (1 << b)) !== 0) q += (this.z[l * B + b] as number) ** 2;
          out[l] = (out[l] as number) - 0.5 * q;
        }
      } else for (let l = 0; l < L; l++) {
        for (let i = 0; i < fac.m; i++) this.zSub[i] = this.z[l * B + (fac.idx[i] as number)] as number;
        const q = mahalanobis(fac.L[l] as Float64Array, fac.m, this.zSub, this.y);
        out[l] = (out[l] as number) - 0.5 * (q + (fac.logDet[l] as number));
      }
    }
    let max = -Infinity;
    for (let l = 0; l < L; l++) if ((out[l] as number) > max) max = out[l] as number;
    let sum = 0;
    for (let l = 0; l < L; l++) {
      const e = Math.exp((out[l] as number) - max);
      out[l] = e;
      sum += e;
    }
    for (let l = 0; l < L; l++) out[l] = (out[l] as number) / sum;
    return out;
  }
}
