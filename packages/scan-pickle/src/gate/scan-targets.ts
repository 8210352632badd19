import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError, workspaceRelative } from '@aisec/core';
import picomatch from 'picomatch';
import { isCodeFile } from '../code/index';
import { isModelCandidate } from '../find-model-files';

export type TargetKind = 'model' | 'code';

export interface ScanTarget {
  absPath: string;
  kind: TargetKind;
  /** Named by the user rather than found by walking: scanned whatever its name or first bytes. */
  explicit: boolean;
  size: number;
}

export interface TargetQuery {
  /** Absolute files or directories. */
  paths: string[];
  workspace: string;
  models: boolean;
  code: boolean;
  /** Globs on workspace-relative paths; they prune the walk, never a file the user named. */
  exclude: string[];
  maxFiles: number;
}

export interface TargetList {
  targets: ScanTarget[];
  /** Files and directories the exclude globs removed from the walk. */
  excluded: number;
  /** Files found past `maxFiles`, left unscanned. */
  overflow: number;
}

/**
 * Directories no repository's own models live in: version control, dependency trees and caches. A model
 * vendored there is a dependency's, and walking them would dwarf the scan.
 */
const SKIP_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', '.ipynb_checkpoints']);

/**
 * Exclude globs as .gitignore users expect them: a pattern with a slash matches the workspace-relative path
 * (`vendor/**`, `tests/fixtures/*.pt`), one without matches the name at any depth (`*.ckpt`, `wandb`).
 */
function excludeMatcher(globs: string[], workspace: string): (abs: string) => boolean {
  const withSlash = globs.filter((g) => g.includes('/'));
  const bare = globs.filter((g) => !g.includes('/'));
  const byPath = withSlash.length ? picomatch(withSlash, { dot: true }) : undefined;
  const byName = bare.length ? picomatch(bare, { dot: true }) : undefined;
  return (abs) => {
    const rel = workspaceRelative(workspace, abs);
    return (byPath?.(rel) ?? false) || (byName?.(rel.slice(rel.lastIndexOf('/') + 1)) ?? false);
  };
}

/**
 * One walk for both halves of the gate: a `.py`/`.ipynb` goes to the code scanner, anything else whose
 * extension or first bytes say model (isModelCandidate, the model analyzer's own test) to the model
 * scanner. Symbolic links are not followed: a link out of the workspace is not the repository's file.
 * Order is sorted, so reports and fingerprints are stable.
 */
export function findScanTargets(query: TargetQuery): TargetList {
  const isExcluded = excludeMatcher(query.exclude, query.workspace);
  const found = new Map<string, ScanTarget>();
  let excluded = 0;
  let overflow = 0;
  const add = (target: ScanTarget) => {
    if (found.has(target.absPath)) return;
    if (found.size >= query.maxFiles) overflow++;
    else found.set(target.absPath, target);
  };
  const classify = (absPath: string, size: number, explicit: boolean): TargetKind | undefined => {
    if (isCodeFile(absPath)) return query.code ? 'code' : undefined;
    if (!query.models) return undefined;
    return explicit || isModelCandidate(absPath, size) ? 'model' : undefined;
  };

  for (const given of query.paths) {
    const abs = resolve(query.workspace, given);
    const shown = workspaceRelative(query.workspace, abs);
    let info;
    try {
      info = statSync(abs);
    } catch {
      throw new UserError(`cannot scan ${shown}: no such file or directory`, { file: shown, hint: 'pass files or directories that exist, relative to the working directory' });
    }
    if (info.isFile()) {
      const kind = classify(abs, info.size, true);
      if (kind) add({ absPath: abs, kind, explicit: true, size: info.size });
      continue;
    }
    if (!info.isDirectory()) throw new UserError(`cannot scan ${shown}: not a regular file or directory`, { file: shown });
    const stack = [abs];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        // An unreadable directory below the one named: the rest of the walk goes on.
        continue;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (SKIP_DIRS.has(entry.name)) continue;
          if (isExcluded(full)) excluded++;
          else stack.push(full);
        } else if (entry.isFile()) {
          if (isExcluded(full)) {
            excluded++;
            continue;
          }
          let size;
          try {
            size = statSync(full).size;
          } catch {
            continue;
          }
          let kind: TargetKind | undefined;
          try {
            kind = classify(full, size, false);
          } catch {
            // A file that vanished or cannot be opened between listing and sniffing is not a model we can read.
            continue;
          }
          if (kind) add({ absPath: full, kind, explicit: false, size });
        }
      }
    }
  }
  const targets = [...found.values()].sort((a, b) => (a.absPath < b.absPath ? -1 : a.absPath > b.absPath ? 1 : 0));
  return { targets, excluded, overflow };
}
