import { writeSync } from 'node:fs';
import { type GateContext, UserError, workspaceRelative, writeFileAtomic, writeFileAtomicStreamed } from '@aisec/core';
import { isIdName, pickLabelColumn } from '../gate/column-roles';
import { LabelModelBuilder } from '../poisoning/label-model';
import { CellKind, type ColumnChunk, type ReadTableOptions, type RowBatch, readTable, recycleBatch } from '../readers/index';
import { HLL_DEFAULT_PRECISION, HyperLogLog, KLL_DEFAULT_K, KllSketch } from '../sketch/index';
import { MomentsAccumulator, RowHasher, rowKeyHex } from '../stats/index';
import { encodeBatchRow } from './batch-row-hash';
import { BatchRowKeys, ROW_KEY_RECIPE } from './batch-row-keys';
import { NumberCounts } from './number-counts';
import { RowKeySet } from './row-key-set';
import { mergeProfiles } from './merge-profiles';
import { kindsPresent } from '../readers/kinds-present';
import { type ColumnProfile, type DataProfile, FIXED_EDGES, PROFILE_FORMAT, PROFILE_VERSION, countFixedBins, serializeProfile } from './profile-format';

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
  /** The label column for the label-flip model; default a column named label, target, y or class. */
  labelColumn?: string;
  /** Build the label model the gate scores batch rows with (default true when there is a label column). */
  labelModel?: boolean;
  read?: ReadTableOptions;
}

