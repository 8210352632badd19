import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type Finding, type Report, silentLogger } from '@aisec/core';
import { describe, expect, it } from 'vitest';
import { type DataGateOptions, DEFAULT_DRIFT, DEFAULT_OUTLIERS, runDataGate } from '../../../packages/data-gate/src/gate/gate';
import { RULES } from '../../../packages/data-gate/src/index';
import { STREAMING_LEAVES_OUT } from '../../../packages/data-gate/src/exact-stream/stream-gate';
import { SHARED } from '../readers/helpers';

/**
 * The streaming exact mode (forced by a memory budget of a few thousand values, so every column is
 * spilled as dozens of sorted runs) reports what the in-memory mode reports on every shared scenario:
 * the same drift metrics, the same outlier, duplicate and copied rows, the same findings; and it never
 * holds more values than its budget.
 */
// The shared data beside the repository (../shared), wherever the repository is.
const ROOT = SHARED;
const DATA = join(ROOT, 'data');
const TINY_MB = 0.05; // 6,553 values

const scenarios = readdirSync(DATA)
  .filter((f) => /_ref\.(csv|jsonl)$/.test(f))
  .map((f) => f.replace(/_ref\.(csv|jsonl)$/, ''));

function options(scenario: string, extra: Partial<DataGateOptions> = {}): DataGateOptions {
  const ref = readdirSync(DATA).find((f) => f.startsWith(`${scenario}_ref.`)) as string;
  const cur = readdirSync(DATA).find((f) => f.startsWith(`${scenario}_cur.`)) as string;
  return { reference: join(DATA, ref), current: join(DATA, cur), provenance: [], drift: { ...DEFAULT_DRIFT }, outliers: { ...DEFAULT_OUTLIERS }, poisoning: true, read: {}, ...extra };
}

async function run(opts: DataGateOptions, signal = new AbortController().signal): Promise<Report> {
  return runDataGate(opts, { workspace: ROOT, logger: silentLogger, limits: DEFAULT_LIMITS, signal });
}

function same(a: number | undefined, e: number | undefined): boolean {
  if (a === undefined || e === undefined) return a === e;
  if (Number.isNaN(e)) return Number.isNaN(a);
  if (!Number.isFinite(e) || e === 0) return a === e;
  return Math.abs(a - e) <= 1e-12 * Math.abs(e);
}

/** Findings but for those the streaming mode does not look for (near-duplicates). */
const NOT_STREAMED = new Set([RULES.RULE_NEAR_DUPLICATE_ROWS]);

function comparable(findings: Finding[], ruleIds: ReadonlySet<string>): unknown[] {
  return findings.filter((f) => !ruleIds.has(f.ruleId)).map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, location: f.location, evidence: f.evidence, properties: f.properties }));
}

describe('exact mode streamed under a small memory budget equals the in-memory mode', () => {
  for (const scenario of scenarios) {
    for (const method of ['zscore', 'iqr', 'mad'] as const) {
      it(`${scenario}, ${method} outliers`, async () => {
        const outliers = { ...DEFAULT_OUTLIERS, method };
        const memory = await run(options(scenario, { outliers }));
        const streamed = await run(options(scenario, { outliers, memoryMb: TINY_MB }));
        expect(memory.metrics['exact.memory_peak_values']).toBeUndefined();
        expect(streamed.metrics['exact.memory_peak_values']).toBeGreaterThan(0);
        expect(streamed.metrics['exact.memory_peak_values']).toBeLessThanOrEqual(streamed.metrics['exact.memory_budget_values'] as number);
        expect(streamed.notes.some((n) => n.includes(STREAMING_LEAVES_OUT))).toBe(true);

        const keys = Object.keys(memory.metrics).filter((k) => !k.startsWith('duplicates.near_'));
        const bad = keys.filter((k) => !same(streamed.metrics[k], memory.metrics[k])).map((k) => `${k}: ${streamed.metrics[k]} vs ${memory.metrics[k]}`);
        expect(bad).toEqual([]);
        expect(Object.keys(memory.metrics).filter((k) => k.startsWith('drift.') || k.startsWith('outliers.') || k.startsWith('duplicates.')).length).toBeGreaterThan(20);
        const byLabel = (r: Report): string[] => Object.keys(r.metrics).filter((k) => k.startsWith('drift_by_label.')).sort();
        expect(byLabel(streamed)).toEqual(byLabel(memory));

        const ruleIds = new Set([...memory.rules.map((r) => r.id), ...streamed.rules.map((r) => r.id)].filter((id) => NOT_STREAMED.has(id)));
        expect(comparable(streamed.findings, ruleIds)).toEqual(comparable(memory.findings, ruleIds));
      });
    }
  }

  it('fits outliers on the batch (outlier-fit: current) the same way', async () => {
    const outliers = { ...DEFAULT_OUTLIERS, method: 'iqr' as const, fit: 'current' as const };
    const memory = await run(options('dev_outliers_5k', { outliers }));
    const streamed = await run(options('dev_outliers_5k', { outliers, memoryMb: TINY_MB }));
    const pick = (r: Report) => r.findings.filter((f) => f.ruleId === RULES.RULE_OUTLIER_ROWS).map((f) => f.properties);
    expect(pick(streamed)).toEqual(pick(memory));
    expect(pick(memory).length).toBeGreaterThan(0);
  });
});

