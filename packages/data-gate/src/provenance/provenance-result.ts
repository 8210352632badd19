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
