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
 * Queries the database for every checkable dependency (all at once, or `packagesPerQuery` packages at a
 * time when the database asks for it) and matches each one. Dependencies that cannot be checked (ranges, unpinned, URLs, conda) are left out: the caller
 * reports them, so that "no vulnerabilities" is never said of something that was not checked.
 */
export async function findVulnerabilities(
  dependencies: readonly Dependency[],
  database: VulnerabilityDatabase,
): Promise<DependencyVulnerabilities[]> {
  const checkable = dependencies.filter(isCheckable);
  const byName = new Map<string, Dependency[]>();
  for (const dependency of checkable) {
    const name = normalizeName(dependency.name);
    const same = byName.get(name);
    if (same) same.push(dependency);
    else byName.set(name, [dependency]);
  }
  const names = [...byName.keys()];
  const perQuery = Math.max(1, database.packagesPerQuery ?? names.length);
  const matches = new Map<Dependency, VulnerabilityMatch[]>();
  for (let start = 0; start < names.length; start += perQuery) {
    const group = names.slice(start, start + perQuery).flatMap((name) => byName.get(name) ?? []);
    const advisories = await database.query(group.map((d) => ({ name: d.name, version: d.version ?? '' })));
    for (const dependency of group) matches.set(dependency, matchVulnerabilities(dependency, advisories.get(normalizeName(dependency.name)) ?? []));
  }
  return checkable.map((dependency) => ({ dependency, matches: matches.get(dependency) ?? [] }));
}
