import { UserError } from '@aisec/core';
import { CellKind, type RowBatch } from '../readers/index';
import { isIdName } from '../gate/column-roles';
import {
  type ColumnStats,
  LABEL_MODEL_DEFAULTS,
  LABEL_MODEL_FORMAT,
  LABEL_MODEL_LIMITS,
  LABEL_MODEL_VERSION,
  type LabelModelJson,
  type LabelModelOptions,
  OPTION_NAMES,
  type SampleRow,
  emptyColumn,
  labelKeyOf,
  usable,
} from './label-model-format';
import { mergeLabelModelJson } from './label-model-merge';
import { validateLabelModelJson } from './label-model-validate';
import { PairwiseComoments } from './pairwise-comoments';

export * from './label-model-format';

/**
 * A class-conditional model of the trusted reference, p(features | label), built in one streaming pass
 * so the label-flip check can ask p(label | features) of every batch row.
 *
 * Per label and column it keeps Welford moments of the number cells and counts of the category keys
 * (naive-Bayes frequencies), and per label the pairwise co-moments of the first `maxCorrelated`
 * numeric columns (pairwise-comoments.ts), so the numeric columns get a Gaussian with full covariance
 * per label: on independent features (the shared dev data) full and diagonal covariance found the
 * same rows (NumPy prototype: recall 0.84 vs 0.81, precision 0.26 both), on correlated ones (the
 * generated 20k scenario) full covariance was far more precise (0.49 vs 0.32 at recall 0.79 vs 0.76).
 *
 * It also keeps a bottom-k sample of reference rows (the `sampleSize` rows with the smallest content
 * hash): the confident-learning thresholds and the reference's own suspect rate are computed on it,
 * leave-one-out, when a scanner is made. Everything merges (moments by Chan's formula, counts by sum,
 * the sample by taking the smallest keys of both), so the model of shards is the model of the whole,
 * and serializes to plain JSON for a profile.
 */
/** Murmur3's finalizer, for the sample's content hash. */
function mix(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Two 32-bit lanes folded over the row's cells; 53 bits of them make the key (ties are vanishingly rare). */
class RowKey {
  a = 0x9747b28c;
  b = 0x85ebca77;
  reset(): this {
    this.a = 0x9747b28c;
    this.b = 0x85ebca77;
    return this;
  }
  number(v: number): void {
    f64[0] = v;
    this.a = mix(this.a ^ (u32[0] as number)) ^ (u32[1] as number);
    this.b = mix(Math.imul(this.b, 31) ^ (u32[1] as number) ^ 0x1b873593) ^ (u32[0] as number);
  }
  /** A long text counts by its length and its first and last 16 characters: enough to tell rows apart, cheap on free text. */
  text(s: string): void {
    const n = s.length;
    const head = n > 32 ? 16 : n;
    for (let i = 0; i < head; i++) this.char(s.charCodeAt(i));
    for (let i = Math.max(head, n - 16); i < n; i++) this.char(s.charCodeAt(i));
    this.a = mix(this.a);
    this.b = mix(this.b ^ n);
  }
  private char(c: number): void {
    this.a = Math.imul(this.a ^ c, 0x01000193);
    this.b = Math.imul(this.b ^ c, 0x5bd1e995);
  }
  get key(): number {
    return (mix(this.a) >>> 0) * 2 ** 21 + (mix(this.b ^ this.a) >>> 11);
  }
}

/** A max-heap on `key`: the bottom-k sample keeps its k smallest keys. */
class BottomK {
  readonly rows: SampleRow[] = [];
  constructor(readonly k: number) {}

  /** Whether a row with this key would enter (so callers build the row only then). */
  wants(key: number): boolean {
    return this.k > 0 && (this.rows.length < this.k || key < (this.rows[0] as SampleRow).key);
  }

  add(row: SampleRow): void {
    const h = this.rows;
    if (h.length < this.k) {
      h.push(row);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if ((h[p] as SampleRow).key >= row.key) break;
        h[i] = h[p] as SampleRow;
        i = p;
      }
      h[i] = row;
      return;
    }
    if (row.key >= (h[0] as SampleRow).key) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && (h[r] as SampleRow).key > (h[l] as SampleRow).key ? r : l;
      if ((h[c] as SampleRow).key <= row.key) break;
      h[i] = h[c] as SampleRow;
      i = c;
    }
    h[i] = row;
  }
}

