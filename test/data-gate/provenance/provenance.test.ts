import { cpSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_LIMITS, UserError } from '@aisec/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_INPUT_RULES } from '../../../packages/data-gate/src/contract/input-rules';
import {
  buildSha256Manifest,
  dvcDirectoryOut,
  dvcDirHash,
  dvcDirListingJson,
  hashFile,
  parseDvcFile,
  parseSha256Manifest,
  provenanceMetrics,
  verifyDvcFile,
  verifyProvenance,
  verifySha256Manifest,
} from '../../../packages/data-gate/src/provenance/index';

const SHARED = resolve(__dirname, '../../../../shared/data/data-gate');
const expected = JSON.parse(readFileSync(join(SHARED, 'reference/dvc_provenance.json'), 'utf8')) as {
  files: { md5: string; relpath: string }[];
  manifest_json: string;
  dir_md5: string;
  size: number;
  nfiles: number;
  known_answer: { files: Record<string, string>; dir_md5: string };
  notes: string;
};
const tmp = mkdtempSync(join(tmpdir(), 'aisec-provenance-'));
afterAll(() => {
  chmodSync(tmp, 0o755);
  rmSync(tmp, { recursive: true, force: true });
});
const opts = (displayPath: string) => ({ limits: DEFAULT_LIMITS, displayPath });

/** A writable copy of the shared data folder (the shared one is read-only). */
function copyShared(name: string): string {
  const dir = join(tmp, name);
  cpSync(SHARED, dir, { recursive: true });
  chmodSync(dir, 0o755);
  for (const sub of ['data', 'data/dvc_dir', 'data/dvc_dir/sub', 'reference']) chmodSync(join(dir, sub), 0o755);
  return dir;
}

describe('DVC hashes, bit for bit', () => {
  it('each file md5 over raw bytes matches dvc_provenance.json', async () => {
    for (const f of expected.files) {
      const d = await hashFile(join(SHARED, 'data/dvc_dir', f.relpath), 'md5', opts(f.relpath));
      expect(d.hex).toBe(f.md5);
    }
  });

  it('the .dir listing JSON is byte-identical to Python json.dumps(sort_keys=True), and its md5 is the dir hash', () => {
    const shuffled = expected.files.toReversed();
    expect(dvcDirListingJson(shuffled)).toBe(expected.manifest_json);
    expect(dvcDirHash(shuffled)).toBe(expected.dir_md5);
  });

  it("reproduces dvc-data's known-answer vector {foo: 'foo', bar: 'bar'}", async () => {
    const dir = join(tmp, 'kav');
    mkdirSync(dir);
    const entries = [];
    for (const [name, content] of Object.entries(expected.known_answer.files)) {
      writeFileSync(join(dir, name), content);
      entries.push({ md5: (await hashFile(join(dir, name), 'md5', opts(name))).hex, relpath: name });
    }
    expect(dvcDirHash(entries)).toBe(expected.known_answer.dir_md5);
  });

  it('md5-dos2unix (DVC 2.x) turns CRLF into LF, also across chunk boundaries', async () => {
    const legacy = /would differ: ([0-9a-f]{32})/.exec(expected.notes)?.[1];
    expect(legacy).toMatch(/^[0-9a-f]{32}$/);
    const d = await hashFile(join(SHARED, 'data/dvc_dir/b.txt'), 'md5', { ...opts('b.txt'), dos2unix: true });
    expect(d.hex).toBe(legacy);
    expect(d.size).toBe(14);
    // 1 MiB chunks: put a CRLF exactly across the first boundary.
    const big = join(tmp, 'crlf.txt');
    const body = Buffer.concat([Buffer.alloc(1024 * 1024 - 1, 0x61), Buffer.from('\r\nb\r\r\nc\r')]);
    writeFileSync(big, body);
    const lf = join(tmp, 'lf.txt');
    writeFileSync(lf, Buffer.from(body.toString('latin1').replaceAll('\r\n', '\n'), 'latin1'));
    expect((await hashFile(big, 'md5', { ...opts('crlf'), dos2unix: true })).hex).toBe((await hashFile(lf, 'md5', opts('lf'))).hex);
  });

  it('escapes non-ASCII relpaths as Python does and sorts by code point', () => {
    const listing = dvcDirListingJson([
      { md5: 'a'.repeat(32), relpath: 'z.txt' },
      { md5: 'b'.repeat(32), relpath: 'é.txt' },
      { md5: 'c'.repeat(32), relpath: '\u{1F600}.txt' },
      { md5: 'd'.repeat(32), relpath: '\uFFFD.txt' },
    ]);
    expect(listing).toBe(
      `[{"md5": "${'a'.repeat(32)}", "relpath": "z.txt"}, {"md5": "${'b'.repeat(32)}", "relpath": "\\u00e9.txt"}, {"md5": "${'d'.repeat(32)}", "relpath": "\\ufffd.txt"}, {"md5": "${'c'.repeat(32)}", "relpath": "\\ud83d\\ude00.txt"}]`,
    );
  });
});

