import type { Finding, Metrics } from '@aisec/core';
import type { ColumnRole } from '../gate/column-roles';
import { firstRows, rowFindings } from '../gate/row-findings';
import { RULE_NEAR_DUPLICATE_ROWS } from '../gate/rules';
import { type ScannedTable, categoryKeyAt } from '../gate/table-scan';
import { tokenize } from '../stats/index';

/**
 * Near-duplicate injection: rows that are almost, not exactly, another row (a few words of a text
 * changed, one value nudged) evade exact row hashes. Each row becomes a set of features (`column=value`
 * for values, `column:word` for the words of free text); MinHash signatures (64 seeded hash functions)
 * estimate the Jaccard similarity of two sets, and locality-sensitive hashing (16 bands of 4) finds the
 * candidate pairs without comparing every pair. A pair whose estimated Jaccard is at least `threshold`
 * (0.8) and that is not an exact duplicate is reported.
 */
export const MINHASH_PERMUTATIONS = 64;
export const LSH_BANDS = 16;
export const NEAR_DUPLICATE_THRESHOLD = 0.8;
/** Rows with fewer features than this are too short to call near-duplicates. */
const MIN_FEATURES = 4;
/**
 * Rows kept per LSH bucket. A bucket past it holds rows that share only common values (a band of
 * frequent categories), not copies; comparing them all would be quadratic on large batches.
 */