/** Streams the reference's batches into a LabelModel. */
export class LabelModelBuilder {
  private readonly o: Required<Omit<LabelModelOptions, 'exclude'>> & { exclude: readonly string[] | undefined };
  private readonly labels: string[] = [];
  private readonly labelIndex = new Map<string, number>();
  private readonly labelCounts: number[] = [];
  private readonly columns: ColumnStats[] = [];
  private readonly columnIndex = new Map<string, number>();
  /** Key → index per column, for the category counts. */
  private readonly keyIndex: Map<string, number>[] = [];
  private readonly sample: BottomK;
  private readonly rowKey = new RowKey();
  private readonly pairs: PairwiseComoments;
  /** Per column, its position in `pairs` (-1: not tracked), decided at its first number cell. */
  private readonly pairPosition: (number | undefined)[] = [];
  private readonly rowPositions: Int32Array;
  private readonly rowValues: Float64Array;
  private readonly excluded = new Set<string>();
  private rows = 0;
  private unlabeled = 0;
  private labelOverflow = false;
  private featureOverflow = false;

  constructor(options: LabelModelOptions) {
    this.o = { ...LABEL_MODEL_DEFAULTS, ...options, exclude: options.exclude };
    for (const name of OPTION_NAMES) {
      const v = this.o[name];
      if (!Number.isInteger(v) || v < 0 || v > LABEL_MODEL_LIMITS[name]) {
        throw new UserError(`label model option ${name} must be an integer from 0 to ${LABEL_MODEL_LIMITS[name]}, got ${v}`, { key: name });
      }
    }
    this.sample = new BottomK(this.o.sampleSize);
    this.pairs = new PairwiseComoments(this.o.maxCorrelated);
    this.rowPositions = new Int32Array(this.o.maxCorrelated);
    this.rowValues = new Float64Array(this.o.maxCorrelated);
    for (const c of options.exclude ?? []) this.excluded.add(c);
  }

  private isFeature(name: string): boolean {
    if (name === this.o.labelColumn || this.excluded.has(name)) return false;
    return this.o.exclude !== undefined || !isIdName(name);
  }

  private columnFor(name: string): number {
    let c = this.columnIndex.get(name);
    if (c !== undefined) return c;
    if (this.columns.length >= this.o.maxFeatures) {
      this.featureOverflow = true;
      return -1;
    }
    c = this.columns.length;
    this.columns.push(emptyColumn(name, this.labels.length));
    this.keyIndex.push(new Map());
    this.columnIndex.set(name, c);
    return c;
  }

  private labelFor(key: string): number {
    let l = this.labelIndex.get(key);
    if (l !== undefined) return l;
    if (this.labels.length >= this.o.maxLabels) {
      this.labelOverflow = true;
      return -1;
    }
    l = this.labels.length;
    this.labels.push(key);
    this.labelIndex.set(key, l);
    this.labelCounts.push(0);
    this.pairs.addLabel();
    for (const col of this.columns) {
      col.numeric.count.push(0);
      col.numeric.mean.push(0);
      col.numeric.m2.push(0);
      for (const row of col.categories.counts) row.push(0);
    }
    return l;
  }

  push(batch: RowBatch): void {
    const labelChunk = batch.data.find((d) => d.name === this.o.labelColumn);
    const features: { chunk: RowBatch['data'][number]; col: number }[] = [];
    for (const chunk of batch.data) {
      if (!this.isFeature(chunk.name)) continue;
      const col = this.columnFor(chunk.name);
      if (col >= 0) features.push({ chunk, col });
    }
    for (let i = 0; i < batch.length; i++) {
      this.rows++;
      const key = labelChunk ? labelKeyOf(labelChunk.kinds[i], labelChunk.numbers[i] as number, labelChunk.texts[i]) : null;
      if (key === null) {
        this.unlabeled++;
        continue;
      }
      const l = this.labelFor(key);
      if (l < 0) continue;
      this.labelCounts[l] = (this.labelCounts[l] as number) + 1;
      const rk = this.rowKey.reset();
      rk.text(key);
      let present = 0;
      for (const { chunk, col } of features) {
        const stats = this.columns[col] as ColumnStats;
        const kind = chunk.kinds[i];
        if (kind === CellKind.Integer || kind === CellKind.Float) {
          const v = chunk.numbers[i] as number;
          if (!usable(v)) continue;
          stats.numberCells++;
          const n = stats.numeric;
          const count = (n.count[l] as number) + 1;
          const delta = v - (n.mean[l] as number);
          n.count[l] = count;
          n.mean[l] = (n.mean[l] as number) + delta / count;
          n.m2[l] = (n.m2[l] as number) + delta * (v - n.mean[l]);
          rk.number(v);
          // A continuous column overflows within its first rows; no key strings after that.
          if (!stats.categories.overflow) this.countKey(col, String(v), l);
          let at = this.pairPosition[col];
          if (at === undefined) this.pairPosition[col] = at = this.pairs.columnFor(stats.name);
          if (at >= 0) {
            this.rowPositions[present] = at;
            this.rowValues[present++] = v;
          }
        } else if (kind === CellKind.Text || kind === CellKind.Boolean) {
          stats.otherCells++;
          const k = labelKeyOf(kind, chunk.numbers[i] as number, chunk.texts[i]) as string;
          rk.text(k);
          if (!stats.categories.overflow) this.countKey(col, k, l);
        } else rk.number(Number.NaN);
      }
      if (present > 1) this.pairs.add(l, this.rowPositions, this.rowValues, present);
      const sampleKey = rk.key;
      if (this.sample.wants(sampleKey)) {
        const cells: (number | string | null)[] = Array.from({ length: this.columns.length }, (): number | string | null => null);
        for (const { chunk, col } of features) {
          const kind = chunk.kinds[i];
          if (kind === CellKind.Integer || kind === CellKind.Float) {
            const v = chunk.numbers[i] as number;
            cells[col] = usable(v) ? v : null;
          }
          else if ((kind === CellKind.Text || kind === CellKind.Boolean) && !(this.columns[col] as ColumnStats).categories.overflow) {
            cells[col] = labelKeyOf(kind, chunk.numbers[i] as number, chunk.texts[i]);
          }
        }
        this.sample.add({ key: sampleKey, label: key, cells });
      }
    }
  }

