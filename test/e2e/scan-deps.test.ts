import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertValidReport, assertValidSarif } from '../helpers/schemas';
import { EXPECTED_OTHERS, EXPECTED_VULNERABILITIES, projectCopy } from '../scan-deps/gate/project-fixture';
import { startFakeOsvServer, type FakeOsvServer } from '../scan-deps/osv/fake-osv-server';
import { OSV_ZIP } from '../scan-deps/osv/shared-data';
import { FakeGitHub } from './fake-github';
import { runBundle } from './run-bundle';

const BUNDLE = resolve(import.meta.dirname, '../../dist/scan-deps/index.js');

interface CheckAnnotation {
  path: string;
  start_line: number;
  annotation_level: string;
  message: string;
  title?: string;
}

interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string; help?: { text: string } }[] } };
    results: { ruleId: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[]; properties?: Record<string, unknown> }[];
  }[];
}

let github: FakeGitHub | undefined;
let osv: FakeOsvServer | undefined;
afterEach(async () => {
  await github?.stop();
  await osv?.close();
  github = undefined;
  osv = undefined;
});

/** The fixture project with the shared OSV slice copied in, as a repository would carry its export. */
function workspaceWithExport(): string {
  const ws = projectCopy();
  mkdirSync(join(ws, 'osv'));
  copyFileSync(OSV_ZIP, join(ws, 'osv', 'pypi-osv.zip'));
  return ws;
}

const ALL = [...EXPECTED_VULNERABILITIES, ...EXPECTED_OTHERS];

