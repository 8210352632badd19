import { describe, expect, it } from 'vitest';
import { applyPolicy, assignFingerprints, createBaseline, fingerprintOf, type Finding } from '@aisec/core';
import { sampleFinding, sampleReport } from '../helpers/sample-report';

const now = new Date('2026-06-15T12:00:00Z');

describe('policy', () => {
  it('fails at or above fail-on and passes below it', () => {
    const report = sampleReport([sampleFinding('medium', 1), sampleFinding('low', 2)]);
    expect(applyPolicy(report, { failOn: 'high', suppressions: [], now }).passed).toBe(true);
    expect(applyPolicy(report, { failOn: 'medium', suppressions: [], now }).passed).toBe(false);
    expect(applyPolicy(report, { failOn: 'never', suppressions: [], now }).passed).toBe(true);
    const outcome = applyPolicy(report, { failOn: 'medium', suppressions: [], now });
    expect(outcome.maxSeverity).toBe('medium');
    expect(outcome.counts).toEqual({ critical: 0, high: 0, medium: 1, low: 1, info: 0 });
  });

  it('orders findings most severe first', () => {
    const report = sampleReport([sampleFinding('low', 1), sampleFinding('critical', 2), sampleFinding('medium', 3)]);
    expect(applyPolicy(report, { failOn: 'high', suppressions: [], now }).findings.map((f) => f.severity)).toEqual(['critical', 'medium', 'low']);
  });

  it('suppresses by rule, path glob and id, and keeps the reason', () => {
    const withIds = sampleFinding('high', 1, { properties: { vulnerability: 'PYSEC-2023-1', aliases: ['CVE-2023-9', 'GHSA-aaaa'] } });
    const report = sampleReport([withIds, sampleFinding('high', 2)]);
    const outcome = applyPolicy(report, {
      failOn: 'high',
      suppressions: [{ rule: 'AISEC-TST-002', id: 'ghsa-AAAA', path: 'src/**', reason: 'not reachable' }],
      now,
    });
    expect(outcome.findings).toHaveLength(1);
    expect(outcome.suppressed).toEqual([expect.objectContaining({ kind: 'suppression', reason: 'not reachable' })]);
    expect(outcome.suppressed[0]!.finding.message).toBe('sample high finding 1');
    expect(outcome.passed).toBe(false);
  });

  it('does not suppress when the path glob does not match', () => {
    const report = sampleReport([sampleFinding('high', 1)]);
    const outcome = applyPolicy(report, { failOn: 'high', suppressions: [{ rule: 'AISEC-TST-002', path: 'vendor/**', reason: 'x' }], now });
    expect(outcome.suppressed).toHaveLength(0);
  });

  it('an expired suppression stops suppressing and is a finding at its config line', () => {
    const report = sampleReport([sampleFinding('high', 1)]);
    const suppression = { rule: 'AISEC-TST-002', reason: 'waiting for upstream', expires: '2026-06-14', source: { file: '.aisec.yml', line: 7 } };
    const outcome = applyPolicy(report, { failOn: 'high', suppressions: [suppression], now });
    expect(outcome.suppressed).toHaveLength(0);
    expect(outcome.findings.map((f) => f.ruleId)).toEqual(['AISEC-TST-002', 'AISEC-POL-001']);
    expect(outcome.findings[1]!.location).toEqual({ path: '.aisec.yml', line: 7 });
    expect(outcome.rules.map((r) => r.id)).toContain('AISEC-POL-001');
    // Valid through its expiry day.
    const stillValid = applyPolicy(report, { failOn: 'high', suppressions: [{ ...suppression, expires: '2026-06-15' }], now });
    expect(stillValid.suppressed).toHaveLength(1);
    expect(stillValid.passed).toBe(true);
  });

  it('accepts baselined fingerprints, and a baseline survives a finding moving lines', () => {
    const before = sampleReport([sampleFinding('critical', 1, { location: { path: 'a.py', line: 10 } })]);
    const firstRun = applyPolicy(before, { failOn: 'high', suppressions: [], now });
    const baseline = createBaseline({ 'test-gate': firstRun.findings });
    expect(baseline.entries[0]).toMatchObject({ gate: 'test-gate', ruleId: 'AISEC-TST-001', path: 'a.py' });
    const moved = sampleReport([sampleFinding('critical', 1, { location: { path: 'a.py', line: 42 } })]);
    const outcome = applyPolicy(moved, { failOn: 'high', suppressions: [], baseline: new Set(baseline.entries.map((e) => e.fingerprint)), now });
    expect(outcome.passed).toBe(true);
    expect(outcome.suppressed[0]!.kind).toBe('baseline');
    // A new, different finding is not covered.
    const added = sampleReport([sampleFinding('critical', 1, { location: { path: 'a.py', line: 42 } }), sampleFinding('critical', 2)]);
    expect(applyPolicy(added, { failOn: 'high', suppressions: [], baseline: new Set(baseline.entries.map((e) => e.fingerprint)), now }).passed).toBe(false);
  });
});

describe('fingerprints (v1)', () => {
  const f = (line: number, evidence = 'os.system'): Finding => ({ ruleId: 'AISEC-PKL-001', severity: 'critical', message: `m at ${line}`, location: { path: 'm.pt', line, member: 'archive/data.pkl' }, evidence });

  it('is the documented recipe', async () => {
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256').update('aisec-fingerprint/v1\nAISEC-PKL-001\nm.pt\narchive/data.pkl\nos.system\n0').digest('hex');
    expect(fingerprintOf(f(3), 0)).toBe(expected);
  });

  it('ignores line numbers and folds white space in evidence', () => {
    const [a] = assignFingerprints([f(3)]);
    const [b] = assignFingerprints([f(300, '  os.system ')]);
    expect(a!.fingerprint).toBe(b!.fingerprint);
  });

  it('tells identical findings apart by ordinal in line order', () => {
    const fs = assignFingerprints([f(9), f(2)]);
    expect(fs[1]!.fingerprint).toBe(fingerprintOf(f(2), 0));
    expect(fs[0]!.fingerprint).toBe(fingerprintOf(f(9), 1));
    expect(new Set(fs.map((x) => x.fingerprint)).size).toBe(2);
  });
});
