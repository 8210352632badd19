import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError, UserError } from '@aisec/core';
import { matchVulnerabilities, openOfflineDatabase } from '../../../packages/scan-deps/src/osv/index';
import { OSV_ZIP, sharedMembers, testContext } from './shared-data';
import { ZipArchive } from '../../../packages/scan-deps/src/osv/zip-archive';
import { writeZip } from './zip-writer';

const scratch = mkdtempSync(join(tmpdir(), 'aisec-osv-db-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const ctx = testContext();

/** The shared export rewritten with one extra non-record member, so its sha256 (the cache key) is new. */
function uniqueExport(path: string): void {
  const members: [string, string][] = [...sharedMembers()];
  members.push([`README-${randomUUID()}.txt`, 'not an advisory']);
  writeFileSync(path, writeZip(members));
}

async function userErrorOf(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('offline OSV database (zip export)', () => {
  it('indexes the shared PyPI export and reports its path, size and age', async () => {
    const db = await openOfflineDatabase(OSV_ZIP, ctx, { indexCache: false });
    try {
      expect(db.describe()).toEqual({ kind: 'offline', location: OSV_ZIP, modified: '2024-10-08T16:23:57.769428Z', advisories: 398 });
      expect(db.packageNames).toEqual([
        'aiohttp', 'gradio', 'jinja2', 'langchain', 'mindsdb', 'mlflow', 'numpy', 'onnx', 'paddlepaddle',
        'pandas', 'pillow', 'pyspark', 'pyyaml', 'requests', 'scikit-learn', 'tensorflow', 'torch', 'urllib3',
      ]);
      const result = await db.query([{ name: 'Pillow', version: '9.0.0' }, { name: 'PyYAML', version: '5.3' }, { name: 'left-pad', version: '1.0' }]);
      expect([...result.keys()]).toEqual(['pillow', 'pyyaml', 'left-pad']);
      expect(result.get('pillow')).toHaveLength(51);
      expect(result.get('pyyaml')).toHaveLength(4);
      expect(result.get('left-pad')).toEqual([]);
      const pillow = matchVulnerabilities({ name: 'Pillow', version: '9.0.0' }, result.get('pillow') ?? []);
      expect(pillow.map((m) => m.id).sort()).toEqual(['PYSEC-2022-168', 'PYSEC-2022-42979', 'PYSEC-2023-175', 'PYSEC-2023-227']);
    } finally {
      db.close();
    }
  });

  it('caches the name index beside the zip, reuses it, and rebuilds a corrupt one', async () => {
    const zip = join(scratch, 'cached', 'all.zip');
    mkdirSync(join(scratch, 'cached'));
    uniqueExport(zip);
    const indexFile = `${zip}.aisec-index.json`;
    const first = await openOfflineDatabase(zip, ctx);
    first.close();
    expect(existsSync(indexFile)).toBe(true);
    const cached: unknown = JSON.parse(readFileSync(indexFile, 'utf8'));
    expect(cached).toMatchObject({ format: 'aisec-osv-index/1', members: 399, advisories: 398 });

    // Tamper with the cache: a cached index is trusted only for the zip whose sha256 it names.
    if (typeof cached !== 'object' || cached === null) throw new Error('index is not an object');
    writeFileSync(indexFile, JSON.stringify({ ...cached, packages: { pillow: [] } }));
    const reused = await openOfflineDatabase(zip, ctx);
    expect((await reused.query([{ name: 'pillow', version: '1' }])).get('pillow')).toEqual([]);
    reused.close();

    writeFileSync(indexFile, '{ not json');
    const rebuilt = await openOfflineDatabase(zip, ctx);
    expect((await rebuilt.query([{ name: 'pillow', version: '1' }])).get('pillow')).toHaveLength(51);
    rebuilt.close();
    expect(JSON.parse(readFileSync(indexFile, 'utf8'))).toMatchObject({ members: 399 });

    // A different zip at the same path does not reuse the old index.
    writeFileSync(zip, writeZip([['PYSEC-2023-192.json', sharedMembers().get('PYSEC-2023-192.json') ?? '']]));
    const other = await openOfflineDatabase(zip, ctx);
    expect(other.describe().advisories).toBe(1);
    expect(other.packageNames).toEqual(['urllib3']);
    other.close();
  });

  it('falls back to the temp directory when the index cannot be written beside the zip', async () => {
    const dir = join(scratch, 'blocked');
    mkdirSync(dir);
    const zip = join(dir, 'all.zip');
    uniqueExport(zip);
    // A directory where the index file would go makes the write fail even for root (who ignores modes).
    mkdirSync(`${zip}.aisec-index.json`);
    const db = await openOfflineDatabase(zip, ctx);
    db.close();
    const sha = createHash('sha256').update(readFileSync(zip)).digest('hex');
    const inTemp = join(tmpdir(), 'aisec-osv-index', `${sha}.json`);
    expect(JSON.parse(readFileSync(inTemp, 'utf8'))).toMatchObject({ sha256: sha, members: 399 });
    rmSync(inTemp);
  });

  it('never writes beside a zip in a read-only directory, even as root', async () => {
    const dir = join(scratch, 'readonly');
    mkdirSync(dir);
    const zip = join(dir, 'all.zip');
    uniqueExport(zip);
    chmodSync(dir, 0o555);
    try {
      const db = await openOfflineDatabase(zip, ctx);
      db.close();
      expect(readdirSync(dir)).toEqual(['all.zip']);
      const sha = createHash('sha256').update(readFileSync(zip)).digest('hex');
      rmSync(join(tmpdir(), 'aisec-osv-index', `${sha}.json`));
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it('keeps the index in a cache directory when one is given', async () => {
    const cacheDir = join(scratch, 'cache');
    const db = await openOfflineDatabase(OSV_ZIP, ctx, { indexCache: cacheDir });
    db.close();
    expect(readdirSync(cacheDir)).toEqual([expect.stringMatching(/^pypi-osv\.zip\.[0-9a-f]{16}\.aisec-index\.json$/)]);
    expect(existsSync(`${OSV_ZIP}.aisec-index.json`)).toBe(false);
  });

  it('reads a directory of <ID>.json files the same way', async () => {
    const dir = join(scratch, 'dir');
    mkdirSync(dir);
    for (const [name, text] of sharedMembers()) if (text.includes('"name": "pillow"')) writeFileSync(join(dir, name), text);
    const db = await openOfflineDatabase(dir, ctx);
    expect(db.describe()).toMatchObject({ kind: 'offline', location: dir, advisories: 51 });
    const pillow = (await db.query([{ name: 'pillow', version: '9.0.0' }])).get('pillow') ?? [];
    expect(matchVulnerabilities({ name: 'pillow', version: '9.0.0' }, pillow).map((m) => m.id).sort()).toEqual([
      'PYSEC-2022-168', 'PYSEC-2022-42979', 'PYSEC-2023-175', 'PYSEC-2023-227',
    ]);
  });

  it('answers queries for the packages named at open from the records kept by the index pass', async () => {
    const asked = [{ name: 'Pillow', version: '9.0.0' }, { name: 'py_yaml', version: '5.3' }, { name: 'torch', version: '1.0' }, { name: 'left-pad', version: '1' }];
    const plain = await openOfflineDatabase(OSV_ZIP, ctx, { indexCache: false });
    const expected = await plain.query(asked);
    plain.close();
    // A decompression budget of exactly the export's inflated size: the index pass spends all of it, so the
    // queries can only be answered from kept bytes, and one for a package not named at open (which inflates
    // its records again) exceeds it.
    const zip = ZipArchive.open(OSV_ZIP, ctx.limits);
    const inflated = zip.entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
    zip.close();
    const exact = testContext({ limits: { ...ctx.limits, maxDecompressedBytes: inflated } });
    const db = await openOfflineDatabase(OSV_ZIP, exact, { indexCache: false, packages: ['PILLOW', 'PyYAML', 'torch', 'Left-Pad'] });
    try {
      const first = await db.query(asked);
      expect([...first.keys()]).toEqual(['pillow', 'py-yaml', 'torch', 'left-pad']);
      expect(first).toEqual(expected);
      expect(first.get('pillow')).toHaveLength(51);
      expect((await db.query([asked[2]!])).get('torch')).toEqual(expected.get('torch'));
      expect((await userErrorOf(db.query([{ name: 'numpy', version: '1.0' }]))).message).toMatch(/decompression limit/);
    } finally {
      db.close();
    }
  });

  it('with a cached index, reads the packages named at open in one pass at the first query', async () => {
    const cacheDir = join(scratch, 'kept-cache');
    const asked = [{ name: 'pillow', version: '9.0.0' }, { name: 'torch', version: '1.0' }];
    (await openOfflineDatabase(OSV_ZIP, ctx, { indexCache: cacheDir })).close();
    const plain = await openOfflineDatabase(OSV_ZIP, ctx, { indexCache: cacheDir });
    const expected = await plain.query(asked);
    plain.close();
    // A budget of exactly one inflating of pillow's and torch's records: three queries fit only if the
    // records are read once.
    const members = sharedMembers();
    let once = 0;
    for (const text of members.values()) if (/"name": "(pillow|torch)"/.test(text)) once += Buffer.byteLength(text);
    const tight = testContext({ limits: { ...ctx.limits, maxDecompressedBytes: once } });
    const db = await openOfflineDatabase(OSV_ZIP, tight, { indexCache: cacheDir, packages: ['pillow', 'torch'] });
    try {
      expect((await db.query([asked[0]!])).get('pillow')).toEqual(expected.get('pillow'));
      expect((await db.query([asked[1]!])).get('torch')).toEqual(expected.get('torch'));
      expect(await db.query(asked)).toEqual(expected);
    } finally {
      db.close();
    }
  });

  it('indexes an export large enough for the helper thread exactly as the records say', async () => {
    // The shared records cloned 11 times under new ids and names: 4,378 members, above the helper threshold.
    const files: [string, string][] = [];
    const expected: Record<string, number[]> = {};
    for (let k = 0; k < 11; k++) {
      for (const [, text] of sharedMembers()) {
        const record = JSON.parse(text) as { id: string; affected: { package: { name: string } }[] };
        record.id = `${record.id}-K${k}`;
        for (const a of record.affected) a.package.name = `${a.package.name}-k${k}`;
        for (const name of new Set(record.affected.map((a) => a.package.name.toLowerCase().replace(/[-_.]+/g, '-')))) {
          (expected[name] ??= []).push(files.length);
        }
        files.push([`${record.id}.json`, JSON.stringify(record, null, k % 2 === 0 ? 2 : undefined)]);
      }
    }
    const zip = join(scratch, 'large.zip');
    writeFileSync(zip, writeZip(files));
    const cacheDir = join(scratch, 'large-index');
    const db = await openOfflineDatabase(zip, ctx, { indexCache: cacheDir, packages: ['pillow-k3', 'Torch_K10'] });
    try {
      expect(db.describe()).toMatchObject({ advisories: 4378, modified: '2024-10-08T16:23:57.769428Z' });
      const result = await db.query([{ name: 'pillow-k3', version: '9.0.0' }, { name: 'torch-k10', version: '1.0' }, { name: 'numpy-k7', version: '1.0' }]);
      expect(result.get('pillow-k3')?.map((r) => r.id)).toEqual(expected['pillow-k3']?.map((m) => files[m]?.[0].replace(/\.json$/, '')));
      expect(result.get('torch-k10')).toHaveLength(expected['torch-k10']?.length ?? -1);
      expect(result.get('numpy-k7')).toHaveLength(expected['numpy-k7']?.length ?? -1);
    } finally {
      db.close();
    }
    const [indexFile] = readdirSync(cacheDir);
    const cached = JSON.parse(readFileSync(join(cacheDir, indexFile ?? ''), 'utf8')) as { packages: Record<string, number[]> };
    expect(cached.packages).toEqual(expected);
    // Warm: the helper started before the cache lookup is stopped unused, and the answers are the same.
    const warm = await openOfflineDatabase(zip, ctx, { indexCache: cacheDir, packages: ['pillow-k3'] });
    try {
      expect((await warm.query([{ name: 'pillow-k3', version: '9.0.0' }])).get('pillow-k3')).toHaveLength(expected['pillow-k3']?.length ?? -1);
    } finally {
      warm.close();
    }
  });

  it('indexes names written Pillow/PyYAML and records pretty-printed or minified alike', async () => {
    const members = sharedMembers();
    const respelled = (members.get('PYSEC-2022-168.json') ?? '').replaceAll('"name": "pillow"', '"name": "Pillow"');
    expect(respelled).toContain('"name": "Pillow"');
    const minified = JSON.stringify(JSON.parse(respelled));
    const zip = join(scratch, 'respelled.zip');
    writeFileSync(zip, writeZip([['PYSEC-2022-168.json', minified], ['PYSEC-2018-49.json', members.get('PYSEC-2018-49.json') ?? '']]));
    const db = await openOfflineDatabase(zip, ctx, { indexCache: false });
    expect(db.packageNames).toEqual(['pillow', 'pyyaml']);
    const got = await db.query([{ name: 'pillow', version: '9.0.0' }]);
    expect(got.get('pillow')?.map((a) => a.id)).toEqual(['PYSEC-2022-168']);
    db.close();
  });
});

describe('offline OSV database: bad input is a UserError naming the file', () => {
  it('a missing path', async () => {
    const error = await userErrorOf(openOfflineDatabase(join(scratch, 'nope.zip'), ctx));
    expect(error.file).toBe(join(scratch, 'nope.zip'));
    expect(error.format()).toMatch(/cannot be read.*--offline-db/);
  });

  it('a file that is not a zip', async () => {
    const path = join(scratch, 'requirements.txt');
    writeFileSync(path, 'pillow==9.0.0\n'.repeat(10));
    const error = await userErrorOf(openOfflineDatabase(path, ctx));
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/not a zip/);
    expect(error.hint).toMatch(/all\.zip/);
  });

  it('a zip without OSV records', async () => {
    const path = join(scratch, 'model.zip');
    writeFileSync(path, writeZip([['archive/data.pkl', new Uint8Array([0x80, 2, 0x4e, 0x2e])]]));
    expect((await userErrorOf(openOfflineDatabase(path, ctx))).message).toMatch(/holds no OSV records/);
  });

  it('a zip of JSON that is not OSV', async () => {
    const path = join(scratch, 'package.zip');
    writeFileSync(path, writeZip([['package.json', '{"name": "x", "version": "1.0.0"}']]));
    expect((await userErrorOf(openOfflineDatabase(path, ctx, { indexCache: false }))).message).toMatch(/not an OSV record/);
  });

  it('an OSV export of another ecosystem', async () => {
    const path = join(scratch, 'npm.zip');
    const npm = { id: 'GHSA-xxxx-yyyy-zzzz', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [] }] };
    writeFileSync(path, writeZip([['GHSA-xxxx-yyyy-zzzz.json', JSON.stringify(npm)]]));
    expect((await userErrorOf(openOfflineDatabase(path, ctx, { indexCache: false }))).message).toMatch(/none for PyPI/);
  });

  it('a corrupt member (CRC) and a truncated download', async () => {
    const good = readFileSync(OSV_ZIP);
    const flipped = Buffer.from(good);
    // Inside the first member's compressed data (after its 30-byte header and name).
    flipped[80] = (flipped[80] ?? 0) ^ 0xff;
    const corruptPath = join(scratch, 'corrupt.zip');
    writeFileSync(corruptPath, flipped);
    expect((await userErrorOf(openOfflineDatabase(corruptPath, ctx, { indexCache: false }))).message).toMatch(/CRC|inflate|size other than declared/);
    const truncatedPath = join(scratch, 'truncated.zip');
    writeFileSync(truncatedPath, good.subarray(0, good.length - 5000));
    expect((await userErrorOf(openOfflineDatabase(truncatedPath, ctx, { indexCache: false }))).message).toMatch(/not a zip|central directory/);
  });

  it('indexing stops at the time limit with a UserError, and at cancellation', async () => {
    const slow = testContext({ limits: { ...ctx.limits, timePerFileMs: -1 } });
    expect((await userErrorOf(openOfflineDatabase(OSV_ZIP, slow, { indexCache: false }))).message).toMatch(/took longer than -1 ms/);
    const controller = new AbortController();
    controller.abort();
    await expect(openOfflineDatabase(OSV_ZIP, testContext({ signal: controller.signal }), { indexCache: false })).rejects.toBeInstanceOf(CancelledError);
  });

  it('too many members for ctx.limits', async () => {
    const few = testContext({ limits: { ...ctx.limits, maxEntries: 100 } });
    expect((await userErrorOf(openOfflineDatabase(OSV_ZIP, few, { indexCache: false }))).message).toMatch(/398 members, above the 100-member limit/);
  });

  it('a member whose declared ratio is a zip bomb, against ctx.limits', async () => {
    const path = join(scratch, 'bomb.zip');
    writeFileSync(path, writeZip([['PYSEC-0000-1.json', `{"id":"PYSEC-0000-1","x":"${' '.repeat(2_000_000)}"}`]]));
    const tight = testContext({ limits: { ...ctx.limits, maxDecompressionRatio: 100 } });
    expect((await userErrorOf(openOfflineDatabase(path, tight, { indexCache: false }))).message).toMatch(/decompression ratio above 100/);
  });
});
