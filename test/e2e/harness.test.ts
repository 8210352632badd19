import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertValidReport, assertValidSarif } from '../helpers/schemas';
import { FakeGitHub } from './fake-github';
import { runBundle } from './run-bundle';
import { testGateBundle } from './test-gate-bundle';

let bundle: string;
let github: FakeGitHub | undefined;

beforeAll(async () => {
  bundle = await testGateBundle();
});

afterEach(async () => {
  await github?.stop();
  github = undefined;
});

function workspace(): string {
  return mkdtempSync(join(tmpdir(), 'aisec-ws-'));
}

describe('runner end to end (test-only gate bundle against the fake GitHub API)', () => {
  it('creates a check run, appends 120 annotations in batches of 50, completes it, and writes every report', async () => {
    github = await new FakeGitHub().start();
    const ws = workspace();
    const run = await runBundle(bundle, { workspace: ws, apiUrl: github.url, inputs: { count: '120', token: 'ghs_test' } });
    expect(github.violations).toEqual([]);

    const creates = github.byOperation('checks/create');
    const updates = github.byOperation('checks/update');
    expect(creates).toHaveLength(1);
    const created = creates[0]!.body as { name: string; head_sha: string; status: string; output: { annotations: unknown[] } };
    expect(created).toMatchObject({ name: 'aisec/test-gate', head_sha: 'a'.repeat(40), status: 'in_progress' });
    expect(created.output.annotations).toHaveLength(50);
    const appended = updates.filter((u) => (u.body as { output?: { annotations?: unknown[] } }).output?.annotations);
    expect(appended.map((u) => (u.body as { output: { annotations: unknown[] } }).output.annotations.length)).toEqual([50, 20]);
    const completed = updates.at(-1)!.body as { status: string; conclusion: string; output: { summary: string } };
    expect(completed).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(Buffer.byteLength(completed.output.summary)).toBeLessThanOrEqual(65535);

    expect(run.status).toBe(1);
    expect(run.outputs).toMatchObject({ findings: '120', 'max-severity': 'critical', passed: 'false', report: 'aisec-results/test-gate.json', sarif: 'aisec-results/test-gate.sarif' });
    expect(run.stdout).toContain("::error::aisec/test-gate: 48 findings at or above 'high'");

    // Annotations in the log: most severe first, at most 10 per level; the summary says how many more.
    const levels = run.annotations.filter((a) => a.properties.title?.startsWith('aisec/test-gate')).map((a) => a.level);
    expect(levels.filter((l) => l === 'error')).toHaveLength(10);
    expect(levels.filter((l) => l === 'warning')).toHaveLength(10);
    expect(levels.indexOf('warning')).toBeGreaterThan(levels.lastIndexOf('error'));
    expect(run.summary).toContain('## aisec/test-gate: ❌ failed');
    expect(run.summary).toMatch(/90 more findings are not annotated in the log/);

    const report = JSON.parse(readFileSync(join(ws, 'aisec-results/test-gate.json'), 'utf8')) as { findings: unknown[]; metrics: Record<string, unknown> };
    assertValidReport(report);
    expect(report.findings).toHaveLength(120);
    expect(report.metrics['ratio.inf']).toBe('inf');
    const sarif = JSON.parse(readFileSync(join(ws, 'aisec-results/test-gate.sarif'), 'utf8')) as { runs: { results: unknown[] }[] };
    assertValidSarif(sarif);
    expect(sarif.runs[0]!.results).toHaveLength(120);
  });

  it('degrades when the check-run call is refused (403) and still delivers every finding elsewhere', async () => {
    github = await new FakeGitHub({ failures: { 'checks/create': 403 } }).start();
    const ws = workspace();
    const run = await runBundle(bundle, { workspace: ws, apiUrl: github.url, inputs: { count: '120', token: 'ghs_readonly' } });
    expect(github.violations).toEqual([]);
    expect(github.byOperation('checks/create')).toHaveLength(1);
    expect(github.byOperation('checks/update')).toHaveLength(0);
    expect(run.stdout).toMatch(/::warning::aisec\/test-gate: no check run: the token cannot create check runs \(HTTP 403/);
    expect(run.stdout).toContain('pull requests from forks');
    // The verdict is the policy's, not the reporter's.
    expect(run.status).toBe(1);
    expect(run.outputs.findings).toBe('120');
    expect(run.annotations.filter((a) => a.properties.file).length).toBe(30);
    expect(run.summary).toContain('120 findings');
    const sarif = JSON.parse(readFileSync(join(ws, 'aisec-results/test-gate.sarif'), 'utf8')) as { runs: { results: unknown[] }[] };
    assertValidSarif(sarif);
    expect(sarif.runs[0]!.results).toHaveLength(120);
  });

  it('passes with success when nothing reaches fail-on', async () => {
    github = await new FakeGitHub().start();
    const run = await runBundle(bundle, { workspace: workspace(), apiUrl: github.url, inputs: { count: '4', severity: 'medium', token: 't' } });
    expect(github.violations).toEqual([]);
    expect(run.status).toBe(0);
    expect(run.outputs).toMatchObject({ passed: 'true', findings: '4', 'max-severity': 'medium' });
    expect((github.byOperation('checks/update').at(-1)!.body as { conclusion: string }).conclusion).toBe('success');
  });

  it('keeps one pull-request comment per gate, updated in place', async () => {
    github = await new FakeGitHub().start();
    const ws = workspace();
    const event = { pull_request: { number: 17, head: { sha: 'b'.repeat(40) } } };
    const inputs = { count: '2', token: 't', 'pr-comment': 'true', 'check-run': 'false' };
    await runBundle(bundle, { workspace: ws, apiUrl: github.url, inputs, event, eventName: 'pull_request' });
    await runBundle(bundle, { workspace: ws, apiUrl: github.url, inputs: { ...inputs, count: '3' }, event, eventName: 'pull_request' });
    expect(github.violations).toEqual([]);
    expect(github.byOperation('issues/create-comment')).toHaveLength(1);
    expect(github.byOperation('issues/update-comment')).toHaveLength(1);
    const [comment] = [...github.comments.values()];
    expect(comment!.issue).toBe(17);
    expect(comment!.body.startsWith('<!-- aisec:test-gate -->')).toBe(true);
    expect(comment!.body).toContain('3 findings');
  });

  it('fails with a one-line error naming file, line and key for a malformed .aisec.yml (no API calls, no report files)', async () => {
    github = await new FakeGitHub().start();
    const ws = workspace();
    writeFileSync(join(ws, '.aisec.yml'), 'fail-on: high\ntest-gate:\n  cuont: 3\n');
    const run = await runBundle(bundle, { workspace: ws, apiUrl: github.url, inputs: { token: 't' } });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("::error::aisec/test-gate: .aisec.yml:3:3: unknown key 'cuont' in 'test-gate' (key 'test-gate.cuont'). Did you mean 'count'?");
    expect(run.summary).toContain('could not run');
    expect(run.outputs.passed).toBe('false');
    expect(github.calls).toEqual([]);
    expect(existsSync(join(ws, 'aisec-results'))).toBe(false);
  });

  it('names a bad input and what it accepts', async () => {
    const run = await runBundle(bundle, { workspace: workspace(), inputs: { count: 'many', 'check-run': 'false' } });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("::error::aisec/test-gate: input 'count' must be a whole number; got 'many'");
  });

  it('reports an internal error with its stack and a request for a bug report', async () => {
    const run = await runBundle(bundle, { workspace: workspace(), inputs: { fail: 'internal', 'check-run': 'false' } });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('TypeError: test gate internal failure');
    expect(run.stdout).toMatch(/at .*run/);
    expect(run.stdout).toContain('This is a bug in aisec');
    expect(run.summary).toContain('could not run');
  });

  it('applies suppressions from the config and reports expired ones', async () => {
    const ws = workspace();
    writeFileSync(
      join(ws, '.aisec.yml'),
      'suppressions:\n  - rule: AISEC-TST-001\n    reason: accepted risk\n  - rule: AISEC-TST-002\n    reason: was fine\n    expires: 2020-01-01\n',
    );
    const run = await runBundle(bundle, { workspace: ws, inputs: { count: '5', 'check-run': 'false' } });
    const report = JSON.parse(readFileSync(join(ws, 'aisec-results/test-gate.json'), 'utf8')) as { findings: { ruleId: string; location: { path: string; line?: number } }[]; suppressed: unknown[] };
    assertValidReport(report);
    expect(report.suppressed).toHaveLength(1);
    expect(report.findings.map((f) => f.ruleId)).toContain('AISEC-POL-001');
    expect(report.findings.find((f) => f.ruleId === 'AISEC-POL-001')!.location).toEqual({ path: '.aisec.yml', line: 4 });
    expect(run.status).toBe(1);
  });
});
