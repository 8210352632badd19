import { join, resolve } from 'node:path';
import { DEFAULT_LIMITS, type GateContext, workspaceRelative } from '@aisec/core';
import { type DvcDirEntry, dvcDirHash } from './dvc-hash';
import { hashFile } from './file-hash';
import { walkFiles } from './sha256-manifest';

/** DVC hashes every file of a tracked folder except inside `.git` and `.dvc`. */
export const skipDvcInternals = (name: string): boolean => name === '.git' || name === '.dvc';

/** `{path: {sha256, size}}`, paths relative to the root with `/`, in sorted order: the JSON form verifySha256Manifest reads. */
export type Sha256Manifest = Record<string, { sha256: string; size: number }>;

/**
 * Records the sha256 and size of every file under the given folders or files (relative to `root`;
 * hidden names skipped), for a trusted dataset whose later copies are then verified against it.
 */
export async function buildSha256Manifest(
  root: string,
  paths: readonly string[],
  ctx: Partial<Pick<GateContext, 'workspace' | 'limits' | 'signal'>> = {},
): Promise<Sha256Manifest> {
  const workspace = ctx.workspace ?? process.cwd();
  const limits = ctx.limits ?? DEFAULT_LIMITS;
  const base = resolve(workspace, root);
  const files = new Set<string>();
  for (const p of paths) {
    const rel = workspaceRelative(base, resolve(base, p));
    const under = walkFiles(join(base, rel), limits.maxEntries);
    if (under.length === 0) files.add(rel);
    for (const f of under) files.add(rel === '.' ? f : `${rel}/${f}`);
  }
  const manifest: Sha256Manifest = {};
  for (const rel of [...files].sort()) {
    const d = await hashFile(join(base, rel), 'sha256', { limits, displayPath: rel, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    manifest[rel] = { sha256: d.hex, size: d.size };
  }
  return manifest;
}

/** What `dvc add <folder>` would record for a folder (DVC 3.x): the .dir hash, total size, file count. */
export async function dvcDirectoryOut(
  folder: string,
  ctx: Partial<Pick<GateContext, 'workspace' | 'limits' | 'signal'>> = {},
): Promise<{ md5: string; size: number; nfiles: number; entries: DvcDirEntry[] }> {
  const limits = ctx.limits ?? DEFAULT_LIMITS;
  const dir = resolve(ctx.workspace ?? process.cwd(), folder);
  const entries: DvcDirEntry[] = [];
  let size = 0;
  for (const rel of walkFiles(dir, limits.maxEntries, skipDvcInternals)) {
    const d = await hashFile(join(dir, rel), 'md5', { limits, displayPath: rel, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    entries.push({ md5: d.hex, relpath: rel });
    size += d.size;
  }
  return { md5: dvcDirHash(entries), size, nfiles: entries.length, entries };
}
