import { readFileSync } from 'node:fs';
import { UserError } from '../errors';
import { FINGERPRINT_VERSION } from '../fingerprint';
import type { Finding } from '../finding';

/**
 * A baseline is a reviewed list of accepted findings, by fingerprint. Rule and path are kept beside
 * each fingerprint only so a person reviewing the file can tell what was accepted.
 */
export interface BaselineFile {
  aisecBaseline: 1;
  fingerprintVersion: string;
  entries: { fingerprint: string; gate: string; ruleId: string; path: string; member?: string }[];
}

export function createBaseline(findingsByGate: Record<string, Finding[]>): BaselineFile {
  const entries: BaselineFile['entries'] = [];
  for (const [gate, findings] of Object.entries(findingsByGate)) {
    for (const f of findings) {
      if (!f.fingerprint) throw new Error('createBaseline needs fingerprinted findings');
      entries.push({
        fingerprint: f.fingerprint,
        gate,
        ruleId: f.ruleId,
        path: f.location.path,
        ...(f.location.member === undefined ? {} : { member: f.location.member }),
      });
    }
  }
  entries.sort((a, b) => a.gate.localeCompare(b.gate) || a.path.localeCompare(b.path) || a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint));
  return { aisecBaseline: 1, fingerprintVersion: FINGERPRINT_VERSION, entries };
}

export function readBaseline(file: string): Set<string> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the baseline file does not exist' : `the baseline file is not valid JSON (${(error as Error).message})`;
    throw new UserError(why, { file, hint: 'Write one with `aisec baseline`, or remove `baseline` from the configuration' });
  }
  const b = data as Partial<BaselineFile>;
  if (b.aisecBaseline !== 1 || !Array.isArray(b.entries)) {
    throw new UserError('not an aisec baseline (expected "aisecBaseline": 1 and an "entries" list)', { file, hint: 'Write one with `aisec baseline`' });
  }
  if (b.fingerprintVersion !== FINGERPRINT_VERSION) {
    throw new UserError(`baseline uses fingerprint ${String(b.fingerprintVersion)}, this aisec computes ${FINGERPRINT_VERSION}`, {
      file,
      hint: 'Regenerate it with `aisec baseline` and review the difference',
    });
  }
  return new Set(b.entries.map((e) => e.fingerprint));
}
