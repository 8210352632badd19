import type { Dependency, Manifest } from '../dependency';
import { lockedDependency, urlDependency } from './declared-dependency';
import { requireNameAndVersion, tablesOf } from './lock-entry';
import { asArray, asString, asTable, stringsOf } from './parsed-value';
import { normalizeName } from './pep503';
import { parseTomlDocument } from './toml-document';

const REGENERATE = '`pdm lock`';

/**
 * `pdm.lock` (lock_version 4.x). PDM writes one extra entry per extras combination a dependent asks
 * for (`name = "requests"`, `extras = ["socks"]`) at the same version: those are the same install, so
 * they are folded into one dependency, with the union of their groups. `groups` names both extras
 * (optional dependencies, installed with the package) and dev groups, and only pyproject.toml says
 * which is which: entries come out with `dev: false` and `group` set to their groups, and
 * `parseProject` marks as dev those whose groups are all dev groups of the sibling pyproject.toml.
 */
export function parsePdmLock(text: string, path: string): Manifest {
  const { data, lines } = parseTomlDocument(text, path, `lock with ${REGENERATE}`);
  const packages = tablesOf(data.package, 'package', {
    file: path,
    lineOf: (i) => lines.nearest(['package', i]),
    regenerate: REGENERATE,
  });
  const dependencies: Dependency[] = [];
  const byKey = new Map<string, Dependency>();
  packages.forEach((pkg, i) => {
    const line = lines.nearest(['package', i]);
    const { name, version } = requireNameAndVersion(pkg, { file: path, line, regenerate: REGENERATE }, true);
    const groups = stringsOf(pkg.groups);
    const key = `${normalizeName(name)}\0${version ?? ''}`;
    const seen = byKey.get(key);
    if (seen !== undefined) {
      const union = new Set([...(seen.group?.split(',') ?? []), ...groups]);
      if (union.size > 0) seen.group = [...union].join(',');
      return;
    }
    const hashes = (asArray(pkg.files) ?? [])
      .map((f) => asString(asTable(f)?.hash))
      .filter((h): h is string => h !== undefined);
    const ctx = {
      source: { path, line },
      dev: false,
      hashes,
      ...(groups.length > 0 ? { group: groups.join(',') } : {}),
      ...(typeof pkg.marker === 'string' ? { marker: pkg.marker } : {}),
    };
    const git = asString(pkg.git);
    const local = asString(pkg.url) ?? asString(pkg.path);
    let dep: Dependency;
    if (git !== undefined) {
      const ref = asString(pkg.revision) ?? asString(pkg.ref);
      dep = urlDependency(name, `git+${git}${ref ? `@${ref}` : ''}`, ctx);
    } else if (local !== undefined) dep = urlDependency(name, local, ctx);
    else dep = lockedDependency(name, version ?? '', ctx);
    if (dep.kind === 'locked' && version === undefined) return;
    byKey.set(key, dep);
    dependencies.push(dep);
  });
  return { path, format: 'pdm-lock', dependencies, notes: [] };
}
