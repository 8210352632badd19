import type { Dependency } from './dependency';
import { requirementLine, resolveWithPip, type PipResolveOptions } from './pip-resolve';

export interface UnpinnedResolution {
  /** Copies of the unpinned dependencies with the version pip chose (`kind: 'locked'`), same lines. */
  resolved: Dependency[];
  /** Those pip could not resolve (or that a marker leaves out here): still reported as unpinned. */
  unresolved: Dependency[];
  notes: string[];
}

/**
 * Resolves unpinned and range requirements with pip, one pip run per file so that each file's
 * requirements are resolved together, as `pip install -r` would (the file's exact pins go along as
 * constraints, holding wherever the resolution needs those packages). Only the requirements the file names are checked afterwards; what pip
 * pulls in for them is counted in a note, since no line of the file declares it.
 */
export async function resolveUnpinned(
  unpinned: readonly Dependency[],
  all: readonly Dependency[],
  options: PipResolveOptions,
): Promise<UnpinnedResolution> {
  const byFile = new Map<string, Dependency[]>();
  for (const dep of unpinned) byFile.set(dep.source.path, [...(byFile.get(dep.source.path) ?? []), dep]);
  const result: UnpinnedResolution = { resolved: [], unresolved: [], notes: [] };
  for (const [path, deps] of byFile) {
    const pinned = all.filter((d) => d.source.path === path && d.ecosystem === 'PyPI' && (d.kind === 'pinned' || d.kind === 'locked'));
    const outcome = await resolveWithPip([...new Set(deps.map(requirementLine))], [...new Set(pinned.map(requirementLine))], options);
    if ('failure' in outcome) {
      result.unresolved.push(...deps);
      result.notes.push(`${path}: pip could not resolve its unpinned requirements (${outcome.failure}); they are reported as unpinned`);
      continue;
    }
    const chosen: string[] = [];
    for (const dep of deps) {
      const version = outcome.versions.get(dep.name);
      if (version === undefined) {
        result.unresolved.push(dep);
        continue;
      }
      result.resolved.push({ ...dep, version, kind: 'locked' });
      chosen.push(`${dep.rawName} ${version}`);
    }
    if (chosen.length > 0) {
      result.notes.push(
        `${path}: ${chosen.length} unpinned requirement${chosen.length === 1 ? '' : 's'} resolved with pip to what it would install today and checked (${chosen.join(', ')}); ` +
          `${outcome.transitive} package${outcome.transitive === 1 ? '' : 's'} pip would pull in for ${chosen.length === 1 ? 'it' : 'them'} were not checked. A lockfile makes this repeatable`,
      );
    }
  }
  return result;
}
