import { clean, compare, explain, type Pep440Version } from '@renovatebot/pep440';

/**
 * PEP 440 versions through `@renovatebot/pep440`, which passes every ordering, validity and normalization
 * vector of pypa/packaging. Only parsing, comparison and normalization come from it: its specifier
 * matching disagrees with packaging (see specifier.ts).
 */
export type ParsedVersion = Pep440Version;

/** The parsed version, or null when the string is not PEP 440 (surrounding white space is allowed, as in packaging). */
export function parseVersion(version: string): ParsedVersion | null {
  return explain(version.trim());
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
  return Math.sign(compare(a.trim(), b.trim()));
}

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
