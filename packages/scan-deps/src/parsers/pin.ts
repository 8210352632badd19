import type { DependencyKind } from '../dependency';

/**
 * What a version specifier lets us check. Only an exact `==X` (or `===X`) names one version; any other
 * specifier admits several, so the installed version is unknown until something resolves it.
 */
export function classifySpecifier(specifier: string | undefined): { kind: DependencyKind; version?: string } {
  if (specifier === undefined || specifier.trim() === '') return { kind: 'unpinned' };
  for (const clause of specifier.split(',')) {
    const m = /^\s*(===?)\s*([^\s*]+)\s*$/.exec(clause);
    if (m?.[2] !== undefined) return { kind: 'pinned', version: m[2] };
  }
  return { kind: 'range' };
}
