/**
 * Severities, their order, and how each reporting surface spells them.
 * The order is the contract that `fail-on` and "most severe first" rely on.
 */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** Positive when `a` is more severe than `b`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[a] - RANK[b];
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold];
}

export function maxSeverity(severities: Iterable<Severity>): Severity | undefined {
  let max: Severity | undefined;
  for (const s of severities) if (max === undefined || RANK[s] > RANK[max]) max = s;
  return max;
}

/** SARIF `result.level`: GitHub shows `error` for critical/high, `warning` for medium, `note` below. */
export function sarifLevel(severity: Severity): 'error' | 'warning' | 'note' {
  if (RANK[severity] >= RANK.high) return 'error';
  return severity === 'medium' ? 'warning' : 'note';
}

/**
 * `rules[].properties["security-severity"]`: GitHub buckets these as
 * critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9; we pick a value inside each bucket.
 */
export function securitySeverity(severity: Severity): string {
  return { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' }[severity];
}

/** Check-run `annotation_level` (the API accepts notice|warning|failure only). */
export function annotationLevel(severity: Severity): 'failure' | 'warning' | 'notice' {
  if (RANK[severity] >= RANK.high) return 'failure';
  return severity === 'medium' ? 'warning' : 'notice';
}
