import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyConfig, executeGate, isUserError, silentLogger, type Finding, type Report } from '@aisec/core';
import { scanDepsBinding, scanDepsGate, scanDepsSummary, type ScanDepsOptions } from '../../../packages/scan-deps/src/index';
import { startFakeOsvServer, type FakeOsvServer } from '../osv/fake-osv-server';
import { OSV_ZIP } from '../osv/shared-data';
import { writeZip } from '../osv/zip-writer';
import { EXPECTED_OTHERS, EXPECTED_VULNERABILITIES, contextFor, projectCopy } from './project-fixture';

const NOW = new Date('2024-10-18T00:00:00Z');

function offline(ws: string, extra: Partial<ScanDepsOptions> = {}): ScanDepsOptions {
  const db = join(ws, 'osv', 'pypi-osv.zip');
  mkdirSync(join(ws, 'osv'), { recursive: true });
  copyFileSync(OSV_ZIP, db);
  return { paths: [ws], includeDev: true, offlineDb: db, cacheDir: join(ws, '.cache'), now: NOW, ...extra };
}

function rows(findings: Finding[]): (string | number | undefined)[][] {
  return findings
    .map((f) => [f.ruleId, f.location.path, f.location.line, f.evidence])
    .sort((a, b) => String(a[1]).localeCompare(String(b[1])) || Number(a[2]) - Number(b[2]) || String(a[3]).localeCompare(String(b[3])));
}

function expected(list: readonly (readonly [string, string, number, string])[]): (string | number | undefined)[][] {
  return rows(list.map(([ruleId, path, line, evidence]) => ({ ruleId, severity: 'high', message: '', location: { path, line }, evidence })));
}

function byEvidence(report: Report, evidence: string): Finding {
  const f = report.findings.find((x) => x.evidence === evidence);
  if (!f) throw new Error(`no finding ${evidence}`);
  return f;
}

