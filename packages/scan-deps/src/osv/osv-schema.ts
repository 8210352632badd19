import { UserError } from '@aisec/core';

/** The parts of an OSV record (ossf/osv-schema 1.x) that matching, severity and reporting use. */
export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: string;
  repo?: string;
  events: OsvEvent[];
}

export interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string };
  ranges: OsvRange[];
  versions: string[];
  database_specific?: Record<string, unknown>;
  ecosystem_specific?: Record<string, unknown>;
}

export interface OsvSeverity {
  type: string;
  score: string;
}

export interface OsvReference {
  type: string;
  url: string;
}

export interface OsvVulnerability {
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases: string[];
  related: string[];
  summary?: string;
  details?: string;
  severity: OsvSeverity[];
  affected: OsvAffected[];
  references: OsvReference[];
  database_specific?: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function allStrings(values: unknown[]): values is string[] {
  return values.every(isString);
}

// The parsed array itself when every element is well-typed (the rule in real data): `versions` lists run to
// hundreds per advisory, and copying 300,000 of them for a large lockfile was a measurable part of a query.
function strings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return allStrings(value) ? value : value.filter(isString);
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function toEvent(raw: Record<string, unknown>): OsvEvent {
  const event: OsvEvent = {};
  for (const key of ['introduced', 'fixed', 'last_affected', 'limit'] as const) {
    const value = optionalString(raw[key]);
    if (value !== undefined) event[key] = value;
  }
  return event;
}

function toAffected(raw: Record<string, unknown>): OsvAffected {
  const pkg = isRecord(raw.package) ? raw.package : undefined;
  const name = optionalString(pkg?.name);
  const ecosystem = optionalString(pkg?.ecosystem);
  return {
    package: name !== undefined && ecosystem !== undefined ? { name, ecosystem, purl: optionalString(pkg?.purl) } : undefined,
    ranges: records(raw.ranges).map((r) => ({
      type: optionalString(r.type) ?? '',
      repo: optionalString(r.repo),
      events: records(r.events).map(toEvent),
    })),
    versions: strings(raw.versions),
    database_specific: isRecord(raw.database_specific) ? raw.database_specific : undefined,
    ecosystem_specific: isRecord(raw.ecosystem_specific) ? raw.ecosystem_specific : undefined,
  };
}

/**
 * Checks an untrusted JSON value against the OSV fields we rely on and keeps only well-typed parts, so a
 * malformed field in one record cannot crash matching. A record without a string `id` is not OSV at all.
 */
export function toOsvVulnerability(value: unknown, source: string): OsvVulnerability {
  if (!isRecord(value) || typeof value.id !== 'string' || value.id === '') {
    throw new UserError(`${source} is not an OSV record: it has no "id"`, {
      file: source,
      hint: 'Point --offline-db at an OSV export (e.g. the PyPI all.zip from osv.dev) or a directory of OSV <ID>.json files',
    });
  }
  return {
    id: value.id,
    modified: optionalString(value.modified) ?? '',
    published: optionalString(value.published),
    withdrawn: optionalString(value.withdrawn),
    aliases: strings(value.aliases),
    related: strings(value.related),
    summary: optionalString(value.summary),
    details: optionalString(value.details),
    severity: records(value.severity).flatMap((s) => {
      const type = optionalString(s.type);
      const score = optionalString(s.score);
      return type !== undefined && score !== undefined ? [{ type, score }] : [];
    }),
    affected: records(value.affected).map(toAffected),
    references: records(value.references).flatMap((r) => {
      const type = optionalString(r.type);
      const url = optionalString(r.url);
      return type !== undefined && url !== undefined ? [{ type, url }] : [];
    }),
    database_specific: isRecord(value.database_specific) ? value.database_specific : undefined,
  };
}

/** Parses one OSV JSON document; bad JSON is the user's file problem, reported with its name. */
export function parseOsvJson(text: string, source: string): OsvVulnerability {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${source} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, {
      file: source,
      hint: 'The OSV database looks corrupt: download it again',
      cause: error,
    });
  }
  return toOsvVulnerability(value, source);
}

/** `PyPI` records only: OSV spells the ecosystem `PyPI`, sometimes with a `:suffix` for variants. */
export function isPyPiEcosystem(ecosystem: string): boolean {
  return ecosystem === 'PyPI' || ecosystem.startsWith('PyPI:');
}
