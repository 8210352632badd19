import { describe, expect, it } from 'vitest';
import type { Dependency } from '../../../packages/scan-deps/src/dependency';
import { findVulnerabilities, isCheckable, openOfflineDatabase } from '../../../packages/scan-deps/src/osv/index';
import { OSV_ZIP, testContext } from './shared-data';

function dep(rawName: string, fields: Partial<Dependency>): Dependency {
  return {
    name: rawName.toLowerCase().replace(/[-_.]+/g, '-'),
    rawName,
    kind: 'locked',
    dev: false,
    ecosystem: 'PyPI',
    direct: true,
    source: { path: 'requirements.txt', line: 1 },
    ...fields,
  };
}

describe('findVulnerabilities over parsed dependencies and the offline slice', () => {
  it('matches locked and pinned PyPI packages, and leaves the rest to the caller', async () => {
    const deps = [
      dep('Pillow', { version: '9.0.0', kind: 'pinned', source: { path: 'requirements.txt', line: 3 } }),
      dep('PyYAML', { version: '5.3' }),
      dep('torch', { version: '1.13.0+cu117' }),
      dep('tensorflow-gpu', { version: '2.4.0' }),
      dep('numpy', { specifier: '>=1.20', kind: 'range' }),
      dep('requests', { kind: 'unpinned' }),
      dep('mlflow', { kind: 'url', url: 'git+https://github.com/mlflow/mlflow' }),
      dep('pytorch', { version: '1.13.0', ecosystem: 'conda' }),
    ];
    expect(deps.map(isCheckable)).toEqual([true, true, true, true, false, false, false, false]);
    const db = await openOfflineDatabase(OSV_ZIP, testContext(), { indexCache: false });
    try {
      const found = await findVulnerabilities(deps, db);
      expect(found.map((f) => [f.dependency.rawName, f.matches.map((m) => m.id).sort()])).toEqual([
        ['Pillow', ['PYSEC-2022-168', 'PYSEC-2022-42979', 'PYSEC-2023-175', 'PYSEC-2023-227']],
        ['PyYAML', ['PYSEC-2020-96', 'PYSEC-2021-142']],
        ['torch', ['PYSEC-2022-43015']],
        ['tensorflow-gpu', []],
      ]);
      expect(found[0]?.dependency.source.line).toBe(3);
    } finally {
      db.close();
    }
  });
});
