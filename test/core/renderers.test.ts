import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  AISEC_VERSION,
  annotationLevel,
  applyPolicy,
  renderJsonReport,
  renderMarkdown,
  renderSarif,
  renderTerminal,
  sarifLevel,
  securitySeverity,
  truncateUtf8,
  writeFileAtomic,
  writeFileAtomicStreamed,
  type Severity,
} from '@aisec/core';
import { readFileSync, readdirSync, mkdtempSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertValidReport, assertValidSarif } from '../helpers/schemas';
import { sampleFinding, sampleReport } from '../helpers/sample-report';

const now = new Date('2026-06-15T12:00:00Z');
const severities: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

function mixed(n: number) {
  return sampleReport(
    Array.from({ length: n }, (_, i) => sampleFinding(severities[i % 5]!, i, i % 3 === 0 ? { location: { path: 'models/m.pt', member: 'archive/data.pkl' } } : {})),
    { 'files.scanned': 12, 'drift.age.ks.pvalue': 1e-300, 'drift.age.psi': Infinity, 'x.nan': NaN, 'x.neg': -Infinity },
  );
}

describe('severity mappings', () => {
  it('maps every severity to SARIF level, security-severity bucket and annotation level', () => {
    expect(severities.map(sarifLevel)).toEqual(['error', 'error', 'warning', 'note', 'note']);
    expect(severities.map(annotationLevel)).toEqual(['failure', 'failure', 'warning', 'notice', 'notice']);
    // GitHub's buckets: critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9.
    const scores = severities.map((s) => Number(securitySeverity(s)));
    expect(scores[0]).toBeGreaterThan(9);
    expect(scores[1]).toBeGreaterThanOrEqual(7);
    expect(scores[1]).toBeLessThan(9);
    expect(scores[2]).toBeGreaterThanOrEqual(4);
    expect(scores[3]).toBeGreaterThan(0);
    expect(scores[3]).toBeLessThan(4);
  });
});

describe('SARIF', () => {
  it('is valid SARIF 2.1.0 with GitHub’s required fields', () => {
    const report = mixed(20);
    const outcome = applyPolicy(report, { failOn: 'high', suppressions: [{ rule: 'AISEC-TST-005', reason: 'noise' }], now });
    const log = renderSarif([{ report, outcome }]);
    assertValidSarif(log);
    const run = log.runs[0]!;
    expect(run.automationDetails).toEqual({ id: 'aisec/test-gate/' });
    const rules = (run.tool as { driver: { rules: Record<string, unknown>[] } }).driver.rules;
    // A rule that lists `security` itself must not get it twice (SARIF requires unique tags).
    const tagged = sampleReport([sampleFinding('high', 1)]);
    tagged.rules = tagged.rules.map((r) => ({ ...r, tags: ['security', 'ml'] }));
    const taggedRun = renderSarif([{ report: tagged, outcome: applyPolicy(tagged, { failOn: 'high', suppressions: [], now }) }]).runs[0]!;
    expect(taggedRun.tool).toMatchObject({ driver: { rules: [{ properties: { tags: ['security', 'ml'] } }] } });
    for (const rule of rules) {
      expect(rule.fullDescription).toBeDefined();
      expect(rule.help).toBeDefined();
      expect((rule.properties as Record<string, string>)['security-severity']).toMatch(/^\d+\.\d$/);
    }
    expect(run.results).toHaveLength(20);
    interface Result {
      partialFingerprints: Record<string, string>;
      locations: { physicalLocation: { artifactLocation: { uri: string } }; logicalLocations?: { fullyQualifiedName: string }[] }[];
    }
    const results = run.results as unknown as Result[];
    const first = results[0]!;
    expect(first.partialFingerprints['aisec/v1']).toMatch(/^[0-9a-f]{64}$/);
    expect(first.locations[0]!.physicalLocation.artifactLocation.uri).not.toMatch(/^\//);
    const inArchive = results.find((r) => r.locations[0]!.logicalLocations)!;
    expect(inArchive.locations[0]!.logicalLocations![0]!.fullyQualifiedName).toBe('models/m.pt!archive/data.pkl');
    const suppressed = run.results.filter((r) => r.suppressions);
    expect(suppressed).toHaveLength(4);
  });

  it('keeps the most severe 25,000 results per run and says what it left out', () => {
    const report = mixed(25_010);
    const outcome = applyPolicy(report, { failOn: 'high', suppressions: [], now });
    const log = renderSarif([{ report, outcome }]);
    const run = log.runs[0]!;
    expect(run.results).toHaveLength(25_000);
    expect((run.results.at(-1) as { properties: { severity: string } }).properties.severity).toBe('info');
    expect(JSON.stringify(run.invocations)).toContain('10 less severe results were left out');
    expect(gzipSync(JSON.stringify(log)).length).toBeLessThan(10 * 1024 * 1024);
  });
});

describe('JSON report', () => {
  it('validates against aisec-report.schema.json, with inf and nan spelled as strings', () => {
    const report = mixed(10);
    const data = renderJsonReport(report, applyPolicy(report, { failOn: 'high', suppressions: [], now }));
    assertValidReport(JSON.parse(JSON.stringify(data)));
    expect(data.metrics['drift.age.psi']).toBe('inf');
    expect(data.metrics['x.nan']).toBe('nan');
    expect(data.metrics['x.neg']).toBe('-inf');
    expect(data.metrics['drift.age.ks.pvalue']).toBe(1e-300);
    expect(data.tool.version).toBe(AISEC_VERSION);
    expect(data.summary).toMatchObject({ total: 10, maxSeverity: 'critical', bySeverity: { critical: 2, info: 2 } });
  });

  it('the schema rejects a report that breaks it', () => {
    const report = mixed(2);
    const data = JSON.parse(JSON.stringify(renderJsonReport(report, applyPolicy(report, { failOn: 'high', suppressions: [], now }))));
    data.findings[0].severity = 'severe';
    expect(() => assertValidReport(data)).toThrow(/severity/);
  });

  it('keeps AISEC_VERSION equal to the package version', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(AISEC_VERSION).toBe(pkg.version);
  });
});

