import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type Finding, UserError } from '@aisec/core';
import { describe, expect, it } from 'vitest';
import {
  LabelFlipScanner,
  type LabelFlipResult,
  LabelModel,
  LabelModelBuilder,
  type RowBatch,
  RULES,
  checkLabelFlips,
  readTable,
  scanTable,
} from '../../../packages/data-gate/src/index';
import { columnRoles } from '../../../packages/data-gate/src/gate/column-roles';
import { generateLabelFlipScenario } from './label-flip-scenario.mjs';
import { SHARED } from '../readers/helpers';

/**
 * Suspected label flips listed row by row, on the shared dev scenarios (the flipped rows of
 * dev_label_flip_2k are known) and on a larger generated one (20k rows, 3 labels, 2% random flips).
 * The floors below are the measured figures rounded down a little, not loose bounds: the dev data's
 * labels are themselves noisy (a logistic in x_norm and cat; a model of the reference classifies
 * 75% of it right), which caps the precision any detector can reach there.
 */
// The shared data beside the repository (../shared), wherever the repository is.
const ROOT = SHARED;
const SCENARIOS = ['dev_no_drift_500', 'dev_mean_shift_2k', 'dev_variance_change_3k', 'dev_category_shift_3k', 'dev_label_flip_2k', 'dev_outliers_5k', 'dev_duplicates_2k'];
const JSONL_SIDES = new Set(['dev_mean_shift_2k_cur', 'dev_category_shift_3k_ref', 'dev_category_shift_3k_cur']);
const pathOf = (scenario: string, side: 'ref' | 'cur'): string => `data/${scenario}_${side}.${JSONL_SIDES.has(`${scenario}_${side}`) ? 'jsonl' : 'csv'}`;

async function* batches(path: string, workspace = ROOT): AsyncGenerator<RowBatch> {
  yield* readTable(path, {}, { workspace, limits: DEFAULT_LIMITS });
}

async function modelOf(path: string, workspace = ROOT): Promise<LabelModel> {
  const builder = new LabelModelBuilder({ labelColumn: 'label' });
  for await (const b of batches(path, workspace)) builder.push(b);
  return builder.finish();
}

async function scan(model: LabelModel, path: string, workspace = ROOT): Promise<LabelFlipResult> {
  const scanner = new LabelFlipScanner(model);
  for await (const b of batches(path, workspace)) scanner.push(b);
  return scanner.finish();
}

function precisionRecall(rows: readonly number[], truth: ReadonlySet<number>): { precision: number; recall: number } {
  const hits = rows.filter((r) => truth.has(r)).length;
  return { precision: hits / Math.max(rows.length, 1), recall: hits / truth.size };
}

const flipFinding = (r: LabelFlipResult): Finding => {
  expect(r.findings).toHaveLength(1);
  return r.findings[0] as Finding;
};