describe('verifyDvcFile', () => {
  it('the shared fixture verifies clean: dir hash, size and nfiles', async () => {
    const result = await verifyDvcFile('data/dvc_dir.dvc', { workspace: SHARED });
    expect(result.findings).toEqual([]);
    expect(result.checks).toEqual([
      { path: 'data/dvc_dir', status: 'ok', algorithm: 'md5', expected: expected.dir_md5, actual: expected.dir_md5, size: expected.size, expectedSize: expected.size },
    ]);
  });

  it('a modified file is a critical directory mismatch, broken down per file when the DVC cache has the listing', async () => {
    const root = copyShared('tamper');
    writeFileSync(join(root, 'data/dvc_dir/a.csv'), 'x,y\n1,2\n3,5\n');
    const bare = await verifyDvcFile('data/dvc_dir.dvc', { workspace: root });
    expect(bare.findings).toMatchObject([{ ruleId: 'AISEC-DATA-033', severity: 'critical', location: { path: 'data/dvc_dir.dvc', line: 2 } }]);
    // Give the repository a DVC 3.x cache holding the recorded .dir object.
    const hex = expected.dir_md5.replace('.dir', '');
    const cacheDir = join(root, '.dvc/cache/files/md5', hex.slice(0, 2));
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, `${hex.slice(2)}.dir`), expected.manifest_json);
    writeFileSync(join(root, 'data/dvc_dir/new.csv'), 'injected\n');
    rmSync(join(root, 'data/dvc_dir/b.txt'));
    const detailed = await verifyDvcFile('data/dvc_dir.dvc', { workspace: root });
    expect(detailed.findings.map((f) => [f.ruleId, f.severity, f.evidence])).toEqual([
      ['AISEC-DATA-033', 'critical', `dir dvc_dir ${expected.dir_md5} -> ${detailed.checks[0]?.actual}`],
      ['AISEC-DATA-030', 'critical', expect.stringMatching(/^md5 178ba85707470c41cf680fb37ff99f7f -> [0-9a-f]{32}$/)],
      ['AISEC-DATA-031', 'critical', 'missing dvc_dir/b.txt'],
      ['AISEC-DATA-032', 'high', 'untracked dvc_dir/new.csv'],
    ]);
  });

  it('single-file outputs, DVC 2.x text hashing, missing outputs', async () => {
    const root = join(tmp, 'single');
    mkdirSync(root);
    writeFileSync(join(root, 'b.txt'), readFileSync(join(SHARED, 'data/dvc_dir/b.txt')));
    const legacy = /would differ: ([0-9a-f]{32})/.exec(expected.notes)?.[1] as string;
    writeFileSync(join(root, 'b.txt.dvc'), `outs:\n- md5: ${legacy}\n  size: 14\n  path: b.txt\n`);
    expect((await verifyDvcFile('b.txt.dvc', { workspace: root })).checks).toMatchObject([{ status: 'ok', algorithm: 'md5-dos2unix' }]);
    writeFileSync(join(root, 'b3.txt.dvc'), `outs:\n- md5: ${legacy}\n  size: 14\n  hash: md5\n  path: b.txt\n`);
    const v3 = await verifyDvcFile('b3.txt.dvc', { workspace: root });
    expect(v3.findings).toMatchObject([{ ruleId: 'AISEC-DATA-030', severity: 'critical', location: { path: 'b.txt' } }]);
    writeFileSync(join(root, 'escape.dvc'), `outs:\n- md5: ${legacy}\n  hash: md5\n  path: ../../../etc/passwd\n`);
    await expect(verifyDvcFile('escape.dvc', { workspace: root })).rejects.toThrow(/outside the workspace/);
    writeFileSync(join(tmp, 'secret-dvc.txt'), 'token');
    symlinkSync(join(tmp, 'secret-dvc.txt'), join(root, 'linked.txt'));
    writeFileSync(join(root, 'linked.dvc'), `outs:\n- md5: ${legacy}\n  hash: md5\n  path: linked.txt\n`);
    await expect(verifyDvcFile('linked.dvc', { workspace: root })).rejects.toThrow(/outside the workspace/);
    writeFileSync(join(root, 'gone.dvc'), `outs:\n- md5: ${legacy}\n  hash: md5\n  path: gone.csv\n`);
    expect((await verifyDvcFile('gone.dvc', { workspace: root })).findings).toMatchObject([{ ruleId: 'AISEC-DATA-031', location: { path: 'gone.dvc', line: 2 } }]);
  });

  it('dvc.lock: hashed outputs and dependencies of every stage, each checked once', async () => {
    const root = copyShared('lock');
    const a = expected.files.find((f) => f.relpath === 'a.csv')?.md5 as string;
    writeFileSync(
      join(root, 'data/dvc.lock'),
      [
        "schema: '2.0'",
        'stages:',
        '  prepare:',
        '    cmd: python prepare.py',
        '    deps:',
        '    - path: dvc_dir/a.csv',
        '      hash: md5',
        `      md5: ${a}`,
        '      size: 12',
        '    params:',
        '      params.yaml:',
        '        seed: 1',
        '    outs:',
        '    - path: dvc_dir',
        '      hash: md5',
        `      md5: ${expected.dir_md5}`,
        `      size: ${expected.size}`,
        `      nfiles: ${expected.nfiles}`,
        '  train:',
        '    cmd: python train.py',
        '    deps:',
        '    - path: dvc_dir',
        '      hash: md5',
        `      md5: ${expected.dir_md5}`,
        '    - path: train.py',
        '      hash: md5',
        '      md5: d41d8cd98f00b204e9800998ecf8427e',
        '',
      ].join('\n'),
    );
    expect(parseDvcFile(readFileSync(join(root, 'data/dvc.lock'), 'utf8'), 'dvc.lock').map((o) => [o.stage, o.path])).toEqual([
      ['prepare', 'dvc_dir/a.csv'],
      ['prepare', 'dvc_dir'],
      ['train', 'train.py'],
    ]);
    const result = await verifyDvcFile('data/dvc.lock', { workspace: root });
    expect(result.checks.map((c) => [c.path, c.status])).toEqual([
      ['data/dvc_dir/a.csv', 'ok'],
      ['data/dvc_dir', 'ok'],
      ['data/train.py', 'missing'],
    ]);
    expect(result.findings).toMatchObject([{ ruleId: 'AISEC-DATA-031', location: { path: 'data/dvc.lock', line: 27 } }]);
  });

  it('a malformed .dvc file is a UserError', () => {
    expect(() => parseDvcFile('outs: [', 'x.dvc')).toThrow(UserError);
    expect(() => parseDvcFile('outs:\n- md5: nothex\n  path: a\n', 'x.dvc')).toThrow(/needs a path and an md5/);
  });
});

