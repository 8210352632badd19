import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { UserError } from '@aisec/core';
import { HyperLogLog, type HyperLogLogJson, KllSketch, type KllSketchJson } from '../sketch/index';
import type { MomentsState } from '../stats/index';
import { ROW_KEY_RECIPE } from './batch-row-keys';
import { LabelModel, type LabelModelJson } from '../poisoning/label-model';

/**
 * The reference profile, format version 3: a deterministic, mergeable JSON summary of a trusted
 * dataset. Deterministic: the same rows give the same bytes (keys and hashes sorted, no timestamps,
 * sketches whose compaction coins come from a seeded generator). Mergeable: every part combines across
 * shards — counts and kind bits add, moments merge with Chan's formula, histograms are on fixed,
 * data-independent edges (FIXED_EDGES) so shards bin alike, category counts add, row-hash sets unite,
 * HyperLogLog registers take maxima (exactly the union's), KLL sketches merge within their error bound.
 *
 * Version 2 adds per column `quantileSketch` (KLL, numeric cells) and `distinctSketch` (HyperLogLog).
 * Version 3 adds `rowKeyRecipe` (row keys computed column-wise, recipe v2), so an older aisec, which
 * would compare its v1 keys with them and miss every copied row, refuses the file instead.
 * Versions 1 and 2 are still read: version 1 columns have no sketches, and the gate says what it skipped.
 */
export const PROFILE_FORMAT = 'aisec-data-profile';
export const PROFILE_VERSION = 3;
/** Profile versions this aisec reads. */
export const PROFILE_VERSIONS_READ: readonly number[] = [1, 2, 3];
/** Row key recipes this aisec computes (v1: RowHasher.key, row by row; v2: batch-row-keys.ts). */
export const ROW_KEY_RECIPES_READ: readonly string[] = ['aisec-rowkey/v1', ROW_KEY_RECIPE];

export interface ColumnProfile {
  name: string;
  /** Bit set of cell kinds seen (readers' column-type.ts). */
  kinds: number;
  /** Rows with a null (or missing) cell. */
  nulls: number;
  /** Moments of the numeric cells (NaN dropped). */
  moments: MomentsState;
  /** Counts on FIXED_EDGES, sparse: [bin, count] pairs, bins ascending; bin = number of edges ≤ value. */
  histogram: [number, number][];
  /** Non-null cells by category key (numbers by value), keys sorted; absent when `categoriesTruncated`. */
  categories: Record<string, number>;
  /** More than `maxCategories` distinct values: the counts are dropped (a free-text or id column). */
  categoriesTruncated: boolean;
  /** Non-null text cells, for telling free text from categories. */
  textCells: number;
  /** KLL sketch of the numeric cells (NaN dropped); absent when the column has none, and in version 1. */
  quantileSketch?: KllSketchJson;
  /**
   * HyperLogLog of the distinct non-null values (numbers by value, text by content, booleans as
   * true/false); absent in version 1. While `categories` is complete its key count is the exact figure.
   */
  distinctSketch?: HyperLogLogJson;
}

export interface DataProfile {
  format: typeof PROFILE_FORMAT;
  /** 2 when written by this aisec; 1 for older profiles (no sketches). */
  version: number;
  rows: number;
  /** Workspace-relative files profiled (after a merge, all shards' files, sorted). */
  files: string[];
  columns: ColumnProfile[];
  /** Columns the row hashes cover (all but id columns), in order. */
  hashColumns: string[];
  /** `aisec-row/v1` hashes of the rows (sorted, distinct); empty when `rowHashesTruncated`. */
  rowHashes: string[];
  /**
   * The rows' fast 64-bit screening keys (RowHasher.key, 16 hex digits, sorted, distinct), so the gate
   * hashes a batch row with SHA-256 only when its key matches; absent in older profiles and when
   * `rowHashesTruncated`.
   */
  rowKeys?: string[];
  /** How `rowKeys` were computed: `aisec-rowkey/v2` (profile/batch-row-keys.ts); absent means `aisec-rowkey/v1` (RowHasher.key). */
  rowKeyRecipe?: string;
  rowHashesTruncated: boolean;
  limits: { maxCategories: number; maxRowHashes: number };
  /**
   * The reference's class-conditional label model (poisoning/label-model.ts), when the profiled data
   * had a label column: the gate scores batch rows with it for label flips. Absent in older profiles.
   */
  labelModel?: LabelModelJson;
}