describe('Markdown summary', () => {
  it('shows counts, top findings and metrics, with table cells escaped', () => {
    const report = sampleReport([sampleFinding('high', 1, { message: 'a | b\nc' })], { 'files.scanned': 3 });
    const md = renderMarkdown(report, applyPolicy(report, { failOn: 'high', suppressions: [], now }));
    expect(md).toContain('## aisec/test-gate: ❌ failed');
    expect(md).toContain('| 0 | 1 | 0 | 0 | 0 |');
    expect(md).toContain('a \\| b c');
    expect(md).toContain('| `files.scanned` | 3 |');
  });

  it('cuts at the byte limit on a character boundary with a note', () => {
    const report = mixed(3000);
    const md = renderMarkdown(report, applyPolicy(report, { failOn: 'high', suppressions: [], now }), { topFindings: 3000, maxBytes: 20_000 });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(20_000);
    expect(md).toContain('cut to fit');
  });
});

describe('truncateUtf8', () => {
  it('never splits a multi-byte character', () => {
    const text = '€'.repeat(100); // 3 bytes each
    const { text: cut, truncated } = truncateUtf8(text, 100, '…');
    expect(truncated).toBe(true);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(100);
    expect(cut).toBe(`${'€'.repeat(32)}…`);
    expect(truncateUtf8('short', 100).truncated).toBe(false);
  });
});

describe('terminal report', () => {
  it('colours only when asked', () => {
    const report = sampleReport([sampleFinding('critical', 1)]);
    const outcome = applyPolicy(report, { failOn: 'high', suppressions: [], now });
    expect(renderTerminal(report, outcome, { color: false })).not.toContain('\u001b[');
    expect(renderTerminal(report, outcome, { color: true })).toContain('\u001b[35mCRITICAL');
    expect(renderTerminal(report, outcome, { color: false })).toContain('FAILED');
  });
});

describe('writeFileAtomic', () => {
  it('leaves only the final file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-atomic-'));
    writeFileAtomic(join(dir, 'sub/report.json'), '{"a":1}');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['report.json']);
    expect(gunzipSync(gzipSync(readFileSync(join(dir, 'sub/report.json')))).toString()).toBe('{"a":1}');
  });
});

describe('writeFileAtomicStreamed', () => {
  it('renames the file into place only when writing succeeds, and leaves nothing when it fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-atomic-streamed-'));
    const path = join(dir, 'sub/profile.json');
    writeFileAtomicStreamed(path, (fd) => {
      writeSync(fd, '{"a":');
      writeSync(fd, '1}');
    });
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}');
    expect(() =>
      writeFileAtomicStreamed(path, (fd) => {
        writeSync(fd, 'half');
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    // The old file is untouched and no temporary file is left behind.
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['profile.json']);
  });
});

