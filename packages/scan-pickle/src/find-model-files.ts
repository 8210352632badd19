import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '@aisec/core';
import { COMPRESSED_MODEL_NAME, MODEL_EXTENSIONS, SNIFF_BYTES, sniffFormat, WALK_BY_MAGIC } from './sniff-format';

export interface FoundModelFile {
  absPath: string;
  /** Named by the user (not found by walking): protocol 0/1 pickles are tried even without an extension. */
  explicit: boolean;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache']);

function head(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Whether a file found by walking is worth opening: a model extension, or model magic bytes. */
export function isModelCandidate(path: string, size: number): boolean {
  if (MODEL_EXTENSIONS.test(path) || COMPRESSED_MODEL_NAME.test(path)) return true;
  if (size < 4) return false;
  const format = sniffFormat(head(path), path, size);
  return WALK_BY_MAGIC.has(format) || format === 'tf-savedmodel' || format === 'onnx';
}

/**
 * Files to scan under `paths` (files or directories, relative to `workspace`): named files always,
 * files found by walking when their extension or first bytes say model. Symbolic links are not followed
 * (a link out of the workspace is not the repository's model). At most `maxFiles`.
 */
export function findModelFiles(paths: string[], workspace: string, maxFiles = 100_000): FoundModelFile[] {
  const out: FoundModelFile[] = [];
  const seen = new Set<string>();
  const push = (absPath: string, explicit: boolean) => {
    if (seen.has(absPath) || out.length >= maxFiles) return;
    seen.add(absPath);
    out.push({ absPath, explicit });
  };
  for (const p of paths) {
    const abs = resolve(workspace, p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new UserError(`cannot read ${p}: no such file or directory`, { file: p, hint: 'pass files or directories that exist, relative to the workspace' });
    }
    if (st.isFile()) push(abs, true);
    else if (st.isDirectory()) walk(abs, push, maxFiles, out);
  }
  return out;
}

function walk(dir: string, push: (p: string, explicit: boolean) => void, maxFiles: number, out: FoundModelFile[]): void {
  const stack = [dir];
  while (stack.length > 0 && out.length < maxFiles) {
    const d = stack.pop() as string;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const e of entries) {
      const full = join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) stack.push(full);
      } else if (e.isFile()) {
        let size = 0;
        try {
          size = statSync(full).size;
          if (isModelCandidate(full, size)) push(full, false);
        } catch {
          // unreadable files are not models we can scan; the walk goes on
        }
      }
    }
  }
  out.sort((a, b) => a.absPath.localeCompare(b.absPath));
}
