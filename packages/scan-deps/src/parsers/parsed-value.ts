/**
 * Narrowing for values out of TOML, JSON and YAML parsers, which are untrusted: a lockfile may hold a
 * number where a string belongs. Each returns `undefined` on the wrong shape instead of throwing.
 */
export type Table = Record<string, unknown>;

export function asTable(value: unknown): Table | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) return undefined;
  const table: Table = {};
  for (const [key, entry] of Object.entries(value)) table[key] = entry;
  return table;
}

export function asArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? (value as unknown[]) : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Numbers become strings: TOML and YAML write `version = 2.0` unquoted more often than they should. */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

export function stringsOf(value: unknown): string[] {
  return (asArray(value) ?? []).filter((v): v is string => typeof v === 'string');
}

/** Walks `path` through nested tables. */
export function tableAt(root: unknown, ...path: string[]): Table | undefined {
  let current = asTable(root);
  for (const key of path) current = asTable(current?.[key]);
  return current;
}
