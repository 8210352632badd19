import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Whether `path` (after following links) lies inside the workspace. Includes named by scanned files
 * (`-r /etc/passwd`, a link to `~/.netrc`) are untrusted: reading them would put their lines into
 * notes, and notes reach logs and pull-request comments.
 */
export function insideWorkspace(workspace: string, path: string): boolean {
  const rel = relative(real(workspace), real(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Quotes scanned text in a note, shortened: enough to find the line, not a copy of the file. */
export function quoteForNote(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ');
  return `'${flat.length > max ? `${flat.slice(0, max - 1)}…` : flat}'`;
}
