import { DEFAULT_LIMITS, type Finding, type Location, type PropertyValue } from '@aisec/core';
import { CODE_RULE_IDS, CODE_RULES } from './code-rules';
import type { WasmLocator } from './python-parser';
import type { CodeHit } from './unsafe-calls';

export interface CodeScanOptions {
  /** Where the parser's wasm files are; defaults to node_modules (dev and tests only, see PYTHON_WASM_FILES). */
  locateFile?: WasmLocator;
  /** Parse budget per file or notebook, in milliseconds. Default: DEFAULT_LIMITS.timePerFileMs. */
  parseTimeMs?: number;
  signal?: AbortSignal;
}

/** Counts a caller can add up into report metrics (`code.files`, `code.cells`, ...). */
export interface CodeScanStats {
  /** Python files and notebooks scanned (1 or 0 per call). */
  files: number;
  /** Notebook code cells parsed. */
  cells: number;
  /** Files or cells tree-sitter had to recover from syntax errors. */
  unitsWithSyntaxErrors: number;
  /** IPython magic and shell lines blanked before parsing. */
  magicLines: number;
}

export interface CodeScanResult {
  findings: Finding[];
  /** What was not checked, or checked with less certainty, and why. */
  notes: string[];
  stats: CodeScanStats;
}

export function emptyStats(): CodeScanStats {
  return { files: 0, cells: 0, unitsWithSyntaxErrors: 0, magicLines: 0 };
}

export function parseBudget(options: CodeScanOptions): number {
  return options.parseTimeMs ?? DEFAULT_LIMITS.timePerFileMs;
}

const SEVERITY = new Map(CODE_RULES.map((r) => [r.id, r.defaultSeverity]));

function severityOf(ruleId: string) {
  const severity = SEVERITY.get(ruleId);
  if (!severity) throw new Error(`code scanner produced rule ${ruleId}, which CODE_RULES does not declare`);
  return severity;
}

export function findingFromHit(
  hit: CodeHit,
  location: Location,
  messageSuffix = '',
  properties: Record<string, PropertyValue> = {},
): Finding {
  return {
    ruleId: hit.ruleId,
    severity: severityOf(hit.ruleId),
    message: hit.message + messageSuffix,
    location,
    evidence: hit.evidence,
    help: hit.help,
    properties: { ...hit.properties, ...properties },
  };
}

/** A file we could not scan: said as a finding, since silence would read as "nothing unsafe here". */
export function notScannedFinding(path: string, evidence: string, message: string, location: Partial<Location> = {}): Finding {
  const ruleId = CODE_RULE_IDS.codeFileNotScanned;
  return { ruleId, severity: severityOf(ruleId), message, location: { ...location, path }, evidence };
}

/**
 * Most findings reported for one file. A generated or hostile file can hold thousands of loads; past this
 * the report says how many more there are instead of listing them (SARIF keeps 5,000 results per run).
 */
export const MAX_FINDINGS_PER_FILE = 1000;

export function capFindings(result: CodeScanResult, path: string): CodeScanResult {
  const extra = result.findings.length - MAX_FINDINGS_PER_FILE;
  if (extra <= 0) return result;
  return {
    ...result,
    findings: result.findings.slice(0, MAX_FINDINGS_PER_FILE),
    notes: [...result.notes, `${path}: ${extra} more unsafe loads not listed (only the first ${MAX_FINDINGS_PER_FILE} are reported per file)`],
  };
}
