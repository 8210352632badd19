import { type GateContext, UserError, workspaceRelative, writeFileAtomic } from '@aisec/core';
import { isIdName } from '../gate/column-roles';
import { CellKind, type ReadTableOptions, type RowBatch, kindBit, readTable } from '../readers/index';
import { HLL_DEFAULT_PRECISION, HyperLogLog, KLL_DEFAULT_K, KllSketch } from '../sketch/index';
import { MomentsAccumulator, RowHasher, rowKeyHex } from '../stats/index';
import { hashBatchRow } from './batch-row-hash';
import { RowKeySet } from './row-key-set';
import { mergeProfiles } from './merge-profiles';
import { type ColumnProfile, type DataProfile, FIXED_EDGES, PROFILE_FORMAT, PROFILE_VERSION, fixedBin, serializeProfile } from './profile-format';

export interface ProfileOptions {
  /** Distinct values counted per column before the counts are dropped. Default 10,000. */
  maxCategories?: number;
  /** Row hashes kept before they are dropped. Default 5,000,000 (about 350 MB in JSON). */
  maxRowHashes?: number;
  /** Columns left out of the row hashes; default those named like ids. */
  idColumns?: string[];
  /** Keep row hashes (default true; the gate's streaming pass over a batch hashes rows itself). */
  hashRows?: boolean;
  /** KLL k of the quantile sketches (default 200: rank error 1.33% at 99% confidence). Shards to be merged must share it. */
  quantileK?: number;
  /** HyperLogLog precision of the distinct-count sketches, 4 to 18 (default 12: 4,096 registers, 1.6% standard error). */
  distinctPrecision?: number;
  read?: ReadTableOptions;
}

interface ColumnState {
  name: string;
  kinds: number;
  nulls: number;
  moments: MomentsAccumulator;
  /** Counts per fixed-edge bin (index = bin). */
  histogram: Float64Array;
  categories: Map<string, number> | undefined;
  /**
   * Number cells' category counts keyed by the number (String(number) only when merged into
   * `categories`: making a string per numeric cell was most of the profile's time). The keys map one to
   * one to their strings (Map keys treat -0 as 0 and NaN as NaN, as String does), so merging is exact.
   */
  numberCategories: Map<number, number>;
  textCells: number;
  quantiles: KllSketch;
  /**
   * Fed each distinct value once while `categories` is complete (adding a value again changes nothing),
   * and every cell once the categories are dropped, so low-cardinality columns pay per new value only.
   */
  distinct: HyperLogLog;
}

/** Builds a profile in one streaming pass: push every batch of a table, then `finish`. */
export class ProfileBuilder {
  private readonly columns = new Map<string, ColumnState>();
  private readonly files = new Set<string>();
  private readonly hashes = new Set<string>();
  private readonly hasher = new RowHasher();
  private keys = new RowKeySet();
  private hashColumns: string[] | undefined;
  private hashesTruncated = false;
  private rows = 0;
  private readonly maxCategories: number;
  private readonly maxRowHashes: number;
  private readonly quantileK: number;
  private readonly distinctPrecision: number;

  constructor(private readonly options: ProfileOptions = {}) {
    this.maxCategories = options.maxCategories ?? 10_000;
    this.maxRowHashes = options.maxRowHashes ?? 5_000_000;
    // Built once here so a bad option fails now, not at the first column.
    this.quantileK = new KllSketch(options.quantileK ?? KLL_DEFAULT_K).k;
    this.distinctPrecision = new HyperLogLog(options.distinctPrecision ?? HLL_DEFAULT_PRECISION).precision;
  }

  /** The live sketches of a column (the gate reads the batch's without a round trip through JSON). */
  columnSketches(name: string): { quantiles: KllSketch; distinct: HyperLogLog } | undefined {
    const s = this.columns.get(name);
    return s && { quantiles: s.quantiles, distinct: s.distinct };
  }

