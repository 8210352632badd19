import type { RawFinding } from './raw-finding';
import { RULE_IDS } from './rules';
import type { ScanBounds } from './scan-bounds';

/** State shared by everything one model-file scan reads. */
export interface ScanEnv {
  bounds: ScanBounds;
  deadline: number;
  signal?: AbortSignal;
  findings: RawFinding[];
  /** copyreg extension registry of the current load. */
  extensions: Map<number, [string, string]>;
  counters: { pickles: number; opcodes: number; members: number; nested: number; decompressedBytes: number };
}

/** Where in the file a byte source sits. */
export interface Where {
  /** Archive members from the outermost in. */
  members: string[];
  /** Decompressions and loader calls that led here (`zlib`, `pickle.loads(base64.b64decode)`). */
  nestedChain: string[];
  /** Name used for format tie-breaks (file or member name). */
  name: string;
  /** Found by magic bytes only: stay silent on what turns out not to be that format. */
  sniffed: boolean;
}

export function addFinding(
  env: ScanEnv,
  where: Where,
  ruleId: string,
  severity: RawFinding['severity'],
  message: string,
  evidence: string,
  properties: RawFinding['properties'] = {},
): void {
  const chain = where.nestedChain.length > 0 ? `${where.nestedChain.join(' > ')} > ` : '';
  const inside = where.nestedChain.length > 0 ? ` (inside ${where.nestedChain.join(' > ')})` : '';
  env.findings.push({ ruleId, severity, message: `${message}${inside}`, members: [...where.members], evidence: `${chain}${evidence}`, properties });
}

export function limitFinding(env: ScanEnv, where: Where, kind: string, message: string): void {
  addFinding(env, where, RULE_IDS.limit, 'high', `${message}; the rest was not checked`, `limit: ${kind}`, { limit: kind });
}
