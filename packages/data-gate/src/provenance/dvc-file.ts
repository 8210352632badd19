import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { DEFAULT_LIMITS, type Finding, type GateContext, type Limits, UserError, workspaceRelative } from '@aisec/core';
import { parseDocument } from 'yaml';
import { RULE_DVC_DIR_MISMATCH, RULE_HASH_MISMATCH, RULE_TRACKED_FILE_MISSING, RULE_UNTRACKED_FILE } from '../contract/input-rules';
import { type DvcDirEntry, dvcDirHash, isDvcTextFile } from './dvc-hash';
import { skipDvcInternals } from './build-manifest';
import { hashFile } from './file-hash';
import { walkFiles } from './sha256-manifest';
import type { ProvenanceCheck, ProvenanceResult } from './provenance-result';

/** One `outs:` entry of a `.dvc` file, or a hashed output or dependency of a `dvc.lock` stage. */
export interface DvcOut {
  path: string;
  md5: string;
  size?: number;
  nfiles?: number;
  /** `md5` for DVC 3.x; absent in DVC 2.x files, which hash text files with md5-dos2unix. */
  hash?: string;
  /** 1-based line of the entry's `md5:` key in the .dvc file. */
  line?: number;
  /** The dvc.lock stage it belongs to (absent for .dvc files). */
  stage?: string;
}

const MD5 = /^[0-9a-f]{32}(\.dir)?$/;

export function parseDvcFile(text: string, displayPath: string): DvcOut[] {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new UserError(`not valid YAML: ${(e?.message ?? 'parse error').split('\n')[0]}`, { file: displayPath, ...(e?.linePos?.[0] ? { line: e.linePos[0].line } : {}) });
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const top = (data ?? {}) as { outs?: unknown; stages?: unknown };
  const lines = text.split(/\r?\n/);
  const entries: { raw: unknown; key: string; stage?: string }[] = [];
  if (Array.isArray(top.outs)) {
    top.outs.forEach((raw: unknown, i) => entries.push({ raw, key: `outs[${i}]` }));
  } else if (typeof top.stages === 'object' && top.stages !== null) {
    // dvc.lock: every stage's outputs, and its dependencies that carry a hash (data, not params).
    for (const [stage, body] of Object.entries(top.stages as Record<string, unknown>)) {
      const b = (body ?? {}) as { outs?: unknown; deps?: unknown };
      if (Array.isArray(b.deps)) b.deps.forEach((raw: unknown, i) => entries.push({ raw, key: `stages.${stage}.deps[${i}]`, stage }));
      if (Array.isArray(b.outs)) b.outs.forEach((raw: unknown, i) => entries.push({ raw, key: `stages.${stage}.outs[${i}]`, stage }));
    }
  }
  if (entries.length === 0) {
    throw new UserError('a .dvc file needs an `outs:` list (or a dvc.lock `stages:` map)', { file: displayPath, hint: 'this file was not written by `dvc add` or `dvc repro`' });
  }
  const seen = new Set<string>();
  const outs: DvcOut[] = [];
  for (const { raw, key, stage } of entries) {
    const r = (raw ?? {}) as Record<string, unknown>;
    if (stage !== undefined && r.md5 === undefined) continue; // a dependency DVC does not hash
    if (typeof r.path !== 'string' || typeof r.md5 !== 'string' || !MD5.test(r.md5)) {
      throw new UserError(`${key} needs a path and an md5 (32 hex digits, .dir for folders)`, { file: displayPath, key });
    }
    if (seen.has(`${r.path}\u0000${r.md5}`)) continue; // one stage's output is the next one's dependency
    seen.add(`${r.path}\u0000${r.md5}`);
    const out: DvcOut = { path: r.path, md5: r.md5 };
    if (typeof r.size === 'number') out.size = r.size;
    if (typeof r.nfiles === 'number') out.nfiles = r.nfiles;
    if (typeof r.hash === 'string') out.hash = r.hash;
    if (stage !== undefined) out.stage = stage;
    const line = lines.findIndex((l) => l.includes(r.md5 as string));
    if (line >= 0) out.line = line + 1;
    outs.push(out);
  }
  return outs;
}

/** Whether `path` exists and resolves (through symlinks) outside `root`. */
function linksOutOf(root: string, path: string): boolean {
  try {
    const realRoot = realpathSync(root);
    const real = realpathSync(path);
    return real !== realRoot && !real.startsWith(`${realRoot}${sep}`);
  } catch {
    return false;
  }
}