  push(batch: RowBatch): void {
    this.files.add(batch.file);
    if (this.hashColumns === undefined && batch.columns.length > 0) {
      const ids = new Set(this.options.idColumns ?? batch.columns.filter(isIdName));
      this.hashColumns = batch.columns.filter((c) => !ids.has(c));
    }
    for (const chunk of batch.data) {
      let s = this.columns.get(chunk.name);
      if (!s) {
        s = {
          name: chunk.name,
          kinds: 0,
          nulls: this.rows,
          moments: new MomentsAccumulator(),
          histogram: new Float64Array(FIXED_EDGES.length + 1),
          categories: new Map(),
          numberCategories: new Map(),
          textCells: 0,
          quantiles: new KllSketch(this.quantileK),
          distinct: new HyperLogLog(this.distinctPrecision),
        };
        this.columns.set(chunk.name, s);
      }
      for (let i = 0; i < batch.length; i++) {
        const kind = chunk.kinds[i] as CellKind;
        s.kinds |= kindBit(kind);
        if (kind === CellKind.Null) {
          s.nulls++;
          continue;
        }
        const num = chunk.numbers[i] as number;
        if (kind === CellKind.Integer || kind === CellKind.Float) {
          if (!Number.isNaN(num)) {
            s.moments.add(num);
            s.quantiles.add(num);
            const bin = fixedBin(num);
            s.histogram[bin] = (s.histogram[bin] as number) + 1;
          }
          if (s.categories) {
            const count = s.numberCategories.get(num);
            s.numberCategories.set(num, count === undefined ? 1 : count + 1);
            if (count === undefined) {
              s.distinct.addNumber(num);
              if (s.categories.size + s.numberCategories.size > this.maxCategories) this.settleCategories(s);
            }
          } else {
            s.distinct.addNumber(num);
          }
          continue;
        }
        if (kind === CellKind.Text) s.textCells++;
        const key = kind === CellKind.Text ? (chunk.texts[i] ?? '') : num === 1 ? 'true' : 'false';
        if (s.categories) {
          const count = s.categories.get(key);
          s.categories.set(key, count === undefined ? 1 : count + 1);
          if (count === undefined) {
            s.distinct.addString(key);
            if (s.categories.size + s.numberCategories.size > this.maxCategories) this.settleCategories(s);
          }
        } else {
          s.distinct.addString(key);
        }
      }
    }
    for (const s of this.columns.values()) if (!batch.columns.includes(s.name)) s.nulls += batch.length;
    if (!this.hashesTruncated && this.hashColumns && this.options.hashRows !== false) {
      const index = this.hashColumns.map((c) => batch.data.find((d) => d.name === c));
      for (let i = 0; i < batch.length; i++) {
        this.hashes.add(hashBatchRow(this.hasher, index, i).toString('hex'));
        this.hasher.key();
        this.keys.addOrHas(this.hasher.keyHi, this.hasher.keyLo);
        if (this.hashes.size > this.maxRowHashes) {
          this.hashesTruncated = true;
          this.hashes.clear();
          this.keys = new RowKeySet();
          break;
        }
      }
    }
    this.rows += batch.length;
  }

  /** Folds the number-keyed counts into `categories`, then drops both when past `maxCategories`. */
  private settleCategories(s: ColumnState): void {
    const cats = s.categories;
    if (!cats) return;
    for (const [num, count] of s.numberCategories) {
      const key = String(num);
      cats.set(key, (cats.get(key) ?? 0) + count);
    }
    s.numberCategories.clear();
    if (cats.size > this.maxCategories) s.categories = undefined;
  }

  private keyList(): string[] {
    const out: string[] = [];
    this.keys.forEach((hi, lo) => out.push(rowKeyHex(hi, lo)));
    return out.sort();
  }

  finish(): DataProfile {
    for (const s of this.columns.values()) this.settleCategories(s);
    const columns: ColumnProfile[] = [...this.columns.values()].map((s) => ({
      name: s.name,
      kinds: s.kinds,
      nulls: s.nulls,
      moments: s.moments.state(),
      histogram: histogramEntries(s.histogram),
      categories: s.categories ? Object.fromEntries([...s.categories].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) : {},
      categoriesTruncated: s.categories === undefined,
      textCells: s.textCells,
      ...(s.quantiles.n > 0 ? { quantileSketch: s.quantiles.toJSON() } : {}),
      distinctSketch: s.distinct.toJSON(),
    }));
    return {
      format: PROFILE_FORMAT,
      version: PROFILE_VERSION,
      rows: this.rows,
      files: [...this.files].sort(),
      columns,
      hashColumns: this.hashColumns ?? [],
      rowHashes: this.hashesTruncated ? [] : [...this.hashes].sort(),
      ...(this.hashesTruncated || this.options.hashRows === false ? {} : { rowKeys: this.keyList() }),
      rowHashesTruncated: this.hashesTruncated,
      limits: { maxCategories: this.maxCategories, maxRowHashes: this.maxRowHashes },
    };
  }
}

/** Non-empty bins as [bin, count], by bin. */
function histogramEntries(counts: Float64Array): [number, number][] {
  const out: [number, number][] = [];
  for (let b = 0; b < counts.length; b++) if ((counts[b] as number) > 0) out.push([b, counts[b] as number]);
  return out;
}

/** Profiles a data file or folder in one streaming pass. */
export async function profileTable(path: string, options: ProfileOptions, ctx: Partial<GateContext>): Promise<DataProfile> {
  const builder = new ProfileBuilder(options);
  for await (const batch of readTable(path, options.read ?? {}, ctx)) {
    if (ctx.signal?.aborted) throw new UserError('cancelled');
    builder.push(batch);
  }
  return builder.finish();
}

/**
 * `aisec data-gate profile`: profiles `paths` (data files or folders, as one table) and writes the
 * profile to `output` (atomically). Returns the line to print.
 */
export async function writeProfile(output: string, options: ProfileOptions & { paths: string[] }, ctx: GateContext): Promise<string> {
  if (options.paths.length === 0) throw new UserError('nothing to profile: name a data file or folder', { hint: 'aisec data-gate profile DATA --output reference.profile.json' });
  const profiles: DataProfile[] = [];
  for (const p of options.paths) profiles.push(await profileTable(p, options, ctx));
  const profile = profiles.length === 1 ? (profiles[0] as DataProfile) : mergeProfiles(profiles);
  writeFileAtomic(output, serializeProfile(profile));
  return `wrote profile of ${profile.rows} rows, ${profile.columns.length} columns to ${workspaceRelative(ctx.workspace, output)}`;
}
