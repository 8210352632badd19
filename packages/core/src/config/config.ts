import type { Severity } from '../severity';

export type FailOn = Severity | 'never';

export interface Suppression {
  rule: string;
  path?: string;
  id?: string;
  reason: string;
  /** YYYY-MM-DD. */
  expires?: string;
  /** Where it was declared, so an expired one can be reported at its line. */
  source?: { file: string; line?: number };
}

export interface AisecConfig {
  /** Absolute path of the file read, when there was one. */
  file?: string;
  failOn?: FailOn;
  gates?: string[];
  /** Absolute path. */
  baseline?: string;
  suppressions: Suppression[];
  /** Per-gate sections as written (kebab-case keys), validated by the gate's own schema. */
  sections: Record<string, Record<string, unknown>>;
}

export const DEFAULT_FAIL_ON: FailOn = 'high';
export const CONFIG_FILE_NAMES = ['.aisec.yml', '.aisec.yaml'] as const;
