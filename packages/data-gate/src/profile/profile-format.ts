import { readFileSync, statSync } from 'node:fs';
import { UserError } from '@aisec/core';
import type { MomentsState } from '../stats/index';

/**
 * The reference profile, format version 1: a deterministic, mergeable JSON summary of a trusted
 * dataset. Deterministic: the same rows give the same bytes (keys and hashes sorted, no timestamps).
 * Mergeable: every part combines exactly across shards — counts and kind bits add, moments merge with
 * Chan's formula, histograms are on fixed, data-independent edges (FIXED_EDGES) so shards bin alike,
 * category counts add, row-hash sets unite.
 */
export const PROFILE_FORMAT = 'aisec-data-profile';
export const PROFILE_VERSION = 1;

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
}

export interface DataProfile {
  format: typeof PROFILE_FORMAT;
  version: typeof PROFILE_VERSION;
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
  rowHashesTruncated: boolean;
  limits: { maxCategories: number; maxRowHashes: number };
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
  let lo = 0;
  let hi = FIXED_EDGES.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((FIXED_EDGES[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A cheap sniff: a .json file whose start names the profile format. */
export function isProfileFile(path: string): boolean {
  if (!/\.json$/i.test(path)) return false;
  try {
    if (!statSync(path).isFile()) return false;
    return readFileSync(path, { encoding: 'utf8' }).slice(0, 200).includes(`"format": "${PROFILE_FORMAT}"`);
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
  if (p.version !== PROFILE_VERSION) throw new UserError(`profile version ${String(p.version)} is not supported (this aisec reads version ${PROFILE_VERSION})`, { file: displayPath, hint: 'profile the reference again with this aisec version' });
  if (!Array.isArray(p.columns) || !Array.isArray(p.rowHashes) || !Array.isArray(p.hashColumns) || typeof p.rows !== 'number') {
    throw new UserError('profile is missing columns, rows, hashColumns or rowHashes', { file: displayPath });
  }
  if (p.rowKeys !== undefined && (!Array.isArray(p.rowKeys) || p.rowKeys.some((k) => typeof k !== 'string' || !/^[0-9a-f]{16}$/.test(k)))) {
    throw new UserError('profile rowKeys must be a list of 16-hex-digit keys', { file: displayPath, hint: 'profile the reference again with `aisec data-gate profile`' });
  }
  return p as DataProfile;
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
 * Reads a profile without holding its row hashes as strings: the `rowHashes` and `rowKeys` arrays of
 * a profile written by `serializeProfile` are cut out of the bytes and handed, one at a time, to
 * `visitHash` and `visitKey`, and the rest is parsed as usual (those arrays come back empty; `rowKeys`
 * stays absent when the file has none). A profile of millions of rows then costs its bytes once, not
 * an array of strings besides (over 200 bytes a row). Other layouts fall back to `readProfile`.
 */
export function readProfileLean(path: string, displayPath: string, visitHash: (hex: string) => void, visitKey: (hex: string) => void): DataProfile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UserError(`cannot read profile ${displayPath}: ${(error as Error).message}`, { file: displayPath, cause: error });
  }
  const hashes = arrayRange(bytes, 'rowHashes');
  const keys = arrayRange(bytes, 'rowKeys');
  if (!hashes || (keys && keys.start < hashes.end)) {
    const p = parseProfile(bytes.toString('utf8'), displayPath);
    for (const h of p.rowHashes) visitHash(h);
    for (const k of p.rowKeys ?? []) visitKey(k);
    return { ...p, rowHashes: [], ...(p.rowKeys ? { rowKeys: [] } : {}) };
  }
  const rest = keys
    ? Buffer.concat([bytes.subarray(0, hashes.start), bytes.subarray(hashes.end, keys.start), bytes.subarray(keys.end)])
    : Buffer.concat([bytes.subarray(0, hashes.start), bytes.subarray(hashes.end)]);
  const profile = parseProfile(rest.toString('utf8'), displayPath);
  visitStrings(bytes, hashes, displayPath, 'rowHashes', visitHash);
  if (keys) visitStrings(bytes, keys, displayPath, 'rowKeys', visitKey);
  return profile;
}

/** The bytes between `[` and `]` (exclusive) of the top-level array `name`, as serializeProfile lays it out. */
function arrayRange(bytes: Buffer, name: string): { start: number; end: number } | undefined {
  // A top-level key starts a line after one space of indent; no JSON string holds a raw newline.
  const head = bytes.indexOf(`\n "${name}": [`);
  if (head === -1) return undefined;
  const start = head + name.length + 7;
  const end = bytes.indexOf(0x5d, start); // ']': the items are hex, which has none
  return end === -1 ? undefined : { start, end };
}

function visitStrings(bytes: Buffer, range: { start: number; end: number }, displayPath: string, name: string, visit: (s: string) => void): void {
  let i = range.start;
  while (i < range.end) {
    const c = bytes[i] as number;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c) {
      i++;
      continue;
    }
    const close = c === 0x22 ? bytes.indexOf(0x22, i + 1) : -1;
    if (close === -1 || close > range.end) throw new UserError(`profile ${name} must be a list of hex strings`, { file: displayPath, hint: 'profile the reference again with `aisec data-gate profile`' });
    const s = bytes.toString('latin1', i + 1, close);
    if (!/^[0-9a-f]+$/.test(s)) throw new UserError(`profile ${name} must be a list of hex strings`, { file: displayPath, hint: 'profile the reference again with `aisec data-gate profile`' });
    visit(s);
    i = close + 1;
  }
}
