import { describe, expect, it } from 'vitest';
import { advisoryAffects, smallestFix, toOsvVulnerability, type OsvVulnerability } from '../../../packages/scan-deps/src/osv/index';
import { compareVersions, isValidVersion } from '../../../packages/scan-deps/src/pep440/index';
import { sharedAdvisories } from '../osv/shared-data';

const all = [...sharedAdvisories().values()];
const of = (name: string): OsvVulnerability[] => all.filter((a) => a.affected.some((e) => e.package?.name === name));
const hitting = (name: string, version: string): OsvVulnerability[] => of(name).filter((a) => advisoryAffects(a, name, version));
const synthetic = (id: string, events: object[], versions: string[] = []) =>
  toOsvVulnerability({ id, affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, ranges: [{ type: 'ECOSYSTEM', events }], versions }] }, 't');

describe('smallest version that fixes every advisory of a package', () => {
  it('pillow 9.0.0: the four advisories are fixed in 9.0.1, 9.2.0, 10.0.0 and 10.0.1, so 10.0.1', () => {
    expect(hitting('pillow', '9.0.0')).toHaveLength(4);
    expect(smallestFix('Pillow', '9.0.0', hitting('pillow', '9.0.0'))).toBe('10.0.1');
  });

  it('stays on the installed branch when a branch fix exists (urllib3 1.26.x vs 2.0.x)', () => {
    expect(hitting('urllib3', '1.26.5').map((a) => a.id).sort()).toEqual(['PYSEC-2023-192', 'PYSEC-2023-212']);
    expect(smallestFix('urllib3', '1.26.5', hitting('urllib3', '1.26.5'))).toBe('1.26.18');
    expect(smallestFix('urllib3', '2.0.3', hitting('urllib3', '2.0.3'))).toBe('2.0.7');
    // 1.22 is hit by advisories fixed from 1.23 to 1.26.18; all of them are cleared first at 1.26.18.
    expect(smallestFix('urllib3', '1.22', hitting('urllib3', '1.22'))).toBe('1.26.18');
  });

  it('is null when one advisory has no fix (mindsdb PYSEC-2024-82 is open-ended)', () => {
    expect(smallestFix('mindsdb', '23.10.3.0', hitting('mindsdb', '23.10.3.0'))).toBeNull();
  });

  it('skips a fixed version that another advisory still affects, through ranges or versions lists', () => {
    const a = synthetic('A', [{ introduced: '0' }, { fixed: '1.5' }]);
    const b = synthetic('B', [{ introduced: '1.4' }, { fixed: '1.6' }]);
    expect(smallestFix('demo', '1.4.2', [a, b])).toBe('1.6');
    const listed = synthetic('C', [], ['1.5', '1.5.1']);
    expect(smallestFix('demo', '1.4.2', [a, listed])).toBeNull();
    const laterFix = synthetic('D', [{ introduced: '0' }, { fixed: '1.7' }], ['1.5', '1.5.1']);
    expect(smallestFix('demo', '1.4.2', [a, laterFix])).toBe('1.7');
  });

  it('prefers a final release to a pre-release and falls back to a pre-release when that is all there is', () => {
    const twoBranches = synthetic('E', [{ introduced: '0' }, { fixed: '1.9.5' }, { introduced: '2.0.0a1' }, { fixed: '2.0.0rc1' }]);
    expect(smallestFix('demo', '1.9.0', [twoBranches])).toBe('1.9.5');
    expect(smallestFix('demo', '1.9.0', [synthetic('F', [{ introduced: '0' }, { fixed: '2.0.0rc1' }])])).toBe('2.0.0rc1');
  });

  it('is null for a version that is not PEP 440', () => {
    expect(smallestFix('demo', 'latest', [synthetic('G', [{ introduced: '0' }, { fixed: '1.0' }])])).toBeNull();
  });

  it('on every real package and many installs: the fix clears all advisories and no smaller fixed version does', () => {
    let checked = 0;
    const problems: string[] = [];
    for (const name of ['pillow', 'tensorflow', 'urllib3', 'aiohttp', 'mlflow', 'gradio', 'langchain', 'pyyaml', 'numpy', 'pyspark']) {
      const advisories = of(name);
      const versions = [...new Set(advisories.flatMap((a) => a.affected.flatMap((e) => e.versions)))].filter((v, i) => i % 7 === 0 && isValidVersion(v));
      const fixed = [...new Set(advisories.flatMap((a) => a.affected.flatMap((e) => e.ranges.flatMap((r) => r.events.flatMap((ev) => (ev.fixed ? [ev.fixed] : []))))))].filter(isValidVersion);
      for (const version of versions) {
        const hits = advisories.filter((a) => advisoryAffects(a, name, version));
        if (hits.length === 0) continue;
        const fix = smallestFix(name, version, hits);
        checked++;
        const clears = (f: string) => compareVersions(f, version) > 0 && hits.every((a) => !advisoryAffects(a, name, f));
        // Every fixed version that clears all hits must be at least the answer; with no answer there is none.
        const below = fixed.filter((f) => clears(f) && (fix === null || compareVersions(f, fix) < 0));
        const stillHit = fix === null ? [] : hits.filter((a) => advisoryAffects(a, name, fix)).map((a) => a.id);
        problems.push(...below.map((f) => `${name} ${version}: ${f} clears all but the answer is ${fix}`));
        problems.push(...stillHit.map((id) => `${name} ${version}: ${fix} is still hit by ${id}`));
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(150);
  });
});