export const MAX_BUCKET_ROWS = 8;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Murmur3's finalizer: a good 32-bit mix, seeded per permutation. */
function mix(x: number, seed: number): number {
  let h = (x ^ seed) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEEDS = Uint32Array.from({ length: MINHASH_PERMUTATIONS }, (_, i) => mix(i + 1, 0x9e3779b9));

function features(table: ScannedTable, row: number, columns: readonly string[], roles: ReadonlyMap<string, ColumnRole>): number[] {
  const out = new Set<number>();
  for (const name of columns) {
    const col = table.byName.get(name);
    if (!col) continue;
    if (roles.get(name) === 'text') {
      const t = col.texts[row];
      if (t) for (const w of tokenize(t)) out.add(fnv1a(`${name}:${w}`));
    } else {
      const k = categoryKeyAt(col, row);
      out.add(fnv1a(`${name}=${k ?? '\u0000null'}`));
    }
  }
  return [...out];
}

function signature(f: readonly number[]): Uint32Array {
  const sig = new Uint32Array(MINHASH_PERMUTATIONS).fill(0xffffffff);
  for (const x of f) {
    for (let i = 0; i < MINHASH_PERMUTATIONS; i++) {
      const h = mix(x, SEEDS[i] as number);
      if (h < (sig[i] as number)) sig[i] = h;
    }
  }
  return sig;
}

/** Whether the estimated Jaccard reaches `threshold`; stops at the first mismatch too many. */
function similarEnough(a: Uint32Array, b: Uint32Array, threshold: number): boolean {
  const allowed = Math.floor(MINHASH_PERMUTATIONS * (1 - threshold) + 1e-9);
  let differ = 0;
  for (let i = 0; i < MINHASH_PERMUTATIONS; i++) if (a[i] !== b[i] && ++differ > allowed) return false;
  return true;
}

interface Signed {
  sigs: (Uint32Array | undefined)[];
}

function sign(table: ScannedTable, columns: readonly string[], roles: ReadonlyMap<string, ColumnRole>): Signed {
  const sigs: (Uint32Array | undefined)[] = [];
  for (let r = 0; r < table.rows; r++) {
    const f = features(table, r, columns, roles);
    sigs.push(f.length >= MIN_FEATURES ? signature(f) : undefined);
  }
  return { sigs };
}

/** One number per band (its values mixed with the band index): a collision only adds a candidate, which is then verified. */
function bandKeys(sig: Uint32Array): number[] {
  const per = MINHASH_PERMUTATIONS / LSH_BANDS;
  const keys: number[] = [];
  for (let b = 0; b < LSH_BANDS; b++) {
    let h = mix(b, 0x27d4eb2f);
    for (let i = b * per; i < (b + 1) * per; i++) h = mix((h ^ (sig[i] as number)) >>> 0, 0x165667b1);
    keys.push(b * 2 ** 32 + h);
  }
  return keys;
}

/**
 * Batch rows that nearly duplicate an earlier batch row, and batch rows that nearly duplicate a
 * reference row, leaving out the rows the exact checks already reported (`exact`).
 */
export function checkNearDuplicates(reference: ScannedTable, current: ScannedTable, columns: readonly string[], roles: ReadonlyMap<string, ColumnRole>, currentHashes: readonly string[], referenceHashes: ReadonlySet<string>, threshold = NEAR_DUPLICATE_THRESHOLD): { findings: Finding[]; metrics: Metrics } {
  const ref = sign(reference, columns, roles);
  const cur = sign(current, columns, roles);
  const buckets = new Map<number, { side: 'ref' | 'cur'; row: number }[]>();
  let saturated = 0;
  const put = (side: 'ref' | 'cur', row: number, sig: Uint32Array): void => {
    for (const k of bandKeys(sig)) {
      const list = buckets.get(k);
      if (!list) buckets.set(k, [{ side, row }]);
      else if (list.length < MAX_BUCKET_ROWS) list.push({ side, row });
      else saturated++;
    }
  };
  ref.sigs.forEach((s, r) => s && put('ref', r, s));
  const withinRows: number[] = [];
  const fromRefRows: number[] = [];
  const seenHash = new Set<string>();
  for (let r = 0; r < current.rows; r++) {
    const s = cur.sigs[r];
    const hash = currentHashes[r] as string;
    const exact = seenHash.has(hash) || referenceHashes.has(hash);
    seenHash.add(hash);
    if (!s) continue;
    if (!exact) {
      let within = false;
      let fromRef = false;
      const checked = new Set<number>();
      for (const k of bandKeys(s)) {
        for (const other of buckets.get(k) ?? []) {
          const id = other.side === 'ref' ? -1 - other.row : other.row;
          if (checked.has(id)) continue;
          checked.add(id);
          const o = (other.side === 'ref' ? ref.sigs : cur.sigs)[other.row] as Uint32Array;
          if (!similarEnough(s, o, threshold)) continue;
          if (other.side === 'ref') fromRef = true;
          else within = true;
        }
        if (within && fromRef) break;
      }
      if (within) withinRows.push(r);
      if (fromRef) fromRefRows.push(r);
    }
    put('cur', r, s);
  }
  const findings: Finding[] = [
    ...rowFindings(current, withinRows, (g) => ({
      ruleId: RULE_NEAR_DUPLICATE_ROWS,
      severity: 'medium',
      message: `${g.total} row${g.total === 1 ? '' : 's'} nearly repeat${g.total === 1 ? 's' : ''} an earlier row of the batch (estimated Jaccard ≥ ${threshold} over values and words; rows ${firstRows(g.rows)})`,
      location: { path: g.file },
      evidence: 'near-duplicates within batch',
      properties: { of: 'batch', threshold },
    })),
    ...rowFindings(current, fromRefRows, (g) => ({
      ruleId: RULE_NEAR_DUPLICATE_ROWS,
      severity: 'medium',
      message: `${g.total} row${g.total === 1 ? '' : 's'} nearly repeat${g.total === 1 ? 's' : ''} a row of the reference (estimated Jaccard ≥ ${threshold} over values and words; rows ${firstRows(g.rows)})`,
      location: { path: g.file },
      evidence: 'near-duplicates of reference',
      properties: { of: 'reference', threshold },
    })),
  ];
  return { findings, metrics: { 'duplicates.near_within': withinRows.length, 'duplicates.near_reference': fromRefRows.length, 'duplicates.near_saturated_buckets': saturated } };
}
