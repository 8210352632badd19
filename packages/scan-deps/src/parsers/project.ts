import { dirname, resolve } from 'node:path';
import { CancelledError, UserError } from '@aisec/core';
import type { Dependency, Manifest, ManifestFormat } from '../dependency';
import type { DiscoveredManifest } from '../discovery/discover';
import { mlmodelEnvironmentFiles } from './mlflow';
import { maxBytesFor, type ParseOptions } from './options';
import { parseManifestFile } from './parse-manifest';
import { normalizeName } from './pep503';
import { readManifestText } from './read-manifest';
import { uvWorkspaceMembers } from './uv-lock';

export interface ProjectOptions extends ParseOptions {
  /** Dev dependencies are checked unless this is false; those left out are listed in `excludedDev`. */
  includeDev?: boolean;
  signal?: AbortSignal;
}

export interface Superseded {
  /** Workspace-relative path of the file whose dependencies are not reported. */
  path: string;
  /** The file reported in its place. */
  by: string;
  reason: string;
}

export interface ProjectDependencies {
  /** Every file parsed, as parsed (superseded ones included). */
  manifests: Manifest[];
  /** What to check: superseded files dropped, duplicates folded, dev left out when asked. */
  dependencies: Dependency[];
  /** Dev dependencies left out because `includeDev` is false. */
  excludedDev: Dependency[];
  superseded: Superseded[];
  notes: string[];
}

const LOCKS: readonly ManifestFormat[] = ['uv-lock', 'poetry-lock', 'pdm-lock', 'pylock'];
/** Files that tools export from their lock, which then repeat its pins. */
const EXPORT_FORMATS: readonly ManifestFormat[] = ['pylock', 'requirements', 'pip-freeze'];
const LOCK_COMMAND: Partial<Record<ManifestFormat, string>> = {
  'uv-lock': '`uv lock`',
  'poetry-lock': '`poetry lock`',
  'pdm-lock': '`pdm lock`',
  pylock: 'the tool that wrote it',
};

/**
 * Parses every discovered file and decides what is reported, so nothing is reported twice:
 *
 * 1. A lock wins over its manifest. When `pyproject.toml` sits beside `uv.lock`, `poetry.lock`,
 *    `pdm.lock` or `pylock*.toml` (or is a member of the uv workspace a `uv.lock` records, in any
 *    folder), the lock's exact versions are reported and the manifest's
 *    declarations are not (they are ranges the lock resolved). The manifest still serves the lock:
 *    entries it declares are marked `direct`; where the lock cannot tell dev from runtime (poetry.lock
 *    lock-version 2.0, pdm.lock groups that may be extras) the manifest's dev groups decide; and a
 *    declared package the lock lacks is noted (the lock is stale).
 *    A `pylock*.toml` or requirements file beside a tool's own lock (usually its export) is reported
 *    only where it differs from that lock.
 * 2. An MLmodel wins over the environment files beside it (python_env.yaml, conda.yaml,
 *    requirements.txt), which it reads itself: MLflow writes the same pins into all three.
 * 3. One declaration is one dependency: the same package at the same file, line and cell reached twice
 *    (a requirements file included by two others, a constraint pinning two requirements) is kept once,
 *    and is dev only if every way of reaching it is.
 * Different files that pin the same package are all reported: each is a place to fix.
 *
 * A notebook found by walking that does not parse becomes a note; any other file that does not parse
 * (and any file named explicitly) fails with its UserError.
 */