describe('label flips on the shared dev scenarios', () => {
  const truth = new Set((JSON.parse(readFileSync(join(ROOT, 'reference/dev_label_flip_2k.json'), 'utf8')) as { injected: { flipped_rows: number[] } }).injected.flipped_rows);

  it('lists the targeted 1->0 flips of dev_label_flip_2k', async () => {
    const model = await modelOf(pathOf('dev_label_flip_2k', 'ref'));
    const result = await scan(model, pathOf('dev_label_flip_2k', 'cur'));
    const f = flipFinding(result);
    expect(f.ruleId).toBe(RULES.RULE_LABEL_FLIPPED_ROWS);
    expect(f.severity).toBe('high');
    expect(f.location.path).toBe('data/dev_label_flip_2k_cur.csv');
    const p = f.properties as Record<string, unknown>;
    const rows = p.rows as number[];
    expect(p.rows_total).toBe(rows.length);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect((p.margins as number[]).length).toBe(rows.length);
    expect((p.margins as number[]).every((m) => m > 0 && m <= 1)).toBe(true);
    // Every suspect of this attack is a row labelled 0 that looks like a 1, or a natural 1 -> 0 one.
    expect(new Set(p.given as string[])).toEqual(new Set(['0', '1']));
    // Measured: 331 suspects, precision 0.25, recall 0.84.
    const all = precisionRecall(rows, truth);
    expect(all.recall).toBeGreaterThanOrEqual(0.8);
    expect(all.precision).toBeGreaterThanOrEqual(0.23);
    // The ranked list (as many top-margin suspects per label pair as the pair's excess): 100 rows, precision 0.49, recall 0.49.
    const likely = precisionRecall(p.likely_rows as number[], truth);
    expect(likely.precision).toBeGreaterThanOrEqual(0.45);
    expect(likely.recall).toBeGreaterThanOrEqual(0.45);
    expect(result.metrics['poisoning.label_flip.suspects']).toBe(rows.length);
    expect(result.metrics['poisoning.label_flip.pvalue']).toBeLessThan(1e-5);
    expect(result.metrics['poisoning.label_flip.rate']).toBeGreaterThan(result.metrics['poisoning.label_flip.reference_rate'] as number);
    expect(result.notes.join('\n')).toMatch(/x_norm \(numeric\).*cat \(categorical\)/);
    expect(result.notes.join('\n')).toMatch(/text: more than 64 distinct values/);
  });

  it('scores a deterministic sample when asked (large batches), lists flips among it and says so', async () => {
    const model = await modelOf(pathOf('dev_label_flip_2k', 'ref'));
    const full = flipFinding(await scan(model, pathOf('dev_label_flip_2k', 'cur')));
    const run = async (): Promise<LabelFlipResult> => {
      const scanner = new LabelFlipScanner(model, { sampleRate: 0.6 });
      for await (const b of batches(pathOf('dev_label_flip_2k', 'cur'))) scanner.push(b);
      return scanner.finish();
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    const scored = a.metrics['poisoning.label_flip.rows_scored'] as number;
    expect(scored + (a.metrics['poisoning.label_flip.rows_not_sampled'] as number)).toBe(2000);
    // A 60% sample of 2,000 rows: within five standard deviations (about 110 rows) of 1,200.
    expect(Math.abs(scored - 1200)).toBeLessThan(110);
    expect(a.notes.join('\n')).toMatch(/scored a deterministic sample of \d+ batch rows/);
    // The attack is strong enough to show in the sample too.
    const sampled = flipFinding(a).properties?.rows as number[];
    expect(sampled.length).toBeGreaterThan(0);
    const fullRows = new Set(full.properties?.rows as number[]);
    expect(sampled.every((r) => fullRows.has(r))).toBe(true);
  });

  it('does not fire on clean batches: no-drift, every other scenario’s reference, and the drifted batches without flips', async () => {
    let scans = 0;
    let minP = 1;
    for (const s of SCENARIOS) {
      const model = await modelOf(pathOf(s, 'ref'));
      const batchesToTry = [...SCENARIOS.filter((o) => o !== s).map((o) => pathOf(o, 'ref')), ...(s === 'dev_label_flip_2k' ? [] : [pathOf(s, 'cur')])];
      for (const path of batchesToTry) {
        const r = await scan(model, path);
        expect(r.findings, `${s} model on ${path}`).toEqual([]);
        minP = Math.min(minP, r.metrics['poisoning.label_flip.pvalue'] as number);
        scans++;
      }
    }
    // A broken batch (x_skew renamed, text dropped, 'unknown' inside x_int) is scored on what is left.
    const broken = await scan(await modelOf(pathOf('dev_schema_break_200', 'ref')), pathOf('dev_schema_break_200', 'cur'));
    expect(broken.findings).toEqual([]);
    expect(broken.metrics['poisoning.label_flip.rows_scored']).toBe(200);
    expect(scans).toBe(48);
    // Measured: the smallest p-value over the 48 clean scans is 0.029 (alpha is 0.001).
    expect(minP).toBeGreaterThan(0.01);
  });

  it('gives the same findings from the in-memory tables as from the stream', async () => {
    const ctx = { workspace: ROOT, limits: DEFAULT_LIMITS };
    const ref = await scanTable(readTable(pathOf('dev_label_flip_2k', 'ref'), {}, ctx), undefined);
    const cur = await scanTable(readTable(pathOf('dev_label_flip_2k', 'cur'), {}, ctx), undefined);
    const roles = columnRoles(ref, new Set(['id']));
    const inMemory = checkLabelFlips(ref, cur, 'label', roles);
    const streamed = await scan(await modelOf(pathOf('dev_label_flip_2k', 'ref')), pathOf('dev_label_flip_2k', 'cur'));
    // The same rows and figures; sums over the sample run in another order (its hash keys cover
    // other columns), so floats may differ in the last bits.
    const props = (r: LabelFlipResult): Record<string, unknown> => flipFinding(r).properties as Record<string, unknown>;
    for (const key of ['rows', 'rows_total', 'given', 'suggested', 'likely_rows', 'suspects']) expect(props(inMemory)[key], key).toEqual(props(streamed)[key]);
    for (const [name, value] of Object.entries(streamed.metrics)) expect(inMemory.metrics[name], name).toBeCloseTo(value, 9);
  });
});

describe('the label model', () => {
  it('merges shard models into the model of the whole and survives JSON', async () => {
    const all: RowBatch[] = [];
    for await (const b of batches(pathOf('dev_outliers_5k', 'ref'))) all.push(b);
    // Split inside the file too, so a shard boundary falls mid-batch.
    const whole = new LabelModelBuilder({ labelColumn: 'label', sampleSize: 1000 });
    for (const b of all) whole.push(b);
    const a = new LabelModelBuilder({ labelColumn: 'label', sampleSize: 1000 });
    const b = new LabelModelBuilder({ labelColumn: 'label', sampleSize: 1000 });
    all.forEach((batch, i) => (i % 2 === 0 ? a : b).push(batch));
    const w = whole.finish().toJSON();
    const merged = LabelModel.merge(a.finish(), b.finish()).toJSON();
    expect(merged.rows).toBe(5000);
    expect(merged.labelCounts).toEqual(w.labelCounts);
    expect(merged.sample).toEqual(w.sample);
    expect(merged.columns.map((c) => c.name)).toEqual(w.columns.map((c) => c.name));
    merged.columns.forEach((c, i) => {
      const wc = w.columns[i]!;
      expect(c.numberCells).toBe(wc.numberCells);
      expect(c.categories.overflow).toBe(wc.categories.overflow);
      expect(c.numeric.count).toEqual(wc.numeric.count);
      c.numeric.mean.forEach((m, l) => expect(m).toBeCloseTo(wc.numeric.mean[l]!, 9));
      c.numeric.m2.forEach((m, l) => expect(Math.abs(m - wc.numeric.m2[l]!)).toBeLessThan(1e-9 * Math.max(1, wc.numeric.m2[l]!)));
      const byKey = (s: typeof c): unknown => (s.categories.overflow ? 'overflow' : Object.fromEntries(s.categories.keys.map((k, j) => [k, s.categories.counts[j]])));
      expect(byKey(c)).toEqual(byKey(wc));
    });
    expect(merged.correlation.columns).toEqual(w.correlation.columns);
    merged.correlation.labels.forEach((t, l) => {
      const wt = w.correlation.labels[l]!;
      expect(t.n).toEqual(wt.n);
      for (const key of ['mean', 'm2', 'c'] as const) t[key].forEach((v, i) => expect(Math.abs(v - wt[key][i]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(wt[key][i]!))));
    });
    const again = LabelModel.fromJSON(JSON.parse(JSON.stringify(merged)), 'profile.json');
    expect(again.toJSON()).toEqual(merged);
  });

  it('rejects a damaged model with a UserError naming the file', () => {
    const builder = new LabelModelBuilder({ labelColumn: 'label' });
    const good = JSON.parse(JSON.stringify(builder.finish().toJSON())) as Record<string, unknown>;
    expect(() => LabelModel.fromJSON({ ...good, format: 'other' }, 'ref.profile.json')).toThrow(UserError);
    expect(() => LabelModel.fromJSON({ ...good, labels: ['a'], labelCounts: [1, 2] }, 'ref.profile.json')).toThrow(/ref\.profile\.json: not a usable label model \(labelCounts must be 1 numbers\)/);
    expect(() => LabelModel.fromJSON(null, 'x.json')).toThrow(UserError);
    // Option values that would make the scanner allocate without bound, or overflow the int32 mask of correlated columns.
    expect(() => LabelModel.fromJSON({ ...good, options: { ...(good.options as object), maxLabels: 1e9 } }, 'x.json')).toThrow(/maxLabels \(at most 1000\)/);
    expect(() => new LabelModelBuilder({ labelColumn: 'label', maxCorrelated: 40 })).toThrow(/maxCorrelated must be an integer from 0 to 32, got 40/);
  });

  it('skips, with a note, a label that is not a class and a batch without the label', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-label-flip-'));
    const lines = ['id,x,label'];
    for (let i = 0; i < 300; i++) lines.push(`${i},${i % 7},${(i * 0.37).toFixed(2)}`);
    writeFileSync(join(dir, 'ref.csv'), `${lines.join('\n')}\n`);
    const regression = await scan(await modelOf('ref.csv', dir), 'ref.csv', dir);
    expect(regression.findings).toEqual([]);
    expect(regression.notes.join('\n')).toMatch(/label column 'label' has more than 64 distinct values/);

    writeFileSync(join(dir, 'nolabel.csv'), 'id,x\n1,2\n');
    const model = await modelOf(pathOf('dev_no_drift_500', 'ref'));
    const scanner = new LabelFlipScanner(model);
    for await (const b of batches(join(dir, 'nolabel.csv'), dir)) scanner.push(b);
    expect(scanner.finish().notes.join('\n')).toMatch(/1 batch rows come from files without the 'label' column/);
  });
});