/** R10 preferred numbers (ISO 3) per decade, 1e-9 to 8e15, mirrored for negatives, and zero. */
function fixedEdges(): Float64Array {
  const mantissas = [1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8];
  const positive: number[] = [];
  for (let e = -9; e <= 15; e++) for (const m of mantissas) positive.push(Number(`${m}e${e}`));
  return Float64Array.from([...positive.map((v) => -v).toReversed(), 0, ...positive]);
}

export const FIXED_EDGES: Float64Array = fixedEdges();

/** The fixed-edge bin of a value: the number of edges at or below it (0 .. FIXED_EDGES.length). */
export function fixedBin(value: number): number {
  // The double's top 16 bits (sign, exponent and four bits of mantissa) pick a start from a table
  // (every edge below it is at or below any value with those bits), and one comparison with the edge
  // there finishes it: those bits cut each binade into 16 classes of ratio at most 1.0625, and
  // consecutive edges are at least 1.25 apart, so a class holds at most one edge (checked when the
  // table is built). Exact, where a binary search took nine dependent comparisons (and profiling bins
  // every numeric cell).
  if (value !== value) return 0;
  BIN_SCRATCH[0] = value;
  const b = (CLASS_START[(BIN_WORDS[BIN_HI] as number) >>> 16] as number) + +((PADDED_EDGES[CLASS_START[(BIN_WORDS[BIN_HI] as number) >>> 16] as number] as number) <= value);
  return b < EDGE_COUNT ? b : EDGE_COUNT;
}

/**
 * Adds values[0..count) (no NaN) to `counts` by fixed-edge bin: fixedBin over the doubles' high words,
 * for the profile's per-column batch.
 */
export function countFixedBins(values: Float64Array, count: number, counts: Float64Array): void {
  const words = new Int32Array(values.buffer, values.byteOffset, 2 * count);
  for (let i = 0; i < count; i++) {
    const start = CLASS_START[(words[2 * i + BIN_HI] as number) >>> 16] as number;
    let b = start + +((PADDED_EDGES[start] as number) <= (values[i] as number));
    if (b > EDGE_COUNT) b = EDGE_COUNT;
    counts[b] = (counts[b] as number) + 1;
  }
}

const EDGE_COUNT = FIXED_EDGES.length;

