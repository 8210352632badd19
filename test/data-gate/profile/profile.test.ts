import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type GateContext, type Report, UserError, silentLogger } from '@aisec/core';
import { describe, expect, it } from 'vitest';
import { KllSketch, normalizedRankError } from '../../../packages/data-gate/src/sketch/index';
import { column as tableColumn, loadCsv, numericCells } from '../stats/shared-table';
import {
  DEFAULT_DRIFT,
  DEFAULT_OUTLIERS,
  type DataGateOptions,
  type DataProfile,
  PROFILE_VERSION,
  RULES,
  isProfileFile,
  mergeProfiles,
  parseProfile,
  profileTable,
  readProfileLean,
  runDataGate,
  serializeProfile,
  writeProfile,
} from '../../../packages/data-gate/src/index';
import { SHARED } from '../readers/helpers';
import { encodeBatchRow } from '../../../packages/data-gate/src/profile/batch-row-hash';
import { readTable } from '../../../packages/data-gate/src/readers/index';
import { SortedRowHashes } from '../../../packages/data-gate/src/profile/sorted-row-hashes';
import { RowHasher, rowKeyHex } from '../../../packages/data-gate/src/stats/index';

// The shared data beside the repository (../shared), wherever the repository is.
const ROOT = SHARED;
const ctx = (workspace = ROOT): GateContext => ({ workspace, logger: silentLogger, limits: DEFAULT_LIMITS, signal: new AbortController().signal });

function reference(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'reference', `${name}.json`), 'utf8')) as Record<string, unknown>;
}

function options(ref: string, cur: string): DataGateOptions {
  return { reference: ref, current: cur, provenance: [], drift: { ...DEFAULT_DRIFT }, outliers: { ...DEFAULT_OUTLIERS }, poisoning: true, read: {} };
}

/** Splits a CSV (one header line, no multi-line fields in these files' first columns) into shards. */
function shard(file: string, parts: number): string[] {
  const text = readFileSync(file, 'utf8');
  const rows: string[] = [];
  // Records, honouring quotes (text fields may hold commas and doubled quotes, not newlines here).
  for (const line of text.split('\n')) if (line !== '') rows.push(line);
  const [header, ...data] = rows;
  const dir = mkdtempSync(join(tmpdir(), 'aisec-shards-'));
  const size = Math.ceil(data.length / parts);
  return Array.from({ length: parts }, (_, k) => {
    const path = join(dir, `part-${k}.csv`);
    writeFileSync(path, `${[header, ...data.slice(k * size, (k + 1) * size)].join('\n')}\n`);
    return path;
  });
}

/**
 * The parts a merge reproduces exactly: all but the files, the moments (to rounding), the KLL sketches
 * (within their bound) and the label model's moments (to rounding; its counts and sample are compared
 * on their own).
 */
function withoutFiles(p: DataProfile): Omit<DataProfile, 'files' | 'columns' | 'labelModel'> & { columns: unknown[] } {
  const { files: _files, columns, labelModel: _l, ...rest } = p;
  return { ...rest, columns: columns.map(({ moments: _m, quantileSketch: _q, ...c }) => c) };
}

/** Largest |sketch rank − exact rank| over every value of the column, inclusive and exclusive. */
function worstRankError(sketch: KllSketch, values: Float64Array): number {
  const sorted = values.slice().sort();
  const n = sorted.length;
  let worst = 0;
  let i = 0;
  while (i < n) {
    const x = sorted[i] as number;
    let j = i;
    while (j < n && sorted[j] === x) j++;
    worst = Math.max(worst, Math.abs(sketch.rank(x) - j / n), Math.abs(sketch.rank(x, false) - i / n));
    i = j;
  }
  return worst;
}

