import type { Dependency, Manifest } from '../dependency';
import { dependencyFromRequirement } from './declared-dependency';
import { asArray, asString, asTable, stringsOf, tableAt, type Table } from './parsed-value';
import { normalizeName } from './pep503';
import { Pep508Error, parsePep508, type Pep508Requirement } from './pep508';
import { PoetryConstraintError, pythonMarker, translatePoetryConstraint } from './poetry-constraint';
import { parseTomlDocument } from './toml-document';
import type { KeyPath, TomlLines } from './toml-lines';
import { quoteForNote } from './inside-workspace';

/**
 * `pyproject.toml`: PEP 621 `[project]` dependencies and optional dependencies, PEP 735
 * `[dependency-groups]`, Poetry's `[tool.poetry]` dependencies, dev-dependencies and groups, and the
 * legacy dev lists of uv (`tool.uv.dev-dependencies`) and PDM (`tool.pdm.dev-dependencies`).
 *
 * What counts as dev: dependency groups (PEP 735, Poetry groups other than `main`, Poetry
 * dev-dependencies, uv/PDM dev lists) are never installed with the package. Optional dependencies
 * (extras) are not dev: users install them with the package.
 */
export function parsePyproject(text: string, path: string): Manifest {
  const { data, lines } = parseTomlDocument(text, path, 'file');
  return new PyprojectReader(path, lines, data).read();
}

class PyprojectReader {
  private readonly dependencies: Dependency[] = [];
  private readonly notes: string[] = [];
  private readonly selfName: string | undefined;

  constructor(
    private readonly path: string,
    private readonly lines: TomlLines,
    private readonly data: Table,
  ) {
    const name = asString(tableAt(data, 'project')?.name) ?? asString(tableAt(data, 'tool', 'poetry')?.name);
    this.selfName = name === undefined ? undefined : normalizeName(name);
  }

  read(): Manifest {
    const project = tableAt(this.data, 'project');
    if (project !== undefined) {
      this.requirementList(project.dependencies, ['project', 'dependencies'], false);
      const optional = asTable(project['optional-dependencies']) ?? {};
      for (const [extra, list] of Object.entries(optional)) {
        this.requirementList(list, ['project', 'optional-dependencies', extra], false, `project.optional-dependencies.${extra}`);
      }
      if (project.dependencies === undefined && stringsOf(project.dynamic).includes('dependencies')) {
        this.notes.push(`${this.path}: [project] dependencies are dynamic (computed by the build backend), so they were not read; scan a lockfile or requirements file instead`);
      }
    }
    this.dependencyGroups();
    const uvDev = tableAt(this.data, 'tool', 'uv')?.['dev-dependencies'];
    this.requirementList(uvDev, ['tool', 'uv', 'dev-dependencies'], true, 'dev');
    for (const [group, list] of Object.entries(tableAt(this.data, 'tool', 'pdm', 'dev-dependencies') ?? {})) {
      this.requirementList(list, ['tool', 'pdm', 'dev-dependencies', group], true, group);
    }
    this.poetry();
    return { path: this.path, format: 'pyproject', dependencies: this.dependencies, notes: this.notes };
  }

  private where(keyPath: KeyPath): string {
    return `${this.path}:${this.lines.nearest(keyPath)}`;
  }

  private add(req: Pep508Requirement, keyPath: KeyPath, dev: boolean, group: string | undefined): void {
    // `myproject[test]` inside myproject's own groups or extras points at itself, not at a package to fetch.
    if (this.selfName !== undefined && normalizeName(req.name) === this.selfName) return;
    this.dependencies.push(
      dependencyFromRequirement(req, {
        source: { path: this.path, line: this.lines.nearest(keyPath) },
        dev,
        ...(group !== undefined ? { group } : {}),
      }),
    );
  }

  private requirementList(list: unknown, keyPath: KeyPath, dev: boolean, group?: string): void {
    (asArray(list) ?? []).forEach((item, i) => {
      if (typeof item !== 'string') return;
      try {
        this.add(parsePep508(item), [...keyPath, i], dev, group);
      } catch (error) {
        if (!(error instanceof Pep508Error)) throw error;
        this.notes.push(`${this.where([...keyPath, i])}: ${quoteForNote(item)} is not a valid PEP 508 requirement (${error.message}); not checked`);
      }
    });
  }

