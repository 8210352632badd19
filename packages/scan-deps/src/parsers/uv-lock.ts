import type { Dependency, Manifest } from '../dependency';
import { lockedDependency, urlDependency } from './declared-dependency';
import { requireNameAndVersion, tablesOf } from './lock-entry';
import { asArray, asString, asTable, asText, tableAt, type Table } from './parsed-value';
import { normalizeName } from './pep503';
import { parseTomlDocument } from './toml-document';

const REGENERATE = '`uv lock`';

interface Edge {
  name: string;
  version?: string;
  extras: string[];
}

interface Node {
  index: number;
  name: string;
  version?: string;
  pkg: Table;
}

function edgesOf(list: unknown): Edge[] {
  return (asArray(list) ?? []).flatMap((item) => {
    const t = asTable(item);
    const name = asString(t?.name);
    if (name === undefined) return [];
    const version = asText(t?.version);
    const extras = (asArray(t?.extra) ?? []).filter((e): e is string => typeof e === 'string');
    return [{ name: normalizeName(name), extras, ...(version !== undefined ? { version } : {}) }];
  });
}

/**
 * uv writes `https://host/repo.git?subdirectory=x&rev=v1#<commit>`; pip's spelling, used by every
 * other lock here, is `git+https://host/repo.git@<commit>#subdirectory=x`.
 */
function pipGitUrl(source: string): string {
  const hash = source.indexOf('#');
  const commit = hash === -1 ? undefined : source.slice(hash + 1);
  const withoutCommit = hash === -1 ? source : source.slice(0, hash);
  const query = withoutCommit.indexOf('?');
  const base = query === -1 ? withoutCommit : withoutCommit.slice(0, query);
  const params = new URLSearchParams(query === -1 ? '' : withoutCommit.slice(query + 1));
  const ref = commit ?? params.get('rev') ?? params.get('tag') ?? params.get('branch') ?? undefined;
  const sub = params.get('subdirectory');
  return `git+${base}${ref ? `@${ref}` : ''}${sub ? `#subdirectory=${sub}` : ''}`;
}

/**
 * `uv.lock` (version 1). The project itself and workspace members (`editable`, `virtual` sources) are
 * skipped: they are not downloads. Which packages are dev-only and which are direct is read from the
 * lock's own graph: walking from the members' `dependencies` and `optional-dependencies` (extras are
 * installed with the package) marks everything reachable as runtime; what is reachable only from their
 * `dev-dependencies` groups is dev, named after the group it was reached from.
 */