describe('choice of mode', () => {
  it('reads inputs whole when their estimated size fits memory-mb, and streams them when it does not', async () => {
    // dev_outliers_5k: 0.79 MB of CSV, estimated at 20 times that (16 MB) in memory.
    const whole = await run(options('dev_outliers_5k', { memoryMb: 64 }));
    const streamed = await run(options('dev_outliers_5k', { memoryMb: 8 }));
    expect(whole.metrics['exact.memory_peak_values']).toBeUndefined();
    expect(streamed.metrics['exact.memory_budget_values']).toBe((8 * 1024 * 1024) / 8);
    expect(streamed.notes.some((n) => n.startsWith('exact mode streamed with a memory budget of 8 MB'))).toBe(true);
  });
});

describe('the spill folder', () => {
  it('is gone after a run, after a UserError and after a cancellation, and no file stays open', async () => {
    // A private TMPDIR (os.tmpdir() reads it on each call), so other tests' spill folders do not interfere.
    const saved = process.env.TMPDIR;
    const parent = mkdtempSync(join(tmpdir(), 'spill-test-'));
    process.env.TMPDIR = parent;
    try {
      expect(await checkRemoval(parent)).toBe(4);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(parent, { recursive: true, force: true });
    }
  });

  async function checkRemoval(parent: string): Promise<number> {
    const spillFolders = (): string[] => readdirSync(parent).filter((d) => d.startsWith('aisec-data-gate-'));
    const before = new Set<string>();
    expect(tmpdir()).toBe(parent);
    const report = await run(options('dev_outliers_5k', { memoryMb: TINY_MB }));
    expect(report.metrics['exact.memory_peak_values']).toBeGreaterThan(0);
    expect(spillFolders().filter((d) => !before.has(d))).toEqual([]);

    // The UserError comes once the reference is read: its row-key partition files are open then.
    const openFiles = (): number => readdirSync('/proc/self/fd').length;
    const fdsBefore = openFiles();
    await expect(run(options('dev_outliers_5k', { memoryMb: TINY_MB, labelColumn: 'no_such_column' }))).rejects.toThrow(/label column 'no_such_column'/);
    expect(spillFolders().filter((d) => !before.has(d))).toEqual([]);
    expect(openFiles()).toBeLessThanOrEqual(fdsBefore);

    const controller = new AbortController();
    const pending = run(options('dev_outliers_5k', { memoryMb: TINY_MB }), controller.signal);
    controller.abort();
    await expect(pending).rejects.toThrow(/cancel/);
    expect(spillFolders().filter((d) => !before.has(d))).toEqual([]);

    // Cancelled in the middle of the batch, with sorted reference columns and partitions on disk.
    const midway = new AbortController();
    let spilledAtAbort = 0;
    const logger = {
      ...silentLogger,
      progress(label: string, done: number): void {
        if (label.includes('batch rows') && done > 1000 && !midway.signal.aborted) {
          spilledAtAbort = spillFolders().flatMap((d) => readdirSync(join(parent, d))).length;
          midway.abort();
        }
      },
    };
    const fdsBeforeMidway = openFiles();
    await expect(runDataGate(options('dev_outliers_5k', { memoryMb: TINY_MB }), { workspace: ROOT, logger, limits: DEFAULT_LIMITS, signal: midway.signal })).rejects.toThrow(/cancel/);
    expect(spilledAtAbort).toBeGreaterThan(10);
    expect(spillFolders().filter((d) => !before.has(d))).toEqual([]);
    expect(openFiles()).toBeLessThanOrEqual(fdsBeforeMidway); // a stream of the previous run may still be closing
    expect(existsSync(parent)).toBe(true);
    return 4; // runs checked: success, UserError, cancellation at the start and midway
  }
});
