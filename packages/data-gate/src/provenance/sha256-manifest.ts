import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, posix, resolve, sep } from 'node:path';
import { DEFAULT_LIMITS, type Finding, type GateContext, UserError, workspaceRelative } from '@aisec/core';
import { RULE_HASH_MISMATCH, RULE_TRACKED_FILE_MISSING, RULE_UNTRACKED_FILE } from '../contract/input-rules';
import { hashFile } from './file-hash';
import type { ProvenanceCheck, ProvenanceResult } from './provenance-result';

/**
 * sha256 manifests in the two forms people write:
 * - JSON: `{"path": {"sha256": "<hex>", "size": n}}`, `{"path": "<hex>"}`, or
 *   `[{"path": ..., "sha256": ..., "size"?: n}]`;
 * - `sha256sum` output: `<hex>  path` (text mode) or `<hex> *path` (binary mode), `#` comments.
 * Paths are relative to the manifest's root (its own folder unless told otherwise), with `/`.
 */
export interface ManifestEntry {
  path: string;
  sha256: string;
  size?: number;
  /** 1-based line in the manifest, where known. */
  line?: number;
}

const HEX64 = /^[0-9a-f]{64}$/i;

export function parseSha256Manifest(text: string, displayPath: string): ManifestEntry[] {
  const trimmed = text.trimStart();
  const entries = trimmed.startsWith('{') || trimmed.startsWith('[') ? parseJsonManifest(text, displayPath) : parseSumManifest(text, displayPath);
  const seen = new Set<string>();
  for (const e of entries) {
    const where = e.line === undefined ? {} : { line: e.line };
    if (!HEX64.test(e.sha256)) {
      throw new UserError(`manifest entry for '${e.path}' has no valid sha256 (64 hex digits)`, { file: displayPath, ...where, key: e.path });
    }
    const norm = posix.normalize(e.path.replaceAll('\\', '/'));
    if (norm.startsWith('../') || norm === '..' || posix.isAbsolute(norm)) {
      throw new UserError(`manifest path '${e.path}' leaves the manifest root`, {
        file: displayPath,
        ...where,
        hint: 'list paths relative to the dataset root, without ..',
      });
    }
    if (seen.has(norm)) throw new UserError(`manifest lists '${e.path}' twice`, { file: displayPath, ...where });
    seen.add(norm);
    e.path = norm;
    e.sha256 = e.sha256.toLowerCase();
  }
  return entries;
}

function parseJsonManifest(text: string, displayPath: string): ManifestEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`manifest is not valid JSON: ${(error as Error).message}`, { file: displayPath, cause: error });
  }
  const bad = (what: string): never => {
    throw new UserError(`manifest ${what}`, {
      file: displayPath,
      hint: 'use {"path": {"sha256": "<hex>", "size": n}}, {"path": "<hex>"}, [{"path", "sha256"}], or sha256sum output',
    });
  };
  if (Array.isArray(data)) {
    return data.map((item: unknown, i) => {
      if (typeof item !== 'object' || item === null) return bad(`item ${i} is not an object`);
      const { path, sha256, size } = item as Record<string, unknown>;
      if (typeof path !== 'string' || typeof sha256 !== 'string') return bad(`item ${i} needs string "path" and "sha256"`);
      return typeof size === 'number' ? { path, sha256, size } : { path, sha256 };
    });
  }
  if (typeof data !== 'object' || data === null) return bad('must be a JSON object or array');
  return Object.entries(data as Record<string, unknown>).map(([path, v]) => {
    if (typeof v === 'string') return { path, sha256: v };
    if (typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).sha256 === 'string') {
      const { sha256, size } = v as { sha256: string; size?: unknown };
      return typeof size === 'number' ? { path, sha256, size } : { path, sha256 };
    }
    return bad(`entry '${path}' needs a sha256`);
  });
}

function parseSumManifest(text: string, displayPath: string): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    const m = /^\\?([0-9a-fA-F]{64}) [ *](.+)$/.exec(raw);
    if (!m) {
      throw new UserError(`line ${i + 1} is not '<sha256>  <path>'`, {
        file: displayPath,
        line: i + 1,
        hint: 'write the manifest with `sha256sum FILES > manifest` or as JSON',
      });
    }
    out.push({ sha256: m[1] as string, path: m[2] as string, line: i + 1 });
  }
  return out;
}

export interface VerifyManifestOptions {
  /** Folder the manifest paths are relative to; default the manifest's folder. */
  root?: string;
  /**
   * Report files that the manifest does not list, in every folder that holds a listed file
   * (recursively; names starting with `.` and the manifest itself are skipped). Default true.
   */
  checkExtra?: boolean;
}