export async function parseProject(
  files: readonly (DiscoveredManifest | string)[],
  options: ProjectOptions,
): Promise<ProjectDependencies> {
  const manifests: { manifest: Manifest; absPath: string }[] = [];
  const unreadable: string[] = [];
  for (const file of files) {
    if (options.signal?.aborted) throw new CancelledError();
    const absPath = typeof file === 'string' ? file : file.absPath;
    const format = typeof file === 'string' ? options.format : file.format;
    try {
      const manifest = await parseManifestFile(absPath, { ...options, ...(format !== undefined ? { format } : {}) });
      manifests.push({ manifest, absPath });
    } catch (error) {
      // A notebook found by walking that is not valid JSON (an unresolved merge conflict, a truncated
      // save) is not a dependency file the project relies on: say so and go on. Lockfiles, manifests
      // and anything named explicitly still fail the scan.
      const foundNotebook = typeof file !== 'string' && !file.explicit && file.format === 'notebook';
      if (!foundNotebook || !(error instanceof UserError)) throw error;
      unreadable.push(`${error.format()}; its pip install lines were not checked`);
    }
  }

  const notes = [...unreadable, ...manifests.flatMap(({ manifest }) => manifest.notes)];
  const superseded: Superseded[] = [];
  const dropped = new Set<string>();
  const supersededPaths = new Set<string>();
  const byDir = new Map<string, { manifest: Manifest; absPath: string }[]>();
  for (const m of manifests) byDir.set(dirname(m.absPath), [...(byDir.get(dirname(m.absPath)) ?? []), m]);

  // uv workspaces: one uv.lock at the root stands for every member's pyproject.toml.
  const uvMembers = new Map<string, { lock: Manifest; names: Set<string> }>();
  for (const { manifest, absPath } of manifests) {
    if (manifest.format !== 'uv-lock') continue;
    const members = uvWorkspaceMembers(await readManifestText(absPath, manifest.path, maxBytesFor(options)), manifest.path);
    const names = new Set(members.map((m) => normalizeName(m.name)));
    for (const member of members) uvMembers.set(resolve(dirname(absPath), member.directory), { lock: manifest, names });
  }

  for (const [dir, group] of byDir) {
    const locks = group.filter((m) => LOCKS.includes(m.manifest.format)).map((m) => m.manifest);
    const member = uvMembers.get(dir);
    if (member !== undefined && !locks.includes(member.lock)) locks.push(member.lock);
    const pyproject = group.find((m) => m.manifest.format === 'pyproject')?.manifest;
    if (pyproject !== undefined && locks.length > 0) {
      superseded.push({
        path: pyproject.path,
        by: locks.map((l) => l.path).join(', '),
        reason: 'the lock pins exact versions of what pyproject.toml declares',
      });
      supersededPaths.add(pyproject.path);
      for (const lock of locks) {
        notes.push(...refineLock(lock, pyproject, lock === member?.lock ? member.names : new Set()));
      }
    }
    // A pylock.toml or requirements file beside a tool's own lock is usually its export (`uv export`,
    // `poetry export`, `pdm export`, `pipenv requirements`): pins the same as the tool's lock are reported once, there; pins
    // that differ, and anything unpinned, are still reported where they are.
    const native =
      locks.find((l) => l.format !== 'pylock') ?? group.find((m) => m.manifest.format === 'pipfile-lock')?.manifest;
    const exports = group.filter((m) => EXPORT_FORMATS.includes(m.manifest.format) && m.manifest !== native);
    for (const exported of native === undefined ? [] : exports.map((m) => m.manifest)) {
      const same = new Set(native?.dependencies.map(identity));
      const covered = exported.dependencies.filter((d) => (d.version ?? d.url) !== undefined && same.has(identity(d)));
      for (const d of covered) dropped.add(locationKey(d));
      if (covered.length > 0 && covered.length === exported.dependencies.length) {
        superseded.push({ path: exported.path, by: native?.path ?? '', reason: `every entry is the same as in ${native?.path ?? ''}` });
        supersededPaths.add(exported.path);
      } else if (covered.length > 0) {
        notes.push(`${exported.path}: ${covered.length} of ${exported.dependencies.length} entries are the same as in ${native?.path ?? ''} and are reported there`);
      }
    }
    const mlmodel = group.find((m) => m.manifest.format === 'mlflow-mlmodel');
    if (mlmodel !== undefined) {
      const owned = new Set(mlmodelEnvironmentFiles(mlmodel.absPath));
      for (const m of group) {
        if (!owned.has(m.absPath)) continue;
        superseded.push({ path: m.manifest.path, by: mlmodel.manifest.path, reason: 'read through the MLmodel it belongs to' });
        supersededPaths.add(m.manifest.path);
      }
    }
  }

  const kept = new Map<string, Dependency>();
  for (const { manifest } of manifests) {
    if (supersededPaths.has(manifest.path)) continue;
    for (const dep of manifest.dependencies) {
      const key = locationKey(dep);
      if (dropped.has(key)) continue;
      const seen = kept.get(key);
      if (seen === undefined) kept.set(key, { ...dep });
      else if (seen.dev && !dep.dev) {
        seen.dev = false;
        if (dep.group === undefined) delete seen.group;
        else seen.group = dep.group;
      }
    }
  }
  const all = [...kept.values()];
  const includeDev = options.includeDev ?? true;
  const dependencies = includeDev ? all : all.filter((d) => !d.dev);
  const excludedDev = includeDev ? [] : all.filter((d) => d.dev);
  if (excludedDev.length > 0) {
    const names = [...new Set(excludedDev.map((d) => d.name))];
    notes.push(`${excludedDev.length} dev dependenc${excludedDev.length === 1 ? 'y' : 'ies'} left out (includeDev is false): ${names.join(', ')}`);
  }
  superseded.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { manifests: manifests.map((m) => m.manifest), dependencies, excludedDev, superseded, notes };
}