describe('label flips on awkward input', () => {
  it('keeps huge and non-finite numbers out of the moments, and reports unknown labels and single-label references', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-label-flip-'));
    const ref = ['x,c,label'];
    for (let i = 0; i < 400; i++) ref.push(`${i === 7 ? '1e300' : i === 8 ? 'inf' : (i % 10) + (i % 2) * 5},${i % 3 === 0 ? 'a' : 'b'},${i % 2 === 0 ? 'even' : 'odd'}`);
    writeFileSync(join(dir, 'ref.csv'), `${ref.join('\n')}\n`);
    writeFileSync(join(dir, 'cur.csv'), 'x,c,label\n1e308,a,even\n3,b,weird\n4,b,\n');
    const model = await modelOf('ref.csv', dir);
    const json = model.toJSON();
    const x = json.columns.find((c) => c.name === 'x')!;
    expect(x.numeric.count.reduce((s, n) => s + n, 0)).toBe(398);
    expect(x.numeric.m2.every(Number.isFinite)).toBe(true);
    expect(LabelModel.fromJSON(JSON.parse(JSON.stringify(json))).toJSON()).toEqual(json);
    const r = await scan(model, 'cur.csv', dir);
    expect(r.findings).toEqual([]);
    expect(r.metrics['poisoning.label_flip.rows_scored']).toBe(1);
    expect(r.notes.join('\n')).toMatch(/1 batch rows carry a label the reference never had \("weird"\)/);
    expect(r.notes.join('\n')).toMatch(/1 batch rows have no 'label' value/);

    writeFileSync(join(dir, 'one.csv'), 'x,label\n1,a\n2,a\n');
    expect((await scan(await modelOf('one.csv', dir), 'one.csv', dir)).notes.join('\n')).toMatch(/label column 'label' has a single value in the reference/);
  });
});

