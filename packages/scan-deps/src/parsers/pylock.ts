import { UserError } from '@aisec/core';
import type { Dependency, Manifest } from '../dependency';
import { lockedDependency, urlDependency } from './declared-dependency';
import { requireNameAndVersion, tablesOf } from './lock-entry';
import { asArray, asString, asTable, asText, stringsOf, tableAt, type Table } from './parsed-value';
import { parseTomlDocument } from './toml-document';

const REGENERATE = 'the tool that wrote it (`uv export -o pylock.toml`, `pip lock`, `pdm export -f pylock`)';

function hashesOf(file: unknown): string[] {
  return Object.entries(asTable(asTable(file)?.hashes) ?? {}).flatMap(([algo, hex]) =>
    typeof hex === 'string' ? [`${algo}:${hex}`] : [],
  );
}

/** The dependency groups a PEP 751 marker selects on: `'dev' in dependency_groups`. */
function markerGroups(marker: string | undefined): string[] {
  if (marker === undefined) return [];
  return [...marker.matchAll(/['"]([^'"]+)['"]\s+in\s+dependency_groups/g)].map((m) => m[1] ?? '');
}

/**
 * `pylock.toml` and `pylock.<name>.toml` (PEP 751, lock-version 1.x). A package is dev when its marker
 * selects on dependency groups, none of them in `default-groups`, and not on extras. The project itself
 * (an editable or `.` directory) is skipped; VCS, directory and archive entries are `url`.
 */
export function parsePylock(text: string, path: string): Manifest {
  const { data, lines } = parseTomlDocument(text, path, 'lock');
  const lockVersion = asText(data['lock-version']);
  if (lockVersion === undefined || !/^1(\.|$)/.test(lockVersion)) {
    throw new UserError(
      lockVersion === undefined
        ? 'no lock-version, so this is not a PEP 751 lock file'
        : `lock-version ${lockVersion}; only PEP 751 lock-version 1.x is understood`,
      { file: path, line: lines.nearest(['lock-version']), hint: `regenerate it with ${REGENERATE}` },
    );
  }
  const defaultGroups = new Set(stringsOf(data['default-groups']));
  const notes: string[] = [];
  const packages = tablesOf(data.packages, 'packages', {
    file: path,
    lineOf: (i) => lines.nearest(['packages', i]),
    regenerate: REGENERATE,
  });
  const dependencies: Dependency[] = [];
  packages.forEach((pkg: Table, i) => {
    const line = lines.nearest(['packages', i]);
    const { name, version } = requireNameAndVersion(pkg, { file: path, line, regenerate: REGENERATE }, true);
    const marker = asString(pkg.marker);
    const groups = markerGroups(marker);
    const dev = groups.length > 0 && !groups.some((g) => defaultGroups.has(g)) && !/\bin\s+extras\b/.test(marker ?? '');
    const hashes = [
      ...hashesOf(pkg.sdist),
      ...hashesOf(pkg.archive),
      ...(asArray(pkg.wheels) ?? []).flatMap(hashesOf),
    ];
    const ctx = {
      source: { path, line },
      dev,
      hashes,
      ...(dev ? { group: groups.join(',') } : {}),
      ...(marker !== undefined ? { marker } : {}),
    };
    const directory = tableAt(pkg, 'directory');
    if (directory !== undefined) {
      const dirPath = asString(directory.path) ?? '.';
      // The locked project itself, or a workspace member being developed: not a download.
      if (directory.editable === true || dirPath === '.') return;
      dependencies.push(urlDependency(name, dirPath, ctx));
      return;
    }
    const vcs = tableAt(pkg, 'vcs');
    if (vcs !== undefined) {
      const type = asString(vcs.type) ?? 'git';
      const commit = asString(vcs['commit-id']);
      const where = asString(vcs.url) ?? asString(vcs.path) ?? '';
      dependencies.push(urlDependency(name, `${type}+${where}${commit ? `@${commit}` : ''}`, ctx));
      return;
    }
    const archive = tableAt(pkg, 'archive');
    if (archive !== undefined) {
      dependencies.push(urlDependency(name, asString(archive.url) ?? asString(archive.path) ?? '', ctx));
      return;
    }
    if (version === undefined) {
      notes.push(`${path}:${line}: '${name}' has no version; not checked`);
      return;
    }
    dependencies.push(lockedDependency(name, version, ctx));
  });
  return { path, format: 'pylock', dependencies, notes };
}
