import { existsSync } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CancelledError, UserError, workspaceRelative } from '@aisec/core';
import type { ManifestFormat } from '../dependency';
import { formatForFileName } from '../parsers/format';
import { insideWorkspace } from '../parsers/inside-workspace';
import { GitignoreStack } from './gitignore';

export interface DiscoverOptions {
  /** Absolute workspace root; relative paths resolve against it and results are relative to it. */
  workspace: string;
  /** Accepted for symmetry with `parseProject`, which is where dev dependencies are left out. */
  includeDev?: boolean;
  /** Walk into files and folders that `.gitignore` excludes (default: respect `.gitignore`). */
  ignoreGitignore?: boolean;
  /** Stop after this many files (default 10,000) and say so in a note. */
  maxFiles?: number;
  /** Deepest folder level walked below a given path (default 32). */
  maxDepth?: number;
  signal?: AbortSignal;
}

export interface DiscoveredManifest {
  absPath: string;
  /** Workspace-relative, forward slashes. */
  path: string;
  format: ManifestFormat;
  /** Named on the command line rather than found by walking. */
  explicit: boolean;
}

export interface Discovery {
  files: DiscoveredManifest[];
  notes: string[];
}

/**
 * Folders never walked: version control, dependency trees and caches (which hold other projects'
 * manifests, not this one's), and notebook checkpoints (copies of the notebooks beside them).
 * Virtual environments and conda environments are recognized by their marker files, whatever their name.
 */
const SKIPPED_DIRECTORIES = new Set([
  '.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', '.nox', '.mypy_cache',
  '.pytest_cache', '.ruff_cache', 'site-packages', '.ipynb_checkpoints', '.eggs', '.direnv', '.pixi',
]);
const ENVIRONMENT_MARKERS = ['pyvenv.cfg', 'conda-meta'];

/**
 * Finds dependency files under `paths` by the names their tools give them (see `formatForFileName`),
 * respecting `.gitignore` (from the workspace root down), skipping VCS folders, node_modules, virtual
 * environments and caches, and not following symbolic links to folders. A path that names a file is
 * taken as is, whatever its name (`.txt`/`.in` files are read as requirements).
 */
export async function discoverManifests(paths: readonly string[], options: DiscoverOptions): Promise<Discovery> {
  const maxFiles = options.maxFiles ?? 10_000;
  const maxDepth = options.maxDepth ?? 32;
  const found = new Map<string, DiscoveredManifest>();
  const notes: string[] = [];
  let limitNoted = false;

  const add = (absPath: string, format: ManifestFormat, explicit: boolean): void => {
    if (found.has(absPath)) return;
    if (found.size >= maxFiles) {
      if (!limitNoted) notes.push(`stopped after ${maxFiles} dependency files; name the folders to scan to narrow it down`);
      limitNoted = true;
      return;
    }
    found.set(absPath, { absPath, path: workspaceRelative(options.workspace, absPath), format, explicit });
  };

  // Files that declare dependencies in a form we do not read: say so rather than stay silent.
  const noteUnreadDeclarations = (dir: string, names: string[]): void => {
    const has = (n: string): boolean => names.includes(n);
    const shown = (n: string): string => workspaceRelative(options.workspace, join(dir, n));
    if (has('Pipfile') && !has('Pipfile.lock')) {
      notes.push(`${shown('Pipfile')}: not read (it holds ranges); run \`pipenv lock\` and commit Pipfile.lock so exact versions can be checked`);
    }
    const declared = names.some((n) => formatForFileName(join(dir, n)) !== undefined);
    for (const script of ['setup.py', 'setup.cfg']) {
      if (has(script) && !declared) {
        notes.push(`${shown(script)}: not read (install_requires there is build-backend input, not a list of installed versions); add a lock or requirements file to have these dependencies checked`);
      }
    }
  };

  const walk = async (dir: string, depth: number, rules: GitignoreStack): Promise<void> => {
    if (options.signal?.aborted) throw new CancelledError();
    const here = options.ignoreGitignore ? rules : await rules.enter(dir);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      notes.push(`${workspaceRelative(options.workspace, dir)}: cannot be listed (${error instanceof Error ? error.message : String(error)}); skipped`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    noteUnreadDeclarations(dir, entries.filter((e) => e.isFile() && !here.ignores(join(dir, e.name), false)).map((e) => e.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRECTORIES.has(entry.name)) continue;
        if (ENVIRONMENT_MARKERS.some((m) => existsSync(join(full, m)))) continue;
        if (here.ignores(full, true)) continue;
        if (depth + 1 > maxDepth) {
          notes.push(`${workspaceRelative(options.workspace, full)}: deeper than ${maxDepth} folders; not walked`);
          continue;
        }
        await walk(full, depth + 1, here);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        const format = formatForFileName(full);
        if (format === undefined || here.ignores(full, false)) continue;
        // A link to a file is read like the file; a link to a folder is never walked (loops).
        if (entry.isSymbolicLink()) {
          const isFile = await stat(full).then((s) => s.isFile(), () => false);
          if (!isFile) continue;
          if (!insideWorkspace(options.workspace, full)) {
            notes.push(`${workspaceRelative(options.workspace, full)}: links outside the workspace; not read`);
            continue;
          }
        }
        add(full, format, false);
      }
    }
  };

  for (const given of paths) {
    const abs = isAbsolute(given) ? given : resolve(options.workspace, given);
    const info = await lstat(abs).catch(() => undefined);
    const shown = workspaceRelative(options.workspace, abs);
    if (info === undefined) {
      throw new UserError('does not exist', { file: shown, hint: 'name a folder or dependency file inside the workspace' });
    }
    const target = info.isSymbolicLink() ? await stat(abs).catch(() => undefined) : info;
    if (target?.isDirectory()) {
      await walk(abs, 0, await ancestorRules(abs, options));
    } else if (target?.isFile()) {
      const format = formatForFileName(abs) ?? (['.txt', '.in'].includes(extname(abs)) ? 'requirements' : undefined);
      if (format === undefined) {
        throw new UserError('cannot tell what kind of dependency file this is from its name', {
          file: shown,
          hint: 'name requirements files *.txt, or give the name its tool writes (pyproject.toml, poetry.lock, uv.lock, environment.yml, MLmodel, *.ipynb...)',
        });
      }
      add(abs, format, true);
    } else {
      throw new UserError('neither a file nor a folder', { file: shown });
    }
  }
  const files = [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, notes };
}

/** The `.gitignore` files between the workspace root and `dir` (exclusive), which apply inside `dir` too. */
async function ancestorRules(dir: string, options: DiscoverOptions): Promise<GitignoreStack> {
  let rules = GitignoreStack.empty();
  if (options.ignoreGitignore) return rules;
  const workspace = resolve(options.workspace);
  const rel = relative(workspace, dir);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return rules;
  const chain: string[] = [];
  for (let d = dirname(dir); ; d = dirname(d)) {
    chain.unshift(d);
    if (d === workspace || d === dirname(d) || !d.startsWith(workspace + sep)) break;
  }
  for (const d of chain) rules = await rules.enter(d);
  return rules;
}
