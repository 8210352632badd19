import { describe, expect, it } from 'vitest';
import { cvssBaseScore, severityFromScore, severityOf } from '../../../packages/scan-deps/src/cvss/index';
import { toOsvVulnerability } from '../../../packages/scan-deps/src/osv/index';
import { readJsonFixture, sharedAdvisories } from '../osv/shared-data';

interface CvssFixture {
  examples: { name: string; vector: string; published: number }[];
  scores: Record<string, number | null>;
}
function cvssFixture(): CvssFixture {
  // test/fixtures/scan-deps/osv/make-cvss-expected.py: scores from cvss-suite (Ruby), an independent implementation.
  const raw = readJsonFixture(new URL('../../fixtures/scan-deps/osv/cvss-expected.json', import.meta.url));
  if (typeof raw !== 'object' || raw === null) throw new Error('cvss-expected.json is not an object');
  const examples: unknown = Reflect.get(raw, 'examples');
  const scores: unknown = Reflect.get(raw, 'scores');
  if (!Array.isArray(examples) || typeof scores !== 'object' || scores === null) throw new Error('cvss-expected.json has the wrong shape');
  return {
    examples: examples.map((e: unknown) => ({
      name: String(Reflect.get(e as object, 'name')),
      vector: String(Reflect.get(e as object, 'vector')),
      published: Number(Reflect.get(e as object, 'published')),
    })),
    scores: Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, typeof v === 'number' ? v : null])),
  };
}

const advisory = (fields: object) => toOsvVulnerability({ id: 'TEST-1', ...fields }, 'test');

describe('CVSS base scores', () => {
  const fixture = cvssFixture();

  it('match the 13 worked examples of FIRST\'s CVSS v3.1 examples document', () => {
    expect(fixture.examples).toHaveLength(13);
    for (const example of fixture.examples) {
      expect([example.name, cvssBaseScore(example.vector)?.baseScore]).toEqual([example.name, example.published]);
    }
  });

  it('match an independent implementation on every v3.0/v3.1 vector of the real slice and the examples (35 vectors)', () => {
    const entries = Object.entries(fixture.scores);
    expect(entries.length).toBe(35);
    for (const [vector, score] of entries) expect([vector, cvssBaseScore(vector)?.baseScore ?? null]).toEqual([vector, score]);
  });

  it('score CVSS v4.0 base vectors', () => {
    expect(cvssBaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toEqual({
      version: '4.0',
      vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      baseScore: 9.3,
    });
    expect(cvssBaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H')?.baseScore).toBe(10);
    expect(cvssBaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N')?.baseScore).toBe(0);
  });

  it('returns null for malformed or incomplete vectors instead of throwing', () => {
    for (const bad of ['garbage', 'CVSS:3.1/AV:N', 'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:2.0/AV:N', 'AV:N/AC:L/Au:N/C:P/I:P/A:P', 'CVSS:4.0/AV:N']) {
      expect([bad, cvssBaseScore(bad)]).toEqual([bad, null]);
    }
  });
});

describe('severity of an advisory', () => {
  it('buckets scores: 9.0+ critical, 7.0+ high, 4.0+ medium, else low', () => {
    expect([10, 9, 8.9, 7, 6.9, 4, 3.9, 0].map(severityFromScore)).toEqual(['critical', 'critical', 'high', 'high', 'medium', 'medium', 'low', 'low']);
  });

  it('uses the CVSS vector of a real advisory (urllib3 PYSEC-2023-192: 8.1 high)', () => {
    const real = sharedAdvisories().get('PYSEC-2023-192');
    expect(real && severityOf(real)).toEqual({ severity: 'high', source: 'cvss', score: 8.1, vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N', cvssVersion: '3.1' });
  });

  it('takes the highest of several vectors (v3 and v4)', () => {
    const a = advisory({ severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N' }, { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }] });
    expect(severityOf(a)).toMatchObject({ severity: 'critical', score: 9.3, cvssVersion: '4.0' });
  });

  it('falls back to the advisory\'s own severity text (GitHub spells medium MODERATE), then to high', () => {
    expect(severityOf(advisory({ database_specific: { severity: 'MODERATE' } }))).toEqual({ severity: 'medium', source: 'advisory' });
    expect(severityOf(advisory({ severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/broken' }], database_specific: { severity: 'LOW' } }))).toEqual({ severity: 'low', source: 'advisory' });
    expect(severityOf(advisory({}))).toEqual({ severity: 'high', source: 'default' });
  });

  it('rates 33 of the 398 real advisories by CVSS, the rest by the default', () => {
    const all = [...sharedAdvisories().values()].map(severityOf);
    expect(all.filter((s) => s.source === 'cvss')).toHaveLength(33);
    expect(all.filter((s) => s.source === 'default')).toHaveLength(365);
  });
});