/** Edges at or below x (binary search; for building the table). */
function atOrBelow(x: number): number {
  let lo = 0;
  let hi = EDGE_COUNT;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((FIXED_EDGES[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Edges strictly below x (binary search; for building the table). */
function below(x: number): number {
  let lo = 0;
  let hi = EDGE_COUNT;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((FIXED_EDGES[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The edges, then +Infinity, so the comparison never reads past the end. */
const PADDED_EDGES: Float64Array = (() => {
  const padded = new Float64Array(EDGE_COUNT + 1).fill(Infinity);
  padded.set(FIXED_EDGES);
  return padded;
})();
const BIN_SCRATCH = new Float64Array(1);
const BIN_WORDS = new Uint32Array(BIN_SCRATCH.buffer);
const BIN_HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * By the top 16 bits of a double: how many edges are at or below every value with those bits. A class
 * of magnitudes [m0, m1) (m0 the double with those bits and the rest zero, m1 the next class's) holds
 * [m0, m1) when positive and (-m1, -m0] when negative.
 */
const CLASS_START: Uint16Array = (() => {
  const table = new Uint16Array(65536);
  const word = new Uint32Array(2);
  const double = new Float64Array(word.buffer);
  const magnitude = (top: number): number => {
    word[BIN_HI] = top << 16;
    word[1 - BIN_HI] = 0;
    return double[0] as number;
  };
  let most = 0;
  for (let top = 0; top < 32768; top++) {
    const m0 = magnitude(top);
    const m1 = top === 32767 ? Number.NaN : magnitude(top + 1);
    // m1 is NaN past the infinities (and for NaN classes, which never reach the table): then the class
    // is open above.
    const upper = m1 === m1 ? m1 : Infinity;
    table[top] = m0 === m0 ? atOrBelow(m0) : EDGE_COUNT;
    table[32768 + top] = upper === Infinity ? 0 : atOrBelow(-upper);
    // Steps a value of the class may need: edges above the start up to its largest value.
    most = Math.max(most, below(upper) - (table[top] as number), atOrBelow(-(m0 === m0 ? m0 : Infinity)) - (table[32768 + top] as number));
  }
  if (most > 1) throw new Error(`fixed edges: a class of the bin table holds ${most} edges, fixedBin takes one step`);
  return table;
})();

/** A cheap sniff: a .json file whose start names the profile format. */
export function isProfileFile(path: string): boolean {
  if (!/\.json$/i.test(path)) return false;
  try {
    if (!statSync(path).isFile()) return false;
    // The first bytes only: a profile can be hundreds of megabytes.
    const fd = openSync(path, 'r');
    try {
      return readRange(fd, 0, 200).toString('utf8').includes(`"format": "${PROFILE_FORMAT}"`);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

export function serializeProfile(profile: DataProfile): string {
  return `${JSON.stringify(profile, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf') : v), 1)}\n`;
}

function revive(_k: string, v: unknown): unknown {
  if (v === 'nan') return Number.NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v;
}

export function parseProfile(text: string, displayPath: string): DataProfile {
  let data: unknown;
  try {
    data = JSON.parse(text, revive);
  } catch (error) {
    throw new UserError(`not a JSON profile: ${(error as Error).message}`, { file: displayPath, cause: error });
  }
  const p = data as Partial<DataProfile>;
  if (p.format !== PROFILE_FORMAT) throw new UserError(`not an aisec data profile (format is not '${PROFILE_FORMAT}')`, { file: displayPath, hint: 'write one with `aisec data-gate profile`' });
  if (typeof p.version !== 'number' || !PROFILE_VERSIONS_READ.includes(p.version)) {
    throw new UserError(`profile version ${String(p.version)} is not supported (this aisec reads versions ${PROFILE_VERSIONS_READ.join(' and ')})`, { file: displayPath, hint: 'profile the reference again with this aisec version' });
  }
  if (!Array.isArray(p.columns) || !Array.isArray(p.rowHashes) || !Array.isArray(p.hashColumns) || typeof p.rows !== 'number') {
    throw new UserError('profile is missing columns, rows, hashColumns or rowHashes', { file: displayPath });
  }
  for (const c of p.columns as Partial<ColumnProfile>[]) {
    if (c === null || typeof c !== 'object' || typeof c.name !== 'string') throw new UserError('profile columns must be objects with a name', { file: displayPath });
    // Checked here, so a damaged sketch is reported with the profile's name before any batch is read.
    if (c.quantileSketch !== undefined) {
      const sketch = KllSketch.fromJSON(c.quantileSketch, displayPath);
      if (c.moments && sketch.n !== c.moments.n) throw new UserError(`column '${c.name}': the quantile sketch holds ${sketch.n} values, the moments ${c.moments.n}`, { file: displayPath, hint: 'profile the reference again with `aisec data-gate profile`' });
    }
    if (c.distinctSketch !== undefined) HyperLogLog.fromJSON(c.distinctSketch, displayPath);
  }
  // Checked here, so a damaged model is reported with the profile's name before any batch is read.
  if (p.labelModel !== undefined) LabelModel.fromJSON(p.labelModel, displayPath);
  const recipe: unknown = p.rowKeyRecipe;
  if (recipe !== undefined && (typeof recipe !== 'string' || !ROW_KEY_RECIPES_READ.includes(recipe))) {
    throw new UserError(`profile rowKeyRecipe ${JSON.stringify(recipe)} is not one this aisec computes (${ROW_KEY_RECIPES_READ.join(', ')})`, { file: displayPath, hint: 'profile the reference again with this aisec version' });
  }
  if (p.rowKeys !== undefined && (!Array.isArray(p.rowKeys) || p.rowKeys.some((k) => typeof k !== 'string' || !/^[0-9a-f]{16}$/.test(k)))) {
    throw new UserError('profile rowKeys must be a list of 16-hex-digit keys', { file: displayPath, hint: 'profile the reference again with `aisec data-gate profile`' });
  }
  return p as DataProfile;
}

/** The column's quantile sketch, or undefined when the profile has none for it. */
export function columnQuantiles(c: ColumnProfile, file?: string): KllSketch | undefined {
  return c.quantileSketch === undefined ? undefined : KllSketch.fromJSON(c.quantileSketch, file);
}

/** The column's distinct-count sketch, or undefined when the profile has none for it. */
export function columnDistinctSketch(c: ColumnProfile, file?: string): HyperLogLog | undefined {
  return c.distinctSketch === undefined ? undefined : HyperLogLog.fromJSON(c.distinctSketch, file);
}

/**
 * Distinct non-null values of a column: exact (error 0) while its category counts are complete,
 * otherwise the HyperLogLog estimate with an error of three standard errors (about 99.7%); undefined
 * when neither is there (a version 1 profile past maxCategories).
 */
export function columnDistinct(c: ColumnProfile, file?: string): { estimate: number; error: number; exact: boolean } | undefined {
  if (!c.categoriesTruncated) return { estimate: Object.keys(c.categories).length, error: 0, exact: true };
  const hll = columnDistinctSketch(c, file);
  if (!hll) return undefined;
  const estimate = hll.estimate();
  return { estimate, error: 3 * hll.relativeStandardError * estimate, exact: false };
}

export function readProfile(path: string, displayPath = path): DataProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read profile ${displayPath}: ${(error as Error).message}`, { file: displayPath, cause: error });
  }
  return parseProfile(text, displayPath);
}

/**
 * Reads a profile without holding its row hashes, as strings or as bytes: the `rowHashes` and `rowKeys`
 * arrays of a profile written by `serializeProfile` are found in the file, streamed from it in 1 MiB
 * pieces and handed, one at a time, to `visitHash` and `visitKey`; only the rest (columns, sketches,
 * the label model) is read into memory and parsed (those arrays come back empty; `rowKeys` stays absent
 * when the file has none). A profile of millions of rows is mostly those arrays (86 bytes a row), and
 * holding the whole file beside the tables built from it was most of the gate's peak memory. Other
 * layouts fall back to `readProfile`.
 */
export function readProfileLean(
  path: string,
  displayPath: string,
  /**
   * Each item's digits, in bytes[start, end) (the bytes are reused after the call); the visitor checks
   * them as it decodes them and returns false when they are not a hash (or key), and the profile is
   * then refused with a UserError.
   */
  visitHash: (bytes: Uint8Array, start: number, end: number) => boolean,
  visitKey: (bytes: Uint8Array, start: number, end: number) => boolean,
  /** Called with the rest of the profile before the first hash, to size the tables (`rows` bounds both lists). */
  before?: (profile: DataProfile) => void,
): DataProfile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new UserError(`cannot read profile ${displayPath}: ${(error as Error).message}`, { file: displayPath, cause: error });
  }
  try {
    const size = fstatSync(fd).size;
    const hashes = arrayRange(fd, size, 'rowHashes');
    const keys = hashes ? arrayRange(fd, size, 'rowKeys') : undefined;
    if (!hashes || (keys && keys.start < hashes.end)) {
      const p = parseProfile(readRange(fd, 0, size).toString('utf8'), displayPath);
      before?.(p);
      const visitAll = (items: readonly unknown[], name: string, visit: (bytes: Uint8Array, start: number, end: number) => boolean): void => {
        for (const item of items) if (typeof item !== 'string' || !visit(Buffer.from(item, 'latin1'), 0, item.length)) throw notHex(displayPath, name);
      };
      visitAll(p.rowHashes, 'rowHashes', visitHash);
      visitAll(p.rowKeys ?? [], 'rowKeys', visitKey);
      return { ...p, rowHashes: [], ...(p.rowKeys ? { rowKeys: [] } : {}) };
    }
    const rest = keys
      ? Buffer.concat([readRange(fd, 0, hashes.start), readRange(fd, hashes.end, keys.start), readRange(fd, keys.end, size)])
      : Buffer.concat([readRange(fd, 0, hashes.start), readRange(fd, hashes.end, size)]);
    const profile = parseProfile(rest.toString('utf8'), displayPath);
    before?.(profile);
    visitStrings(fd, hashes, displayPath, 'rowHashes', visitHash);
    if (keys) visitStrings(fd, keys, displayPath, 'rowKeys', visitKey);
    return profile;
  } finally {
    closeSync(fd);
  }
}

const PIECE = 1 << 20;

function readRange(fd: number, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(Math.max(0, end - start));
  let at = 0;
  while (at < out.length) {
    const n = readSync(fd, out, at, out.length - at, start + at);
    if (n === 0) break;
    at += n;
  }
  return out.subarray(0, at);
}

/** Where `needle` first occurs in the file at or after `from`, reading it in pieces; -1 if nowhere. */
function findInFile(fd: number, size: number, needle: Buffer, from: number): number {
  for (let pos = from; pos < size; pos += PIECE) {
    // Pieces overlap by the needle's length, so a needle cut by a piece boundary is still found.
    const piece = readRange(fd, pos, Math.min(size, pos + PIECE + needle.length));
    const i = piece.indexOf(needle);
    if (i !== -1) return pos + i;
  }
  return -1;
}

/** The bytes between `[` and `]` (exclusive) of the top-level array `name`, as serializeProfile lays it out. */
function arrayRange(fd: number, size: number, name: string): { start: number; end: number } | undefined {
  // A top-level key starts a line after one space of indent; no JSON string holds a raw newline.
  const head = findInFile(fd, size, Buffer.from(`\n "${name}": [`), 0);
  if (head === -1) return undefined;
  const start = head + name.length + 7;
  const end = findInFile(fd, size, Buffer.from(']'), start); // the items are hex, which has no ']'
  return end === -1 ? undefined : { start, end };
}

function notHex(displayPath: string, name: string): UserError {
  return new UserError(`profile ${name} must be a list of hex strings`, { file: displayPath, hint: 'profile the reference again with `aisec data-gate profile`' });
}

function visitStrings(fd: number, range: { start: number; end: number }, displayPath: string, name: string, visit: (bytes: Uint8Array, start: number, end: number) => boolean): void {
  const bad = (): UserError => notHex(displayPath, name);
  let pos = range.start;
  let carry = Buffer.alloc(0);
  while (pos < range.end) {
    const piece = readRange(fd, pos, Math.min(range.end, pos + PIECE));
    if (piece.length === 0) throw bad();
    pos += piece.length;
    // Items are "hex" separated by commas and white space: scan the bytes, keeping a cut item for the next piece.
    const bytes = carry.length > 0 ? Buffer.concat([carry, piece]) : piece;
    const lastComma = pos < range.end ? bytes.lastIndexOf(0x2c) : bytes.length;
    carry = Buffer.from(bytes.subarray(lastComma + 1));
    if (carry.length > 1024) throw bad(); // no hash is that long: not a list of hashes
    visitItems(bytes, Math.max(lastComma, 0), bad, visit);
  }
  visitItems(carry, carry.length, bad, visit);
}

function visitItems(bytes: Buffer, end: number, bad: () => UserError, visit: (bytes: Uint8Array, start: number, end: number) => boolean): void {
  // The layout is checked here and the digits by the visitor, which decodes them anyway: a reference
  // of millions of rows is that many items, and each pass over their bytes counted.
  let i = 0;
  for (;;) {
    while (i < end && isListSpace(bytes[i] as number)) i++;
    if (i === end) return;
    if (bytes[i] !== 0x22) throw bad();
    const start = i + 1;
    const close = bytes.indexOf(0x22, start);
    if (close === -1 || close >= end || !visit(bytes, start, close)) throw bad();
    i = close + 1;
    while (i < end && isListSpace(bytes[i] as number)) i++;
    if (i === end) return;
    if (bytes[i] !== 0x2c) throw bad();
    i++;
  }
}

/** JSON white space between list items. */
function isListSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
