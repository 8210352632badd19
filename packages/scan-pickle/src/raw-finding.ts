import type { PropertyValue, Severity } from '@aisec/core';

/** A finding before it is placed in the workspace: the scanner knows the member chain, not the path. */
export interface RawFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** Archive members from the outermost in, joined with `/` in `location.member`. */
  members: string[];
  evidence: string;
  properties: Record<string, PropertyValue>;
}
