import type { Dependency, DependencySource } from '../dependency';
import { normalizeName } from './pep503';
import type { Pep508Requirement } from './pep508';
import { classifySpecifier } from './pin';

export interface DeclarationContext {
  source: DependencySource;
  dev: boolean;
  group?: string;
  /** Defaults to true: a manifest declares its own dependencies. */
  direct?: boolean;
  /** `pip freeze` output: an exact pin there is what is installed. */
  installed?: boolean;
  hashes?: string[];
}

/** A Dependency from a parsed PEP 508 requirement, classified by what its specifier lets us check. */
export function dependencyFromRequirement(req: Pep508Requirement, ctx: DeclarationContext): Dependency {
  const dep: Dependency = {
    name: normalizeName(req.name),
    rawName: req.name,
    kind: 'unpinned',
    dev: ctx.dev,
    ecosystem: 'PyPI',
    direct: ctx.direct ?? true,
    source: ctx.source,
  };
  if (req.extras.length > 0) dep.extras = req.extras;
  if (req.marker !== undefined) dep.marker = req.marker;
  if (ctx.group !== undefined) dep.group = ctx.group;
  if (ctx.hashes !== undefined && ctx.hashes.length > 0) dep.hashes = ctx.hashes;
  if (req.url !== undefined) {
    dep.kind = 'url';
    dep.url = req.url;
    return dep;
  }
  if (req.specifier !== undefined) dep.specifier = req.specifier;
  const { kind, version } = classifySpecifier(req.specifier);
  dep.kind = kind === 'pinned' && ctx.installed ? 'locked' : kind;
  if (version !== undefined) dep.version = version;
  return dep;
}

/** A Dependency for an exact version read from a lockfile. */
export function lockedDependency(
  rawName: string,
  version: string,
  ctx: DeclarationContext & { marker?: string },
): Dependency {
  const dep: Dependency = {
    name: normalizeName(rawName),
    rawName,
    version,
    specifier: `==${version}`,
    kind: 'locked',
    dev: ctx.dev,
    ecosystem: 'PyPI',
    direct: ctx.direct ?? true,
    source: ctx.source,
  };
  if (ctx.group !== undefined) dep.group = ctx.group;
  if (ctx.marker !== undefined) dep.marker = ctx.marker;
  if (ctx.hashes !== undefined && ctx.hashes.length > 0) dep.hashes = ctx.hashes;
  return dep;
}

/** A lockfile entry from a URL, VCS or local path: no registry version to match. */
export function urlDependency(rawName: string, url: string, ctx: DeclarationContext & { marker?: string }): Dependency {
  const dep: Dependency = {
    name: normalizeName(rawName),
    rawName,
    kind: 'url',
    url,
    dev: ctx.dev,
    ecosystem: 'PyPI',
    direct: ctx.direct ?? true,
    source: ctx.source,
  };
  if (ctx.group !== undefined) dep.group = ctx.group;
  if (ctx.marker !== undefined) dep.marker = ctx.marker;
  if (ctx.hashes !== undefined && ctx.hashes.length > 0) dep.hashes = ctx.hashes;
  return dep;
}
