import type { Dependency } from '../dependency';
import { normalizeName } from '../pep440/index';
import type { VulnerabilityDatabase } from './database';
import { matchVulnerabilities, type VulnerabilityMatch } from './match';

export interface DependencyVulnerabilities {
  dependency: Dependency;
  matches: VulnerabilityMatch[];
}

/** Whether a dependency can be checked against OSV: a PyPI package with an exact version. */
export function isCheckable(dep: Dependency): boolean {
  return dep.ecosystem === 'PyPI' && (dep.kind === 'locked' || dep.kind === 'pinned') && !!dep.version?.trim();
}

/**
 * Queries the database once for every checkable dependency (deduplicated by name and version) and matches
 * each one. Dependencies that cannot be checked (ranges, unpinned, URLs, conda) are left out: the caller
 * reports them, so that "no vulnerabilities" is never said of something that was not checked.
 */
export async function findVulnerabilities(
  dependencies: readonly Dependency[],
  database: VulnerabilityDatabase,
): Promise<DependencyVulnerabilities[]> {
  const checkable = dependencies.filter(isCheckable);
  const advisories = await database.query(checkable.map((d) => ({ name: d.name, version: d.version ?? '' })));
  return checkable.map((dependency) => ({
    dependency,
    matches: matchVulnerabilities(dependency, advisories.get(normalizeName(dependency.name)) ?? []),
  }));
}
