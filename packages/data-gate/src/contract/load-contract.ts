import { readFileSync } from 'node:fs';
import { UserError } from '@aisec/core';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { CONTRACT_SCHEMA, type DataContract } from './contract-schema';

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true, useDefaults: false, formats: { regex: isRegex } });
const validateContract = ajv.compile<DataContract>(CONTRACT_SCHEMA);

function isRegex(source: string): boolean {
  try {
    return RegExp(source, 'u') instanceof RegExp;
  } catch {
    return false;
  }
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return `unknown key '${String(error.params.additionalProperty)}'`;
  if (error.keyword === 'enum') return `${error.message} (${(error.params.allowedValues as unknown[]).join(', ')})`;
  if (error.keyword === 'format') return 'not a valid regular expression';
  return error.message ?? error.keyword;
}

/**
 * Parses and validates a contract (YAML or JSON: JSON is YAML). Errors name the file, the line and
 * the key, e.g. `contract.yml:7: columns[2].type must be equal to one of the allowed values`.
 */
export function parseContract(text: string, displayPath: string): DataContract {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    throw new UserError(`not valid YAML/JSON: ${first.message.split('\n')[0]}`, {
      file: displayPath,
      ...(first.linePos?.[0] ? { line: first.linePos[0].line, column: first.linePos[0].col } : {}),
    });
  }
  const data = doc.toJS({ maxAliasCount: 50 }) as unknown;
  if (!validateContract(data)) {
    const error = (validateContract.errors ?? [])[0] as ErrorObject;
    const segments = error.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replaceAll('~1', '/').replaceAll('~0', '~')));
    const key = segments.reduce<string>((acc, s) => (typeof s === 'number' ? `${acc}[${s}]` : acc === '' ? s : `${acc}.${s}`), '');
    const node = doc.getIn(segments, true) as { range?: [number, number, number] } | undefined;
    const pos = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
    throw new UserError(`${key === '' ? 'the contract' : key} ${describe(error)}`, {
      file: displayPath,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
      ...(key === '' ? {} : { key }),
      hint: 'see the contract format in the data-gate README (or write one with `aisec data-gate infer`)',
    });
  }
  for (const [i, c] of data.columns.entries()) {
    if (c.min !== undefined && c.max !== undefined && c.min > c.max) {
      throw new UserError(`columns[${i}] (${c.name}) has min ${c.min} above max ${c.max}`, { file: displayPath, key: `columns[${i}]` });
    }
    if ((c.min !== undefined || c.max !== undefined) && c.type !== 'integer' && c.type !== 'number') {
      throw new UserError(`columns[${i}] (${c.name}) has a range but type ${c.type}`, { file: displayPath, key: `columns[${i}]`, hint: 'min/max apply to integer and number columns' });
    }
  }
  const names = new Set<string>();
  for (const c of data.columns) {
    if (names.has(c.name)) throw new UserError(`column '${c.name}' is declared twice`, { file: displayPath, key: 'columns' });
    names.add(c.name);
  }
  if (typeof data.rowSchema === 'object') {
    try {
      new Ajv({ strict: false }).compile(data.rowSchema);
    } catch (error) {
      throw new UserError(`rowSchema is not a valid JSON Schema: ${(error as Error).message}`, { file: displayPath, key: 'rowSchema', cause: error });
    }
  }
  return data;
}

export function loadContract(path: string, displayPath = path): DataContract {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read contract ${displayPath}: ${(error as Error).message}`, { file: displayPath, cause: error });
  }
  return parseContract(text, displayPath);
}

/** The contract as YAML (what `infer` writes), with a header saying where it came from. */
export function contractToYaml(contract: DataContract, header?: string): string {
  // Quoted strings: a YAML 1.1 reader (PyYAML) would read a bare yes/no category as a boolean.
  const body = stringify(contract, { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });
  return header ? `${header.split('\n').map((l) => `# ${l}`).join('\n')}\n${body}` : body;
}