interface ColumnState {
  name: string;
  kinds: number;
  nulls: number;
  moments: MomentsAccumulator;
  /** Counts per fixed-edge bin (index = bin). */
  histogram: Float64Array;
  /** Text and boolean cells' counts by key (a box per key, so a repeat costs one lookup, not two). */
  categories: Map<string, { n: number }> | undefined;
  /**
   * Number cells' category counts keyed by the number (String(number) only when merged into
   * `categories`: making a string per numeric cell was most of the profile's time). The keys map one to
   * one to their strings (SameValueZero: -0 is 0, NaN is NaN, as String does), so merging is exact.
   */
  numberCategories: NumberCounts;
  /**
   * Text cells the reader interned (ColumnChunk.codes) are counted by id into `codeCounts`, an array
   * index per cell instead of a Map lookup by string; the counts fold into `categories` by the
   * dictionary's strings (settleCategories) when the limit is near, at the end, and when a batch comes
   * with another dictionary (another file). Past the limit the counts only mark which ids the
   * HyperLogLog has been given already.
   */
  codeDictionary: readonly string[] | undefined;
  codeCounts: Float64Array;
  /** Ids with a count in `codeCounts`. */
  codeDistinct: number;
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
  /**
   * SHA-256 digests of the distinct rows, 32 bytes each in arrival order; a row is distinct by its
   * 64-bit key (`keys`), so two different rows whose keys collide (about n²/2⁶⁵: 1e-6 at 5M rows) keep
   * one digest. A Set of hex strings cost about ten times the bytes.
   */
  private digests = Buffer.alloc(32 * 1024);
  private digestCount = 0;
  private readonly hasher = new RowHasher();
  private readonly rowKeys = new BatchRowKeys();
  private keys = new RowKeySet();
  private hashColumns: string[] | undefined;
  private hashesTruncated = false;
  private rows = 0;
  private readonly maxCategories: number;
  private readonly maxRowHashes: number;
  private readonly quantileK: number;
  private readonly distinctPrecision: number;
  private labels: LabelModelBuilder | undefined;
  /** The numbers of one column of a batch, gathered for the batch updates. */
  private scratch = new Float64Array(0);

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
      const label = this.options.labelModel === false ? undefined : pickLabelColumn(batch.columns, this.options.labelColumn);
      if (label !== undefined) this.labels = new LabelModelBuilder({ labelColumn: label, exclude: [...ids].filter((c) => c !== label) });
    }
    this.labels?.push(batch);
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
          numberCategories: new NumberCounts(),
          codeDictionary: undefined,
          codeCounts: new Float64Array(0),
          codeDistinct: 0,
          textCells: 0,
          quantiles: new KllSketch(this.quantileK),
          distinct: new HyperLogLog(this.distinctPrecision),
        };
        this.columns.set(chunk.name, s);
      }
      this.pushColumn(s, chunk, batch.length);
    }
    for (const s of this.columns.values()) if (!batch.columns.includes(s.name)) s.nulls += batch.length;
    if (!this.hashesTruncated && this.hashColumns && this.options.hashRows !== false) {
      const index = this.hashColumns.map((c) => batch.data.find((d) => d.name === c));
      this.rowKeys.compute(index, batch.length);
      const { hi, lo } = this.rowKeys;
      for (let i = 0; i < batch.length; i++) {
        // Only a row whose key is new is encoded and hashed with SHA-256.
        if (this.keys.addOrHas(hi[i] as number, lo[i] as number)) continue;
        if (this.keys.size > this.maxRowHashes) {
          this.hashesTruncated = true;
          this.digests = Buffer.alloc(0);
          this.digestCount = 0;
          this.keys = new RowKeySet();
          break;
        }
        if ((this.digestCount + 1) * 32 > this.digests.length) {
          const next = Buffer.alloc(this.digests.length * 2);
          this.digests.copy(next, 0, 0, this.digestCount * 32);
          this.digests = next;
        }
        encodeBatchRow(this.hasher, index, i);
        this.hasher.digest().copy(this.digests, this.digestCount * 32);
        this.digestCount++;
      }
    }
    this.rows += batch.length;
  }

  /**
   * One column of a batch into its state. The hot loop of profiling (every cell passes here once): a
   * pass over the kinds gathers the numbers into a scratch array, so the moments, the quantile sketch,
   * the histogram and the distinct counts each take them in a tight loop; text cells follow, by
   * interned id where the reader gave one. The result does not depend on the order cells are taken in
   * (counts add, sketches of a set, and the categories are dropped exactly when the column's distinct
   * values pass maxCategories), so taking numbers before texts changes nothing.
   */
  private pushColumn(s: ColumnState, chunk: ColumnChunk, n: number): void {
    const { kinds, numbers } = chunk;
    if (this.scratch.length < n) this.scratch = new Float64Array(Math.max(n, 2 * this.scratch.length));
    // A column is nearly always of one kind: all numbers without NaN are used where they are (no copy),
    // a column without numbers needs only its nulls counted; only a mixed column is gathered cell by cell.
    const present = kindsPresent(kinds, n);
    let values: Float64Array = this.scratch;
    let tally: Int32Array;
    if ((present & ~NUMBER_KINDS) === 0 && !hasNaN(numbers, n)) {
      values = numbers;
      tally = tallyOf(n, 0, 0, 0, present);
    } else if ((present & NUMBER_KINDS) === 0) {
      const nulls = (present & (1 << CellKind.Null)) === 0 ? 0 : countNulls(kinds, n);
      tally = tallyOf(0, 0, nulls, n - nulls, present);
    } else {
      tally = gatherNumbers(kinds, numbers, n, values);
    }
    const m = tally[TALLY_NUMBERS] as number;
    const nanCells = tally[TALLY_NAN] as number;
    const nulls = tally[TALLY_NULLS] as number;
    const others = tally[TALLY_OTHERS] as number;
    const bits = s.kinds | ((tally[TALLY_KINDS] as number) & ~(1 << CellKind.Null));
    s.kinds = bits;
    s.nulls += nulls;
    if (m > 0) this.pushNumbers(s, values, m);
    if (nanCells > 0) {
      // A NaN cell ("nan" in CSV) is a value for the distinct counts, not for the moments.
      if (s.categories === undefined) s.distinct.addNumber(Number.NaN);
      else if (s.numberCategories.addCount(Number.NaN, nanCells)) {
        s.distinct.addNumber(Number.NaN);
        this.checkCategories(s);
      }
    }
    if (others > 0) this.pushTexts(s, chunk, n);
  }

  private pushNumbers(s: ColumnState, values: Float64Array, m: number): void {
    const { moments, quantiles, histogram, distinct } = s;
    moments.addMany(values, m);
    quantiles.addMany(values, m);
    countFixedBins(values, m, histogram);
    // While the categories are complete the sketch takes each new value once; past them, every value.
    const j = s.categories === undefined ? 0 : this.countNumbers(s, values, m);
    if (j < m) distinct.addNumbers(j === 0 ? values : values.subarray(j), m - j);
  }

  /** Counts values[0..m) by value until the categories are dropped; returns how many it took. */
  private countNumbers(s: ColumnState, values: Float64Array, m: number): number {
    const { numberCategories, distinct } = s;
    let j = 0;
    while (j < m && s.categories !== undefined) {
      // The values seen before in one tight loop; a new one stops it and is noted here.
      j = numberCategories.countSeen(values, j, m);
      if (j === m) break;
      const v = values[j] as number;
      if (numberCategories.add(v)) {
        distinct.addNumber(v);
        this.checkCategories(s);
      }
      j++;
    }
    return j;
  }

  /** Text and boolean cells: interned text by id, the rest by key in `categories`. */
  private pushTexts(s: ColumnState, chunk: ColumnChunk, n: number): void {
    const { kinds, numbers, texts, codes, dictionary } = chunk;
    const { distinct } = s;
    if (codes !== undefined && dictionary !== undefined && s.codeDictionary !== dictionary) {
      this.settleCategories(s);
      s.codeDictionary = dictionary;
      s.codeCounts = new Float64Array(Math.max(16, dictionary.length));
      s.codeDistinct = 0;
    }
    let textCells = 0;
    for (let i = 0; i < n; i++) {
      if (codes !== undefined) {
        // The run of interned texts counted before, in one tight loop; the cell it stops at goes below.
        const stop = countKnownCodes(kinds, codes, s.codeCounts, i, n);
        textCells += stop - i;
        i = stop;
        if (i === n) break;
      }
      const kind = kinds[i] as CellKind;
      if (kind === CellKind.Text) {
        textCells++;
        const code = codes === undefined ? -1 : (codes[i] as number);
        if (code >= 0) {
          if (code >= s.codeCounts.length) s.codeCounts = grown(s.codeCounts, code);
          const counts = s.codeCounts;
          const had = counts[code] as number;
          counts[code] = had + 1;
          if (had === 0) {
            s.codeDistinct++;
            distinct.addString((dictionary as readonly string[])[code] as string);
            if (s.categories !== undefined) this.checkCategories(s);
          }
        } else {
          this.countKey(s, texts[i] ?? '');
        }
      } else if (kind === CellKind.Boolean) {
        this.countKey(s, numbers[i] === 1 ? 'true' : 'false');
      }
    }
    s.textCells += textCells;
  }

  private countKey(s: ColumnState, key: string): void {
    const categories = s.categories;
    if (categories === undefined) {
      s.distinct.addString(key);
      return;
    }
    const box = categories.get(key);
    if (box !== undefined) {
      box.n++;
      return;
    }
    categories.set(key, { n: 1 });
    s.distinct.addString(key);
    this.checkCategories(s);
  }

  /** Settles the counts when the column may have passed maxCategories (the sum over-counts a text both interned and not). */
  private checkCategories(s: ColumnState): void {
    if (s.categories !== undefined && s.categories.size + s.numberCategories.size + s.codeDistinct > this.maxCategories) this.settleCategories(s);
  }

  /** Folds the number- and id-keyed counts into `categories`, then drops all when past `maxCategories`. */
  private settleCategories(s: ColumnState): void {
    const cats = s.categories;
    if (!cats) return;
    s.numberCategories.forEach((num, count) => {
      const key = String(num);
      const box = cats.get(key);
      if (box) box.n += count;
      else cats.set(key, { n: count });
    });
    s.numberCategories.clear();
    const dictionary = s.codeDictionary;
    if (dictionary !== undefined && s.codeDistinct > 0) {
      const counts = s.codeCounts;
      for (let code = 0; code < counts.length; code++) {
        const count = counts[code] as number;
        if (count === 0) continue;
        const key = dictionary[code] as string;
        const box = cats.get(key);
        if (box) box.n += count;
        else cats.set(key, { n: count });
      }
      counts.fill(0);
      s.codeDistinct = 0;
    }
    // Past the limit the id counts go on marking which ids the HyperLogLog has (their counts no longer matter).
    if (cats.size > this.maxCategories) s.categories = undefined;
  }

  /** The distinct rows' digests in byte order (as their hex sorts), as indices into `digests`. */
  private digestOrder(): Uint32Array {
    const d = this.digests;
    const order = Uint32Array.from({ length: this.digestCount }, (_, i) => i);
    const words = new Uint32Array(this.digestCount * 2);
    for (let i = 0; i < this.digestCount; i++) {
      words[2 * i] = d.readUInt32BE(i * 32);
      words[2 * i + 1] = d.readUInt32BE(i * 32 + 4);
    }
    return order.sort((a, b) => (words[2 * a] as number) - (words[2 * b] as number) || (words[2 * a + 1] as number) - (words[2 * b + 1] as number) || d.compare(d, b * 32, b * 32 + 32, a * 32, a * 32 + 32));
  }

  /** The row keys as [hi, lo] pairs in the order of their hex. */
  private keyOrder(): Uint32Array {
    const pairs = new Uint32Array(this.keys.size * 2);
    let n = 0;
    this.keys.forEach((hi, lo) => {
      pairs[n++] = hi;
      pairs[n++] = lo;
    });
    const order = Uint32Array.from({ length: pairs.length / 2 }, (_, i) => i);
    order.sort((a, b) => (pairs[2 * a] as number) - (pairs[2 * b] as number) || (pairs[2 * a + 1] as number) - (pairs[2 * b + 1] as number));
    const out = new Uint32Array(pairs.length);
    order.forEach((k, i) => {
      out[2 * i] = pairs[2 * k] as number;
      out[2 * i + 1] = pairs[2 * k + 1] as number;
    });
    return out;
  }

  private hashList(): string[] {
    return Array.from(this.digestOrder(), (i) => this.digests.toString('hex', i * 32, i * 32 + 32));
  }

  private keyList(): string[] {
    const pairs = this.keyOrder();
    return Array.from({ length: pairs.length / 2 }, (_, i) => rowKeyHex(pairs[2 * i] as number, pairs[2 * i + 1] as number));
  }

  /**
   * Writes the profile to `path` (atomically) as serializeProfile would, byte for byte, but with the
   * row hashes and keys written straight from their binary tables in pieces: a profile of millions of
   * rows is mostly those lists, and as strings (then as one JSON string) they were most of the
   * profiling run's memory.
   */
  writeTo(path: string): DataProfile {
    const withLists = !this.hashesTruncated && this.options.hashRows !== false;
    const profile = this.finish(false);
    const text = serializeProfile(profile);
    const hashesAt = text.indexOf('\n "rowHashes": []');
    const keysAt = text.indexOf('\n "rowKeys": []');
    writeFileAtomicStreamed(path, (fd: number) => {
      if (!withLists || hashesAt === -1 || keysAt === -1 || keysAt < hashesAt) {
        writeSync(fd, serializeProfile(this.finish()));
        return;
      }
      const list = (items: number, item: (i: number) => string): void => {
        if (items === 0) {
          writeSync(fd, '[]');
          return;
        }
        writeSync(fd, '[');
        let piece = '';
        for (let i = 0; i < items; i++) {
          piece += `${i === 0 ? '' : ','}\n  "${item(i)}"`;
          if (piece.length > 1 << 20) {
            writeSync(fd, piece);
            piece = '';
          }
        }
        writeSync(fd, `${piece}\n ]`);
      };
      const hashesHead = hashesAt + '\n "rowHashes": '.length;
      const keysHead = keysAt + '\n "rowKeys": '.length;
      writeSync(fd, text.slice(0, hashesHead));
      const order = this.digestOrder();
      list(order.length, (i) => this.digests.toString('hex', (order[i] as number) * 32, (order[i] as number) * 32 + 32));
      writeSync(fd, text.slice(hashesHead + 2, keysHead));
      const pairs = this.keyOrder();
      list(pairs.length / 2, (i) => rowKeyHex(pairs[2 * i] as number, pairs[2 * i + 1] as number));
      writeSync(fd, text.slice(keysHead + 2));
    });
    return profile;
  }

  /** The profile; `lists: false` leaves the row hashes and keys empty (writeTo streams them). */
  finish(lists = true): DataProfile {
    for (const s of this.columns.values()) this.settleCategories(s);
    const columns: ColumnProfile[] = [...this.columns.values()].map((s) => ({
      name: s.name,
      kinds: s.kinds,
      nulls: s.nulls,
      moments: s.moments.state(),
      histogram: histogramEntries(s.histogram),
      categories: s.categories ? Object.fromEntries([...s.categories].map(([k, box]) => [k, box.n] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) : {},
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
      rowHashes: this.hashesTruncated || !lists ? [] : this.hashList(),
      ...(this.hashesTruncated || this.options.hashRows === false ? {} : { rowKeyRecipe: ROW_KEY_RECIPE, rowKeys: lists ? this.keyList() : [] }),
      rowHashesTruncated: this.hashesTruncated,
      limits: { maxCategories: this.maxCategories, maxRowHashes: this.maxRowHashes },
      ...(this.labels ? { labelModel: this.labels.finish().toJSON() } : {}),
    };
  }
}

const TALLY_NUMBERS = 0;
const TALLY_NAN = 1;
const TALLY_NULLS = 2;
const TALLY_OTHERS = 3;
const TALLY_KINDS = 4;
const tallyOut = new Int32Array(5);

const NUMBER_KINDS = (1 << CellKind.Integer) | (1 << CellKind.Float);

/** A column's tally: numbers, NaN numbers, nulls, other cells, and the bit set of kinds (nulls left out). */
function tallyOf(numbers: number, nan: number, nulls: number, others: number, kinds: number): Int32Array {
  tallyOut[TALLY_NUMBERS] = numbers;
  tallyOut[TALLY_NAN] = nan;
  tallyOut[TALLY_NULLS] = nulls;
  tallyOut[TALLY_OTHERS] = others;
  tallyOut[TALLY_KINDS] = kinds;
  return tallyOut;
}

function hasNaN(values: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (v !== v) return true;
  }
  return false;
}

function countNulls(kinds: Uint8Array, n: number): number {
  let nulls = 0;
  for (let i = 0; i < n; i++) if (kinds[i] === CellKind.Null) nulls++;
  return nulls;
}

/**
 * One pass over a column's kinds: its numbers (NaN left out) gathered into `values`, and the counts
 * of numbers, NaN numbers, nulls and other cells, with the bit set of kinds seen, into the returned
 * tally. A function of its own, so V8 optimizes the loop whole.
 */
function gatherNumbers(kinds: Uint8Array, numbers: Float64Array, n: number, values: Float64Array): Int32Array {
  let m = 0;
  let nanCells = 0;
  let nulls = 0;
  let others = 0;
  let bits = 0;
  for (let i = 0; i < n; i++) {
    const kind = kinds[i] as CellKind;
    if (kind === CellKind.Integer || kind === CellKind.Float) {
      const v = numbers[i] as number;
      if (v === v) values[m++] = v;
      else nanCells++;
    } else if (kind === CellKind.Null) {
      nulls++;
      continue;
    } else {
      others++;
    }
    bits |= 1 << kind;
  }
  return tallyOf(m, nanCells, nulls, others, bits);
}

/** A copy of `counts` long enough to index `code`. */
/**
 * Counts the text cells from `from` on whose interned id was counted before (counts[id] > 0), and
 * returns the index of the first cell that is not one (or `n`): after a column's first rows nearly
 * every cell is one, and this loop has no call and no test but the cell's.
 */
function countKnownCodes(kinds: Uint8Array, codes: Int32Array, counts: Float64Array, from: number, n: number): number {
  const size = counts.length;
  for (let i = from; i < n; i++) {
    const code = codes[i] as number;
    if (kinds[i] !== CellKind.Text || code < 0 || code >= size) return i;
    const had = counts[code] as number;
    if (had === 0) return i;
    counts[code] = had + 1;
  }
  return n;
}

function grown(counts: Float64Array, code: number): Float64Array {
  let size = counts.length;
  while (size <= code) size *= 2;
  const next = new Float64Array(size);
  next.set(counts);
  return next;
}

/** Non-empty bins as [bin, count], by bin. */
function histogramEntries(counts: Float64Array): [number, number][] {
  const out: [number, number][] = [];
  for (let b = 0; b < counts.length; b++) if ((counts[b] as number) > 0) out.push([b, counts[b] as number]);
  return out;
}

/** Profiles a data file or folder in one streaming pass. */
export async function profileTable(path: string, options: ProfileOptions, ctx: Partial<GateContext>): Promise<DataProfile> {
  return (await buildProfile(path, options, ctx)).finish();
}

async function buildProfile(path: string, options: ProfileOptions, ctx: Partial<GateContext>): Promise<ProfileBuilder> {
  const builder = new ProfileBuilder(options);
  for await (const batch of readTable(path, options.read ?? {}, ctx)) {
    if (ctx.signal?.aborted) throw new UserError('cancelled');
    builder.push(batch);
    // The builder keeps counts, sketches and hashes, none of the batch's arrays.
    recycleBatch(batch);
  }
  return builder;
}

/**
 * `aisec data-gate profile`: profiles `paths` (data files or folders, as one table) and writes the
 * profile to `output` (atomically). Returns the line to print. One path is written straight from the
 * builder's binary tables (writeTo); several are profiled and merged.
 */
export async function writeProfile(output: string, options: ProfileOptions & { paths: string[] }, ctx: GateContext): Promise<string> {
  if (options.paths.length === 0) throw new UserError('nothing to profile: name a data file or folder', { hint: 'aisec data-gate profile DATA --output reference.profile.json' });
  let profile: DataProfile;
  if (options.paths.length === 1) {
    profile = (await buildProfile(options.paths[0] as string, options, ctx)).writeTo(output);
  } else {
    const profiles: DataProfile[] = [];
    for (const p of options.paths) profiles.push(await profileTable(p, options, ctx));
    profile = mergeProfiles(profiles);
    writeFileAtomic(output, serializeProfile(profile));
  }
  return `wrote profile of ${profile.rows} rows, ${profile.columns.length} columns to ${workspaceRelative(ctx.workspace, output)}`;
}
