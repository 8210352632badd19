import { UserError } from '@aisec/core';
import { asString, asText, type Table } from './parsed-value';

/** A lock entry's name and version, or a UserError at its line saying how to regenerate the lock. */
export function requireNameAndVersion(
  entry: Table,
  where: { file: string; line: number; regenerate: string },
  versionOptional = false,
): { name: string; version: string | undefined } {
  const name = asString(entry.name);
  if (name === undefined || name.trim() === '') {
    throw new UserError('a package entry has no name', {
      file: where.file,
      line: where.line,
      hint: `the lock looks hand-edited or truncated; regenerate it with ${where.regenerate}`,
    });
  }
  const version = asText(entry.version);
  if (version === undefined && !versionOptional) {
    throw new UserError(`package '${name}' has no version`, {
      file: where.file,
      line: where.line,
      hint: `the lock looks hand-edited or truncated; regenerate it with ${where.regenerate}`,
    });
  }
  return { name, version };
}

/** A Table for each element of an array of tables; a UserError at the element's line for anything else. */
export function tablesOf(
  value: unknown,
  key: string,
  where: { file: string; lineOf: (index: number) => number; regenerate: string },
): Table[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new UserError(`'${key}' should be an array of tables`, {
      file: where.file,
      line: where.lineOf(0),
      hint: `regenerate the lock with ${where.regenerate}`,
    });
  }
  return value.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new UserError(`entry ${i + 1} of '${key}' is not a table`, {
        file: where.file,
        line: where.lineOf(i),
        hint: `regenerate the lock with ${where.regenerate}`,
      });
    }
    const table: Table = {};
    for (const [k, v] of Object.entries(item)) table[k] = v;
    return table;
  });
}
