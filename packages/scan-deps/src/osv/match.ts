import { compareSeverity } from '@aisec/core';
import { severityOf, type SeverityAssessment } from '../cvss/severity';
import { normalizeName } from '../pep440/index';
import { smallestFix } from '../fixes';
import { deserializationTag, type DeserializationTag } from './deserialization';
import { advisoryAffects } from './affected-entries';
import type { OsvVulnerability } from './osv-schema';

/** One vulnerability affecting one installed package: every database record for it merged into one. */
export interface VulnerabilityMatch {
  /** The id reported (the database's own id; PYSEC preferred, then GHSA, when several records were merged). */
  id: string;
  /** Every other id and alias of the records merged (CVE, GHSA, PYSEC...), sorted. */
  aliases: string[];
  /** PEP 503 normalized package name. */
  package: string;
  /** The version as installed. */
  version: string;
  summary: string;
  severity: SeverityAssessment;
  /** Smallest version that fixes this vulnerability for this install, null when none is known. */
  fixedIn: string | null;
  /** Set when the vulnerability is about unsafe deserialization (pickle, torch.load...). */
  deserialization?: DeserializationTag;
  published?: string;
  modified: string;
  /** Advisory URLs (the OSV page of the id first, then ADVISORY/WEB references). */
  references: string[];
  /** The records merged, as the database holds them. */
  records: OsvVulnerability[];
}

function idRank(id: string): number {
  if (id.startsWith('PYSEC-')) return 0;
  if (id.startsWith('GHSA-')) return 1;
  return 2;
}

/** Groups records that share any id or alias (PYSEC + GHSA for one CVE) with a small union-find. */
function groupByAlias(records: OsvVulnerability[]): OsvVulnerability[][] {
  const parent = records.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      const p = parent[i] ?? i;
      parent[i] = parent[p] ?? p;
      i = p;
    }
    return i;
  };
  const owner = new Map<string, number>();
  records.forEach((record, i) => {
    for (const key of [record.id, ...record.aliases]) {
      const seen = owner.get(key);
      if (seen === undefined) owner.set(key, i);
      else parent[find(i)] = find(seen);
    }
  });
  const groups = new Map<number, OsvVulnerability[]>();
  records.forEach((record, i) => {
    const root = find(i);
    const group = groups.get(root) ?? [];
    group.push(record);
    groups.set(root, group);
  });
  return [...groups.values()];
}

/** The most severe rated assessment among the records; `default` only when none is rated. */
function mergedSeverity(records: OsvVulnerability[]): SeverityAssessment {
  const all = records.map(severityOf);
  const rated = all.filter((s) => s.source !== 'default');
  const pool = rated.length > 0 ? rated : all;
  return pool.reduce((best, s) => {
    const bySeverity = compareSeverity(s.severity, best.severity);
    if (bySeverity !== 0) return bySeverity > 0 ? s : best;
    return (s.score ?? -1) > (best.score ?? -1) ? s : best;
  });
}

function firstLine(text: string | undefined): string {
  const line = (text ?? '').trim().split('\n')[0]?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/**
 * The vulnerabilities affecting one dependency, one result per vulnerability: records that share an id or
 * alias are merged, withdrawn records are skipped, names on both sides are PEP 503 normalized.
 * A dependency without an exact version cannot be matched and gets none (the caller reports it as unpinned).
 */
export function matchVulnerabilities(
  dep: { name: string; version?: string },
  advisories: readonly OsvVulnerability[],
): VulnerabilityMatch[] {
  const version = dep.version?.trim();
  if (!version) return [];
  const name = normalizeName(dep.name);
  const hits = advisories.filter((a) => advisoryAffects(a, name, version));
  const matches = groupByAlias(hits).map((group): VulnerabilityMatch => {
    const records = [...group].sort((a, b) => idRank(a.id) - idRank(b.id) || a.id.localeCompare(b.id));
    const primary = records[0];
    if (!primary) throw new Error('empty alias group');
    const ids = new Set(records.flatMap((r) => [r.id, ...r.aliases]));
    ids.delete(primary.id);
    const references = [`https://osv.dev/vulnerability/${primary.id}`];
    for (const record of records) {
      for (const ref of record.references) {
        if ((ref.type === 'ADVISORY' || ref.type === 'WEB') && !references.includes(ref.url)) references.push(ref.url);
      }
    }
    const tag = records.map(deserializationTag).find((t) => t !== undefined);
    return {
      id: primary.id,
      aliases: [...ids].sort(),
      package: name,
      version,
      summary: firstLine(records.find((r) => r.summary)?.summary ?? records.find((r) => r.details)?.details) || primary.id,
      severity: mergedSeverity(records),
      fixedIn: smallestFix(name, version, records),
      ...(tag ? { deserialization: tag } : {}),
      published: records.map((r) => r.published).filter((p): p is string => !!p).sort()[0],
      modified: records.map((r) => r.modified).sort().at(-1) ?? primary.modified,
      references: references.slice(0, 6),
      records,
    };
  });
  return matches.sort((a, b) => compareSeverity(b.severity.severity, a.severity.severity) || a.id.localeCompare(b.id));
}
