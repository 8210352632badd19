import { UserError } from '@aisec/core';
import { CellKind, type RowBatch } from '../readers/index';
import { isIdName } from '../gate/column-roles';
import { type PairwiseJson, PairwiseComoments, mergePairwise } from './pairwise-comoments';

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
export const LABEL_MODEL_FORMAT = 'aisec-label-model';
export const LABEL_MODEL_VERSION = 1;

export interface LabelModelOptions {
  /** The label column (classification: at most `maxLabels` distinct values). */
  labelColumn: string;
  /** Columns never used as features; default the columns named like ids (id, *_id, key, uuid). */
  exclude?: readonly string[];
  /** Past this many distinct labels the label is not a class and the check is skipped. */
  maxLabels?: number;
  /** A non-numeric column with more distinct values than this is free text or an id: not a feature. */
  maxCategories?: number;
  /** Feature columns tracked (the first ones seen); the rest are left out with a note. */
  maxFeatures?: number;
  /** Reference rows kept for calibration (thresholds and the reference's own suspect rate). */
  sampleSize?: number;
  /** Numeric columns modelled with their correlations (the first ones seen); further ones get a variance only. */
  maxCorrelated?: number;
}

export const LABEL_MODEL_DEFAULTS = { maxLabels: 64, maxCategories: 64, maxFeatures: 256, sampleSize: 20_000, maxCorrelated: 32 } as const;

/**
 * The most any option may be, in the builder and in a model read from a file (a hostile profile must
 * not make the scanner allocate labels² tables of billions): the correlated block is addressed by the
 * bits of an int32, hence 32.
 */
export const LABEL_MODEL_LIMITS = { maxLabels: 1000, maxCategories: 10_000, maxFeatures: 4096, sampleSize: 1_000_000, maxCorrelated: 32 } as const;

type OptionName = keyof typeof LABEL_MODEL_LIMITS;
const OPTION_NAMES = Object.keys(LABEL_MODEL_LIMITS) as OptionName[];

/** Per-label Welford moments of one column's number cells. */
export interface NumericStats {
  count: number[];
  mean: number[];
  m2: number[];
}

/** Per-label counts of one column's category keys (numbers keyed as `String(value)`). */
export interface CategoryStats {
  /** Set once more than `maxCategories` keys were seen: the counts are then dropped. */
  overflow: boolean;
  keys: string[];
  /** counts[k][l]: rows with key k and label l. */
  counts: number[][];
}

export interface ColumnStats {
  name: string;
  /** Non-null cells that were numbers (Integer/Float), and that were text or booleans. */
  numberCells: number;
  otherCells: number;
  numeric: NumericStats;
  categories: CategoryStats;
}

/** One sampled reference row: its hash key, its label and its cells, aligned to `columns` (null where absent). */
export interface SampleRow {
  key: number;
  label: string;
  cells: (number | string | null)[];
}

/** The plain-JSON form (`toJSON`), as a profile would store it. */
export interface LabelModelJson {
  format: typeof LABEL_MODEL_FORMAT;
  version: typeof LABEL_MODEL_VERSION;
  labelColumn: string;
  exclude: string[];
  options: { maxLabels: number; maxCategories: number; maxFeatures: number; sampleSize: number; maxCorrelated: number };
  rows: number;
  unlabeledRows: number;
  labelOverflow: boolean;
  featureOverflow: boolean;
  labels: string[];
  labelCounts: number[];
  columns: ColumnStats[];
  /** Per-label pairwise co-moments of the correlated numeric columns. */
  correlation: PairwiseJson;
  sample: SampleRow[];
}

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

/**
 * Numbers the moments take: finite and below 1e150 in magnitude, so that squares and sums of squares
 * of millions of them stay finite (a hostile 1e300 would make every variance infinite).
 */
export function usable(v: number): boolean {
  return Number.isFinite(v) && Math.abs(v) < 1e150;
}

function labelKeyOf(kind: number | undefined, number: number, text: string | null | undefined): string | null {
  switch (kind) {
    case CellKind.Integer:
    case CellKind.Float:
      return String(number);
    case CellKind.Boolean:
      return number === 1 ? 'true' : 'false';
    case CellKind.Text:
      return text ?? '';
    default:
      return null;
  }
}

/** The key a category cell counts under: numbers by value, booleans as true/false, text as is. */
export function cellKey(cell: number | string | null): string | null {
  return cell === null ? null : typeof cell === 'number' ? String(cell) : cell;
}

