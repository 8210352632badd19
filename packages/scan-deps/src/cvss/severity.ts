import type { Severity } from '@aisec/core';
import type { OsvVulnerability } from '../osv/osv-schema';
import { cvssBaseScore } from './cvss-score';

export interface SeverityAssessment {
  severity: Severity;
  /** Where the severity came from. `default` means the advisory carries none we can read. */
  source: 'cvss' | 'advisory' | 'default';
  /** CVSS base score (0.0–10.0) when a vector was scored. */
  score?: number;
  vector?: string;
  cvssVersion?: '3.0' | '3.1' | '4.0';
}

/** Our buckets for a CVSS base score: 9.0+ critical, 7.0+ high, 4.0+ medium, else low. */
export function severityFromScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

// GitHub's advisories spell it MODERATE; others use MEDIUM or IMPORTANT.
const TEXT_SEVERITY: Record<string, Severity> = {
  critical: 'critical',
  high: 'high',
  important: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  negligible: 'low',
};

function advisoryText(advisory: OsvVulnerability): Severity | undefined {
  const places = [advisory.database_specific, ...advisory.affected.flatMap((a) => [a.database_specific, a.ecosystem_specific])];
  for (const place of places) {
    const text = place?.severity;
    if (typeof text === 'string') {
      const mapped = TEXT_SEVERITY[text.trim().toLowerCase()];
      if (mapped) return mapped;
    }
  }
  return undefined;
}

/**
 * An advisory's severity: the highest CVSS base score among its `severity` vectors (v3.0, v3.1, v4.0,
 * computed per the specifications), else its own severity text (`database_specific.severity`), else
 * `high`, because an unrated vulnerability in a dependency must not slip under the default `fail-on: high`.
 */
export function severityOf(advisory: OsvVulnerability): SeverityAssessment {
  let best: SeverityAssessment | undefined;
  for (const entry of advisory.severity) {
    if (!entry.type.startsWith('CVSS_V3') && !entry.type.startsWith('CVSS_V4')) continue;
    const scored = cvssBaseScore(entry.score);
    if (!scored) continue;
    if (!best || (best.score ?? -1) < scored.baseScore) {
      best = {
        severity: severityFromScore(scored.baseScore),
        source: 'cvss',
        score: scored.baseScore,
        vector: scored.vector,
        cvssVersion: scored.version,
      };
    }
  }
  if (best) return best;
  const text = advisoryText(advisory);
  if (text) return { severity: text, source: 'advisory' };
  return { severity: 'high', source: 'default' };
}
