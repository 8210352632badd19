import type { Dependency, Manifest } from '../dependency';
import { lockedDependency, urlDependency } from './declared-dependency';
import { requireNameAndVersion, tablesOf } from './lock-entry';
import { asArray, asString, asTable, stringsOf, tableAt } from './parsed-value';
import { parseTomlDocument } from './toml-document';

const REGENERATE = '`poetry lock`';

/**
 * Poetry 2 writes `markers` as a string, or as a table per group when the groups need the package
 * under different conditions (`{main = "...", dev = "..."}`): installed when any of them holds.
 */
function markerOf(markers: unknown): { marker?: string } {
  if (typeof markers === 'string') return { marker: markers };
  const perGroup = [...new Set(Object.values(asTable(markers) ?? {}).filter((m): m is string => typeof m === 'string'))];
  if (perGroup.length === 0) return {};
  return { marker: perGroup.length === 1 ? (perGroup[0] ?? '') : perGroup.map((m) => `(${m})`).join(' or ') };
}

/**
 * `poetry.lock`, every lock-version Poetry has written:
 * - 1.1 (Poetry 1.1-1.4): `category = "main" | "dev"` per package, hashes under `[metadata.files]`;
 * - 2.0 (Poetry 1.5-1.8): no category, `files` per package; the lock alone cannot tell dev from main,
 *   so every entry's `group` is left unset and `parseProject` fills dev in from pyproject.toml;
 * - 2.1 (Poetry 2): `groups = [...]` per package, `markers` per package.
 * Git, directory, file and URL sources have no registry version: they are listed as `url`.
 */
export function parsePoetryLock(text: string, path: string): Manifest {
  const { data, lines } = parseTomlDocument(text, path, `lock with ${REGENERATE}`);
  const notes: string[] = [];
  const lockVersion = asString(tableAt(data, 'metadata')?.['lock-version']);
  if (lockVersion !== undefined && Number.parseInt(lockVersion, 10) > 2) {
    notes.push(`${path}: lock-version ${lockVersion} is newer than the 1.1-2.1 this scanner knows; read as 2.1`);
  }
  const metadataFiles = tableAt(data, 'metadata', 'files');
  const packages = tablesOf(data.package, 'package', {
    file: path,
    lineOf: (i) => lines.nearest(['package', i]),
    regenerate: REGENERATE,
  });
  const dependencies: Dependency[] = packages.map((pkg, i) => {
    const line = lines.nearest(['package', i]);
    const { name, version } = requireNameAndVersion(pkg, { file: path, line, regenerate: REGENERATE });
    const category = asString(pkg.category);
    const groups = stringsOf(pkg.groups);
    const files = asArray(pkg.files) ?? asArray(metadataFiles?.[name]) ?? [];
    const hashes = files.map((f) => asString(asTable(f)?.hash)).filter((h): h is string => h !== undefined);
    const ctx = {
      source: { path, line },
      dev: category !== undefined ? category === 'dev' : groups.length > 0 && !groups.includes('main'),
      hashes,
      ...(category !== undefined ? { group: category } : groups.length > 0 ? { group: groups.join(',') } : {}),
      ...markerOf(pkg.markers),
    };
    const source = tableAt(pkg, 'source');
    const type = asString(source?.type);
    const url = asString(source?.url);
    if (type === 'git' && url !== undefined) {
      const ref = asString(source?.resolved_reference) ?? asString(source?.reference);
      return urlDependency(name, `git+${url}${ref ? `@${ref}` : ''}`, ctx);
    }
    if ((type === 'directory' || type === 'file' || type === 'url') && url !== undefined) {
      return urlDependency(name, url, ctx);
    }
    // No source, or a `legacy` (private index) source: a registry release at an exact version.
    return lockedDependency(name, version ?? '', ctx);
  });
  return { path, format: 'poetry-lock', dependencies, notes };
}