export async function verifySha256Manifest(
  manifestPath: string,
  options: VerifyManifestOptions = {},
  ctx: Partial<Pick<GateContext, 'workspace' | 'limits' | 'signal'>> = {},
): Promise<ProvenanceResult> {
  const workspace = ctx.workspace ?? process.cwd();
  const limits = ctx.limits ?? DEFAULT_LIMITS;
  const abs = resolve(workspace, manifestPath);
  const shownManifest = workspaceRelative(workspace, abs);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read manifest ${shownManifest}: ${(error as Error).message}`, { file: shownManifest, cause: error });
  }
  const entries = parseSha256Manifest(text, shownManifest);
  const root = options.root === undefined ? dirname(abs) : resolve(workspace, options.root);
  const checks: ProvenanceCheck[] = [];
  const findings: Finding[] = [];
  let realRoot = root;
  try {
    realRoot = realpathSync(root);
  } catch {
    // a missing root: every entry is reported missing below
  }
  for (const e of entries) {
    const file = join(root, e.path);
    const shown = workspaceRelative(workspace, file);
    let isFile = false;
    let escapes = false;
    try {
      isFile = statSync(file).isFile();
      // A symlink out of the dataset (to a secret, say) is neither hashed nor printed.
      const real = realpathSync(file);
      escapes = real !== realRoot && !real.startsWith(`${realRoot}${sep}`);
    } catch {
      isFile = false;
    }
    if (isFile && escapes) {
      checks.push({ path: shown, status: 'mismatch', algorithm: 'sha256', expected: e.sha256 });
      findings.push({
        ruleId: RULE_HASH_MISMATCH,
        severity: 'critical',
        message: `${shown} is a link to a file outside the dataset root; it was not hashed`,
        location: { path: shown },
        evidence: `symlink ${e.path}`,
        properties: { manifest: shownManifest },
      });
      continue;
    }
    if (!isFile) {
      checks.push({ path: shown, status: 'missing', algorithm: 'sha256', expected: e.sha256 });
      findings.push({
        ruleId: RULE_TRACKED_FILE_MISSING,
        severity: 'critical',
        message: `${shown} is listed in ${shownManifest} but missing`,
        location: { path: shownManifest, ...(e.line === undefined ? {} : { line: e.line }) },
        evidence: `missing ${e.path}`,
        properties: { file: shown, expected_sha256: e.sha256 },
      });
      continue;
    }
    const digest = await hashFile(file, 'sha256', { limits, displayPath: shown, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const sizeDiffers = e.size !== undefined && e.size !== digest.size;
    const ok = digest.hex === e.sha256 && !sizeDiffers;
    const check: ProvenanceCheck = { path: shown, status: ok ? 'ok' : 'mismatch', algorithm: 'sha256', expected: e.sha256, actual: digest.hex, size: digest.size };
    if (e.size !== undefined) check.expectedSize = e.size;
    checks.push(check);
    if (!ok) {
      findings.push({
        ruleId: RULE_HASH_MISMATCH,
        severity: 'critical',
        message: `${shown} does not match ${shownManifest}: sha256 ${digest.hex.slice(0, 12)}… (recorded ${e.sha256.slice(0, 12)}…)${sizeDiffers ? `, ${digest.size} bytes (recorded ${e.size})` : ''}`,
        location: { path: shown },
        evidence: `sha256 ${e.sha256} -> ${digest.hex}`,
        properties: { manifest: shownManifest, expected_sha256: e.sha256, actual_sha256: digest.hex, size: digest.size, ...(e.size === undefined ? {} : { expected_size: e.size }) },
      });
    }
  }
  if (options.checkExtra ?? true) {
    const listed = new Set(entries.map((e) => e.path));
    const dirs = new Set(entries.map((e) => posix.dirname(e.path)));
    // Only the outermost listed folders: their subfolders are walked anyway.
    const tops = [...dirs].filter((d) => ![...dirs].some((o) => o !== d && (o === '.' || d.startsWith(`${o}/`))));
    const manifestRel = posix.normalize(workspaceRelative(root, abs));
    for (const top of tops.sort()) {
      for (const rel of walkFiles(join(root, top), limits.maxEntries)) {
        const path = top === '.' ? rel : `${top}/${rel}`;
        if (listed.has(path) || path === manifestRel) continue;
        const shown = workspaceRelative(workspace, join(root, path));
        checks.push({ path: shown, status: 'extra', algorithm: 'sha256' });
        findings.push({
          ruleId: RULE_UNTRACKED_FILE,
          severity: 'high',
          message: `${shown} is in a dataset folder but not in ${shownManifest}`,
          location: { path: shown },
          evidence: `untracked ${path}`,
          properties: { manifest: shownManifest },
        });
      }
    }
  }
  return { checks, findings };
}

/** Names starting with `.` are not data; the default for manifests. */
export const skipHidden = (name: string): boolean => name.startsWith('.');

/** Regular files under `dir`, relative with `/`, sorted (byte order); names `skip` accepts are left out, folders included. */
export function walkFiles(dir: string, maxEntries: number, skip: (name: string) => boolean = skipHidden): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    let entries;
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (skip(e.name)) continue;
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) {
        out.push(r);
        if (out.length > maxEntries) throw new UserError(`${dir} holds more than ${maxEntries} files`, { file: dir, hint: 'raise limits.maxEntries' });
      }
    }
  };
  walk('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
