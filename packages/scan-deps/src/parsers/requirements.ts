import { dirname, isAbsolute, resolve } from 'node:path';
import { UserError, workspaceRelative } from '@aisec/core';
import type { Dependency, Manifest } from '../dependency';
import { dependencyFromRequirement } from './declared-dependency';
import { isPathLike, isUrl, nameFromUrl } from './direct-url';
import { insideWorkspace, quoteForNote } from './inside-workspace';
import { environmentOf, maxBytesFor, maxIncludeDepth, type ParseOptions } from './options';
import { normalizeName } from './pep503';
import { Pep508Error, parsePep508 } from './pep508';
import { readManifestText } from './read-manifest';
import { logicalLines, type RequirementLine } from './requirements-lines';
import { requirementsFileRole } from './requirements-role';
import { shellWords } from './shell-words';

/** Where requirement lines come from: a requirements file, a conda `pip:` section, a notebook cell. */
export interface RequirementsScope {
  /** Workspace-relative path the dependencies point at. */
  path: string;
  /** Absolute path of the file; `-r`/`-c` targets resolve against its directory. */
  absPath: string;
  dev: boolean;
  group?: string;
  /** e.g. `cell 3` of a notebook. */
  member?: string;
}

type Role = 'requirement' | 'constraint';

/** pip's own rule: `${NAME}` with upper-case letters, digits and `_` only; `$NAME` is left alone. */
const ENV_REFERENCE = /\$\{([A-Z0-9_]+)\}/g;

/** Options that take a value, by every spelling pip accepts in a requirements file. */
const VALUE_OPTIONS = new Map<string, string>([
  ['-r', 'requirement'], ['--requirement', 'requirement'],
  ['-c', 'constraint'], ['--constraint', 'constraint'],
  ['-e', 'editable'], ['--editable', 'editable'],
  ['-i', 'index'], ['--index-url', 'index'], ['--extra-index-url', 'index'],
  ['-f', 'find-links'], ['--find-links', 'find-links'],
  ['--trusted-host', 'ignored'], ['--no-binary', 'ignored'], ['--only-binary', 'ignored'],
  ['--use-feature', 'ignored'], ['--config-settings', 'ignored'], ['--global-option', 'ignored'],
  ['--install-option', 'ignored'], ['--hash', 'hash'],
]);
const FLAG_OPTIONS = new Set(['--no-index', '--pre', '--prefer-binary', '--require-hashes']);

/** `pip freeze` marks an editable without a usable URL with this comment above its `-e` line. */
const EDITABLE_COMMENT = /^#\s*Editable (?:Git )?install with no (?:version control|remote) \((.+?)==(.+?)\)\s*$/;
const FREEZE_LINE = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\[[A-Za-z0-9,._ -]*\])?==\S+$|^[A-Za-z0-9][A-Za-z0-9._-]* @ \S+$|^-e \S+$/;

interface ParsedOptions {
  values: { option: string; kind: string; value: string }[];
  unknown: string[];
}

/**
 * Reads requirement lines with pip's grammar and follows `-r`/`-c` includes (relative to the including
 * file, cycle-safe, depth-bounded). Constraint files only pin: a package they name is reported only when
 * some requirement asks for it, and then at the constraint's line, where its version is decided.
 */
export class RequirementsReader {
  readonly notes: string[] = [];
  private readonly requirements: Dependency[] = [];
  private readonly constraints: Dependency[] = [];

  constructor(
    private readonly options: ParseOptions,
    /** Requirements files fail on a missing include as pip does; notebooks and conda files note it. */
    private readonly missingInclude: 'error' | 'note' = 'error',
  ) {}

  async readLines(
    lines: readonly RequirementLine[],
    scope: RequirementsScope,
    role: Role,
    stack: readonly string[],
    extra: { installed?: boolean; comments?: readonly RequirementLine[] } = {},
  ): Promise<void> {
    const editableNames = new Map<number, { name: string; version: string }>();
    for (const c of extra.comments ?? []) {
      const m = EDITABLE_COMMENT.exec(c.text);
      if (m?.[1] !== undefined && m[2] !== undefined) editableNames.set(c.line + 1, { name: m[1], version: m[2] });
    }
    for (const line of lines) {
      await this.readLine(line, scope, role, stack, extra.installed ?? false, editableNames.get(line.line));
    }
  }

  /** The requirements, with versions pinned by constraint files filled in. */
  finish(): Dependency[] {
    const pins = new Map<string, Dependency>();
    for (const c of this.constraints) if (c.kind === 'pinned' && !pins.has(c.name)) pins.set(c.name, c);
    return this.requirements.map((dep) => {
      const pin = pins.get(dep.name);
      if (pin === undefined || (dep.kind !== 'unpinned' && dep.kind !== 'range')) return dep;
      const constrained: Dependency = { ...dep, kind: 'pinned', source: pin.source };
      if (pin.version !== undefined) constrained.version = pin.version;
      if (pin.specifier !== undefined) constrained.specifier = pin.specifier;
      return constrained;
    });
  }