describe('label flips with many missing-value patterns', () => {
  it('scores rows past the 1,024 cached patterns without correlations, says so, and stays silent on a clean batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-label-flip-'));
    // 12 numeric columns, each null half the time: about 4,096 patterns.
    const table = (seed: number): string => {
      let a = seed;
      const rand = (): number => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 2 ** 32);
      const lines = [['label', ...Array.from({ length: 12 }, (_, j) => `x${j}`)].join(',')];
      for (let r = 0; r < 3000; r++) {
        const y = rand() < 0.5 ? 1 : 0;
        lines.push([y, ...Array.from({ length: 12 }, (_, j) => (rand() < 0.5 ? '' : (y * (j % 3) * 0.5 + rand() * 2).toFixed(4)))].join(','));
      }
      return `${lines.join('\n')}\n`;
    };
    writeFileSync(join(dir, 'ref.csv'), table(11));
    writeFileSync(join(dir, 'cur.csv'), table(12));
    const r = await scan(await modelOf('ref.csv', dir), 'cur.csv', dir);
    expect(r.findings).toEqual([]);
    expect(r.notes.join('\n')).toMatch(/rows \(reference sample and batch\) had a missing-value pattern past the first 1024 and were scored without correlations/);
  });
});

describe('label flips on a generated 20k scenario (3 labels, 2% random flips)', () => {
  it('finds them, and does not fire on a clean batch of the same generator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-label-flip-'));
    const s = generateLabelFlipScenario({ rows: 20000, seed: 7, flipRate: 0.02 });
    writeFileSync(join(dir, 'ref.csv'), s.reference);
    writeFileSync(join(dir, 'cur.csv'), s.current);
    writeFileSync(join(dir, 'clean.csv'), generateLabelFlipScenario({ rows: 20000, seed: 8, flipRate: 0 }).current);
    const model = await modelOf('ref.csv', dir);
    const result = await scan(model, 'cur.csv', dir);
    const p = flipFinding(result).properties as Record<string, unknown>;
    const truth = new Set(s.flipped);
    expect(truth.size).toBe(431);
    const all = precisionRecall(p.rows as number[], truth);
    const likely = precisionRecall(p.likely_rows as number[], truth);
    // Measured: 697 suspects, precision 0.49, recall 0.79; likely_rows about 330, precision 0.76, recall 0.58;
    // p-value 2e-23. (With variances only, no correlations: precision 0.32, recall 0.74.)
    expect(all.recall).toBeGreaterThanOrEqual(0.75);
    expect(all.precision).toBeGreaterThanOrEqual(0.45);
    expect(likely.precision).toBeGreaterThanOrEqual(0.7);
    expect(likely.recall).toBeGreaterThanOrEqual(0.53);
    expect(result.metrics['poisoning.label_flip.pvalue']).toBeLessThan(1e-15);
    const clean = await scan(model, 'clean.csv', dir);
    expect(clean.findings).toEqual([]);
    // Half as many flips (1%) still fire (measured p 1e-12); a quarter (0.5%) does not: p 3e-4, but an
    // excess of about 80 rows stays under the floor of 0.5% of the batch.
    writeFileSync(join(dir, 'one-percent.csv'), generateLabelFlipScenario({ rows: 20000, seed: 7, flipRate: 0.01 }).current);
    expect((await scan(model, 'one-percent.csv', dir)).findings).toHaveLength(1);

    // The same batch as a folder of two files: one finding per file, rows counted within each file.
    const lines = s.current.trimEnd().split('\n');
    const header = lines[0] as string;
    mkdirSync(join(dir, 'parts'));
    writeFileSync(join(dir, 'parts', 'a.csv'), `${[header, ...lines.slice(1, 12001)].join('\n')}\n`);
    writeFileSync(join(dir, 'parts', 'b.csv'), `${[header, ...lines.slice(12001)].join('\n')}\n`);
    const parts = await scan(model, 'parts', dir);
    expect(parts.findings.map((f) => f.location.path)).toEqual(['parts/a.csv', 'parts/b.csv']);
    const [a, b] = parts.findings.map((f) => f.properties as Record<string, number[]>);
    expect([...a!.rows!, ...b!.rows!.map((r) => r + 12000)]).toEqual(p.rows);
    expect([...a!.likely_rows!, ...b!.likely_rows!.map((r) => r + 12000)].sort((x, y) => x - y)).toEqual([...(p.likely_rows as number[])].sort((x, y) => x - y));
    expect(parts.metrics).toEqual(result.metrics);
  });
});
