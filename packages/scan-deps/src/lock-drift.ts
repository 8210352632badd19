import type { Finding } from '@aisec/core';
import type { Dependency, Manifest } from './dependency';
import type { ProjectDependencies } from './parsers/project';
import { SpecifierSet } from './pep440/index';
import { RULE_IDS } from './rules';

/** Locks that record every declared package; a pylock.toml export may hold only some groups. */
const COMPLETE_LOCKS = new Set<Manifest['format']>(['uv-lock', 'poetry-lock', 'pdm-lock']);

function finding(dep: Dependency, lock: Manifest, message: string, evidence: string, locked: string[]): Finding {
  return {
    ruleId: RULE_IDS.lockDrift,
    severity: 'medium',
    message,
    location: { path: dep.source.path, line: dep.source.line, ...(dep.source.column !== undefined ? { column: dep.source.column } : {}) },
    evidence,
    properties: { package: dep.name, specifier: dep.specifier ?? null, lockfile: lock.path, locked },
  };
}

/**
 * Where a lockfile disagrees with the pyproject.toml it was made from: a declared package the lock lacks
 * (the parsers note these, having already set aside uv workspace members), or a locked version outside
 * the declared range. Either way the lock was not regenerated after the manifest changed.
 */
export function lockDriftFindings(project: ProjectDependencies): Finding[] {
  const byPath = new Map(project.manifests.map((m) => [m.path, m]));
  const findings: Finding[] = [];
  for (const entry of project.superseded) {
    const manifest = byPath.get(entry.path);
    if (manifest?.format !== 'pyproject') continue;
    for (const lockPath of entry.by.split(', ')) {
      const lock = byPath.get(lockPath);
      if (lock === undefined || !COMPLETE_LOCKS.has(lock.format)) continue;
      for (const dep of manifest.dependencies) {
        if (dep.ecosystem !== 'PyPI' || dep.kind === 'url') continue;
        const locked = lock.dependencies.filter((d) => d.name === dep.name && d.version !== undefined).map((d) => d.version ?? '');
        if (locked.length === 0) {
          const noted = `${dep.source.path}:${dep.source.line}: declares ${dep.rawName}, which ${lock.path} does not lock`;
          if (!project.notes.some((n) => n.startsWith(noted))) continue;
          findings.push(
            finding(
              dep,
              lock,
              `${dep.rawName} is declared here but ${lock.path} does not lock it: the lock is older than this manifest, so ${dep.rawName} was not checked; regenerate the lock`,
              `${dep.name} not in ${lock.path}`,
              [],
            ),
          );
          continue;
        }
        const spec = dep.specifier?.trim();
        if (!spec) continue;
        const set = SpecifierSet.tryParse(spec);
        if (set === null || locked.some((v) => set.contains(v, { prereleases: true }))) continue;
        findings.push(
          finding(
            dep,
            lock,
            `${dep.rawName} is declared as ${spec} here but ${lock.path} locks ${locked.join(', ')}: what was checked is not what the next lock will install; regenerate the lock`,
            `${dep.name} ${spec} locked ${locked.join(',')} in ${lock.path}`,
            locked,
          ),
        );
      }
    }
  }
  return findings;
}