  private where(scope: RequirementsScope, line: number): string {
    return `${scope.path}:${line}${scope.member ? ` (${scope.member})` : ''}`;
  }

  private expand(text: string): { text: string; unset: string[] } {
    const env = environmentOf(this.options);
    const unset: string[] = [];
    const expanded = text.replace(ENV_REFERENCE, (whole, name: string) => {
      const value = env[name];
      if (value === undefined) {
        unset.push(name);
        return whole;
      }
      return value;
    });
    return { text: expanded, unset };
  }

  private noteUnset(names: string[], scope: RequirementsScope, line: number): void {
    this.notes.push(
      `${this.where(scope, line)}: \${${names.join('}, ${')}} ${names.length === 1 ? 'is' : 'are'} not set in the environment, so this line was not checked; set ${names.length === 1 ? 'it' : 'them'} when running the scan`,
    );
  }

  private async readLine(
    line: RequirementLine,
    scope: RequirementsScope,
    role: Role,
    stack: readonly string[],
    installed: boolean,
    editableName: { name: string; version: string } | undefined,
  ): Promise<void> {
    const { text, unset } = this.expand(line.text);
    // pip's break_args_options: the requirement is every space-separated word before the first `-word`.
    const tokens = text.split(' ');
    const firstOption = tokens.findIndex((t) => t.startsWith('-'));
    const args = (firstOption === -1 ? tokens : tokens.slice(0, firstOption)).join(' ').trim();
    const optionText = firstOption === -1 ? '' : tokens.slice(firstOption).join(' ');
    const parsed = this.parseOptions(optionText);
    for (const option of parsed.unknown) {
      this.notes.push(`${this.where(scope, line.line)}: option ${quoteForNote(option)} is not one pip accepts in a requirements file; ignored`);
    }
    const hashes = parsed.values.filter((v) => v.kind === 'hash').map((v) => v.value);

    if (args !== '') {
      if (unset.some((n) => args.includes(`\${${n}}`))) return this.noteUnset(unset, scope, line.line);
      const dep = this.requirement(args, scope, line.line, hashes, installed);
      if (dep) (role === 'requirement' ? this.requirements : this.constraints).push(dep);
      return;
    }
    for (const { kind, value, option } of parsed.values) {
      const valueUnset = unset.filter((n) => value.includes(`\${${n}}`));
      if ((kind === 'requirement' || kind === 'constraint' || kind === 'editable') && valueUnset.length > 0) {
        this.noteUnset(valueUnset, scope, line.line);
        continue;
      }
      if (kind === 'requirement' || kind === 'constraint') {
        await this.include(value, kind, option, scope, line.line, stack);
      } else if (kind === 'editable') {
        const dep = this.editable(value, scope, line.line, editableName);
        if (dep) (role === 'requirement' ? this.requirements : this.constraints).push(dep);
      }
      // --index-url, --find-links and the like change where pip looks, not what it installs.
    }
  }

  private parseOptions(text: string): ParsedOptions {
    const result: ParsedOptions = { values: [], unknown: [] };
    const words = shellWords(text);
    for (let i = 0; i < words.length; i++) {
      const word = words[i] ?? '';
      const eq = word.indexOf('=');
      const longName = word.startsWith('--') && eq !== -1 ? word.slice(0, eq) : word;
      const kind = VALUE_OPTIONS.get(longName);
      if (kind !== undefined) {
        let value: string | undefined;
        if (longName !== word) value = word.slice(eq + 1);
        else {
          value = words[i + 1];
          i++;
        }
        if (value !== undefined) result.values.push({ option: longName, kind, value });
        continue;
      }
      if (FLAG_OPTIONS.has(word)) continue;
      // Short options glued to their value: `-rbase.txt`, `-e.`, `-ihttps://...`.
      const shortKind = VALUE_OPTIONS.get(word.slice(0, 2));
      if (!word.startsWith('--') && word.length > 2 && shortKind !== undefined) {
        result.values.push({ option: word.slice(0, 2), kind: shortKind, value: word.slice(2) });
        continue;
      }
      result.unknown.push(word);
    }
    return result;
  }

  private async include(
    target: string,
    role: Role,
    option: string,
    scope: RequirementsScope,
    line: number,
    stack: readonly string[],
  ): Promise<void> {
    const where = this.where(scope, line);
    if (isUrl(target)) {
      this.notes.push(`${where}: ${option} ${target} is a URL; it was not fetched, so what it lists was not checked`);
      return;
    }
    const abs = resolve(dirname(scope.absPath), target.replace(/^file:(\/\/)?/, ''));
    const rel = workspaceRelative(this.options.workspace, abs);
    if (stack.includes(abs)) {
      this.notes.push(`${where}: ${option} ${target} includes a file already being read (a cycle); skipped`);
      return;
    }
    if (!insideWorkspace(this.options.workspace, abs)) {
      this.notes.push(`${where}: ${option} ${target} is outside the workspace; not read, so what it lists was not checked`);
      return;
    }
    const maxDepth = maxIncludeDepth(this.options);
    if (stack.length > maxDepth) {
      throw new UserError(`${option} ${target} nests requirement files more than ${maxDepth} deep`, {
        file: scope.path,
        line,
        hint: 'flatten the chain of -r/-c includes',
      });
    }
    let text: string;
    try {
      text = await readManifestText(abs, rel, maxBytesFor(this.options));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      if (this.missingInclude === 'note') {
        this.notes.push(`${where}: ${option} ${target}: ${error.message}; what it lists was not checked`);
        return;
      }
      throw new UserError(`${option} ${target}: ${error.message}`, {
        file: scope.path,
        line,
        hint: error.hint ?? 'fix the path (it is relative to the including file) or remove the line',
        cause: error,
      });
    }
    const { lines, comments } = logicalLines(text);
    const included: RequirementsScope = { path: rel, absPath: abs, ...requirementsFileRole(rel) };
    await this.readLines(lines, included, role, [...stack, abs], { comments });
  }