  /** PEP 735: lists of requirement strings and `{include-group = "name"}` tables. */
  private dependencyGroups(): void {
    const groups = asTable(this.data['dependency-groups']) ?? {};
    const byNormalName = new Map(Object.keys(groups).map((g) => [normalizeName(g), g]));
    for (const [group, list] of Object.entries(groups)) {
      this.requirementList(list, ['dependency-groups', group], true, group);
      (asArray(list) ?? []).forEach((item, i) => {
        const include = asString(asTable(item)?.['include-group']);
        if (include !== undefined && !byNormalName.has(normalizeName(include))) {
          this.notes.push(`${this.where(['dependency-groups', group, i])}: group '${group}' includes '${include}', which [dependency-groups] does not define`);
        }
      });
    }
    // Each declaration is listed once, at its own line; an include only widens what a group installs,
    // so all that is left to check is that includes do not loop.
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (group: string, trail: string[]): void => {
      if (done.has(group)) return;
      if (visiting.has(group)) {
        this.notes.push(`${this.path}: [dependency-groups] include a cycle (${[...trail, group].join(' -> ')}); tools refuse such a file`);
        return;
      }
      visiting.add(group);
      for (const item of asArray(groups[group]) ?? []) {
        const include = asString(asTable(item)?.['include-group']);
        const target = include === undefined ? undefined : byNormalName.get(normalizeName(include));
        if (target !== undefined) visit(target, [...trail, group]);
      }
      visiting.delete(group);
      done.add(group);
    };
    for (const group of Object.keys(groups)) visit(group, []);
  }

  private poetry(): void {
    const poetry = tableAt(this.data, 'tool', 'poetry');
    if (poetry === undefined) return;
    // Poetry 2 reads [project] first; [tool.poetry.dependencies] then only adds sources to those names.
    const declared = new Set(
      this.dependencies.filter((d) => d.group === undefined && !d.dev).map((d) => d.name),
    );
    this.poetrySection(asTable(poetry.dependencies), ['tool', 'poetry', 'dependencies'], false, undefined, declared);
    this.poetrySection(asTable(poetry['dev-dependencies']), ['tool', 'poetry', 'dev-dependencies'], true, 'dev');
    for (const [group, body] of Object.entries(asTable(poetry.group) ?? {})) {
      const main = group === 'main';
      this.poetrySection(
        asTable(asTable(body)?.dependencies),
        ['tool', 'poetry', 'group', group, 'dependencies'],
        !main,
        main ? undefined : group,
        main ? declared : undefined,
      );
    }
  }

  private poetrySection(
    section: Table | undefined,
    keyPath: KeyPath,
    dev: boolean,
    group: string | undefined,
    skip?: ReadonlySet<string>,
  ): void {
    for (const [name, value] of Object.entries(section ?? {})) {
      if (name.toLowerCase() === 'python') continue;
      if (skip?.has(normalizeName(name))) continue;
      const entries = Array.isArray(value) ? value : [value];
      entries.forEach((entry, i) => {
        const at = Array.isArray(value) ? [...keyPath, name, i] : [...keyPath, name];
        const req = this.poetryRequirement(name, entry, at);
        if (req !== undefined) this.add(req, at, dev, group);
      });
    }
  }

  private poetryRequirement(name: string, entry: unknown, at: KeyPath): Pep508Requirement | undefined {
    const spec = typeof entry === 'string' ? { version: entry } : asTable(entry);
    if (spec === undefined) {
      this.notes.push(`${this.where(at)}: Poetry dependency '${name}' has a value Poetry does not accept; not checked`);
      return undefined;
    }
    const req: Pep508Requirement = { name, extras: stringsOf(spec.extras) };
    const markers = [asString(spec.markers), pythonMarker(asString(spec.python) ?? '')].filter(
      (m): m is string => m !== undefined && m !== '',
    );
    if (markers.length === 1) req.marker = markers[0];
    if (markers.length > 1) req.marker = markers.map((m) => `(${m})`).join(' and ');

    const git = asString(spec.git);
    if (git !== undefined) {
      const ref = asString(spec.rev) ?? asString(spec.tag) ?? asString(spec.branch);
      const sub = asString(spec.subdirectory);
      req.url = `git+${git}${ref ? `@${ref}` : ''}${sub ? `#subdirectory=${sub}` : ''}`;
      return req;
    }
    const local = asString(spec.path) ?? asString(spec.url);
    if (local !== undefined) {
      req.url = local;
      return req;
    }
    const constraint = asString(spec.version) ?? '*';
    try {
      const { specifier, alternatives } = translatePoetryConstraint(constraint);
      if (alternatives.length > 0) req.specifier = alternatives.join(' || ');
      else if (specifier !== '') req.specifier = specifier;
    } catch (error) {
      if (!(error instanceof PoetryConstraintError)) throw error;
      this.notes.push(`${this.where(at)}: Poetry constraint ${quoteForNote(constraint)} for '${name}' was not understood (${error.message}); not checked`);
      return undefined;
    }
    return req;
  }
}
