import type { Severity } from './severity';

/** Where a finding is. `path` is relative to the workspace root, with forward slashes. */
export interface Location {
  path: string;
  /** 1-based, where known. */
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /**
   * A file inside an archive (a pickle inside a PyTorch zip, a member of an .npz), as a `/`-joined
   * chain for archives inside archives. Rendered in SARIF as a logical location.
   */
  member?: string;
}

export type PropertyValue = string | number | boolean | null | PropertyValue[] | { [key: string]: PropertyValue };

export interface Finding {
  /** Stable rule id, e.g. `AISEC-PKL-001`. A published id never changes meaning. */
  ruleId: string;
  severity: Severity;
  /** One line a reviewer can act on. */
  message: string;
  location: Location;
  /**
   * What was seen, normalized so it is stable across runs (an opcode chain, a package@version,
   * a column name). Part of the fingerprint, so never put line numbers or timings here.
   */
  evidence?: string;
  /** Overrides the rule's help for this finding (e.g. the fixed version to upgrade to). */
  help?: string;
  helpUri?: string;
  /** Filled by `assignFingerprints`; see fingerprint.ts for the recipe. */
  fingerprint?: string;
  properties?: Record<string, PropertyValue>;
}
