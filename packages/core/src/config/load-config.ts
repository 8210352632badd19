import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv, type ErrorObject, type AnySchema } from 'ajv';
import { LineCounter, isMap, isScalar, parseDocument, type Document, type Node } from 'yaml';
import configSchema from '../../schema/aisec-config.schema.json';
import { didYouMean } from '../did-you-mean';
import { UserError } from '../errors';
import { workspaceRelative } from '../workspace-path';
import { CONFIG_FILE_NAMES, type AisecConfig, type FailOn, type Suppression } from './config';

const MAX_CONFIG_BYTES = 1024 * 1024;

export interface LoadConfigOptions {
  /**
   * JSON Schemas of gates' own sections (keyed by gate name), merged into the config schema so a
   * misspelled gate option is caught with its line and a did-you-mean like any other key.
   */
  gateSchemas?: Record<string, AnySchema>;
  /** The name errors and suppression locations carry (workspace-relative); default: the path given. */
  displayName?: string;
}

/** Finds `.aisec.yml` (or `.aisec.yaml`) in `dir`; undefined when there is none. */
export function findConfigFile(dir: string): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function emptyConfig(): AisecConfig {
  return { suppressions: [], sections: {} };
}

export function loadConfigFile(path: string, options: LoadConfigOptions = {}): AisecConfig {
  const abs = resolve(path);
  const file = options.displayName ?? path;
  let text: string;
  try {
    const buf = readFileSync(abs);
    if (buf.length > MAX_CONFIG_BYTES) throw new UserError(`configuration file is ${buf.length} bytes; the limit is 1 MiB`, { file });
    text = buf.toString('utf8');
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot read configuration file: ${(error as Error).message}`, {
      file,
      hint: 'Check the path given to --config or the `config` input',
    });
  }
  return { ...parseConfig(text, file, options, dirname(abs)), file: abs };
}

/** Parses and validates configuration text; `file` is the name errors carry. */
export function parseConfig(text: string, file: string, options: LoadConfigOptions = {}, baseDir = process.cwd()): AisecConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new UserError(`malformed YAML: ${first.message.split('\n')[0]}`, { file, line: pos.line, column: pos.col });
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const validate = compileValidator(options.gateSchemas ?? {});
  if (!validate(data)) {
    throw configError(pickError(validate.errors ?? []), doc, lineCounter, file);
  }
  const raw = data as Record<string, unknown>;
  const suppressions = ((raw.suppressions as Suppression[] | undefined) ?? []).map((s, i) => {
    const node = doc.getIn(['suppressions', i], true) as Node | undefined;
    const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
    return { ...s, source: { file, ...(line === undefined ? {} : { line }) } };
  });
  for (const [i, s] of suppressions.entries()) {
    if (s.expires && Number.isNaN(Date.parse(`${s.expires}T00:00:00Z`))) {
      throw positioned(`'${s.expires}' is not a real date`, doc, lineCounter, file, ['suppressions', i, 'expires'], 'expires');
    }
  }
  const sections: AisecConfig['sections'] = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) sections[key] = value as Record<string, unknown>;
  }
  return {
    file: resolve(baseDir, file),
    failOn: raw['fail-on'] as FailOn | undefined,
    gates: raw.gates as string[] | undefined,
    baseline: typeof raw.baseline === 'string' ? resolve(baseDir, raw.baseline) : undefined,
    suppressions,
    sections,
  };
}

const validators = new Map<string, ReturnType<Ajv['compile']>>();

function compileValidator(gateSchemas: Record<string, AnySchema>): ReturnType<Ajv['compile']> {
  const key = JSON.stringify(gateSchemas);
  const cached = validators.get(key);
  if (cached) return cached;
  const schema = structuredClone(configSchema) as { properties: Record<string, unknown>; definitions: Record<string, unknown> };
  // Gates the caller knows (a newer or test-only gate) are valid names in `gates` too.
  const names = schema.definitions.gateName as { enum: string[] };
  names.enum = [...new Set([...names.enum, ...Object.keys(gateSchemas)])];
  for (const [gate, gateSchema] of Object.entries(gateSchemas)) {
    // The gate's own keys plus the common ones, closed so a typo is an error rather than ignored.
    const own = gateSchema as { properties?: Record<string, unknown> };
    schema.properties[gate] = {
      type: 'object',
      additionalProperties: false,
      properties: { ...(schema.definitions.gateSection as { properties: object }).properties, ...own.properties },
    };
  }
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  const validate = ajv.compile(schema);
  validators.set(key, validate);
  return validate;
}

/** The most useful of ajv's errors: a wrong key over a wrong value, the deepest first. */
function errorRank(e: ErrorObject): number {
  return e.keyword === 'additionalProperties' ? 2 : e.keyword === 'anyOf' || e.keyword === 'if' ? 0 : 1;
}

function pickError(errors: ErrorObject[]): ErrorObject {
  const rank = errorRank;
  return [...errors].sort((a, b) => rank(b) - rank(a) || b.instancePath.length - a.instancePath.length)[0]!;
}

function pathOf(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function configError(error: ErrorObject, doc: Document, lineCounter: LineCounter, file: string): UserError {
  const path = pathOf(error.instancePath);
  const dotted = path.join('.');
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    const suggestion = didYouMean(extra, allowed);
    const keyPath = [...path, extra].join('.');
    const where = dotted ? ` in '${dotted}'` : '';
    const hint = suggestion ? `Did you mean '${suggestion}'?` : `Allowed keys${where}: ${allowed.join(', ')}`;
    return positioned(`unknown key '${extra}'${where}`, doc, lineCounter, file, [...path, extra], keyPath, hint, true);
  }
  let message = `${dotted || 'the document'} ${error.message ?? 'is invalid'}`;
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
    message = `'${String(error.data)}' is not allowed for ${dotted}; use one of: ${allowed.join(', ')}`;
    const suggestion = typeof error.data === 'string' ? didYouMean(error.data, allowed.map(String)) : undefined;
    return positioned(message, doc, lineCounter, file, path, dotted, suggestion ? `Did you mean '${suggestion}'?` : undefined);
  }
  return positioned(message, doc, lineCounter, file, path, dotted || undefined);
}

function positioned(
  message: string,
  doc: Document,
  lineCounter: LineCounter,
  file: string,
  path: (string | number)[],
  key?: string,
  hint?: string,
  atKey = false,
): UserError {
  const node = findNode(doc, path, atKey);
  const pos = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
  return new UserError(message, { file, line: pos?.line, column: pos?.col, key, hint });
}

/** The node at `path`; with `atKey`, the key node of the last step (for unknown keys). */
function findNode(doc: Document, path: (string | number)[], atKey: boolean): Node | undefined {
  if (!atKey) return (doc.getIn(path, true) as Node | undefined) ?? doc.contents ?? undefined;
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const last = path[path.length - 1];
  if (isMap(parent)) {
    for (const pair of parent.items) {
      if (isScalar(pair.key) && pair.key.value === last) return pair.key;
    }
  }
  return undefined;
}

/**
 * The configuration a run uses: the file named (relative to the workspace) or `.aisec.yml` found in
 * the workspace, validated with the gates' own section schemas; an empty configuration when there is
 * none. One path for the action runner and the CLI, so both report the same errors the same way.
 */
export function loadProjectConfig(workspace: string, named: string | undefined, gateSchemas: Record<string, AnySchema>, hint?: string): AisecConfig {
  const given = named ? resolve(workspace, named) : undefined;
  if (given && !existsSync(given)) throw new UserError(`configuration file '${named}' does not exist`, { key: 'config', ...(hint ? { hint } : {}) });
  const file = given ?? findConfigFile(workspace);
  if (!file) return emptyConfig();
  // Errors and expired suppressions point at the file as the repository names it.
  return loadConfigFile(file, { gateSchemas, displayName: workspaceRelative(workspace, file) });
}
