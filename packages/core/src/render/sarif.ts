import { gzipSync } from 'node:zlib';
import type { Finding } from '../finding';
import { FINGERPRINT_KEY } from '../fingerprint';
import type { PolicyOutcome } from '../policy/policy';
import type { Report } from '../report';
import type { Rule } from '../rule';
import { sarifLevel, securitySeverity } from '../severity';
import { AISEC_INFORMATION_URI, AISEC_VERSION } from '../version';

/** GitHub code scanning's upload limits. */
export const SARIF_LIMITS = { maxResultsPerRun: 25_000, maxGzippedBytes: 10 * 1024 * 1024, maxRuns: 20 } as const;

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

export type SarifRun = Record<string, unknown> & { results: Record<string, unknown>[] };

function sarifRule(rule: Rule) {
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.shortDescription },
    fullDescription: { text: rule.fullDescription },
    help: { text: rule.help, markdown: rule.help },
    ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
    defaultConfiguration: { level: sarifLevel(rule.defaultSeverity) },
    properties: {
      tags: [...new Set(['security', ...(rule.tags ?? [])])],
      precision: 'high',
      'security-severity': securitySeverity(rule.defaultSeverity),
    },
  };
}

function sarifResult(f: Finding, ruleIndex: number, suppression?: { kind: string; reason: string }) {
  const { path, line, column, endLine, endColumn, member } = f.location;
  const region =
    line === undefined
      ? undefined
      : {
          startLine: line,
          ...(column !== undefined ? { startColumn: column } : {}),
          ...(endLine !== undefined ? { endLine } : {}),
          ...(endColumn !== undefined ? { endColumn } : {}),
        };
  const message = f.help ? `${f.message}\n\n${f.help}` : f.message;
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: sarifLevel(f.severity),
    message: { text: message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(path), uriBaseId: '%SRCROOT%' },
          ...(region ? { region } : {}),
        },
        ...(member ? { logicalLocations: [{ name: member.split('/').pop(), fullyQualifiedName: `${path}!${member}`, kind: 'member' }] } : {}),
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint ?? '' },
    ...(suppression
      ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${suppression.kind}: ${suppression.reason}` }] }
      : {}),
    properties: {
      severity: f.severity,
      'security-severity': securitySeverity(f.severity),
      ...(f.evidence ? { evidence: f.evidence } : {}),
      ...f.properties,
    },
  };
}

/** One SARIF run for one gate, within GitHub's per-run result limit (most severe kept). */
export function renderSarifRun(report: Report, outcome: PolicyOutcome, maxResults: number = SARIF_LIMITS.maxResultsPerRun): SarifRun {
  const rules = [...outcome.rules, ...report.rules.filter((r) => !outcome.rules.some((o) => o.id === r.id))];
  for (const s of outcome.suppressed) if (!rules.some((r) => r.id === s.finding.ruleId)) throw new Error(`no rule ${s.finding.ruleId}`);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const entries: { f: Finding; s?: { kind: string; reason: string } }[] = [
    ...outcome.findings.map((f) => ({ f })),
    ...outcome.suppressed.map((s) => ({ f: s.finding, s })),
  ];
  const kept = entries.slice(0, maxResults);
  const dropped = entries.length - kept.length;
  const notifications = dropped
    ? [{ level: 'warning', message: { text: `${dropped} less severe results were left out to stay within GitHub's ${maxResults} results per run; the JSON report has all of them.` } }]
    : [];
  return {
    tool: {
      driver: {
        name: 'aisec',
        fullName: `aisec ${report.gate}`,
        version: AISEC_VERSION,
        semanticVersion: AISEC_VERSION,
        informationUri: AISEC_INFORMATION_URI,
        rules: rules.map(sarifRule),
      },
    },
    automationDetails: { id: `aisec/${report.gate}/` },
    invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
    originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The repository root (the workspace).' } } },
    results: kept.map(({ f, s }) => sarifResult(f, index.get(f.ruleId)!, s)),
    properties: { gate: report.gate, gateVersion: report.version, passed: outcome.passed, failOn: outcome.failOn },
  };
}

/**
 * A SARIF log with one run per gate. When the gzipped log would exceed GitHub's 10 MB upload
 * limit, the least severe results are dropped (halving until it fits) and the run says so.
 */
export function renderSarif(gates: { report: Report; outcome: PolicyOutcome }[]): SarifLog {
  if (gates.length > SARIF_LIMITS.maxRuns) throw new Error(`at most ${SARIF_LIMITS.maxRuns} runs per SARIF file`);
  let maxResults: number = SARIF_LIMITS.maxResultsPerRun;
  for (;;) {
    const log: SarifLog = {
      $schema: SARIF_SCHEMA,
      version: '2.1.0',
      runs: gates.map(({ report, outcome }) => renderSarifRun(report, outcome, maxResults)),
    };
    const size = gzipSync(JSON.stringify(log)).length;
    if (size <= SARIF_LIMITS.maxGzippedBytes || maxResults <= 1) return log;
    maxResults = Math.floor(maxResults / 2);
  }
}
