import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectCopy } from '../scan-deps/gate/project-fixture';
import { OSV_ZIP } from '../scan-deps/osv/shared-data';
import { aisec } from './run-cli';

function withExport(ws: string): string {
  mkdirSync(join(ws, 'osv'), { recursive: true });
  copyFileSync(OSV_ZIP, join(ws, 'osv', 'pypi-osv.zip'));
  return ws;
}

describe('aisec scan-deps', () => {
  it('has --help naming its options', () => {
    const r = aisec(['scan-deps', '--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--offline-db', '--download-db', '--osv-api-url', '--include-dev', '--cache-dir', '--resolve', '--python', '--json']) expect(r.stdout).toContain(flag);
  });

  it('reports the vulnerable pins offline and exits 1; the JSON report carries the interface properties', () => {
    const ws = withExport(projectCopy());
    const cache = mkdtempSync(join(tmpdir(), 'aisec-cli-cache-'));
    const r = aisec(['scan-deps', '.', '--offline-db', 'osv/pypi-osv.zip', '--json', 'deps.json'], { cwd: ws, env: { XDG_CACHE_HOME: cache } });
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('PYSEC-2024-51');
    expect(r.stdout).toContain('requirements.txt:4');
    const report = JSON.parse(readFileSync(join(ws, 'deps.json'), 'utf8')) as { findings: { ruleId: string; properties?: Record<string, unknown> }[] };
    const requests = report.findings.find((f) => f.properties?.vulnerability === 'PYSEC-2023-74');
    expect(requests?.properties).toMatchObject({ package: 'requests', version: '2.30.0', aliases: ['CVE-2023-32681', 'GHSA-j8r2-6x86-q33q'], fixedIn: '2.31.0', upgradeTo: '2.31.0' });
    // Without --cache-dir the index goes to $XDG_CACHE_HOME/aisec/osv, never into the project.
    expect(readdirSync(join(cache, 'aisec', 'osv', 'index'))).toHaveLength(1);
    expect(existsSync(join(ws, 'osv', 'pypi-osv.zip.aisec-index.json'))).toBe(false);
  });

  it('exits 0 when every pin is clean', () => {
    const ws = withExport(mkdtempSync(join(tmpdir(), 'aisec-cli-clean-')));
    writeFileSync(join(ws, 'requirements.txt'), 'requests==2.32.3\nurllib3==2.2.3\npyyaml==6.0.2\n');
    const r = aisec(['scan-deps', 'requirements.txt', '--offline-db', 'osv/pypi-osv.zip', '--cache-dir', '.cache'], { cwd: ws });
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
  });

  it('exits 2 naming the file when the offline database is missing or a lockfile does not parse', () => {
    const ws = withExport(projectCopy());
    const missing = aisec(['scan-deps', '.', '--offline-db', 'osv/nope.zip', '--cache-dir', '.cache'], { cwd: ws });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('osv/nope.zip');
    writeFileSync(join(ws, 'training', 'poetry.lock'), '[[package]]\nname = "numpy"\nversion = \n');
    const broken = aisec(['scan-deps', '.', '--offline-db', 'osv/pypi-osv.zip', '--cache-dir', '.cache'], { cwd: ws });
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/training\/poetry\.lock:3/);
  });
});
