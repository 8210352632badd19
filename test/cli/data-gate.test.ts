import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aisec } from './run-cli';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/data-gate/e2e');

function copy(name: string): string {
  const ws = mkdtempSync(join(tmpdir(), `aisec-cli-data-gate-${name}-`));
  cpSync(join(FIXTURES, name), ws, { recursive: true });
  return ws;
}

describe('aisec data-gate', () => {
  it('has --help naming its options', () => {
    const r = aisec(['data-gate', '--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--reference', '--current', '--contract', '--manifest', '--dvc', '--drift-share', '--effect-threshold', '--outlier-method', '--z-threshold', '--label-column']) expect(r.stdout).toContain(flag);
  });

  it('exits 1 on the poisoned batch, with the findings at file:line and the JSON report', () => {
    const ws = copy('poisoned');
    const r = aisec(['data-gate', '--reference', 'data/reference.csv', '--current', 'data/batch.csv', '--json', 'gate.json'], { cwd: ws });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('data/batch.csv:14  AISEC-DATA-049');
    const report = JSON.parse(readFileSync(join(ws, 'gate.json'), 'utf8')) as { findings: { ruleId: string; properties?: Record<string, unknown> }[] };
    expect(report.findings.find((f) => f.ruleId === 'AISEC-DATA-044')?.properties?.rows_total).toBe(6);
  });

  it('exits 0 when no finding reaches fail-on (the drifted batch has high findings, none critical)', () => {
    const ws = copy('drifted');
    const r = aisec(['data-gate', '--reference', 'data/reference.csv', '--current', 'data/batch.csv', '--fail-on', 'critical'], { cwd: ws });
    expect(r.stdout).toContain('AISEC-DATA-041');
    expect(r.stdout).not.toContain('CRITICAL');
    expect(r.status).toBe(0);
  });

  it('exits 2 naming the file when the reference does not exist, and on a bad option value', { timeout: 30_000 }, () => {
    const ws = copy('poisoned');
    const missing = aisec(['data-gate', '--reference', 'data/none.csv', '--current', 'data/batch.csv'], { cwd: ws });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('data/none.csv');
    const bad = aisec(['data-gate', '--reference', 'data/reference.csv', '--current', 'data/batch.csv', '--outlier-method', 'zscor'], { cwd: ws });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--outlier-method must be one of zscore, iqr, mad, none');
    const half = aisec(['data-gate', '--current', 'data/batch.csv'], { cwd: ws });
    expect(half.status).toBe(2);
    expect(half.stderr).toContain('reference');
  });
});

describe('aisec data-gate profile and infer', () => {
  it('profiles shards, merges them, and gates against the merged profile; infer writes a contract the gate accepts', { timeout: 60_000 }, () => {
    const ws = copy('poisoned');
    const p1 = aisec(['data-gate', 'profile', 'data/reference.csv', '--output', 'ref.profile.json'], { cwd: ws });
    expect(p1.status).toBe(0);
    expect(p1.stdout).toContain('wrote profile of 800 rows, 7 columns to ref.profile.json');
    const merged = aisec(['data-gate', 'profile', '--merge', 'ref.profile.json', 'ref.profile.json', '--output', 'merged.json'], { cwd: ws });
    expect(merged.stdout).toContain('merged 2 profiles (1600 rows)');
    const gate = aisec(['data-gate', '--reference', 'ref.profile.json', '--current', 'data/batch.csv', '--json', 'gate.json'], { cwd: ws });
    expect(gate.status).toBe(1);
    const report = JSON.parse(readFileSync(join(ws, 'gate.json'), 'utf8')) as { findings: { ruleId: string; properties?: Record<string, unknown> }[]; metrics: Record<string, number> };
    expect(report.findings.find((f) => f.ruleId === 'AISEC-DATA-044')?.properties?.rows).toEqual([400, 401, 402, 403, 404, 405]);
    expect(typeof report.metrics['drift.age.ks_profile.error']).toBe('number');

    const infer = aisec(['data-gate', 'infer', 'data/reference.csv', '--output', 'contract.yml'], { cwd: ws });
    expect(infer.status).toBe(0);
    expect(readFileSync(join(ws, 'contract.yml'), 'utf8')).toContain('name: "segment"');
    const withContract = aisec(['data-gate', '--reference', 'data/reference.csv', '--current', 'data/batch.csv', '--contract', 'contract.yml', '--fail-on', 'never'], { cwd: ws });
    expect(withContract.status).toBe(0);
    const missing = aisec(['data-gate', 'profile', 'data/reference.csv'], { cwd: ws });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--output');
  });
});