  private requirement(
    text: string,
    scope: RequirementsScope,
    line: number,
    hashes: string[],
    installed: boolean,
  ): Dependency | undefined {
    const source = { path: scope.path, line, ...(scope.member ? { member: scope.member } : {}) };
    const base = { source, dev: scope.dev, installed, hashes, ...(scope.group !== undefined ? { group: scope.group } : {}) };
    if (isUrl(text) || isPathLike(text)) {
      // pip splits a URL's marker on "; " (a URL may contain ';'), anything else on ';'.
      const sep = isUrl(text) ? text.indexOf('; ') : text.indexOf(';');
      const location = (sep === -1 ? text : text.slice(0, sep)).trim();
      const marker = sep === -1 ? undefined : text.slice(sep + 1).trim();
      const extras = /\[([^\]]*)\]$/.exec(location)?.[1];
      const url = location.replace(/\[[^\]]*\]$/, '');
      const { name } = nameFromUrl(url);
      if (name === undefined) {
        this.notes.push(
          `${this.where(scope, line)}: cannot tell the package name of ${quoteForNote(url)}; write it as 'NAME @ URL' (or add '#egg=NAME') to have it listed`,
        );
        return undefined;
      }
      return dependencyFromRequirement(
        {
          name,
          extras: extras ? extras.split(',').map((e) => e.trim()).filter((e) => e !== '') : [],
          url,
          ...(marker ? { marker } : {}),
        },
        base,
      );
    }
    try {
      return dependencyFromRequirement(parsePep508(text), base);
    } catch (error) {
      if (!(error instanceof Pep508Error)) throw error;
      this.notes.push(`${this.where(scope, line)}: ${quoteForNote(text)} is not a valid requirement (${error.message} at column ${error.column}); not checked`);
      return undefined;
    }
  }

  private editable(
    target: string,
    scope: RequirementsScope,
    line: number,
    frozen: { name: string; version: string } | undefined,
  ): Dependency | undefined {
    const source = { path: scope.path, line, ...(scope.member ? { member: scope.member } : {}) };
    const url = target.replace(/\[[^\]]*\]$/, '');
    const name = frozen?.name ?? nameFromUrl(url).name;
    if (name === undefined) {
      this.notes.push(`${this.where(scope, line)}: editable ${quoteForNote(target)} is a local project; it is not a registry package and was not checked`);
      return undefined;
    }
    const dep: Dependency = {
      name: normalizeName(name),
      rawName: name,
      kind: 'url',
      url,
      dev: scope.dev,
      ecosystem: 'PyPI',
      direct: true,
      source,
    };
    if (frozen !== undefined) dep.version = frozen.version;
    if (scope.group !== undefined) dep.group = scope.group;
    return dep;
  }
}

/** `pip freeze` output: only `name==version`, `name @ url` and `-e` lines, and pip's own comments. */
function looksLikeFreeze(lines: readonly RequirementLine[], comments: readonly RequirementLine[]): boolean {
  if (comments.some((c) => EDITABLE_COMMENT.test(c.text))) return true;
  return (
    lines.some((l) => l.text.includes('==')) &&
    lines.every((l) => FREEZE_LINE.test(l.text)) &&
    comments.every((c) => c.text.startsWith('## '))
  );
}

/**
 * Parses a requirements file (or `pip freeze` output) and everything it includes.
 * `path` is absolute or relative to the workspace; includes resolve against its directory.
 */
export async function parseRequirements(text: string, path: string, options: ParseOptions): Promise<Manifest> {
  const abs = isAbsolute(path) ? path : resolve(options.workspace, path);
  const rel = workspaceRelative(options.workspace, abs);
  const { lines, comments } = logicalLines(text);
  // `requirements` lets the content decide; only an explicit `pip-freeze` forces it.
  const freeze = options.format === 'pip-freeze' || looksLikeFreeze(lines, comments);
  const reader = new RequirementsReader(options);
  await reader.readLines(lines, { path: rel, absPath: abs, ...requirementsFileRole(rel) }, 'requirement', [abs], {
    installed: freeze,
    comments,
  });
  return { path: rel, format: freeze ? 'pip-freeze' : 'requirements', dependencies: reader.finish(), notes: reader.notes };
}
