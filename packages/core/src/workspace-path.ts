import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * The path reporters show: relative to the workspace, forward slashes (SARIF and GitHub want both).
 * A path outside the workspace stays absolute rather than growing `../` segments GitHub cannot map.
 */
export function workspaceRelative(workspace: string, path: string): string {
  const abs = isAbsolute(path) ? path : resolve(workspace, path);
  const rel = relative(workspace, abs);
  if (rel === '' ) return '.';
  if (rel.startsWith('..') || isAbsolute(rel)) return abs.split(sep).join('/');
  return rel.split(sep).join('/');
}
