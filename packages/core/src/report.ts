import type { Finding } from './finding';
import type { Rule } from './rule';

/**
 * Metrics are a flat map of documented, stable names (`drift.age.ks.pvalue`, `files.scanned`) to
 * numbers. Infinity and NaN are allowed here; the JSON report spells them `inf`, `-inf` and `nan`.
 */
export type Metrics = Record<string, number>;

export interface Artifact {
  /** Workspace-relative path of a file the gate wrote. */
  path: string;
  kind: string;
  sha256?: string;
}

/** What a gate library returns: facts, before any policy is applied. */
export interface Report {
  gate: string;
  /** Version of the gate that produced it. */
  version: string;
  findings: Finding[];
  /** Every rule a finding refers to, so renderers need nothing else. */
  rules: Rule[];
  metrics: Metrics;
  artifacts: Artifact[];
  /** Milliseconds spent per phase. */
  timings: Record<string, number>;
  /**
   * What a reader should know about the run: what was deliberately not checked and why (the report
   * says so rather than staying silent), which database or reference was used.
   */
  notes: string[];
}

export interface ReportParts {
  gate: string;
  version: string;
  findings?: Finding[];
  metrics?: Metrics;
  artifacts?: Artifact[];
  timings?: Record<string, number>;
  notes?: string[];
}

/** Builds a Report whose `rules` are exactly those its findings use; an unknown rule id is our bug. */
export function buildReport(parts: ReportParts, catalog: readonly Rule[]): Report {
  const findings = parts.findings ?? [];
  const byId = new Map(catalog.map((r) => [r.id, r]));
  const used = new Map<string, Rule>();
  for (const f of findings) {
    const rule = byId.get(f.ruleId);
    if (!rule) throw new Error(`finding uses rule ${f.ruleId}, which ${parts.gate} does not declare`);
    used.set(rule.id, rule);
  }
  return {
    gate: parts.gate,
    version: parts.version,
    findings,
    rules: [...used.values()].sort((a, b) => a.id.localeCompare(b.id)),
    metrics: parts.metrics ?? {},
    artifacts: parts.artifacts ?? [],
    timings: parts.timings ?? {},
    notes: parts.notes ?? [],
  };
}