let server: FakeOsvServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('scan-deps gate on a project (requirements.txt, Poetry lock, notebook) with the real OSV slice', () => {
  it('reports every vulnerable pin at its line, unpinned requirements, and lock drift; nothing else', async () => {
    const ws = projectCopy();
    const report = await scanDepsGate.run(offline(ws), contextFor(ws));
    expect(rows(report.findings)).toEqual(expected([...EXPECTED_VULNERABILITIES, ...EXPECTED_OTHERS]));
  });

  it('carries the interface properties, the per-advisory fix and the per-package upgrade', async () => {
    const ws = projectCopy();
    const report = await scanDepsGate.run(offline(ws), contextFor(ws));
    const urllib3 = byEvidence(report, 'urllib3@1.26.15 PYSEC-2023-192');
    expect(urllib3.severity).toBe('high');
    expect(urllib3.properties).toMatchObject({
      package: 'urllib3',
      version: '1.26.15',
      vulnerability: 'PYSEC-2023-192',
      fixedIn: '1.26.17',
      upgradeTo: '1.26.18',
      severitySource: 'cvss',
      cvss: { score: 8.1, version: '3.1' },
    });
    expect(urllib3.properties?.aliases).toEqual(expect.arrayContaining(['CVE-2023-43804', 'GHSA-v845-jxx5-vc9f']));
    expect(urllib3.message).toContain('Upgrade urllib3 to 1.26.18 to fix both advisories');
    expect(byEvidence(report, 'urllib3@1.26.15 PYSEC-2023-212').severity).toBe('medium');

    const mlflow = report.findings.filter((f) => f.properties?.package === 'mlflow');
    expect(mlflow).toHaveLength(4);
    // 2.10.1 is the smallest fixed release that clears PYSEC-2023-252/253 (2.9.2), -260 (2.9.1) and 2024-51 (2.10.1).
    expect(new Set(mlflow.map((f) => f.properties?.upgradeTo))).toEqual(new Set(['2.10.1']));
    expect(mlflow.map((f) => JSON.stringify(f.properties?.fixedIn)).sort((a, b) => a.localeCompare(b))).toEqual(['"2.10.1"', '"2.9.1"', '"2.9.2"', '"2.9.2"']);
    // Unrated advisories fall back to high so they never slip under the default fail-on.
    expect(byEvidence(report, 'mlflow@2.8.0 PYSEC-2024-51').properties?.severitySource).toBe('default');
    expect(byEvidence(report, 'mlflow@2.8.0 PYSEC-2024-51').severity).toBe('high');

    const yaml = byEvidence(report, 'pyyaml@5.3.1 PYSEC-2021-142');
    expect(yaml.properties).toMatchObject({ deserialization: expect.stringContaining('full_load'), seeAlso: 'scan-pickle', upgradeTo: '5.4' });
    expect(yaml.message).toContain('scan-pickle');
    expect(yaml.help).toContain('https://osv.dev/vulnerability/PYSEC-2021-142');
    expect(yaml.helpUri).toBe('https://osv.dev/vulnerability/PYSEC-2021-142');

    const torch = byEvidence(report, 'torch@1.13.0 PYSEC-2022-43015');
    expect(torch.properties?.cell).toBe('cell 2');
    expect(report.rules.map((r) => r.id)).toEqual(['AISEC-DEP-001', 'AISEC-DEP-002', 'AISEC-DEP-003', 'AISEC-DEP-004']);
  });

  it('names the database and its age, counts what was and was not checked, and never writes beside the export', async () => {
    const ws = projectCopy();
    const options = offline(ws);
    const report = await scanDepsGate.run(options, contextFor(ws));
    expect(report.notes[0]).toBe(
      'OSV database: offline export osv/pypi-osv.zip, 398 advisories, newest advisory modified 2024-10-08 (9 days old): advisories published since are not known to this check',
    );
    expect(report.metrics).toMatchObject({
      'files.scanned': 4,
      'dependencies.total': 12,
      'dependencies.checked': 10,
      'dependencies.unpinned': 2,
      'osv.advisories': 398,
      'osv.age.days': 9,
      'vulnerabilities.found': 10,
      'packages.vulnerable': 6,
      'vulnerabilities.deserialization': 1,
    });
    expect(readdirSync(join(ws, 'osv'))).toEqual(['pypi-osv.zip']);
    expect(readdirSync(join(ws, '.cache', 'index'))).toHaveLength(1);
    expect(report.notes).toContain('training/pyproject.toml: not checked itself; training/poetry.lock is checked in its place (the lock pins exact versions of what pyproject.toml declares)');
  });

  it('leaves dev dependencies out when asked and says which', async () => {
    const ws = projectCopy();
    const report = await scanDepsGate.run(offline(ws, { includeDev: false }), contextFor(ws));
    expect(report.metrics['dependencies.dev-excluded']).toBe(1);
    expect(report.notes.some((n) => n.includes('dev dependency left out') && n.includes('pytest'))).toBe(true);
  });

  it('says nothing was checked when there is nothing to check, without touching the database', async () => {
    const ws = projectCopy();
    const empty = join(ws, 'empty');
    mkdirSync(empty);
    const report = await scanDepsGate.run({ paths: [empty], includeDev: true, osvApiUrl: 'http://127.0.0.1:9', now: NOW }, contextFor(ws));
    expect(report.findings).toEqual([]);
    expect(report.notes).toContain('no dependency files were found, so no dependency was checked for vulnerabilities');
    expect(report.metrics['dependencies.checked']).toBe(0);
  });

  it('finds the same vulnerabilities online, against a fake OSV API on loopback, and names the API', async () => {
    server = await startFakeOsvServer();
    const ws = projectCopy();
    const report = await scanDepsGate.run({ paths: [ws], includeDev: true, osvApiUrl: server.url, now: NOW }, contextFor(ws));
    expect(rows(report.findings.filter((f) => f.ruleId <= 'AISEC-DEP-002'))).toEqual(expected(EXPECTED_VULNERABILITIES));
    expect(report.notes[0]).toBe(`OSV database: the OSV API at ${server.url}, queried 2024-10-18T00:00:00.000Z`);
    expect(server.log[0]).toMatch(/^POST \/v1\/querybatch \(\d+ queries\)$/);
  });

  it('download-db fetches the export once into the cache directory and checks offline against it', async () => {
    const zip = readFileSync(OSV_ZIP);
    const requests: string[] = [];
    const http = createServer((req, res) => {
      requests.push(`${req.method} ${req.url} ${req.headers['if-modified-since'] ? 'conditional' : 'plain'}`);
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length }).end(zip);
    });
    await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
    http.unref();
    try {
      const ws = projectCopy();
      const exportUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/PyPI/all.zip`;
      const options: ScanDepsOptions = { paths: [ws], includeDev: true, downloadDb: true, exportUrl, cacheDir: join(ws, '.cache'), now: NOW };
      const first = await scanDepsGate.run(options, contextFor(ws));
      const second = await scanDepsGate.run(options, contextFor(ws));
      expect(requests).toEqual(['GET /PyPI/all.zip plain']);
      expect(rows(first.findings)).toEqual(expected([...EXPECTED_VULNERABILITIES, ...EXPECTED_OTHERS]));
      expect(rows(second.findings)).toEqual(rows(first.findings));
      expect(first.notes[0]).toMatch(/^OSV database: offline export \.cache\/osv\/PyPI-all\.zip, 398 advisories/);
    } finally {
      http.closeAllConnections();
      http.close();
    }
  });

  it('an unreachable API is a UserError that says the check did not run and suggests the offline database', async () => {
    server = await startFakeOsvServer();
    const url = server.url;
    await server.close();
    server = undefined;
    const ws = projectCopy();
    const error = await scanDepsGate.run({ paths: [ws], includeDev: true, osvApiUrl: url, now: NOW }, contextFor(ws)).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toContain('did not run');
    expect((error as { hint?: string }).hint).toContain('--offline-db');
  }, 30_000);

  it('a zip that is not an OSV export is a UserError naming the file', async () => {
    const ws = projectCopy();
    writeFileSync(join(ws, 'not-osv.zip'), writeZip([['README.txt', 'hello']]));
    const error = await scanDepsGate.run({ paths: [ws], includeDev: true, offlineDb: join(ws, 'not-osv.zip'), cacheDir: join(ws, '.cache') }, contextFor(ws)).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toContain('not-osv.zip');
  });

  it('a lockfile that does not parse is a UserError with its file and line', async () => {
    const ws = projectCopy();
    writeFileSync(join(ws, 'training', 'poetry.lock'), '[[package]]\nname = "numpy"\nversion = \n');
    const error = await scanDepsGate.run(offline(ws), contextFor(ws)).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as { file?: string }).file).toBe('training/poetry.lock');
    expect((error as { line?: number }).line).toBe(3);
  });
});

describe('scan-deps binding', () => {
  it('resolves offline-db and cache-dir against the workspace and defaults the rest', () => {
    const options = scanDepsBinding.toOptions({ paths: ['/w'], 'offline-db': 'osv/all.zip', 'cache-dir': '.osv-cache', 'include-dev': false }, { workspace: '/w' });
    expect(options).toMatchObject({ offlineDb: '/w/osv/all.zip', cacheDir: '/w/.osv-cache', includeDev: false, downloadDb: false, osvApiUrl: 'https://api.osv.dev' });
  });

  it('applies suppressions by any alias of an advisory, through the core policy', async () => {
    const ws = projectCopy();
    const config = emptyConfig();
    config.suppressions.push({ rule: 'AISEC-DEP-001', id: 'CVE-2023-32681', reason: 'proxy auth not used', expires: '2099-01-01' });
    config.sections['scan-deps'] = { 'offline-db': 'osv/pypi-osv.zip', 'cache-dir': '.cache' };
    offline(ws);
    const { outcome } = await executeGate(scanDepsBinding, { workspace: ws, config, values: {}, source: 'flag', logger: silentLogger, now: NOW });
    expect(outcome.suppressed.map((s) => s.finding.evidence)).toEqual(['requests@2.30.0 PYSEC-2023-74']);
    expect(outcome.passed).toBe(false);
  });

  it('summarizes vulnerable packages with their fix version and the database', async () => {
    const ws = projectCopy();
    const report = await scanDepsGate.run(offline(ws), contextFor(ws));
    const md = scanDepsSummary(report);
    expect(md).toContain('**Database:** offline export osv/pypi-osv.zip, 398 advisories');
    expect(md).toContain('| mlflow | 2.8.0 | PYSEC-2023-252, PYSEC-2023-253, PYSEC-2024-51, PYSEC-2023-260 | 2.10.1 | training/poetry.lock |');
    expect(md).toContain('| pyyaml | 5.3.1 | PYSEC-2021-142 (deserialization) | 5.4 | requirements.txt |');
    expect(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| package'))).toHaveLength(6);
    expect(existsSync(join(ws, 'osv', 'pypi-osv.zip.aisec-index.json'))).toBe(false);
  });
});