describe('reference profiles', () => {
  const refFile = join(ROOT, 'data/dev_duplicates_2k_ref.csv');

  it('are deterministic: the same rows give the same bytes', async () => {
    const a = serializeProfile(await profileTable(refFile, {}, ctx()));
    const b = serializeProfile(await profileTable(refFile, {}, ctx()));
    expect(a).toBe(b);
    expect(parseProfile(a, 'p.json').rows).toBe(2000);
  });

  it('of shards merge into the profile of the whole (counts, histograms, categories, hashes exactly; moments to rounding)', async () => {
    const whole = await profileTable(refFile, {}, ctx());
    const parts = await Promise.all(shard(refFile, 3).map((p) => profileTable(p, {}, ctx())));
    const merged = mergeProfiles(parts);
    expect(withoutFiles(merged)).toEqual(withoutFiles(whole));
    const numeric = whole.columns.filter((c) => c.moments.n > 0);
    expect(numeric.map((c) => c.name)).toEqual(['id', 'x_norm', 'x_skew', 'x_int', 'rating', 'x_miss', 'label']);
    for (const c of numeric) {
      const m = merged.columns.find((x) => x.name === c.name)!.moments;
      expect([m.n, m.min, m.max, m.nulls]).toEqual([c.moments.n, c.moments.min, c.moments.max, c.moments.nulls]);
      expect(m.mean).toBeCloseTo(c.moments.mean, 10);
      expect(Math.abs(m.m2 - c.moments.m2)).toBeLessThanOrEqual(1e-9 * Math.max(1, c.moments.m2));
    }
    // The label model of the whole: the same labels, counts and sampled rows.
    const model = (p: DataProfile): unknown => p.labelModel && { column: p.labelModel.labelColumn, rows: p.labelModel.rows, labels: p.labelModel.labels, counts: p.labelModel.labelCounts, sample: p.labelModel.sample };
    expect(whole.labelModel?.labelColumn).toBe('label');
    expect(model(merged)).toEqual(model(whole));
    // Merging in another order gives the same profile (the KLL sketches aside: another order, other compactions).
    expect(withoutFiles(mergeProfiles([parts[2]!, parts[0]!, parts[1]!]))).toEqual(withoutFiles(merged));
    // The same shards in the same order give the same bytes.
    expect(serializeProfile({ ...mergeProfiles(parts), files: [] })).toBe(serializeProfile({ ...merged, files: [] }));
    // The merged quantile sketches stand for the whole column within their stated bound.
    const table = loadCsv(refFile);
    for (const c of numeric) {
      const sketch = KllSketch.fromJSON(merged.columns.find((x) => x.name === c.name)!.quantileSketch);
      const values = numericCells(tableColumn(table, c.name)!).filter((v) => !Number.isNaN(v));
      expect(sketch.n, c.name).toBe(values.length);
      expect(sketch.isExact, c.name).toBe(false);
      expect(worstRankError(sketch, values), c.name).toBeLessThanOrEqual(normalizedRankError(200));
    }
  });

  it('writeProfile writes a file the gate recognizes as a profile; other versions are refused with a UserError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-profile-'));
    const out = join(dir, 'ref.profile.json');
    const line = await writeProfile(out, { paths: [refFile] }, ctx(dir));
    expect(line).toContain('wrote profile of 2000 rows');
    expect(isProfileFile(out)).toBe(true);
    expect(isProfileFile(refFile)).toBe(false);
    const written = readFileSync(out, 'utf8');
    expect(written).toContain(`"version": ${PROFILE_VERSION}`);
    const bumped = written.replace(`"version": ${PROFILE_VERSION}`, `"version": ${PROFILE_VERSION + 1}`);
    expect(() => parseProfile(bumped, 'ref.profile.json')).toThrow(UserError);
    const strangeKeys = written.replace('"rowKeyRecipe": "aisec-rowkey/v2"', '"rowKeyRecipe": "aisec-rowkey/v9"');
    expect(strangeKeys).not.toBe(written);
    expect(() => parseProfile(strangeKeys, 'ref.profile.json')).toThrow(/rowKeyRecipe "aisec-rowkey\/v9"/);
  });

  it('carry the label model, so the gate against a profile lists the same label flips as against the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-profile-flips-'));
    const out = join(dir, 'ref.profile.json');
    await writeProfile(out, { paths: [join(ROOT, 'data/dev_label_flip_2k_ref.csv')] }, ctx(dir));
    const cur = join(ROOT, 'data/dev_label_flip_2k_cur.csv');
    const viaProfile = await runDataGate(options(out, cur), ctx());
    const viaFile = await runDataGate(options(join(ROOT, 'data/dev_label_flip_2k_ref.csv'), cur), ctx());
    const flips = (r: Report): unknown[] => r.findings.filter((f) => f.ruleId === RULES.RULE_LABEL_FLIPPED_ROWS).map((f) => [f.properties?.rows, f.properties?.likely_rows, f.properties?.rows_total]);
    expect(flips(viaFile)).toHaveLength(1);
    expect(flips(viaProfile)).toEqual(flips(viaFile));
    expect(viaProfile.metrics['poisoning.label_flip.pvalue']).toBe(viaFile.metrics['poisoning.label_flip.pvalue']);
    // A profile for another label column is not used for this one, and the report says why.
    const other = await runDataGate({ ...options(out, cur), labelColumn: 'flag' }, ctx());
    expect(flips(other)).toEqual([]);
    expect(other.notes.join('\n')).toMatch(/label model is for 'label', the label column here is 'flag'/);
  });

  it('are read lean: the row hashes and keys stream from the file in pieces, equal to a full parse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-profile-lean-'));
    const csv = join(dir, 'big.csv');
    // 30,000 distinct rows: about 2 MB of hashes, so the 1 MiB pieces cut items in two.
    writeFileSync(csv, `a,b\n${Array.from({ length: 30_000 }, (_, i) => `${i},${(i * 7919) % 1000}`).join('\n')}\n`);
    const out = join(dir, 'big.profile.json');
    await writeProfile(out, { paths: [csv], idColumns: [] }, ctx(dir));
    // Written from the builder's binary tables, byte for byte what serializeProfile makes of the same rows.
    expect(readFileSync(out, 'utf8')).toBe(serializeProfile(await profileTable(csv, { idColumns: [] }, ctx(dir))));
    const full = parseProfile(readFileSync(out, 'utf8'), 'big.profile.json');
    const hashes: string[] = [];
    const keys: string[] = [];
    const collect = (into: string[]) => (b: Uint8Array, s: number, e: number): boolean => into.push(Buffer.from(b.subarray(s, e)).toString('latin1')) > 0;
    const lean = readProfileLean(out, 'big.profile.json', collect(hashes), collect(keys));
    expect(hashes).toHaveLength(30_000);
    expect(hashes).toEqual(full.rowHashes);
    expect(keys).toEqual(full.rowKeys);
    expect({ ...lean, rowHashes: full.rowHashes, rowKeys: full.rowKeys }).toEqual(full);
    // A damaged list is a UserError naming the file, not a crash.
    writeFileSync(out, readFileSync(out, 'utf8').replace(/"rowHashes": \[\n  "[0-9a-f]+"/, '"rowHashes": [\n  "not-hex"'));
    // The visitor decodes and checks the digits (here as the gate's table does); a false is a refusal.
    const table = new SortedRowHashes();
    expect(() => readProfileLean(out, 'big.profile.json', (b, s, e) => table.addHex(b, s, e), () => true)).toThrow(/rowHashes must be a list of hex strings/);
    writeFileSync(out, readFileSync(out, 'utf8').replace('"not-hex"', '"0f"    ,,'));
    expect(() => readProfileLean(out, 'big.profile.json', () => true, () => true)).toThrow(/rowHashes must be a list of hex strings/);
  });

  it('refuses a damaged sketch with a UserError naming the profile, before any batch is read', async () => {
    const p = await profileTable(refFile, {}, ctx());
    const text = serializeProfile(p);
    const x = p.columns.find((c) => c.name === 'x_norm')!;
    const damaged = (change: (c: DataProfile['columns'][number]) => void): string => {
      const copy = parseProfile(text, 'p.json');
      change(copy.columns.find((c) => c.name === 'x_norm')!);
      return serializeProfile(copy);
    };
    for (const bad of [
      damaged((c) => (c.quantileSketch = { ...x.quantileSketch!, n: x.quantileSketch!.n + 1 })),
      damaged((c) => (c.moments = { ...x.moments, n: x.moments.n - 1 })),
      damaged((c) => (c.distinctSketch = { precision: 12, registers: 'AAAA' })),
    ]) {
      let error: unknown;
      try {
        parseProfile(bad, 'ref.profile.json');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).format()).toContain('ref.profile.json');
    }
  });

  describe('as the gate reference (file against profile)', () => {
    let exact: Report;
    let estimated: Report;
    const name = 'dev_duplicates_2k';
    const cur = join(ROOT, 'data/dev_duplicates_2k_cur.csv');

    it('finds the same copied and duplicated rows as file against file, from the row hashes', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'aisec-profile-gate-'));
      const profilePath = join(dir, 'ref.profile.json');
      await writeProfile(profilePath, { paths: [refFile] }, ctx(dir));
      exact = await runDataGate(options(refFile, cur), ctx());
      estimated = await runDataGate(options(profilePath, cur), ctx());
      const rows = (r: Report, id: string): unknown => r.findings.filter((f) => f.ruleId === id).flatMap((f) => f.properties?.rows as number[]);
      const poisoning = reference(name).poisoning as Record<string, { indices: number[] }>;
      expect(rows(estimated, RULES.RULE_ROWS_FROM_REFERENCE)).toEqual(poisoning.current_rows_in_reference!.indices);
      expect(rows(estimated, RULES.RULE_DUPLICATE_ROWS)).toEqual(poisoning.duplicates_within_current!.indices);
      const outliers = reference(name).outliers as Record<string, { current_ref_fitted: { zscore: { indices: number[] } } }>;
      const z = estimated.findings.filter((f) => f.ruleId === RULES.RULE_OUTLIER_ROWS && f.properties?.column === 'x_norm').flatMap((f) => f.properties?.rows as number[]);
      expect(z).toEqual(outliers.x_norm!.current_ref_fitted.zscore.indices);
      expect(estimated.notes.join('\n')).toContain('need the raw reference file');
    });

    it('screens with the fast row keys and confirms on SHA-256; a profile without rowKeys (older) gives the same rows', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'aisec-profile-keys-'));
      const withKeys = join(dir, 'ref.profile.json');
      await writeProfile(withKeys, { paths: [refFile] }, ctx(dir));
      const p = parseProfile(readFileSync(withKeys, 'utf8'), 'ref.profile.json');
      expect(p.rowKeys?.length).toBe(p.rowHashes.length);
      const { rowKeys: _k, ...older } = p;
      const withoutKeys = join(dir, 'older.profile.json');
      writeFileSync(withoutKeys, serializeProfile(older));
      // A version 2 profile: keys of recipe v1 (RowHasher.key, row by row) and no rowKeyRecipe.
      expect(p.rowKeyRecipe).toBe('aisec-rowkey/v2');
      const v1Keys = new Set<string>();
      const hasher = new RowHasher();
      for await (const batch of readTable(refFile, {}, ctx())) {
        const chunks = p.hashColumns.map((c) => batch.data.find((d) => d.name === c));
        for (let i = 0; i < batch.length; i++) {
          encodeBatchRow(hasher, chunks, i);
          hasher.key();
          v1Keys.add(rowKeyHex(hasher.keyHi, hasher.keyLo));
        }
      }
      const { rowKeyRecipe: _r, ...v2Layout } = p;
      expect([...v1Keys].sort()).not.toEqual(p.rowKeys);
      const withV1Keys = join(dir, 'v1-keys.profile.json');
      writeFileSync(withV1Keys, serializeProfile({ ...v2Layout, version: 2, rowKeys: [...v1Keys].sort() }));
      const rows = (r: Report, id: string): unknown => r.findings.filter((f) => f.ruleId === id).flatMap((f) => f.properties?.rows as number[]);
      const a = await runDataGate(options(withKeys, cur), ctx());
      const b = await runDataGate(options(withoutKeys, cur), ctx());
      const v1 = await runDataGate(options(withV1Keys, cur), ctx());
      const poisoning = reference(name).poisoning as Record<string, { indices: number[] }>;
      for (const r of [a, b, v1]) {
        expect(rows(r, RULES.RULE_ROWS_FROM_REFERENCE)).toEqual(poisoning.current_rows_in_reference!.indices);
        expect(rows(r, RULES.RULE_DUPLICATE_ROWS)).toEqual(poisoning.duplicates_within_current!.indices);
      }
      // A key that matches but whose row is not in the reference is not reported: hits are confirmed on SHA-256.
      const forged = { ...p, rowHashes: p.rowHashes.slice(0, 1) };
      const forgedPath = join(dir, 'forged.profile.json');
      writeFileSync(forgedPath, serializeProfile(forged));
      const c = await runDataGate(options(forgedPath, cur), ctx());
      expect((rows(c, RULES.RULE_ROWS_FROM_REFERENCE) as number[]).length).toBeLessThan(poisoning.current_rows_in_reference!.indices.length);
      expect(() => parseProfile(readFileSync(withKeys, 'utf8').replace(/"rowKeys": \[\s*"[0-9a-f]{16}"/, '"rowKeys": ["zz"'), 'p.json')).toThrow(UserError);
      // Streamed by the gate, a damaged key or hash is refused too, naming the profile.
      for (const [list, digits] of [
        ['rowKeys', 16],
        ['rowHashes', 64],
      ] as const) {
        const damaged = join(dir, `damaged-${list}.profile.json`);
        writeFileSync(damaged, readFileSync(withKeys, 'utf8').replace(new RegExp(`"${list}": \\[\\n  "[0-9a-f]{${digits}}"`), `"${list}": [\n  "${'g'.repeat(digits)}"`));
        expect(readFileSync(damaged, 'utf8')).not.toBe(readFileSync(withKeys, 'utf8'));
        await expect(runDataGate(options(damaged, cur), ctx())).rejects.toThrow(new RegExp(`${list} must be a list of hex strings`));
      }
    });

    it('gives category drift exactly and brackets KS and Wasserstein within their stated error bounds', () => {
      for (const k of ['chi2.statistic', 'chi2.pvalue', 'js.statistic', 'psi.statistic']) expect(estimated.metrics[`drift.cat.${k}`]).toBe(exact.metrics[`drift.cat.${k}`]);
      for (const column of ['x_norm', 'x_skew', 'x_int', 'x_miss']) {
        const m = estimated.metrics;
        const d = exact.metrics[`drift.${column}.ks.statistic`]!;
        expect(m[`drift.${column}.ks_profile.statistic`]!).toBeLessThanOrEqual(d + 1e-12);
        expect(d).toBeLessThanOrEqual(m[`drift.${column}.ks_profile.statistic`]! + m[`drift.${column}.ks_profile.error`]! + 1e-12);
        const w = exact.metrics[`drift.${column}.wasserstein.statistic`]!;
        expect(Math.abs(w - m[`drift.${column}.wasserstein.statistic`]!)).toBeLessThanOrEqual(m[`drift.${column}.wasserstein.error`]! + 1e-12);
      }
    });
  });
});