export function parseUvLock(text: string, path: string): Manifest {
  const { data, lines } = parseTomlDocument(text, path, `lock with ${REGENERATE}`);
  const notes: string[] = [];
  const version = asText(data.version);
  if (version !== undefined && version !== '1') {
    notes.push(`${path}: uv.lock version ${version} is not the version 1 this scanner knows; read as version 1`);
  }
  const packages = tablesOf(data.package, 'package', {
    file: path,
    lineOf: (i) => lines.nearest(['package', i]),
    regenerate: REGENERATE,
  });
  const nodes: Node[] = packages.map((pkg, index) => {
    const line = lines.nearest(['package', index]);
    const { name, version: v } = requireNameAndVersion(pkg, { file: path, line, regenerate: REGENERATE }, true);
    return { index, name, pkg, ...(v !== undefined ? { version: v } : {}) };
  });
  const byName = new Map<string, Node[]>();
  for (const node of nodes) {
    const key = normalizeName(node.name);
    byName.set(key, [...(byName.get(key) ?? []), node]);
  }
  const members = new Set((asArray(tableAt(data, 'manifest')?.members) ?? []).map((m) => normalizeName(String(m))));
  const isRoot = (node: Node): boolean => {
    const source = tableAt(node.pkg, 'source');
    return source?.editable !== undefined || source?.virtual !== undefined || members.has(normalizeName(node.name));
  };
  const roots = nodes.filter(isRoot);

  // A dependency edge names a package; `version` picks one when the lock holds several (forked resolutions).
  const targets = (edge: Edge): Node[] => {
    const candidates = byName.get(edge.name) ?? [];
    const exact = edge.version === undefined ? [] : candidates.filter((c) => c.version === edge.version);
    return exact.length > 0 ? exact : candidates;
  };
  const walk = (start: Edge[], reached: Map<number, string | undefined>, label: string | undefined): void => {
    const seen = new Set<string>();
    const queue = [...start];
    while (queue.length > 0) {
      const edge = queue.shift();
      if (edge === undefined) break;
      for (const node of targets(edge)) {
        const key = `${node.index}\0${edge.extras.join(',')}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (!reached.has(node.index)) reached.set(node.index, label);
        queue.push(...edgesOf(node.pkg.dependencies));
        const optional = tableAt(node.pkg, 'optional-dependencies');
        for (const extra of edge.extras) queue.push(...edgesOf(optional?.[extra]));
      }
    }
  };

  const runtime = new Map<number, string | undefined>();
  const dev = new Map<number, string | undefined>();
  const direct = new Set<string>();
  for (const root of roots) {
    const main = edgesOf(root.pkg.dependencies);
    const optional = Object.values(tableAt(root.pkg, 'optional-dependencies') ?? {}).flatMap(edgesOf);
    for (const e of [...main, ...optional]) direct.add(e.name);
    walk([...main, ...optional], runtime, undefined);
  }
  for (const root of roots) {
    for (const [group, list] of Object.entries(tableAt(root.pkg, 'dev-dependencies') ?? {})) {
      const edges = edgesOf(list);
      for (const e of edges) direct.add(e.name);
      walk(edges, dev, group);
    }
  }

  const dependencies: Dependency[] = [];
  for (const node of nodes) {
    if (isRoot(node)) continue;
    const line = lines.nearest(['package', node.index]);
    const isDev = !runtime.has(node.index) && dev.has(node.index);
    const group = isDev ? dev.get(node.index) : undefined;
    const hashes = [
      asString(tableAt(node.pkg, 'sdist')?.hash),
      ...(asArray(node.pkg.wheels) ?? []).map((w) => asString(asTable(w)?.hash)),
    ].filter((h): h is string => h !== undefined);
    const ctx = {
      source: { path, line },
      dev: isDev,
      // Without a root (a lock of a script's inline metadata), every entry may be direct.
      direct: roots.length === 0 || direct.has(normalizeName(node.name)),
      hashes,
      ...(group !== undefined ? { group } : {}),
    };
    const source = tableAt(node.pkg, 'source') ?? {};
    const git = asString(source.git);
    const url = asString(source.url) ?? asString(source.path) ?? asString(source.directory);
    if (git !== undefined) dependencies.push(urlDependency(node.name, pipGitUrl(git), ctx));
    else if (url !== undefined) dependencies.push(urlDependency(node.name, url, ctx));
    else if (node.version === undefined) {
      notes.push(`${path}:${line}: '${node.name}' has no version in the lock; not checked`);
    } else dependencies.push(lockedDependency(node.name, node.version, ctx));
  }
  return { path, format: 'uv-lock', dependencies, notes };
}

/**
 * The workspace members a uv.lock records (the project itself and every member: `editable`,
 * `virtual` or `directory` sources named in `[manifest] members`), with their folders relative to
 * the lock. `parseProject` uses them to let the lock stand for every member's pyproject.toml.
 */
export function uvWorkspaceMembers(text: string, path: string): { name: string; directory: string }[] {
  const { data } = parseTomlDocument(text, path, `lock with ${REGENERATE}`);
  const members = new Set((asArray(tableAt(data, 'manifest')?.members) ?? []).map((m) => normalizeName(String(m))));
  return (asArray(data.package) ?? []).flatMap((item) => {
    const pkg = asTable(item);
    const name = asString(pkg?.name);
    const source = tableAt(pkg, 'source');
    const directory = asString(source?.editable) ?? asString(source?.virtual) ?? asString(source?.directory);
    if (name === undefined || directory === undefined) return [];
    const isMember = members.has(normalizeName(name)) || source?.editable !== undefined || source?.virtual !== undefined;
    return isMember ? [{ name, directory }] : [];
  });
}
