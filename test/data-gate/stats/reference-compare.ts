import { readFileSync } from 'node:fs';
import type { Json, Tree } from './scenario-harness';

/**
 * Leaf-by-leaf comparison of a reference JSON tree with the engine's tree, under the README's
 * tolerances: abs 1e-9 or rel 1e-6; p-values below 1e-6 to rel 1e-6 or abs 1e-12; counts and indices
 * exactly; Anderson significance levels to abs 1e-6. A leaf missing from the engine's tree is a
 * mismatch.
 */
export type { Json, Tree };

export function readJson(path: string): Json {
  const value: Json = JSON.parse(readFileSync(path, 'utf8'));
  return value;
}

export function isTree(value: Json | undefined): value is Tree {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function tree(value: Json | undefined, what: string): Tree {
  if (!isTree(value)) throw new Error(`${what} is not an object`);
  return value;
}

export function text(value: Json | undefined, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} is not a string`);
  return value;
}

/** Timings and prose, not statistics. */
const NOT_STATISTICS = [/\.exact_seconds$/, /\.duplicates_within_current\.rule$/];
const EXACT_KEYS = /(^|\.)(count|null_count|n_unique|n_ref|n_cur|dof|n_columns|n_drifted|n_unique_ref_cur|statistic_sign)$|(ref_counts|cur_counts|indices)\[\d+\]$|\.top\[\d+\]\[1\]$/;
const PVALUE_KEYS = /(pvalue[a-z_]*|\.score)$/;

export interface Mismatch {
  path: string;
  expected: Json | undefined;
  actual: Json | undefined;
}

function numeric(v: Json | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === 'nan') return NaN;
  return undefined;
}

function close(path: string, expected: number, actual: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return expected === actual;
  if (EXACT_KEYS.test(path)) return expected === actual;
  const diff = Math.abs(expected - actual);
  if (path.endsWith('.significance_level')) return diff <= 1e-6;
  if (PVALUE_KEYS.test(path) && Math.abs(expected) < 1e-6) return diff <= 1e-12 || diff <= 1e-6 * Math.abs(expected);
  return diff <= 1e-9 || diff <= 1e-6 * Math.abs(expected);
}

export function compare(expected: Json, actual: Json | undefined, path: string, out: { checked: number; mismatches: Mismatch[] }): void {
  if (NOT_STATISTICS.some((re) => re.test(path))) return;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      out.checked++;
      out.mismatches.push({ path, expected, actual });
      return;
    }
    expected.forEach((e, i) => compare(e, actual[i], `${path}[${i}]`, out));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    for (const [key, value] of Object.entries(expected)) {
      const sub = isTree(actual) ? actual[key] : undefined;
      compare(value, sub, `${path}.${key}`, out);
    }
    return;
  }
  out.checked++;
  const e = numeric(expected);
  const a = numeric(actual ?? undefined);
  if (e !== undefined && a !== undefined && typeof expected !== 'boolean') {
    if (!close(path, e, a)) out.mismatches.push({ path, expected, actual });
    return;
  }
  if (expected !== actual) out.mismatches.push({ path, expected, actual });
}