/** One declaration: the same package at the same place. */
function locationKey(d: Dependency): string {
  const s = d.source;
  return [s.path, s.line, s.member ?? '', d.ecosystem, d.name, d.version ?? '', d.url ?? ''].join('\0');
}

/** The same package at the same version (or URL), wherever declared. */
function identity(d: Dependency): string {
  return [d.ecosystem, d.name, d.version ?? '', d.url ?? ''].join('\0');
}

/** Uses the manifest beside a lock to fill in what the lock does not record; returns notes. */
function refineLock(lock: Manifest, pyproject: Manifest, workspaceMembers: ReadonlySet<string>): string[] {
  const notes: string[] = [];
  // Workspace members depend on each other; the lock lists them as members, not as downloads.
  const declared = pyproject.dependencies.filter((d) => d.ecosystem === 'PyPI' && !workspaceMembers.has(d.name));
  const declaredNames = new Set(declared.map((d) => d.name));
  const runtimeNames = new Set(declared.filter((d) => !d.dev).map((d) => d.name));
  const devGroups = new Set(declared.filter((d) => d.dev && d.group !== undefined).map((d) => d.group));
  let devFromManifest = 0;
  for (const dep of lock.dependencies) {
    // uv.lock's own graph already says what is direct; other locks do not record it.
    if (lock.format !== 'uv-lock') dep.direct = declaredNames.has(dep.name);
    if (lock.format === 'poetry-lock' && dep.group === undefined) {
      // lock-version 2.0: only the manifest knows; direct dev-only declarations are dev.
      if (declaredNames.has(dep.name) && !runtimeNames.has(dep.name)) {
        dep.dev = true;
        devFromManifest++;
      }
    }
    if (lock.format === 'pdm-lock' && dep.group !== undefined) {
      const groups = dep.group.split(',');
      dep.dev = groups.every((g) => devGroups.has(g));
    }
  }
  if (devFromManifest > 0) {
    notes.push(
      `${lock.path}: this lock-version does not record dev-only packages; ${devFromManifest} declared only in dev groups of ${pyproject.path} were marked dev, and what they pull in counts as runtime`,
    );
  }
  // A pylock.toml is an export that may hold only some groups, so a missing name proves nothing there.
  if (lock.format === 'pylock') return notes;
  const locked = new Set(lock.dependencies.map((d) => d.name));
  for (const dep of declared) {
    if (locked.has(dep.name)) continue;
    notes.push(
      `${dep.source.path}:${dep.source.line}: declares ${dep.rawName}, which ${lock.path} does not lock; the lock may be stale (run ${LOCK_COMMAND[lock.format] ?? 'the lock command'})`,
    );
  }
  return notes;
}
