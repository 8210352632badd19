import { Ajv, type ErrorObject } from 'ajv';
import type { GateContext } from './context';
import { didYouMean } from './did-you-mean';
import { UserError } from './errors';
import type { Gate } from './gate';
import type { Report } from './report';

/**
 * A gate's options are declared once, as a JSON Schema with kebab-case keys. The same schema names
 * the action's inputs, the keys of the gate's `.aisec.yml` section and the CLI's flags, so the three
 * can never drift apart (a test checks each action.yml against it).
 */
export interface OptionProperty {
  type: 'string' | 'boolean' | 'integer' | 'number' | 'array';
  items?: { type: 'string' };
  enum?: string[];
  minimum?: number;
  maximum?: number;
  description: string;
  default?: string | number | boolean | string[];
}

export interface OptionSchema {
  type: 'object';
  properties: Record<string, OptionProperty>;
  required?: string[];
  additionalProperties: false;
}

export type OptionValues = Record<string, string | number | boolean | string[] | undefined>;

/** Options every gate takes, handled by the runner rather than the gate. */
export const COMMON_OPTIONS = {
  type: 'object',
  additionalProperties: false,
  properties: {
    paths: { type: 'array', items: { type: 'string' }, description: 'Files or directories to check, relative to the working directory.', default: ['.'] },
    'fail-on': {
      type: 'string',
      enum: ['critical', 'high', 'medium', 'low', 'info', 'never'],
      description: 'Lowest severity that fails the gate (default: high, or `fail-on` in .aisec.yml).',
    },
  },
} as const satisfies OptionSchema;

/**
 * A command of a gate's own beside its check, for the CLI (`aisec data-gate profile`, `aisec
 * sign-model verify`). Its options follow the same schema conventions; `paths` takes the positionals.
 */
export interface GateSubcommand {
  name: string;
  /** One line for `--help`. */
  description: string;
  /** E.g. `DATA... --output PROFILE`. */
  synopsis: string;
  options: OptionSchema;
  /** Does the work; returns the lines to print. A UserError is reported like any other. */
  run(values: OptionValues, ctx: GateContext): Promise<string>;
}

/** Binds a gate library to the runner: its option schema and how values become the gate's options. */
export interface GateBinding<Options> {
  gate: Gate<Options>;
  options: OptionSchema;
  subcommands?: GateSubcommand[];
  /** Values are typed and validated against `options`, defaults applied, `paths` absolute. */
  toOptions(values: OptionValues, ctx: Pick<GateContext, 'workspace'>): Options;
  /** Extra Markdown for the job summary (drift tables, charts). */
  summary?(report: Report): string;
}

export type AnyGateBinding = GateBinding<never> | GateBinding<unknown>;

/**
 * Turns raw strings (action inputs, CLI flags) into typed values. `source` names the values in
 * errors: `input 'max-depth'` or `--max-depth`. Arrays come as several flags or as a newline- or
 * comma-separated input.
 */
export function coerceOptionValues(schema: OptionSchema, raw: Record<string, string | string[] | undefined>, source: 'input' | 'flag'): OptionValues {
  const out: OptionValues = {};
  const name = (key: string) => (source === 'input' ? `input '${key}'` : `--${key}`);
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined || value === '') continue;
    const prop = schema.properties[key];
    if (!prop) {
      const suggestion = didYouMean(key, Object.keys(schema.properties));
      throw new UserError(`unknown ${source === 'input' ? 'input' : 'option'} ${name(key)}`, {
        key,
        hint: suggestion ? `Did you mean ${name(suggestion)}?` : `Known: ${Object.keys(schema.properties).map(name).join(', ')}`,
      });
    }
    const text = Array.isArray(value) ? value : [value];
    switch (prop.type) {
      case 'array':
        out[key] = text.flatMap((t) => t.split(/\r?\n|,/)).map((t) => t.trim()).filter(Boolean);
        break;
      case 'boolean': {
        const t = text.at(-1)!.trim().toLowerCase();
        if (!['true', 'false', 'yes', 'no', '1', '0'].includes(t)) throw new UserError(`${name(key)} must be true or false; got '${text.at(-1)}'`, { key });
        out[key] = ['true', 'yes', '1'].includes(t);
        break;
      }
      case 'integer':
      case 'number': {
        const t = text.at(-1)!.trim();
        const n = Number(t);
        if (t === '' || !Number.isFinite(n) || (prop.type === 'integer' && !Number.isInteger(n))) {
          throw new UserError(`${name(key)} must be ${prop.type === 'integer' ? 'a whole number' : 'a number'}; got '${t}'`, { key });
        }
        out[key] = n;
        break;
      }
      default:
        out[key] = text.at(-1)!.trim();
    }
  }
  return out;
}

const compiled = new WeakMap<OptionSchema, ReturnType<Ajv['compile']>>();

/** Validates typed values (from any source, merged) and fills defaults. */
export function validateOptionValues(schema: OptionSchema, values: OptionValues, source: 'input' | 'flag' | 'config'): OptionValues {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = new Ajv({ allErrors: true, strict: false, useDefaults: true, verbose: true }).compile(schema);
    compiled.set(schema, validate);
  }
  const copy = structuredClone(values);
  for (const k of Object.keys(copy)) if (copy[k] === undefined) delete copy[k];
  if (!validate(copy)) {
    const e = validate.errors![0]!;
    throw optionError(e, source);
  }
  return copy;
}

function optionError(e: ErrorObject, source: 'input' | 'flag' | 'config'): UserError {
  const key = e.instancePath.split('/')[1] ?? '';
  const label = source === 'input' ? `input '${key}'` : source === 'flag' ? `--${key}` : `option '${key}'`;
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: string[] }).allowedValues;
    const s = typeof e.data === 'string' ? didYouMean(e.data, allowed) : undefined;
    return new UserError(`${label} must be one of ${allowed.join(', ')}; got '${String(e.data)}'`, { key, ...(s ? { hint: `Did you mean '${s}'?` } : {}) });
  }
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    const missingLabel = source === 'input' ? `input '${missing}'` : source === 'flag' ? `--${missing}` : `option '${missing}'`;
    return new UserError(`${missingLabel} is required`, { key: missing });
  }
  return new UserError(`${label} ${e.message ?? 'is invalid'}`, { key });
}

/** The gate's schema plus the common options, for validating merged values. */
export function withCommonOptions(schema: OptionSchema): OptionSchema {
  return {
    type: 'object',
    additionalProperties: false,
    properties: { ...COMMON_OPTIONS.properties, ...schema.properties },
    ...(schema.required ? { required: schema.required } : {}),
  };
}
