import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CancelledError, DEFAULT_LIMITS, silentLogger, UserError, type GateContext } from '@aisec/core';
import { findModelFiles, MODEL_RULES, scanModelBytes, scanModels } from '@aisec/scan-pickle';

const ROOT = join(import.meta.dirname, '../fixtures/scan-pickle/models');
const files = ['malicious', 'benign']
  .flatMap((d) => readdirSync(join(ROOT, d), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => `${e.parentPath.slice(ROOT.length + 1)}/${e.name}`))
  .filter((f) => !f.endsWith('zip-bomb.pt'));

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ctx = (workspace: string): GateContext => ({ workspace, logger: silentLogger, limits: { ...DEFAULT_LIMITS }, signal: new AbortController().signal });

describe('hostile and damaged input never crashes the scanner', () => {
  it('every fixture truncated at 16 points and with 16 random byte flips scans without throwing', async () => {
    const rand = rng(42);
    let scans = 0;
    for (const f of files) {
      const bytes = readFileSync(join(ROOT, f));
      for (let i = 1; i <= 16; i++) {
        const cut = Math.floor((bytes.length * i) / 17);
        const r = await scanModelBytes(bytes.subarray(0, cut), { name: f });
        expect(Array.isArray(r.findings)).toBe(true);
        const flipped = Buffer.from(bytes);
        for (let k = 0; k < 1 + Math.floor(rand() * 8); k++) flipped[Math.floor(rand() * flipped.length)] = Math.floor(rand() * 256);
        await scanModelBytes(flipped, { name: f });
        scans += 2;
      }
    }
    expect(scans).toBe(files.length * 32);
  });

  it('a truncated malicious pickle is still caught (what ran before the cut is reported)', async () => {
    const bytes = readFileSync(join(ROOT, 'malicious/global-reduce-p0.pkl'));
    const r = await scanModelBytes(bytes.subarray(0, bytes.length - 1), { name: 'x.pkl' });
    expect(r.findings.map((f) => f.ruleId).sort()).toEqual(['AISEC-PKL-001', 'AISEC-PKL-005']);
  });

  it('a decompression bomb hits the ratio bound', async () => {
    const bytes = readFileSync(join(ROOT, 'malicious/zip-bomb.pt'));
    const r = await scanModelBytes(bytes, { name: 'bomb.pt' });
    expect(r.findings.map((f) => [f.ruleId, f.location.member])).toEqual([['AISEC-PKL-006', 'archive/data.pkl']]);
    expect(r.findings[0]?.message).toMatch(/decompression bound/);
  });

  it('the file-size bound is a finding and nothing is read', async () => {
    const res = await scanModels({ paths: ['malicious/stacked.pkl'] }, { ...ctx(ROOT), limits: { ...DEFAULT_LIMITS, maxFileBytes: 10 } });
    expect(res.findings.map((f) => f.ruleId)).toEqual(['AISEC-PKL-006']);
    expect(res.metrics['model.pickles']).toBe(0);
  });
});

