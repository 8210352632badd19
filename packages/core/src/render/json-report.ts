import type { Finding } from '../finding';
import { FINGERPRINT_VERSION } from '../fingerprint';
import type { PolicyOutcome } from '../policy/policy';
import type { Report } from '../report';
import { AISEC_VERSION } from '../version';

export const REPORT_SCHEMA_URL = 'https://github.com/aisec/aisec/blob/main/packages/core/schema/aisec-report.schema.json';

/** JSON cannot hold Infinity or NaN; the report schema spells them as strings. */
export function encodeMetric(value: number): number | 'inf' | '-inf' | 'nan' {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return value;
}

export function decodeMetric(value: number | string): number {
  if (value === 'inf') return Infinity;
  if (value === '-inf') return -Infinity;
  if (value === 'nan') return NaN;
  return value as number;
}

function plainFinding(f: Finding): Finding {
  const { ruleId, severity, message, location, evidence, help, helpUri, fingerprint, properties } = f;
  return {
    ruleId,
    severity,
    message,
    location,
    ...(evidence !== undefined ? { evidence } : {}),
    ...(help !== undefined ? { help } : {}),
    ...(helpUri !== undefined ? { helpUri } : {}),
    fingerprint,
    ...(properties !== undefined ? { properties } : {}),
  };
}

export type JsonReport = ReturnType<typeof renderJsonReport>;

export function renderJsonReport(report: Report, outcome: PolicyOutcome) {
  return {
    $schema: REPORT_SCHEMA_URL,
    schemaVersion: 1 as const,
    tool: { name: 'aisec' as const, version: AISEC_VERSION },
    gate: report.gate,
    version: report.version,
    policy: {
      failOn: outcome.failOn,
      passed: outcome.passed,
      fingerprintVersion: FINGERPRINT_VERSION,
      ...(outcome.baselineFile ? { baseline: outcome.baselineFile } : {}),
    },
    summary: {
      total: outcome.findings.length,
      ...(outcome.maxSeverity ? { maxSeverity: outcome.maxSeverity } : {}),
      bySeverity: outcome.counts,
      suppressed: outcome.suppressed.filter((s) => s.kind === 'suppression').length,
      baselined: outcome.suppressed.filter((s) => s.kind === 'baseline').length,
    },
    findings: outcome.findings.map(plainFinding),
    suppressed: outcome.suppressed.map((s) => ({ ...s, finding: plainFinding(s.finding) })),
    rules: outcome.rules,
    metrics: Object.fromEntries(Object.entries(report.metrics).map(([k, v]) => [k, encodeMetric(v)])),
    artifacts: report.artifacts,
    timings: report.timings,
    notes: report.notes,
  };
}

export function stringifyJsonReport(report: Report, outcome: PolicyOutcome): string {
  return `${JSON.stringify(renderJsonReport(report, outcome), null, 2)}\n`;
}