/** The md5 DVC records for one file: raw bytes (3.x) or md5-dos2unix for text files (2.x). */
async function dvcFileMd5(path: string, legacy: boolean, limits: Limits, displayPath: string, signal?: AbortSignal): Promise<{ md5: string; size: number; algorithm: ProvenanceCheck['algorithm'] }> {
  const dos2unix = legacy && (await isDvcTextFile(path));
  const d = await hashFile(path, 'md5', { limits, displayPath, dos2unix, ...(signal ? { signal } : {}) });
  return { md5: d.hex, size: d.size, algorithm: dos2unix ? 'md5-dos2unix' : 'md5' };
}

/** The `.dir` listing from DVC's cache, when the repository has it (for per-file diagnosis). */
function cachedListing(dvcFile: string, dirMd5: string, legacy: boolean): DvcDirEntry[] | undefined {
  const hex = dirMd5.replace(/\.dir$/, '');
  for (let d = dirname(dvcFile); ; d = dirname(d)) {
    const cache = join(d, '.dvc', 'cache');
    if (existsSync(cache)) {
      const candidates = legacy ? [join(cache, hex.slice(0, 2), `${hex.slice(2)}.dir`)] : [join(cache, 'files', 'md5', hex.slice(0, 2), `${hex.slice(2)}.dir`), join(cache, hex.slice(0, 2), `${hex.slice(2)}.dir`)];
      for (const c of candidates) {
        try {
          const parsed = JSON.parse(readFileSync(c, 'utf8')) as unknown;
          if (Array.isArray(parsed) && parsed.every((x) => typeof x?.md5 === 'string' && typeof x?.relpath === 'string')) return parsed as DvcDirEntry[];
        } catch {
          // not in this cache
        }
      }
      return undefined;
    }
    if (dirname(d) === d) return undefined;
  }
}

/**
 * Checks every output of a `.dvc` file against the workspace: a file's md5 and size, a folder's
 * directory hash, size and file count, exactly as `dvc status` would see them. With DVC's cache at
 * hand, a changed folder is also broken down into the files that changed, went missing or appeared.
 */