describe('scanModels over the fixture tree', () => {
  it('flags every malicious file, no benign one, with workspace-relative paths and members', async () => {
    const mal = await scanModels({ paths: ['malicious'] }, ctx(ROOT));
    const malFiles = readdirSync(join(ROOT, 'malicious'));
    expect(mal.metrics['files.scanned']).toBe(malFiles.length);
    expect(mal.metrics['files.flagged']).toBe(malFiles.length);
    expect(mal.gate).toBe('scan-pickle');
    expect(mal.rules.every((r) => MODEL_RULES.includes(r))).toBe(true);
    expect(new Set(mal.findings.map((f) => f.fingerprint)).size).toBe(mal.findings.length);
    const zipped = mal.findings.find((f) => f.location.path === 'malicious/zip-in-zip.zip' && f.ruleId === 'AISEC-PKL-001');
    expect(zipped?.location.member).toBe('inner/model.pt/archive/data.pkl');

    const ben = await scanModels({ paths: ['benign'] }, ctx(ROOT));
    const flagged = ben.findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
    expect(flagged.map((f) => `${f.location.path} ${f.ruleId}`)).toEqual([]);
    expect(ben.notes.length).toBeGreaterThan(0);
  });

  it('walks directories by extension and magic bytes, and names a missing path in a UserError', () => {
    const found = findModelFiles(['.'], ROOT).map((f) => f.absPath.slice(ROOT.length + 1));
    expect(found).toContain('benign/state-dict.pt');
    expect(found).not.toContain('generate.py');
    expect(found).not.toContain('manifest.json');
    expect(() => findModelFiles(['nope'], ROOT)).toThrow(UserError);
  });

  it('opens compressed files and archives only when their names say model; other files by magic bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-walk-'));
    try {
      const pickle = Buffer.from([0x80, 4, 0x4e, 0x2e]);
      writeFileSync(join(dir, 'train.csv.gz'), gzipSync('a,b\n1,2\n'));
      writeFileSync(join(dir, 'model.pkl.gz'), gzipSync(pickle));
      writeFileSync(join(dir, 'weights.dat'), pickle);
      writeFileSync(join(dir, 'notes.txt'), 'cos\nsystem\n');
      writeFileSync(join(dir, 'bundle.nemo'), Buffer.alloc(1024));
      expect(findModelFiles(['.'], dir).map((f) => f.absPath.slice(dir.length + 1))).toEqual(['bundle.nemo', 'model.pkl.gz', 'weights.dat']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('unreadable files', () => {
  it('a missing file is a UserError naming it', async () => {
    const { scanModelFile } = await import('@aisec/scan-pickle');
    await expect(scanModelFile(join(ROOT, 'benign/missing.pt'), ctx(ROOT))).rejects.toThrow(/cannot read model file benign\/missing\.pt \(ENOENT\)/);
  });
});

describe('every bound is a high finding', () => {
  const P2 = Buffer.from([0x80, 2]);
  it.each([
    ['memo', { maxMemo: 100 }, Buffer.concat([P2, Buffer.from('N'), Buffer.alloc(200, 0x94), Buffer.from('.')])],
    ['opcodes', { maxOpcodes: 5000 }, Buffer.concat([P2, Buffer.from('N0'.repeat(10_000)), Buffer.from('N.')])],
    ['line', { maxLine: 64 }, Buffer.concat([P2, Buffer.from(`c${'a'.repeat(200)}\nb\n.`)])],
  ])('%s', async (kind, bounds, bytes) => {
    const r = await scanModelBytes(bytes, { name: 'x.pkl', bounds });
    expect(r.findings.map((f) => [f.ruleId, f.severity, f.evidence])).toEqual([['AISEC-PKL-006', 'high', `limit: ${kind}`]]);
  });

  it('archive entries', async () => {
    const r = await scanModelBytes(readFileSync(join(ROOT, 'benign/state-dict.pt')), { name: 'm.pt', limits: { ...DEFAULT_LIMITS, maxEntries: 3 } });
    expect(r.findings.map((f) => f.evidence)).toContain('limit: entries');
  });

  it('stacked pickles', async () => {
    const one = Buffer.from([0x80, 2, 0x4e, 0x2e]);
    const r = await scanModelBytes(Buffer.concat(Array.from({ length: 10 }, () => one)), { name: 'x.pkl', bounds: { maxStackedPickles: 4 } });
    expect(r.findings.map((f) => f.evidence)).toEqual(['limit: stacked-pickles']);
  });
});

describe('cancellation', () => {
  it('a cancelled scan throws CancelledError rather than reporting a limit', async () => {
    const { scanModelFile } = await import('@aisec/scan-pickle');
    const ac = new AbortController();
    ac.abort();
    await expect(scanModelFile(join(ROOT, 'benign/state-dict.pt'), { ...ctx(ROOT), signal: ac.signal })).rejects.toThrow(CancelledError);
  });
});
