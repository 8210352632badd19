import { createHash } from 'node:crypto';
import type { Finding } from './finding';

/**
 * Fingerprint recipe, version 1 (documented in README "Fingerprints"; never change it in place: add v2).
 *
 *   sha256( "aisec-fingerprint/v1" LF ruleId LF path LF member LF normalized-evidence LF ordinal )
 *
 * - path: workspace-relative, forward slashes; member: "" when absent.
 * - normalized-evidence: the finding's `evidence` (or its message when it has none) with runs of white
 *   space folded to one space and trimmed.
 * - ordinal: 0 for the first finding with the same five fields, 1 for the next, in order of line.
 *
 * Line and column are deliberately left out so that a baseline survives edits above a finding.
 */
export const FINGERPRINT_VERSION = 'v1';
export const FINGERPRINT_KEY = `aisec/${FINGERPRINT_VERSION}`;

export function normalizeEvidence(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function baseKey(f: Finding): string {
  return [f.ruleId, f.location.path, f.location.member ?? '', normalizeEvidence(f.evidence ?? f.message)].join('\n');
}

export function fingerprintOf(f: Finding, ordinal: number): string {
  return createHash('sha256')
    .update(`aisec-fingerprint/v1\n${baseKey(f)}\n${ordinal}`)
    .digest('hex');
}

/** Sets `fingerprint` on every finding (in place) and returns them. */
export function assignFingerprints<T extends Finding>(findings: T[]): T[] {
  const order = findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (a.f.location.line ?? 0) - (b.f.location.line ?? 0) || a.i - b.i);
  const seen = new Map<string, number>();
  for (const { f } of order) {
    const key = baseKey(f);
    const ordinal = seen.get(key) ?? 0;
    seen.set(key, ordinal + 1);
    f.fingerprint = fingerprintOf(f, ordinal);
  }
  return findings;
}
