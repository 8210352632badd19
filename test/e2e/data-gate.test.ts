import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertValidReport, assertValidSarif } from '../helpers/schemas';
import { FakeGitHub } from './fake-github';
import { runBundle } from './run-bundle';

const BUNDLE = resolve(import.meta.dirname, '../../dist/data-gate/index.js');
const FIXTURES = resolve(import.meta.dirname, '../fixtures/data-gate/e2e');

interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string }[] } };
    results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[]; properties?: Record<string, unknown> }[];
  }[];
}

interface JsonReport {
  findings: { ruleId: string; severity: string; location: { path: string; line?: number }; properties?: Record<string, unknown> }[];
  metrics: Record<string, number | string>;
}

function workspace(name: string): string {
  const ws = mkdtempSync(join(tmpdir(), `aisec-data-gate-${name}-`));
  cpSync(join(FIXTURES, name), ws, { recursive: true });
  return ws;
}

let github: FakeGitHub | undefined;
afterEach(async () => {
  await github?.stop();
  github = undefined;
});

const INPUTS = { reference: 'data/reference.csv', current: 'data/batch.csv', token: 'ghs_test' };

describe('data-gate action bundle end to end', () => {
  it('drifted batch: column and dataset drift, the drift table and charts in the summary, SARIF and report', async () => {
    github = await new FakeGitHub().start();
    const ws = workspace('drifted');
    const run = await runBundle(BUNDLE, { workspace: ws, apiUrl: github.url, inputs: INPUTS });
    expect(run.stderr).toBe('');
    expect(github.violations).toEqual([]);
    expect(run.status).toBe(1);
    expect(run.outputs).toMatchObject({ 'max-severity': 'high', passed: 'false', report: 'aisec-results/data-gate.json', sarif: 'aisec-results/data-gate.sarif' });

    const report = JSON.parse(readFileSync(join(ws, 'aisec-results/data-gate.json'), 'utf8')) as JsonReport;
    assertValidReport(report);
    const drifted = report.findings.filter((f) => f.ruleId === 'AISEC-DATA-040').map((f) => f.properties?.column);
    expect(drifted).toEqual(expect.arrayContaining(['age', 'income', 'segment']));
    expect(report.findings.filter((f) => f.ruleId === 'AISEC-DATA-041')).toHaveLength(1);
    expect(report.metrics['drift.age.drifted']).toBe(1);
    expect(report.metrics['drift.review.drifted']).toBe(0);
    expect(typeof report.metrics['drift.age.ks.pvalue']).toBe('number');
    expect(typeof report.metrics['drift.segment.chi2.statistic']).toBe('number');
    // No poisoning was injected into this batch.
    expect(report.findings.filter((f) => ['AISEC-DATA-043', 'AISEC-DATA-044', 'AISEC-DATA-052', 'AISEC-DATA-047', 'AISEC-DATA-049', 'AISEC-DATA-050', 'AISEC-DATA-051'].includes(f.ruleId))).toEqual([]);

    const sarif = JSON.parse(readFileSync(join(ws, 'aisec-results/data-gate.sarif'), 'utf8')) as SarifLog;
    assertValidSarif(sarif);
    expect(sarif.runs[0]!.results.filter((r) => r.ruleId === 'AISEC-DATA-040').length).toBe(drifted.length);

    expect(run.summary).toContain('## aisec/data-gate');
    expect(run.summary).toMatch(/\| age \| \*\*yes\*\* \| KS \| [0-9.e-]+ \| wasserstein_norm [0-9.]+ \|/);
    expect(run.summary).toContain('```mermaid\nxychart-beta');
    expect(run.summary).toContain('**Drift:**');
    const created = github.byOperation('checks/create')[0]!.body as { name: string };
    expect(created.name).toBe('aisec/data-gate');
  });

  it('poisoned batch: trigger, formula, control characters, homoglyphs, copied and duplicated rows, at their rows and lines', async () => {
    github = await new FakeGitHub().start();
    const ws = workspace('poisoned');
    const run = await runBundle(BUNDLE, { workspace: ws, apiUrl: github.url, inputs: INPUTS });
    expect(run.stderr).toBe('');
    expect(github.violations).toEqual([]);
    expect(run.status).toBe(1);
    const report = JSON.parse(readFileSync(join(ws, 'aisec-results/data-gate.json'), 'utf8')) as JsonReport;
    assertValidReport(report);
    const rows = (id: string): unknown => report.findings.find((f) => f.ruleId === id)?.properties?.rows;
    expect(rows('AISEC-DATA-047')).toEqual(Array.from({ length: 24 }, (_, k) => 30 + k * 29));
    expect(rows('AISEC-DATA-049')).toEqual([12, 77, 301, 502]);
    expect(rows('AISEC-DATA-050')).toEqual([150]);
    expect(rows('AISEC-DATA-051')).toEqual([222]);
    expect(rows('AISEC-DATA-044')).toEqual([400, 401, 402, 403, 404, 405]);
    expect(rows('AISEC-DATA-043')).toEqual([500, 501, 502, 640]);
    const near = report.findings.filter((f) => f.ruleId === 'AISEC-DATA-052').map((f) => [f.properties?.of, f.properties?.rows]);
    expect(near).toEqual([
      ['batch', [600, 601, 602]],
      ['reference', [603]],
    ]);
    const ages = report.findings.find((f) => f.ruleId === 'AISEC-DATA-042' && f.properties?.column === 'age');
    expect(ages?.properties?.rows).toEqual(expect.arrayContaining([60, 61, 700]));
    // No drift was injected: no dataset drift.
    expect(report.findings.filter((f) => f.ruleId === 'AISEC-DATA-041')).toEqual([]);

    // Row r of a file with one header line and no multi-line fields starts on line r + 2.
    const formula = report.findings.find((f) => f.ruleId === 'AISEC-DATA-049');
    expect(formula?.location).toEqual({ path: 'data/batch.csv', line: 14 });
    const logged = run.annotations.filter((a) => a.properties.file).map((a) => `${a.properties.file}:${a.properties.line}`);
    expect(logged).toContain('data/batch.csv:14');
    expect(logged).toContain('data/batch.csv:32');

    const sarif = JSON.parse(readFileSync(join(ws, 'aisec-results/data-gate.sarif'), 'utf8')) as SarifLog;
    assertValidSarif(sarif);
    const trigger = sarif.runs[0]!.results.find((r) => r.ruleId === 'AISEC-DATA-047');
    expect(trigger?.locations[0]?.physicalLocation).toMatchObject({ artifactLocation: { uri: 'data/batch.csv' }, region: { startLine: 32 } });
    expect(sarif.runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(expect.arrayContaining(['AISEC-DATA-043', 'AISEC-DATA-044', 'AISEC-DATA-047', 'AISEC-DATA-049', 'AISEC-DATA-050', 'AISEC-DATA-051']));
  });

  it('a missing reference file is a clear input error, exit 2 in the CLI sense: the step fails with the file named', async () => {
    const ws = workspace('poisoned');
    const run = await runBundle(BUNDLE, { workspace: ws, inputs: { reference: 'data/nope.csv', current: 'data/batch.csv', 'check-run': 'false' } });
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('data/nope.csv');
  });
});
