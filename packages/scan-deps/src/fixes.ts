import { compareVersions, normalizeName, parseVersion } from './pep440/index';
import { advisoryAffects, affectedEntriesFor } from './osv/affected-entries';
import type { OsvVulnerability } from './osv/osv-schema';

/**
 * The smallest version above `installed` that none of `advisories` affects for package `name`, chosen
 * among the versions the advisories name as `fixed` (the only versions known to exist and be fixed).
 * Final releases are preferred to pre-releases. Null when no such version exists, e.g. when one advisory
 * has no fix at all (an open range or `last_affected` only): then no upgrade clears the package.
 */
export function smallestFix(name: string, installed: string, advisories: readonly OsvVulnerability[]): string | null {
  const pkg = normalizeName(name);
  const current = parseVersion(installed);
  if (!current) return null;
  const candidates = new Map<string, string>();
  for (const advisory of advisories) {
    for (const entry of affectedEntriesFor(advisory, pkg)) {
      for (const range of entry.ranges) {
        if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') continue;
        for (const event of range.events) {
          const fixed = event.fixed;
          if (fixed === undefined || !parseVersion(fixed)) continue;
          if (compareVersions(fixed, current.public) <= 0) continue;
          candidates.set(parseVersion(fixed)?.public ?? fixed, fixed);
        }
      }
    }
  }
  const ordered = [...candidates.values()].sort((a, b) => {
    const pa = parseVersion(a)?.is_prerelease ? 1 : 0;
    const pb = parseVersion(b)?.is_prerelease ? 1 : 0;
    return pa - pb || compareVersions(a, b);
  });
  for (const candidate of ordered) {
    if (advisories.every((advisory) => !advisoryAffects(advisory, pkg, candidate))) return candidate;
  }
  return null;
}