describe('sha256 manifests', () => {
  it('the shared manifest verifies every data file, with no extra files', async () => {
    const result = await verifySha256Manifest('reference/manifest.sha256.json', { root: '.' }, { workspace: SHARED });
    expect(result.findings).toEqual([]);
    expect(result.checks.length).toBe(20);
    expect(result.checks.every((c) => c.status === 'ok' && c.size === c.expectedSize)).toBe(true);
  });

  it('reports mismatched, missing and extra files as critical, critical and high findings', async () => {
    const root = copyShared('manifest');
    writeFileSync(join(root, 'data/dev_no_drift_500_cur.csv'), `${readFileSync(join(root, 'data/dev_no_drift_500_cur.csv'), 'utf8')}999,0,0,0,0,0,A,no,x,1\n`);
    rmSync(join(root, 'data/dvc_dir/sub/c.jsonl'));
    writeFileSync(join(root, 'data/poison.csv'), 'id\n1\n');
    const result = await verifySha256Manifest('reference/manifest.sha256.json', { root: '.' }, { workspace: root });
    expect(provenanceMetrics(result)).toEqual({ 'provenance.files': 21, 'provenance.ok': 18, 'provenance.mismatch': 1, 'provenance.missing': 1, 'provenance.extra': 1 });
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.location.path])).toEqual([
      ['AISEC-DATA-030', 'critical', 'data/dev_no_drift_500_cur.csv'],
      ['AISEC-DATA-031', 'critical', 'reference/manifest.sha256.json'],
      ['AISEC-DATA-032', 'high', 'data/poison.csv'],
    ]);
  });

  it('reads sha256sum output too, and rejects bad manifests with the line', async () => {
    const root = join(tmp, 'sums');
    mkdirSync(root);
    writeFileSync(join(root, 'a.csv'), 'a\n1\n');
    const hex = (await hashFile(join(root, 'a.csv'), 'sha256', opts('a'))).hex;
    writeFileSync(join(root, 'SHA256SUMS'), `# made by sha256sum\n${hex}  a.csv\n`);
    const result = await verifySha256Manifest('SHA256SUMS', {}, { workspace: root });
    expect(result.checks).toMatchObject([{ path: 'a.csv', status: 'ok' }]);
    writeFileSync(join(tmp, 'secret.txt'), 'token');
    symlinkSync(join(tmp, 'secret.txt'), join(root, 'link.csv'));
    writeFileSync(join(root, 'LINKSUMS'), `${hex}  link.csv\n`);
    const linked = await verifySha256Manifest('LINKSUMS', { checkExtra: false }, { workspace: root });
    expect(linked.findings).toMatchObject([{ ruleId: 'AISEC-DATA-030', severity: 'critical', message: expect.stringMatching(/link to a file outside the dataset root; it was not hashed/) }]);
    expect(linked.checks[0]?.actual).toBeUndefined();
    expect(parseSha256Manifest(`${hex} *bin/x.bin\n`, 'm')).toEqual([{ sha256: hex, path: 'bin/x.bin', line: 1 }]);
    expect(() => parseSha256Manifest('nonsense\n', 'm')).toThrow(/line 1 is not/);
    expect(() => parseSha256Manifest(`{"../etc/passwd": "${hex}"}`, 'm')).toThrow(/leaves the manifest root/);
    expect(() => parseSha256Manifest('{"a": "short"}', 'm')).toThrow(/no valid sha256/);
  });

  it('hashes stream: a 64 MB file hashes in bounded memory and matches a one-shot hash', async () => {
    const path = join(tmp, 'big.bin');
    const buf = Buffer.alloc(64 * 1024 * 1024, 7);
    writeFileSync(path, buf);
    const { createHash } = await import('node:crypto');
    expect((await hashFile(path, 'sha256', opts('big'))).hex).toBe(createHash('sha256').update(buf).digest('hex'));
    await expect(hashFile(path, 'sha256', { limits: { ...DEFAULT_LIMITS, maxFileBytes: 1024 }, displayPath: 'big' })).rejects.toThrow(/over the 1024-byte file limit/);
  });

  it('verifyProvenance dispatches .dvc files and manifests by name and merges the results', async () => {
    const result = await verifyProvenance(['data/dvc_dir.dvc', 'reference/manifest.sha256.json'], { workspace: SHARED }, { root: '.' });
    expect(result.findings).toEqual([]);
    expect(result.checks.map((c) => c.algorithm)).toEqual(['md5', ...Array.from({ length: 20 }, () => 'sha256')]);
  });

  it('buildSha256Manifest over the shared data folder reproduces the shared manifest exactly', async () => {
    const built = await buildSha256Manifest('.', ['data'], { workspace: SHARED });
    const shared = JSON.parse(readFileSync(join(SHARED, 'reference/manifest.sha256.json'), 'utf8')) as unknown;
    expect(built).toEqual(shared);
    expect(Object.keys(built)).toEqual(Object.keys(built).toSorted());
  });

  it('dvcDirectoryOut gives what dvc add recorded for the shared folder', async () => {
    const out = await dvcDirectoryOut('data/dvc_dir', { workspace: SHARED });
    expect(out).toEqual({ md5: expected.dir_md5, size: expected.size, nfiles: expected.nfiles, entries: expected.files });
    // Dotfiles are data to DVC; .git and .dvc are not.
    const dir = join(tmp, 'dotted');
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, '.git', 'HEAD'), 'ref');
    writeFileSync(join(dir, '.env'), 'x');
    writeFileSync(join(dir, 'a'), 'y');
    expect((await dvcDirectoryOut(dir)).entries.map((e) => e.relpath)).toEqual(['.env', 'a']);
  });

  it('every rule a provenance finding uses is declared', () => {
    const ids = new Set(DATA_INPUT_RULES.map((r) => r.id));
    for (const id of ['AISEC-DATA-030', 'AISEC-DATA-031', 'AISEC-DATA-032', 'AISEC-DATA-033']) expect(ids.has(id)).toBe(true);
  });
});
