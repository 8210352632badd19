import { describe, expect, it } from 'vitest';
import {
  advisoryAffects,
  matchVulnerabilities,
  rangeAffects,
  smallestFix,
  toOsvVulnerability,
  type OsvRange,
  type OsvVulnerability,
} from '../../../packages/scan-deps/src/osv/index';
import { readJsonFixture, sharedAdvisories } from './shared-data';

const all = sharedAdvisories();
const byPackage = (name: string): OsvVulnerability[] =>
  [...all.values()].filter((a) => a.affected.some((e) => e.package?.name === name));
function advisory(id: string): OsvVulnerability {
  const found = all.get(id);
  if (!found) throw new Error(`${id} is not in the shared slice`);
  return found;
}
/** package → probe version → affecting ids, from make-expected-matches.py */
function expectedMatches(): Map<string, Map<string, string[]>> {
  const raw = readJsonFixture(new URL('../../fixtures/scan-deps/osv/expected-matches.json', import.meta.url));
  const out = new Map<string, Map<string, string[]>>();
  if (typeof raw !== 'object' || raw === null) throw new Error('expected-matches.json is not an object');
  for (const [name, versions] of Object.entries(raw)) {
    const probes = new Map<string, string[]>();
    if (typeof versions !== 'object' || versions === null) continue;
    for (const [version, list] of Object.entries(versions)) {
      probes.set(version, Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
    }
    out.set(name, probes);
  }
  return out;
}
const ids = (name: string, version: string): string[] => matchVulnerabilities({ name, version }, byPackage(name.toLowerCase())).map((m) => m.id);

describe('matching against the real PyPI slice', () => {
  it('agrees with an independent packaging-based oracle on 819 probes across all 18 packages', () => {
    // test/fixtures/scan-deps/osv/make-expected-matches.py, run with pypa/packaging 26.2.
    const expected = expectedMatches();
    let probes = 0;
    const wrong: string[] = [];
    for (const [name, versions] of expected) {
      const advisories = byPackage(name);
      for (const [version, want] of versions) {
        probes++;
        const got = advisories.filter((a) => advisoryAffects(a, name, version)).map((a) => a.id).sort();
        if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${name} ${version}: got ${got.join(',')} want ${want.join(',')}`);
      }
    }
    expect(probes).toBe(819);
    expect(wrong).toEqual([]);
  });

  it('finds the four pillow advisories for 9.0.0, with aliases and fixes', () => {
    const matches = matchVulnerabilities({ name: 'Pillow', version: '9.0.0' }, byPackage('pillow'));
    expect(matches.map((m) => m.id).sort()).toEqual(['PYSEC-2022-168', 'PYSEC-2022-42979', 'PYSEC-2023-175', 'PYSEC-2023-227']);
    const m168 = matches.find((m) => m.id === 'PYSEC-2022-168');
    expect(m168?.aliases).toEqual(['CVE-2022-24303', 'GHSA-9j59-75qj-795w']);
    expect(m168?.fixedIn).toBe('9.0.1');
    expect(m168?.package).toBe('pillow');
    expect(matches.find((m) => m.id === 'PYSEC-2023-227')?.aliases).toEqual(['CVE-2023-44271']);
    expect(smallestFix('pillow', '9.0.0', byPackage('pillow'))).toBe('10.0.1');
    expect(ids('pillow', '10.0.1')).toEqual([]);
  });

  it('sorts unsorted events (urllib3 PYSEC-2023-192 lists 2.0.0→2.0.6 before 0→1.26.17)', () => {
    const a = advisory('PYSEC-2023-192');
    for (const [version, affected] of [['1.26.5', true], ['1.26.17', false], ['2.0.0', true], ['2.0.5', true], ['2.0.6', false], ['1.26.18', false]] as const) {
      expect([version, advisoryAffects(a, 'urllib3', version)]).toEqual([version, affected]);
    }
    expect(smallestFix('urllib3', '1.26.5', [a])).toBe('1.26.17');
    expect(smallestFix('urllib3', '2.0.3', [a])).toBe('2.0.6');
    expect(smallestFix('urllib3', '1.26.5', byPackage('urllib3').filter((x) => advisoryAffects(x, 'urllib3', '1.26.5')))).toBe('1.26.18');
  });

  it('handles adjacent and overlapping ranges (pyspark PYSEC-2022-236)', () => {
    const a = advisory('PYSEC-2022-236');
    const cases = [['3.0.0', true], ['3.1.1', true], ['3.1.2', true], ['3.1.3', false], ['3.2.0', true], ['3.2.1', true], ['3.2.2', false], ['3.3.0', false]] as const;
    for (const [version, affected] of cases) expect([version, advisoryAffects(a, 'pyspark', version)]).toEqual([version, affected]);
  });

  it('skips the withdrawn aiohttp advisory although its range is open-ended', () => {
    const withdrawn = advisory('PYSEC-2022-43059');
    expect(withdrawn.withdrawn).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(advisoryAffects(withdrawn, 'aiohttp', '3.8.1')).toBe(false);
    expect(ids('aiohttp', '3.8.1')).not.toContain('PYSEC-2022-43059');
    expect(ids('aiohttp', '3.8.1')).toContain('PYSEC-2023-120');
  });

  it('treats introduced-only ranges as open-ended, with no fix', () => {
    const a = advisory('PYSEC-2024-82');
    expect(advisoryAffects(a, 'mindsdb', '23.3.1.0')).toBe(false);
    expect(advisoryAffects(a, 'mindsdb', '23.3.2.0')).toBe(true);
    expect(advisoryAffects(a, 'mindsdb', '99.0')).toBe(true);
    expect(smallestFix('mindsdb', '24.1.0', [a])).toBeNull();
    const match = matchVulnerabilities({ name: 'mindsdb', version: '24.1.0' }, [a])[0];
    expect(match?.fixedIn).toBeNull();
  });

  it('matches CUDA builds by their public version (torch PYSEC-2022-43015, fixed in 1.13.1)', () => {
    expect(ids('torch', '1.13.0+cu117')).toEqual(['PYSEC-2022-43015']);
    expect(ids('torch', '1.13.1+cu117')).toEqual([]);
    expect(ids('torch', '1.13.0')).toEqual(['PYSEC-2022-43015']);
  });

  it('reads non-canonical versions listed in real data (3.01, 0.3.0.beta2, 3.1.0.rc1)', () => {
    const a = advisory('PYSEC-2018-49');
    const listed = a.affected[0]?.versions ?? [];
    expect(listed.some((v) => ['3.01', '0.3.0.beta2', '3.1.0.rc1'].includes(v))).toBe(true);
    for (const v of listed.filter((x) => ['3.01', '0.3.0.beta2', '3.1.0.rc1'].includes(x))) {
      expect([v, advisoryAffects(a, 'pyyaml', v)]).toEqual([v, true]);
    }
    expect(advisoryAffects(a, 'pyyaml', '3.1')).toBe(advisoryAffects(a, 'pyyaml', '3.01'));
  });

  it('gives one result per vulnerability when the database holds PYSEC and GHSA records for it', () => {
    const pysec = advisory('PYSEC-2022-168');
    const ghsa = toOsvVulnerability(
      {
        id: 'GHSA-9j59-75qj-795w',
        modified: '2024-01-01T00:00:00Z',
        aliases: ['CVE-2022-24303'],
        summary: 'Pillow before 9.0.1 allows attackers to delete files',
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
        affected: [{ package: { ecosystem: 'PyPI', name: 'Pillow' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9.0.1' }] }] }],
        database_specific: { severity: 'CRITICAL', cwe_ids: ['CWE-22'] },
      },
      'test',
    );
    const matches = matchVulnerabilities({ name: 'pillow', version: '9.0.0' }, [ghsa, pysec]);
    expect(matches).toHaveLength(1);
    expect(matches[0]?.id).toBe('PYSEC-2022-168');
    expect(matches[0]?.aliases).toEqual(['CVE-2022-24303', 'GHSA-9j59-75qj-795w']);
    expect(matches[0]?.records.map((r) => r.id)).toEqual(['PYSEC-2022-168', 'GHSA-9j59-75qj-795w']);
    expect(matches[0]?.severity).toMatchObject({ severity: 'critical', source: 'cvss', score: 9.8 });
    expect(matches[0]?.summary).toBe('Pillow before 9.0.1 allows attackers to delete files');
  });

  it('normalizes affected[].package.name (the real feed writes Pillow and PyYAML)', () => {
    const respelled = toOsvVulnerability(
      { ...JSON.parse(JSON.stringify(advisory('PYSEC-2022-168'))), affected: [{ package: { ecosystem: 'PyPI', name: 'Pillow' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9.0.1' }] }] }] },
      'test',
    );
    expect(advisoryAffects(respelled, 'pillow', '8.4.0')).toBe(true);
    expect(matchVulnerabilities({ name: 'PILLOW', version: '8.4.0' }, [respelled])).toHaveLength(1);
    expect(advisoryAffects(respelled, 'pillow-simd', '8.4.0')).toBe(false);
  });

  it('keeps GPU and variant packages apart: tensorflow advisories do not match tensorflow-gpu', () => {
    expect(ids('tensorflow', '2.4.0').length).toBeGreaterThan(100);
    expect(matchVulnerabilities({ name: 'tensorflow-gpu', version: '2.4.0' }, byPackage('tensorflow'))).toEqual([]);
  });

  it('tolerates malformed fields in a record: wrong types are dropped, the rest still matches', () => {
    const messy = toOsvVulnerability(
      {
        id: 'PYSEC-0000-1',
        aliases: ['CVE-0000-1', 42, null],
        severity: [{ type: 'CVSS_V3' }, 'high', { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
        affected: [
          'pillow',
          { package: { name: 'pillow' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0' }] }] },
          { package: { ecosystem: 'PyPI', name: 'Pillow' }, versions: ['2.0', 3, { v: '2.1' }], ranges: [{ type: 'ECOSYSTEM', events: 'oops' }, { type: 'ECOSYSTEM', events: [{ introduced: 5 }, { introduced: '3.0' }, { fixed: 'latest' }, { fixed: '3.5' }] }] },
        ],
      },
      'messy.json',
    );
    expect(messy.aliases).toEqual(['CVE-0000-1']);
    const hit = (v: string) => advisoryAffects(messy, 'pillow', v);
    // The entry without an ecosystem is skipped (0.5 is not hit); 2.0 is listed; 3.0-3.5 is the valid range.
    expect(['0.5', '2.0', '2.1', '3.2', '3.5'].map(hit)).toEqual([false, true, false, true, false]);
    expect(matchVulnerabilities({ name: 'pillow', version: '3.2' }, [messy])[0]).toMatchObject({ id: 'PYSEC-0000-1', aliases: ['CVE-0000-1'], fixedIn: '3.5', severity: { severity: 'high', score: 7.5 } });
  });

  it('returns nothing for a dependency without an exact version', () => {
    expect(matchVulnerabilities({ name: 'pillow' }, byPackage('pillow'))).toEqual([]);
  });
});

function range(events: object[], type = 'ECOSYSTEM'): OsvRange {
  const record = toOsvVulnerability({ id: 'X', affected: [{ package: { ecosystem: 'PyPI', name: 'p' }, ranges: [{ type, events }] }] }, 't');
  const first = record.affected[0]?.ranges[0];
  if (!first) throw new Error('no range');
  return first;
}

describe('range evaluation edge cases from the OSV schema', () => {
  it('ignores GIT ranges for version matching', () => {
    expect(rangeAffects(range([{ introduced: '0' }, { fixed: '644124ecd0b6e417c527191f866daa05a5a2056d' }], 'GIT'), '1.0')).toBe(false);
  });

  it('last_affected includes the version itself', () => {
    const r = range([{ introduced: '1.0' }, { last_affected: '1.4' }]);
    expect(['0.9', '1.0', '1.4', '1.4.post1', '1.5'].map((v) => rangeAffects(r, v))).toEqual([false, true, true, false, false]);
  });

  it('limit bounds the range from above', () => {
    const r = range([{ introduced: '0' }, { limit: '2.0' }]);
    expect(['1.0', '1.9.9', '2.0', '3.0'].map((v) => rangeAffects(r, v))).toEqual([true, true, false, false]);
    expect(rangeAffects(range([{ introduced: '0' }, { limit: '*' }]), '99')).toBe(true);
  });

  it('tolerates event versions that are not PEP 440', () => {
    const r = range([{ introduced: 'not a version' }, { introduced: '1.0' }, { fixed: 'garbage!' }, { fixed: '2.0' }]);
    expect(['0.5', '1.5', '2.0'].map((v) => rangeAffects(r, v))).toEqual([false, true, false]);
  });

  it('treats introduced "0" as below every version, including pre-releases and epochs 0', () => {
    const r = range([{ fixed: '1.0' }, { introduced: '0' }]);
    expect(['0.0.dev0', '0.1a1', '0.9', '1.0rc1', '1.0'].map((v) => rangeAffects(r, v))).toEqual([true, true, true, true, false]);
  });
});
