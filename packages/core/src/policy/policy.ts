import picomatch from 'picomatch';
import type { FailOn, Suppression } from '../config/config';
import type { Finding } from '../finding';
import { assignFingerprints } from '../fingerprint';
import type { Report } from '../report';
import type { Rule } from '../rule';
import { SEVERITIES, atLeast, compareSeverity, maxSeverity, type Severity } from '../severity';

export interface PolicyInput {
  failOn: FailOn;
  suppressions: Suppression[];
  /** Accepted fingerprints. */
  baseline?: Set<string>;
  /** Shown in reports; the file the baseline came from. */
  baselineFile?: string;
  /** Today, for suppression expiry; injectable for tests. */
  now?: Date;
}

export interface SuppressedFinding {
  finding: Finding;
  kind: 'suppression' | 'baseline';
  reason: string;
  expires?: string;
}

export interface PolicyOutcome {
  failOn: FailOn;
  /** Findings that count, most severe first (including policy's own findings). */
  findings: Finding[];
  suppressed: SuppressedFinding[];
  /** The report's rules plus policy rules used. */
  rules: Rule[];
  counts: Record<Severity, number>;
  maxSeverity?: Severity;
  passed: boolean;
  baselineFile?: string;
}

export const EXPIRED_SUPPRESSION_RULE: Rule = {
  id: 'AISEC-POL-001',
  name: 'ExpiredSuppression',
  shortDescription: 'A suppression in the configuration has expired',
  fullDescription:
    'A suppression whose `expires` date has passed no longer hides the findings it matched; they are reported again, and so is the suppression itself, so that nobody forgets to review it.',
  help: 'Review the findings this suppression hid. Fix them, or renew the suppression with a new `expires` date and a current `reason`.',
  defaultSeverity: 'medium',
  tags: ['policy'],
};

/** Ids a finding carries that a suppression's `id` may name: advisory ids and aliases, by convention. */
function idsOf(f: Finding): string[] {
  const ids: string[] = [];
  const p = f.properties ?? {};
  for (const key of ['id', 'vulnerability']) if (typeof p[key] === 'string') ids.push(p[key]);
  if (Array.isArray(p.aliases)) for (const a of p.aliases) if (typeof a === 'string') ids.push(a);
  if (f.fingerprint) ids.push(f.fingerprint);
  return ids;
}

function isExpired(s: Suppression, now: Date): boolean {
  if (!s.expires) return false;
  // A suppression is valid through the whole of its expiry day (UTC).
  return now.getTime() >= Date.parse(`${s.expires}T00:00:00Z`) + 86_400_000;
}

function matches(s: Suppression, f: Finding, globs: Map<Suppression, (path: string) => boolean>): boolean {
  if (s.rule !== '*' && s.rule !== f.ruleId) return false;
  if (s.id && !idsOf(f).some((id) => id.toLowerCase() === s.id!.toLowerCase())) return false;
  const glob = globs.get(s);
  return !glob || glob(f.location.path);
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      compareSeverity(b.severity, a.severity) ||
      a.location.path.localeCompare(b.location.path) ||
      (a.location.line ?? 0) - (b.location.line ?? 0) ||
      a.ruleId.localeCompare(b.ruleId),
  );
}

/**
 * Applies suppressions, the baseline and `fail-on` to a gate's report. The exit status follows this
 * outcome and nothing else: a reporter that fails to deliver never changes whether the gate passed.
 */
export function applyPolicy(report: Report, input: PolicyInput): PolicyOutcome {
  const now = input.now ?? new Date();
  const findings = assignFingerprints(report.findings.map((f) => ({ ...f })));
  const globs = new Map<Suppression, (path: string) => boolean>();
  for (const s of input.suppressions) if (s.path) globs.set(s, picomatch(s.path, { dot: true }));

  const active: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const expiredUsed = new Set<Suppression>();
  for (const f of findings) {
    const hit = input.suppressions.find((s) => matches(s, f, globs));
    if (hit && !isExpired(hit, now)) {
      suppressed.push({ finding: f, kind: 'suppression', reason: hit.reason, ...(hit.expires ? { expires: hit.expires } : {}) });
    } else if (input.baseline?.has(f.fingerprint!)) {
      suppressed.push({ finding: f, kind: 'baseline', reason: `accepted in baseline${input.baselineFile ? ` ${input.baselineFile}` : ''}` });
    } else {
      if (hit) expiredUsed.add(hit);
      active.push(f);
    }
  }
  // Every expired suppression is reported, whether or not it still matches anything in this gate's
  // findings: an expired entry is stale configuration either way. Only those that matched here
  // are reported by this gate, so several gates do not repeat the same line.
  const policyFindings: Finding[] = [...expiredUsed].map((s) => ({
    ruleId: EXPIRED_SUPPRESSION_RULE.id,
    severity: EXPIRED_SUPPRESSION_RULE.defaultSeverity,
    message: `Suppression of ${s.rule}${s.id ? ` (${s.id})` : ''}${s.path ? ` on ${s.path}` : ''} expired on ${s.expires}; the findings it hid are reported again`,
    location: { path: s.source?.file ?? '.aisec.yml', ...(s.source?.line ? { line: s.source.line } : {}) },
    evidence: `expired suppression ${s.rule} ${s.id ?? ''} ${s.path ?? ''} ${s.expires}`,
    properties: { reason: s.reason, expires: s.expires ?? '' },
  }));
  assignFingerprints(policyFindings);
  const all = sortFindings([...active, ...policyFindings]);

  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of all) counts[f.severity]++;
  const max = maxSeverity(all.map((f) => f.severity));
  const passed = input.failOn === 'never' || max === undefined || !atLeast(max, input.failOn);
  const rules = [...report.rules];
  if (policyFindings.length) rules.push(EXPIRED_SUPPRESSION_RULE);
  return {
    failOn: input.failOn,
    findings: all,
    suppressed,
    rules,
    counts,
    ...(max ? { maxSeverity: max } : {}),
    passed,
    ...(input.baselineFile ? { baselineFile: input.baselineFile } : {}),
  };
}
