import { clean, compare, explain, type Pep440Version } from '@renovatebot/pep440';

/**
 * PEP 440 versions through `@renovatebot/pep440`, which passes every ordering, validity and normalization
 * vector of pypa/packaging. Only parsing, comparison and normalization come from it: its specifier
 * matching disagrees with packaging (see specifier.ts).
 */
export type ParsedVersion = Pep440Version;

// Advisories name the same few thousand versions over and over; parsing is the hot path of matching.
const PARSE_CACHE_LIMIT = 100_000;
const parseCache = new Map<string, ParsedVersion | null>();

/** The parsed version, or null when the string is not PEP 440 (surrounding white space is allowed, as in packaging). */
export function parseVersion(version: string): ParsedVersion | null {
  const cached = parseCache.get(version);
  if (cached !== undefined) return cached;
  const parsed = explain(version.trim());
  if (parseCache.size >= PARSE_CACHE_LIMIT) parseCache.clear();
  parseCache.set(version, parsed);
  return parsed;
}

/**
 * A string equal for exactly the versions PEP 440 calls equal (`1.0` and `1.0.0`, `1.0a1` and `1.0.a1`),
 * local segment dropped: for set membership without pairwise comparison.
 */
export function publicVersionKey(v: ParsedVersion): string {
  const release = [...v.release];
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  return formatVersion({ ...v, release }, { pre: true, post: true, dev: true });
}

export function isValidVersion(version: string): boolean {
  return parseVersion(version) !== null;
}

/** The canonical form (`1.0-dev` → `1.0.dev0`), or null when invalid. */
export function normalizeVersion(version: string): string | null {
  return clean(version.trim());
}

/**
 * Negative, zero or positive as `a` sorts before, equal to or after `b` (`1.0 == 1.0.0`).
 * Both must be valid: check with `isValidVersion` first.
 */
export function compareVersions(a: string, b: string): number {
  if (a === b) return 0;
  // The library re-parses both strings on every call; matching compares the same pairs (an installed
  // version against each advisory's bounds) again and again, so remember the answers. Keyed by one string
  // and then the other rather than by their concatenation, which built and hashed a new string per call.
  let row = compareCache.get(a);
  if (!row) {
    if (compareCache.size >= COMPARE_CACHE_ROWS) compareCache.clear();
    row = new Map();
    compareCache.set(a, row);
  }
  const cached = row.get(b);
  if (cached !== undefined) return cached;
  const result = Math.sign(compare(a.trim(), b.trim()));
  if (row.size >= COMPARE_CACHE_ROW_LIMIT) row.clear();
  row.set(b, result);
  return result;
}

const COMPARE_CACHE_ROWS = 10_000;
const COMPARE_CACHE_ROW_LIMIT = 20_000;
const compareCache = new Map<string, Map<string, number>>();

/** The version with its local segment, pre-release, post-release and dev parts chosen by `keep`. */
export function formatVersion(
  v: ParsedVersion,
  keep: { pre?: boolean; post?: boolean; dev?: boolean; local?: boolean },
): string {
  let text = v.epoch ? `${v.epoch}!` : '';
  text += v.release.join('.');
  if (keep.pre && v.pre && v.pre.length > 0) text += v.pre.join('');
  const post = segmentNumber(v.post);
  const dev = segmentNumber(v.dev);
  if (keep.post && post !== null) text += `.post${post}`;
  if (keep.dev && dev !== null) text += `.dev${dev}`;
  if (keep.local && v.local) text += `+${v.local}`;
  return text;
}

/**
 * The number of a post or dev segment. The library's types say array but it returns a number (or null)
 * at run time, so accept both.
 */
function segmentNumber(segment: unknown): number | null {
  if (typeof segment === 'number') return segment;
  if (Array.isArray(segment)) {
    const last: unknown = segment[segment.length - 1];
    return typeof last === 'number' ? last : null;
  }
  return null;
}

export function isPostRelease(v: ParsedVersion): boolean {
  return segmentNumber(v.post) !== null;
}
