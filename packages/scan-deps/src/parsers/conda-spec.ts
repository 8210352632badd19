import type { DependencyKind } from '../dependency';

export interface CondaSpec {
  name: string;
  channel?: string;
  /** As written after the name, e.g. `=1.24`, `>=1.2,<2`, `1.24.3 py310h5f9d8c6_0`. */
  specifier?: string;
  kind: DependencyKind;
  version?: string;
}

/**
 * A conda MatchSpec as environment files write it: `[channel::]name[ version[ build]]` or
 * `name=version[=build]`, `name==version`, `name>=1.2,<2`, `name[version='>=1.2']`.
 * Exact only when the version is complete: `==1.2.3`, `=1.2.3=build`, `name 1.2.3 build`,
 * `name 1.2.3`; `=1.2.3` alone means `1.2.3*` in conda, so it is a range.
 */
export function parseCondaSpec(text: string): CondaSpec | undefined {
  let spec = text.trim();
  let channel: string | undefined;
  const ch = /^([^:\s]+)::(.*)$/.exec(spec);
  if (ch?.[1] !== undefined && ch[2] !== undefined) {
    channel = ch[1];
    spec = ch[2];
  }
  const bracket = /^([^[\s]+)\[(.*)\]$/.exec(spec);
  if (bracket?.[1] !== undefined) {
    const version = /version\s*=\s*['"]?([^'",\]]+)['"]?/.exec(bracket[2] ?? '')?.[1];
    spec = version === undefined ? bracket[1] : `${bracket[1]} ${version}`;
  }
  const m = /^([A-Za-z0-9_][A-Za-z0-9._-]*)\s*(.*)$/.exec(spec);
  if (m?.[1] === undefined) return undefined;
  const name = m[1];
  const rest = (m[2] ?? '').trim();
  const base = { name, ...(channel !== undefined ? { channel } : {}) };
  if (rest === '' || rest === '*') return { ...base, kind: 'unpinned' };
  const result = (kind: DependencyKind, version?: string): CondaSpec => ({
    ...base,
    specifier: rest,
    kind,
    ...(version !== undefined ? { version } : {}),
  });
  const eq = /^==\s*([^\s=*,|<>!]+)$/.exec(rest);
  if (eq?.[1] !== undefined) return result('pinned', eq[1]);
  const withBuild = /^=([^\s=*,|<>!]+)=(\S+)$/.exec(rest);
  if (withBuild?.[1] !== undefined) return result('pinned', withBuild[1]);
  const spaced = /^([0-9][^\s=*,|<>!]*)(?:\s+\S+)?$/.exec(rest);
  if (spaced?.[1] !== undefined) return result('pinned', spaced[1]);
  return result('range');
}