  private countKey(col: number, key: string, label: number): void {
    const cats = (this.columns[col] as ColumnStats).categories;
    if (cats.overflow) return;
    const index = this.keyIndex[col] as Map<string, number>;
    let k = index.get(key);
    if (k === undefined) {
      if (cats.keys.length >= this.o.maxCategories) {
        // Free text, ids or a continuous number: the counts would only grow; drop them for good.
        cats.overflow = true;
        cats.keys = [];
        cats.counts = [];
        index.clear();
        return;
      }
      k = cats.keys.length;
      cats.keys.push(key);
      cats.counts.push(Array.from({ length: this.labels.length }, (): number => 0));
      index.set(key, k);
    }
    const row = cats.counts[k] as number[];
    row[label] = (row[label] as number) + 1;
  }

  finish(): LabelModel {
    // Overflowed text columns leave their strings in sample rows taken before the overflow: drop them.
    const overflowed = this.columns.map((c) => c.categories.overflow);
    const sample = [...this.sample.rows]
      .sort((a, b) => a.key - b.key)
      .map((r) => ({ key: r.key, label: r.label, cells: this.columns.map((_, c) => {
        const v = r.cells[c] ?? null;
        return typeof v === 'string' && overflowed[c] ? null : v;
      }) }));
    return new LabelModel({
      format: LABEL_MODEL_FORMAT,
      version: LABEL_MODEL_VERSION,
      labelColumn: this.o.labelColumn,
      exclude: [...this.excluded],
      options: { maxLabels: this.o.maxLabels, maxCategories: this.o.maxCategories, maxFeatures: this.o.maxFeatures, sampleSize: this.o.sampleSize, maxCorrelated: this.o.maxCorrelated },
      rows: this.rows,
      unlabeledRows: this.unlabeled,
      labelOverflow: this.labelOverflow,
      featureOverflow: this.featureOverflow,
      labels: [...this.labels],
      labelCounts: [...this.labelCounts],
      columns: this.columns.map((c) => structuredClone(c)),
      correlation: this.pairs.toJSON(),
      sample,
    });
  }
}

/** The finished model: plain data, mergeable, serializable; scoring lives in label-posterior.ts. */
export class LabelModel {
  constructor(readonly data: LabelModelJson) {}

  get labelColumn(): string {
    return this.data.labelColumn;
  }

  get labels(): readonly string[] {
    return this.data.labels;
  }

  /** Why the model cannot score rows, or undefined when it can. */
  unusableReason(): string | undefined {
    const d = this.data;
    if (d.labelOverflow) return `label column '${d.labelColumn}' has more than ${d.options.maxLabels} distinct values in the reference (a class label is needed)`;
    const populated = d.labelCounts.filter((c) => c > 0).length;
    if (populated < 2) return `label column '${d.labelColumn}' has ${populated === 0 ? 'no values' : 'a single value'} in the reference`;
    return undefined;
  }

  toJSON(): LabelModelJson {
    return this.data;
  }

  /** Reads a model stored by `toJSON` (e.g. in a profile); an unusable file is a UserError naming `source`. */
  static fromJSON(value: unknown, source = 'label model'): LabelModel {
    return new LabelModel(validateLabelModelJson(value, source));
  }

  /** The model of both references together (shards of one dataset). */
  static merge(a: LabelModel, b: LabelModel): LabelModel {
    return new LabelModel(mergeLabelModelJson(a.data, b.data));
  }
}