export async function verifyDvcFile(
  dvcPath: string,
  ctx: Partial<Pick<GateContext, 'workspace' | 'limits' | 'signal'>> = {},
): Promise<ProvenanceResult> {
  const workspace = ctx.workspace ?? process.cwd();
  const limits = ctx.limits ?? DEFAULT_LIMITS;
  const abs = resolve(workspace, dvcPath);
  const shownDvc = workspaceRelative(workspace, abs);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read ${shownDvc}: ${(error as Error).message}`, { file: shownDvc, cause: error });
  }
  const checks: ProvenanceCheck[] = [];
  const findings: Finding[] = [];
  const at = (line?: number): { path: string; line?: number } => ({ path: shownDvc, ...(line === undefined ? {} : { line }) });
  for (const out of parseDvcFile(text, shownDvc)) {
    const target = resolve(dirname(abs), out.path);
    const shown = workspaceRelative(workspace, target);
    // A .dvc file from a pull request must not make the gate hash (and print hashes of) files
    // outside the checkout.
    if (isAbsolute(shown) || linksOutOf(workspace, target)) {
      throw new UserError(`${shownDvc} tracks ${out.path}, which is outside the workspace`, {
        file: shownDvc,
        ...(out.line === undefined ? {} : { line: out.line }),
        hint: 'external DVC outputs are not verified; track data inside the repository',
      });
    }
    const legacy = out.hash === undefined;
    let st;
    try {
      st = statSync(target);
    } catch {
      st = undefined;
    }
    if (!st) {
      checks.push({ path: shown, status: 'missing', algorithm: 'md5', expected: out.md5 });
      findings.push({
        ruleId: RULE_TRACKED_FILE_MISSING,
        severity: 'critical',
        message: `${shown}, tracked by ${shownDvc}, is missing`,
        location: at(out.line),
        evidence: `missing ${out.path}`,
        help: 'Run `dvc pull` (or `dvc checkout`) to restore it, or remove the .dvc file in a reviewed change.',
      });
      continue;
    }
    if (!out.md5.endsWith('.dir')) {
      const got = await dvcFileMd5(target, legacy, limits, shown, ctx.signal);
      const ok = got.md5 === out.md5 && (out.size === undefined || out.size === got.size);
      checks.push({ path: shown, status: ok ? 'ok' : 'mismatch', algorithm: got.algorithm, expected: out.md5, actual: got.md5, size: got.size, ...(out.size === undefined ? {} : { expectedSize: out.size }) });
      if (!ok) {
        findings.push({
          ruleId: RULE_HASH_MISMATCH,
          severity: 'critical',
          message: `${shown} does not match ${shownDvc}: md5 ${got.md5} (recorded ${out.md5}), ${got.size} bytes${out.size === undefined ? '' : ` (recorded ${out.size})`}`,
          location: { path: shown },
          evidence: `md5 ${out.md5} -> ${got.md5}`,
          properties: { dvc_file: shownDvc, expected_md5: out.md5, actual_md5: got.md5, algorithm: got.algorithm },
        });
      }
      continue;
    }
    if (!st.isDirectory()) {
      throw new UserError(`${shownDvc} tracks ${out.path} as a folder (md5 ends in .dir) but it is a file`, { file: shownDvc, ...(out.line ? { line: out.line } : {}) });
    }
    const entries: DvcDirEntry[] = [];
    const sizes = new Map<string, number>();
    let size = 0;
    for (const rel of walkFiles(target, limits.maxEntries, skipDvcInternals)) {
      const got = await dvcFileMd5(join(target, rel), legacy, limits, `${shown}/${rel}`, ctx.signal);
      entries.push({ md5: got.md5, relpath: rel });
      sizes.set(rel, got.size);
      size += got.size;
    }
    const dirMd5 = dvcDirHash(entries);
    const ok = dirMd5 === out.md5 && (out.size === undefined || out.size === size) && (out.nfiles === undefined || out.nfiles === entries.length);
    checks.push({ path: shown, status: ok ? 'ok' : 'mismatch', algorithm: legacy ? 'md5-dos2unix' : 'md5', expected: out.md5, actual: dirMd5, size, ...(out.size === undefined ? {} : { expectedSize: out.size }) });
    if (ok) continue;
    findings.push({
      ruleId: RULE_DVC_DIR_MISMATCH,
      severity: 'critical',
      message: `${shown} does not match ${shownDvc}: directory hash ${dirMd5} (recorded ${out.md5}), ${entries.length} files / ${size} bytes (recorded ${out.nfiles ?? '?'} / ${out.size ?? '?'})`,
      location: at(out.line),
      evidence: `dir ${out.path} ${out.md5} -> ${dirMd5}`,
      properties: { expected_md5: out.md5, actual_md5: dirMd5, nfiles: entries.length, size, ...(out.nfiles === undefined ? {} : { expected_nfiles: out.nfiles }), ...(out.size === undefined ? {} : { expected_size: out.size }) },
    });
    const recorded = cachedListing(abs, out.md5, legacy);
    if (!recorded) continue;
    const now = new Map(entries.map((e) => [e.relpath, e.md5]));
    const before = new Map(recorded.map((e) => [e.relpath, e.md5]));
    for (const [rel, md5] of before) {
      const fileShown = `${shown}/${rel}`;
      const cur = now.get(rel);
      if (cur === undefined) {
        findings.push({ ruleId: RULE_TRACKED_FILE_MISSING, severity: 'critical', message: `${fileShown}, tracked by ${shownDvc}, is missing`, location: at(out.line), evidence: `missing ${out.path}/${rel}` });
      } else if (cur !== md5) {
        findings.push({ ruleId: RULE_HASH_MISMATCH, severity: 'critical', message: `${fileShown} does not match ${shownDvc}: md5 ${cur} (recorded ${md5})`, location: { path: fileShown }, evidence: `md5 ${md5} -> ${cur}`, properties: { dvc_file: shownDvc, expected_md5: md5, actual_md5: cur } });
      }
    }
    for (const rel of now.keys()) {
      if (!before.has(rel)) {
        findings.push({ ruleId: RULE_UNTRACKED_FILE, severity: 'high', message: `${shown}/${rel} is not in the folder ${shownDvc} recorded`, location: { path: `${shown}/${rel}` }, evidence: `untracked ${out.path}/${rel}`, properties: { dvc_file: shownDvc, size: sizes.get(rel) ?? 0 } });
      }
    }
  }
  return { checks, findings };
}
