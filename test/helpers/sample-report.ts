import { buildReport, type Finding, type Report, type Rule, type Severity } from '@aisec/core';

export const SAMPLE_RULES: Rule[] = (['critical', 'high', 'medium', 'low', 'info'] as const).map((sev, i) => ({
  id: `AISEC-TST-00${i + 1}`,
  name: `Sample${sev[0]!.toUpperCase()}${sev.slice(1)}`,
  shortDescription: `A ${sev} sample finding`,
  fullDescription: `A ${sev} finding made by the test suite.`,
  help: `Nothing to do: this is a **${sev}** test finding.`,
  defaultSeverity: sev,
}));

export function sampleFinding(severity: Severity, i: number, extra: Partial<Finding> = {}): Finding {
  const rule = SAMPLE_RULES.find((r) => r.defaultSeverity === severity)!;
  return {
    ruleId: rule.id,
    severity,
    message: `sample ${severity} finding ${i}`,
    location: { path: `src/file${i % 7}.py`, line: i + 1, column: 1 },
    evidence: `evidence ${i}`,
    ...extra,
  };
}

export function sampleReport(findings: Finding[], metrics: Record<string, number> = {}): Report {
  return buildReport({ gate: 'test-gate', version: '0.1.0', findings, metrics }, SAMPLE_RULES);
}