describe('scan-deps action bundle end to end', () => {
  it('offline: annotations on the declaring lines, check run, SARIF, JSON report, outputs and summary', async () => {
    github = await new FakeGitHub().start();
    const ws = workspaceWithExport();
    const cache = mkdtempSync(join(tmpdir(), 'aisec-osv-cache-'));
    const run = await runBundle(BUNDLE, {
      workspace: ws,
      apiUrl: github.url,
      inputs: { 'offline-db': 'osv/pypi-osv.zip', 'cache-dir': cache, token: 'ghs_test' },
      // No network in offline mode: a request to the API would fail against this address.
      env: { RUNNER_TOOL_CACHE: join(cache, 'tool-cache') },
    });
    expect(run.stderr).toBe('');
    expect(github.violations).toEqual([]);
    expect(run.status).toBe(1);
    expect(run.outputs).toMatchObject({
      findings: String(ALL.length),
      'max-severity': 'high',
      passed: 'false',
      report: 'aisec-results/scan-deps.json',
      sarif: 'aisec-results/scan-deps.sarif',
    });

    // Workflow-command annotations: each vulnerability at the line that pins it.
    const logged = run.annotations.filter((a) => a.properties.file).map((a) => `${a.properties.file}:${a.properties.line}`);
    for (const [, path, line] of ALL) expect(logged).toContain(`${path}:${line}`);
    const mlflow = run.annotations.find((a) => a.message.includes('PYSEC-2024-51'));
    expect(mlflow?.level).toBe('error');
    expect(mlflow?.message).toContain('Upgrade mlflow to 2.10.1 to fix all 4 advisories');

    // The check run carries every finding as an annotation at the same place.
    const created = github.byOperation('checks/create')[0]!.body as { name: string; output: { annotations: CheckAnnotation[] } };
    expect(created.name).toBe('aisec/scan-deps');
    const annotations = [
      ...created.output.annotations,
      ...github.byOperation('checks/update').flatMap((u) => (u.body as { output?: { annotations?: CheckAnnotation[] } }).output?.annotations ?? []),
    ];
    expect(annotations.map((a) => `${a.path}:${a.start_line}`).sort()).toEqual(ALL.map(([, path, line]) => `${path}:${line}`).sort());
    const yaml = annotations.find((a) => a.message.includes('PYSEC-2021-142'));
    expect(yaml).toMatchObject({ path: 'requirements.txt', start_line: 2, annotation_level: 'failure' });
    expect(yaml?.message).toContain('scan-pickle');
    const completed = github.byOperation('checks/update').at(-1)!.body as { conclusion: string };
    expect(completed.conclusion).toBe('failure');

    const sarif = JSON.parse(readFileSync(join(ws, 'aisec-results/scan-deps.sarif'), 'utf8')) as SarifLog;
    assertValidSarif(sarif);
    const results = sarif.runs[0]!.results;
    expect(results).toHaveLength(ALL.length);
    const urllib3 = results.find((r) => r.properties?.vulnerability === 'PYSEC-2023-212');
    expect(urllib3?.locations[0]?.physicalLocation).toMatchObject({ artifactLocation: { uri: 'requirements.txt' }, region: { startLine: 4 } });
    expect(urllib3?.message.text).toContain('Upgrade urllib3 to 1.26.18');
    expect(urllib3?.properties).toMatchObject({ package: 'urllib3', version: '1.26.15', upgradeTo: '1.26.18', fixedIn: '1.26.18' });
    expect(sarif.runs[0]!.tool.driver.rules.map((r) => r.id).sort()).toEqual(['AISEC-DEP-001', 'AISEC-DEP-002', 'AISEC-DEP-003', 'AISEC-DEP-004']);

    const report = JSON.parse(readFileSync(join(ws, 'aisec-results/scan-deps.json'), 'utf8')) as {
      findings: { ruleId: string; properties?: Record<string, unknown> }[];
      metrics: Record<string, unknown>;
      notes: string[];
    };
    assertValidReport(report);
    const torch = report.findings.find((f) => f.properties?.vulnerability === 'PYSEC-2022-43015');
    expect(torch?.properties).toMatchObject({ package: 'torch', version: '1.13.0', aliases: expect.arrayContaining(['CVE-2022-45907']), cell: 'cell 2' });
    expect(report.metrics).toMatchObject({ 'osv.advisories': 398, 'dependencies.checked': 10, 'vulnerabilities.found': 10 });
    expect(report.notes[0]).toMatch(/^OSV database: offline export osv\/pypi-osv\.zip, 398 advisories, newest advisory modified 2024-10-08 \(\d+ days old\)/);

    expect(run.summary).toContain('## aisec/scan-deps: ❌ failed');
    expect(run.summary).toContain('**Database:** offline export osv/pypi-osv.zip');
    expect(run.summary).toContain('| mlflow | 2.8.0 | PYSEC-2023-252, PYSEC-2023-253, PYSEC-2024-51, PYSEC-2023-260 | 2.10.1 | training/poetry.lock |');
    expect(run.summary).toContain('| urllib3 | 1.26.15 | PYSEC-2023-192, PYSEC-2023-212 | 1.26.18 | requirements.txt |');
    // The index went to cache-dir, not beside the export in the repository.
    expect(readdirSync(join(ws, 'osv'))).toEqual(['pypi-osv.zip']);
    expect(readdirSync(join(cache, 'index'))).toHaveLength(1);
  });

  it('online: queries the OSV API named by osv-api-url (a fake on 127.0.0.1) and finds the same vulnerabilities', async () => {
    osv = await startFakeOsvServer();
    const ws = projectCopy();
    const run = await runBundle(BUNDLE, { workspace: ws, inputs: { 'osv-api-url': osv.url, 'check-run': 'false' } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(run.outputs.findings).toBe(String(ALL.length));
    expect(osv.log.filter((l) => l.startsWith('POST /v1/querybatch'))).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(ws, 'aisec-results/scan-deps.json'), 'utf8')) as { findings: { properties?: Record<string, unknown> }[]; notes: string[] };
    const ids = report.findings.map((f) => f.properties?.vulnerability).filter((id): id is string => typeof id === 'string');
    expect(ids.sort((a, b) => a.localeCompare(b))).toEqual(EXPECTED_VULNERABILITIES.map(([, , , e]) => e.split(' ')[1]!).sort((a, b) => a.localeCompare(b)));
    expect(report.notes[0]).toContain(`the OSV API at ${osv.url}`);
    expect(run.summary).toContain(`**Database:** the OSV API at ${osv.url}`);
  });

  it('online with the API unreachable: fails, says the check did not run, suggests --offline-db, reports nothing as clean', async () => {
    osv = await startFakeOsvServer();
    const url = osv.url;
    await osv.close();
    osv = undefined;
    const ws = projectCopy();
    const run = await runBundle(BUNDLE, { workspace: ws, inputs: { 'osv-api-url': url, 'check-run': 'false' } });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/::error::aisec\/scan-deps: cannot reach the OSV API at http:\/\/127\.0\.0\.1:\d+ .*the vulnerability check did not run/);
    expect(run.stdout).toContain('--offline-db');
    expect(run.summary).toContain('could not run');
    expect(run.outputs.passed).toBe('false');
  }, 60_000);
});
