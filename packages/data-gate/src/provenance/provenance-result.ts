import type { Finding } from '@aisec/core';

/** What one file (or tracked directory) came to when checked against its recorded hash. */
export interface ProvenanceCheck {
  /** Workspace-relative, forward slashes. */
  path: string;
  status: 'ok' | 'mismatch' | 'missing' | 'extra';
  algorithm: 'sha256' | 'md5' | 'md5-dos2unix';
  expected?: string;
  actual?: string;
  expectedSize?: number;
  size?: number;
}

export interface ProvenanceResult {
  checks: ProvenanceCheck[];
  /** Critical for a mismatch or a missing file, high for an untracked one. */
  findings: Finding[];
}

/** Report metrics (documented names): `provenance.files` and `provenance.<status>` counts. */
export function provenanceMetrics(result: ProvenanceResult): Record<string, number> {
  const metrics: Record<string, number> = { 'provenance.files': result.checks.length, 'provenance.ok': 0, 'provenance.mismatch': 0, 'provenance.missing': 0, 'provenance.extra': 0 };
  for (const c of result.checks) metrics[`provenance.${c.status}`] = (metrics[`provenance.${c.status}`] ?? 0) + 1;
  return metrics;
}
