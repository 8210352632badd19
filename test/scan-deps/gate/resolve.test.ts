import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUserError } from '@aisec/core';
import { parsePipReport, scanDepsGate, type ScanDepsOptions } from '../../../packages/scan-deps/src/index';
import { OSV_ZIP } from '../osv/shared-data';
import { writeZip } from '../osv/zip-writer';
import { contextFor } from './project-fixture';

/** A minimal pure-Python wheel (METADATA, WHEEL, RECORD), enough for pip's resolver; no code inside. */
function wheel(dir: string, name: string, version: string, requires: string[] = []): void {
  const distInfo = `${name}-${version}.dist-info`;
  const files: [string, string][] = [
    [`${distInfo}/METADATA`, `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n${requires.map((r) => `Requires-Dist: ${r}\n`).join('')}`],
    [`${distInfo}/WHEEL`, 'Wheel-Version: 1.0\nGenerator: aisec-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n'],
  ];
  files.push([`${distInfo}/RECORD`, [...files.map(([f]) => `${f},,`), `${distInfo}/RECORD,,`, ''].join('\n')]);
  writeFileSync(join(dir, `${name}-${version}-py3-none-any.whl`), writeZip(files));
}

/** A local package index (a find-links folder) and pip told to use only it: no network. */
function localIndex(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'aisec-wheels-'));
  wheel(dir, 'torch', '1.12.0');
  wheel(dir, 'torch', '1.13.0', ['typing-extensions>=4']);
  wheel(dir, 'typing_extensions', '4.4.0');
  wheel(dir, 'numpy', '1.26.4');
  return { PIP_NO_INDEX: '1', PIP_FIND_LINKS: dir, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1' };
}

function project(requirements: string): { ws: string; options: ScanDepsOptions } {
  const ws = mkdtempSync(join(tmpdir(), 'aisec-resolve-'));
  mkdirSync(join(ws, 'svc'));
  writeFileSync(join(ws, 'svc', 'requirements.txt'), requirements);
  return { ws, options: { paths: [ws], includeDev: true, offlineDb: OSV_ZIP, cacheDir: join(ws, '.cache'), resolve: true, env: localIndex() } };
}

describe('resolve: unpinned requirements resolved with pip against a local index', () => {
  it('checks what pip would install today, at the line of the requirement', async () => {
    const { ws, options } = project('torch>=1.12\nnumpy\npyyaml==5.4\n');
    const report = await scanDepsGate.run(options, contextFor(ws));
    const torch = report.findings.find((f) => f.evidence === 'torch@1.13.0 PYSEC-2022-43015');
    expect(torch?.location).toEqual({ path: 'svc/requirements.txt', line: 1 });
    expect(torch?.message).toContain('torch >=1.12 resolves today to 1.13.0, which has a known vulnerability PYSEC-2022-43015');
    expect(torch?.properties).toMatchObject({ package: 'torch', version: '1.13.0', resolvedFrom: '>=1.12' });
    // Both were resolved, so neither is reported as unpinned; numpy 1.26.4 has no advisory in the slice.
    expect(report.findings.filter((f) => f.ruleId === 'AISEC-DEP-003')).toEqual([]);
    expect(report.metrics).toMatchObject({ 'dependencies.resolved': 2, 'dependencies.unpinned': 0, 'dependencies.checked': 3 });
    expect(report.notes).toContain(
      'svc/requirements.txt: 2 unpinned requirements resolved with pip to what it would install today and checked (torch 1.13.0, numpy 1.26.4); 1 package pip would pull in for them were not checked. A lockfile makes this repeatable',
    );
  }, 60_000);

  it('keeps requirements pip cannot resolve as unpinned findings, with the reason in a note', async () => {
    const { ws, options } = project('torch>=1.12\nlangchain\n');
    const report = await scanDepsGate.run(options, contextFor(ws));
    expect(report.findings.filter((f) => f.ruleId === 'AISEC-DEP-003').map((f) => f.evidence)).toEqual(['torch >=1.12', 'langchain (unpinned)']);
    expect(report.notes.find((n) => n.startsWith('svc/requirements.txt: pip could not resolve'))).toMatch(/langchain/);
  }, 60_000);

  it('is a UserError naming the option when the Python to run pip does not exist', async () => {
    const { ws, options } = project('torch>=1.12\n');
    const error = await scanDepsGate.run({ ...options, python: '/nonexistent/python3' }, contextFor(ws)).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as { key?: string }).key).toBe('resolve');
    expect((error as Error).message).toContain('/nonexistent/python3 cannot be run');
  });

  it('reads only the requested packages from pip\'s report', () => {
    const report = JSON.stringify({
      version: '1',
      install: [
        { requested: true, metadata: { name: 'Torch', version: '2.5.1' } },
        { requested: false, metadata: { name: 'sympy', version: '1.13.1' } },
        { requested: true, metadata: { name: 7 } },
      ],
    });
    const parsed = parsePipReport(report);
    expect([...parsed.versions]).toEqual([['torch', '2.5.1']]);
    expect(parsed.transitive).toBe(1);
  });
});