function emptyColumn(name: string, labels: number): ColumnStats {
  return {
    name,
    numberCells: 0,
    otherCells: 0,
    numeric: { count: Array.from({ length: labels }, (): number => 0), mean: Array.from({ length: labels }, (): number => 0), m2: Array.from({ length: labels }, (): number => 0) },
    categories: { overflow: false, keys: [], counts: [] },
  };
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

function mergeLabelModelJson(a: LabelModelJson, b: LabelModelJson): LabelModelJson {
  if (a.labelColumn !== b.labelColumn) {
    throw new UserError(`cannot merge label models of different label columns ('${a.labelColumn}' and '${b.labelColumn}')`, { hint: 'build every shard with the same label column' });
  }
  const o = a.options;
  const labels = [...a.labels];
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  let labelOverflow = a.labelOverflow || b.labelOverflow;
  for (const l of b.labels) {
    if (labelIndex.has(l)) continue;
    if (labels.length >= o.maxLabels) {
      labelOverflow = true;
      continue;
    }
    labelIndex.set(l, labels.length);
    labels.push(l);
  }
  const L = labels.length;
  const remapB = b.labels.map((l) => labelIndex.get(l) ?? -1);
  const labelCounts = Array.from({ length: L }, (): number => 0);
  a.labelCounts.forEach((c, i) => (labelCounts[i] = (labelCounts[i] as number) + c));
  b.labelCounts.forEach((c, i) => {
    const j = remapB[i] as number;
    if (j >= 0) labelCounts[j] = (labelCounts[j] as number) + c;
  });
  const columns: ColumnStats[] = [];
  const byName = new Map<string, number>();
  let featureOverflow = a.featureOverflow || b.featureOverflow;
  const widen = (c: ColumnStats, remap: number[]): ColumnStats => {
    const out = emptyColumn(c.name, L);
    out.numberCells = c.numberCells;
    out.otherCells = c.otherCells;
    remap.forEach((j, i) => {
      if (j < 0) return;
      out.numeric.count[j] = c.numeric.count[i] as number;
      out.numeric.mean[j] = c.numeric.mean[i] as number;
      out.numeric.m2[j] = c.numeric.m2[i] as number;
    });
    out.categories = {
      overflow: c.categories.overflow,
      keys: [...c.categories.keys],
      counts: c.categories.counts.map((row) => {
        const r = Array.from({ length: L }, (): number => 0);
        remap.forEach((j, i) => j >= 0 && (r[j] = row[i] as number));
        return r;
      }),
    };
    return out;
  };
  const remapA = a.labels.map((_, i) => i);
  for (const c of a.columns) {
    byName.set(c.name, columns.length);
    columns.push(widen(c, remapA));
  }
  for (const cb of b.columns) {
    const at = byName.get(cb.name);
    const wb = widen(cb, remapB);
    if (at === undefined) {
      if (columns.length >= o.maxFeatures) {
        featureOverflow = true;
        continue;
      }
      byName.set(cb.name, columns.length);
      columns.push(wb);
      continue;
    }
    const ca = columns[at] as ColumnStats;
    ca.numberCells += wb.numberCells;
    ca.otherCells += wb.otherCells;
    for (let l = 0; l < L; l++) {
      // Chan, Golub and LeVeque's pairwise update of the moments.
      const na = ca.numeric.count[l] as number;
      const nb = wb.numeric.count[l] as number;
      if (nb === 0) continue;
      const n = na + nb;
      const delta = (wb.numeric.mean[l] as number) - (ca.numeric.mean[l] as number);
      ca.numeric.mean[l] = (ca.numeric.mean[l] as number) + (delta * nb) / n;
      ca.numeric.m2[l] = (ca.numeric.m2[l] as number) + (wb.numeric.m2[l] as number) + (delta * delta * na * nb) / n;
      ca.numeric.count[l] = n;
    }
    if (ca.categories.overflow || wb.categories.overflow) {
      ca.categories = { overflow: true, keys: [], counts: [] };
      continue;
    }
    const keyAt = new Map(ca.categories.keys.map((k, i) => [k, i]));
    for (let k = 0; k < wb.categories.keys.length; k++) {
      const key = wb.categories.keys[k] as string;
      let at2 = keyAt.get(key);
      if (at2 === undefined) {
        if (ca.categories.keys.length >= o.maxCategories) {
          ca.categories = { overflow: true, keys: [], counts: [] };
          break;
        }
        at2 = ca.categories.keys.length;
        keyAt.set(key, at2);
        ca.categories.keys.push(key);
        ca.categories.counts.push(Array.from({ length: L }, (): number => 0));
      }
      const dst = ca.categories.counts[at2] as number[];
      const src = wb.categories.counts[k] as number[];
      for (let l = 0; l < L; l++) dst[l] = (dst[l] as number) + (src[l] as number);
    }
  }
  const realign = (rows: SampleRow[], from: ColumnStats[]): SampleRow[] =>
    rows.map((r) => {
      const cells = Array.from({ length: columns.length }, (): number | string | null => null);
      from.forEach((c, i) => {
        const at = byName.get(c.name);
        if (at !== undefined) cells[at] = r.cells[i] ?? null;
      });
      return { key: r.key, label: r.label, cells };
    });
  const sample = [...realign(a.sample, a.columns), ...realign(b.sample, b.columns)]
    .filter((r) => labelIndex.has(r.label))
    .sort((x, y) => x.key - y.key)
    .slice(0, o.sampleSize)
    .map((r) => ({ ...r, cells: r.cells.map((v, c) => (typeof v === 'string' && (columns[c] as ColumnStats).categories.overflow ? null : v)) }));
  return {
    format: LABEL_MODEL_FORMAT,
    version: LABEL_MODEL_VERSION,
    labelColumn: a.labelColumn,
    exclude: [...new Set([...a.exclude, ...b.exclude])],
    options: { ...o },
    rows: a.rows + b.rows,
    unlabeledRows: a.unlabeledRows + b.unlabeledRows,
    labelOverflow,
    featureOverflow,
    labels,
    labelCounts,
    columns,
    correlation: mergePairwise(a.correlation, b.correlation, L, remapB, o.maxCorrelated),
    sample,
  };
}

function fail(source: string, what: string): never {
  throw new UserError(`${source}: not a usable label model (${what})`, { file: source, hint: 'make the profile again with this version of aisec (`aisec data-gate profile`)' });
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => isNum(v) && v >= 0 && Number.isInteger(v);

function numberArray(v: unknown, length: number, check: (x: unknown) => boolean, source: string, what: string): number[] {
  if (!Array.isArray(v) || v.length !== length || !v.every(check)) fail(source, `${what} must be ${length} numbers`);
  return v as number[];
}

/** Checks every field a scanner relies on: the JSON comes from a file the user handed us. */
export function validateLabelModelJson(value: unknown, source: string): LabelModelJson {
  if (typeof value !== 'object' || value === null) fail(source, 'not an object');
  const v = value as Record<string, unknown>;
  if (v.format !== LABEL_MODEL_FORMAT) fail(source, `format is ${JSON.stringify(v.format)}, expected "${LABEL_MODEL_FORMAT}"`);
  if (v.version !== LABEL_MODEL_VERSION) fail(source, `version ${JSON.stringify(v.version)} is not ${LABEL_MODEL_VERSION}`);
  if (typeof v.labelColumn !== 'string') fail(source, 'labelColumn must be a string');
  if (!Array.isArray(v.exclude) || !v.exclude.every((x) => typeof x === 'string')) fail(source, 'exclude must be a list of column names');
  const opts = v.options as Record<string, unknown> | undefined;
  if (!opts || !OPTION_NAMES.every((k) => isCount(opts[k]) && opts[k] <= LABEL_MODEL_LIMITS[k])) {
    fail(source, `options must hold ${OPTION_NAMES.map((k) => `${k} (at most ${LABEL_MODEL_LIMITS[k]})`).join(', ')}`);
  }
  const options = { maxLabels: opts.maxLabels as number, maxCategories: opts.maxCategories as number, maxFeatures: opts.maxFeatures as number, sampleSize: opts.sampleSize as number, maxCorrelated: opts.maxCorrelated as number };
  if (!isCount(v.rows) || !isCount(v.unlabeledRows)) fail(source, 'rows and unlabeledRows must be counts');
  if (typeof v.labelOverflow !== 'boolean' || typeof v.featureOverflow !== 'boolean') fail(source, 'labelOverflow and featureOverflow must be booleans');
  if (!Array.isArray(v.labels) || !v.labels.every((x) => typeof x === 'string') || new Set(v.labels).size !== v.labels.length || v.labels.length > options.maxLabels) {
    fail(source, `labels must be at most ${options.maxLabels} distinct strings`);
  }
  const labels = v.labels;
  const L = labels.length;
  const labelCounts = numberArray(v.labelCounts, L, isCount, source, 'labelCounts');
  if (!Array.isArray(v.columns) || v.columns.length > options.maxFeatures) fail(source, `columns must be a list of at most ${options.maxFeatures}`);
  const columns: ColumnStats[] = v.columns.map((c: unknown, i: number) => {
    const col = c as Record<string, unknown> | null;
    const at = `columns[${i}]`;
    if (!col || typeof col.name !== 'string' || !isCount(col.numberCells) || !isCount(col.otherCells)) fail(source, `${at} needs name, numberCells and otherCells`);
    const n = col.numeric as Record<string, unknown> | undefined;
    if (!n) fail(source, `${at}.numeric is missing`);
    const numeric = { count: numberArray(n.count, L, isCount, source, `${at}.numeric.count`), mean: numberArray(n.mean, L, isNum, source, `${at}.numeric.mean`), m2: numberArray(n.m2, L, (x) => isNum(x) && x >= 0, source, `${at}.numeric.m2`) };
    const k = col.categories as Record<string, unknown> | undefined;
    if (!k || typeof k.overflow !== 'boolean' || !Array.isArray(k.keys) || !k.keys.every((x) => typeof x === 'string') || !Array.isArray(k.counts) || k.counts.length !== k.keys.length || k.keys.length > options.maxCategories) {
      fail(source, `${at}.categories must hold overflow, keys (at most ${options.maxCategories}) and one counts row per key`);
    }
    const counts = k.counts.map((row: unknown, r: number) => numberArray(row, L, isCount, source, `${at}.categories.counts[${r}]`));
    return { name: col.name, numberCells: col.numberCells, otherCells: col.otherCells, numeric, categories: { overflow: k.overflow, keys: k.keys, counts } };
  });
  const corr = v.correlation as Record<string, unknown> | undefined;
  if (!corr || !Array.isArray(corr.columns) || !corr.columns.every((x) => typeof x === 'string') || corr.columns.length > options.maxCorrelated || !Array.isArray(corr.labels) || corr.labels.length !== L) {
    fail(source, `correlation must hold at most ${options.maxCorrelated} columns and one table per label`);
  }
  const d = corr.columns.length;
  const correlation: PairwiseJson = {
    columns: corr.columns,
    labels: corr.labels.map((t: unknown, l: number) => {
      const at = `correlation.labels[${l}]`;
      const x = t as Record<string, unknown> | null;
      if (!x) fail(source, `${at} is missing`);
      return { n: numberArray(x.n, d * d, isCount, source, `${at}.n`), mean: numberArray(x.mean, d * d, isNum, source, `${at}.mean`), m2: numberArray(x.m2, d * d, (y) => isNum(y) && y >= 0, source, `${at}.m2`), c: numberArray(x.c, d * d, isNum, source, `${at}.c`) };
    }),
  };
  if (!Array.isArray(v.sample) || v.sample.length > options.sampleSize) fail(source, `sample must be a list of at most ${options.sampleSize} rows`);
  const labelSet = new Set(labels);
  const sample: SampleRow[] = v.sample.map((s: unknown, i: number) => {
    const row = s as Record<string, unknown> | null;
    if (!row || !isNum(row.key) || typeof row.label !== 'string' || !labelSet.has(row.label) || !Array.isArray(row.cells) || row.cells.length !== columns.length) {
      fail(source, `sample[${i}] needs key, a known label and ${columns.length} cells`);
    }
    if (!row.cells.every((x) => x === null || typeof x === 'string' || isNum(x))) fail(source, `sample[${i}].cells must be numbers, strings or null`);
    return { key: row.key, label: row.label, cells: row.cells as (number | string | null)[] };
  });
  return {
    format: LABEL_MODEL_FORMAT,
    version: LABEL_MODEL_VERSION,
    labelColumn: v.labelColumn,
    exclude: v.exclude,
    options,
    rows: v.rows,
    unlabeledRows: v.unlabeledRows,
    labelOverflow: v.labelOverflow,
    featureOverflow: v.featureOverflow,
    labels,
    labelCounts,
    columns,
    correlation,
    sample,
  };
}
