import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '@aisec/core';
import { normalizeName } from '../../../packages/scan-deps/src/index';
import { ZipArchive } from '../../../packages/scan-deps/src/osv/zip-archive';
import { aisec } from '../../cli/run-cli';
import { sharedMembers } from '../osv/shared-data';

const DEMO = resolve(import.meta.dirname, '../../../examples/demo');

function demoPackages(): Set<string> {
  const names = new Set<string>();
  for (const line of readFileSync(join(DEMO, 'requirements.txt'), 'utf8').split('\n')) {
    const text = line.split('#')[0]!.trim();
    if (text) names.add(normalizeName(text.split(/[=<>!~;[ ]/)[0]!));
  }
  return names;
}

describe('the demo project and its OSV export', () => {
  it('osv/pypi-demo.zip holds, byte for byte, exactly the shared slice records of the demo packages', () => {
    const wanted = demoPackages();
    const expected = new Map<string, string>();
    for (const [name, text] of sharedMembers()) {
      const record = JSON.parse(text) as { affected: { package: { name: string } }[] };
      if (record.affected.some((a) => wanted.has(normalizeName(a.package.name)))) expected.set(name, text);
    }
    const zip = ZipArchive.open(join(DEMO, 'osv', 'pypi-demo.zip'), DEFAULT_LIMITS);
    try {
      const actual = new Map(zip.entries.map((e) => [e.name, zip.read(e).toString('utf8')]));
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [name, text] of expected) expect(actual.get(name), name).toBe(text);
    } finally {
      zip.close();
    }
  });

  it('`aisec all examples/demo` reports the demo pins offline, with the fix for each package', () => {
    const cache = mkdtempSync(join(tmpdir(), 'aisec-demo-cache-'));
    const r = aisec(['all', 'examples/demo', '--json', join(cache, 'demo.json')], { env: { XDG_CACHE_HOME: cache } });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('aisec scan-deps FAILED');
    // With several gates built, `--json FILE` becomes FILE-<gate>.json.
    const file = existsSync(join(cache, 'demo-scan-deps.json')) ? join(cache, 'demo-scan-deps.json') : join(cache, 'demo.json');
    const report = JSON.parse(readFileSync(file, 'utf8')) as { findings: { evidence?: string; properties?: Record<string, unknown> }[] };
    const evidence = report.findings.map((f) => f.evidence).filter((e) => e !== undefined);
    expect(evidence).toEqual(
      expect.arrayContaining(['torch@1.13.0 PYSEC-2022-43015', 'pillow@10.0.0 PYSEC-2023-175', 'pyyaml@5.3.1 PYSEC-2021-142', 'mlflow@2.8.0 PYSEC-2024-51']),
    );
    expect(report.findings.find((f) => f.evidence === 'mlflow@2.8.0 PYSEC-2023-252')?.properties?.upgradeTo).toBe('2.10.1');
    expect(r.stdout).toContain('OSV database: offline export osv/pypi-demo.zip, 73 advisories');
  });
});
