import type { Severity } from './severity';

/** A rule a gate can report. SARIF needs the descriptions and help; GitHub rejects rules without them. */
export interface Rule {
  id: string;
  /** PascalCase name, e.g. `PickleGlobalOutsideSafeList`. */
  name: string;
  shortDescription: string;
  fullDescription: string;
  /** Markdown: what it means and what to do about it. */
  help: string;
  helpUri?: string;
  defaultSeverity: Severity;
  tags?: string[];
}

export type RuleCatalog = ReadonlyMap<string, Rule>;

export function ruleCatalog(rules: readonly Rule[]): RuleCatalog {
  const map = new Map<string, Rule>();
  for (const rule of rules) {
    if (map.has(rule.id)) throw new Error(`duplicate rule id ${rule.id}`);
    map.set(rule.id, rule);
  }
  return map;
}
