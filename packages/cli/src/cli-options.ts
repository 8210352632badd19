import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError, didYouMean, type OptionSchema } from '@aisec/core';

/** Flags every command takes. */
export const COMMON_FLAGS = {
  config: { type: 'string', description: 'Configuration file (default: .aisec.yml in the project directory).' },
  'fail-on': { type: 'string', description: 'Lowest severity that fails: critical|high|medium|low|info|never (default high).' },
  json: { type: 'string', description: 'Write the JSON report to FILE (with several gates: FILE-<gate>.json).' },
  sarif: { type: 'string', description: 'Write the SARIF report (one run per gate) to FILE.' },
  format: { type: 'string', description: 'What to print on stdout: text (default), json or sarif.' },
  baseline: { type: 'string', description: 'Baseline file of accepted findings (overrides the configuration).' },
  quiet: { type: 'boolean', description: 'Print the report only, no progress.' },
  verbose: { type: 'boolean', description: 'Print debug messages.' },
  help: { type: 'boolean', short: 'h', description: 'Show help for this command.' },
} as const;

export type FlagSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string; description: string };

/** Gate options become flags of the same kebab-case name; `paths` is the positional list. */
export function gateFlags(schema: OptionSchema): Record<string, FlagSpec> {
  const flags: Record<string, FlagSpec> = {};
  for (const [name, prop] of Object.entries(schema.properties)) {
    if (name === 'paths' || name === 'fail-on') continue;
    flags[name] = { type: prop.type === 'boolean' ? 'boolean' : 'string', ...(prop.type === 'array' ? { multiple: true } : {}), description: prop.description };
    // Node 20's parseArgs has no negation, and a boolean that defaults to true needs one.
    if (prop.type === 'boolean') flags[`no-${name}`] = { type: 'boolean', description: `Turn --${name} off.` };
  }
  return flags;
}

/** Raw string values of a schema's options from parsed flags (`--no-x` becomes `x: 'false'`). */
export function rawOptionValues(schema: OptionSchema, values: ParsedCommand['values']): Record<string, string | string[] | undefined> {
  const raw: Record<string, string | string[] | undefined> = {};
  for (const name of Object.keys(schema.properties)) {
    const v = values[name];
    if (v !== undefined) raw[name] = Array.isArray(v) ? v.map(String) : String(v);
    if (values[`no-${name}`] === true) {
      if (v !== undefined) throw new UserError(`--${name} and --no-${name} contradict each other`);
      raw[name] = 'false';
    }
  }
  return raw;
}

export interface ParsedCommand {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** parseArgs with errors that say what to type instead. */
export function parseCommand(args: string[], flags: Record<string, FlagSpec>, command: string): ParsedCommand {
  const options: ParseArgsConfig['options'] = {};
  for (const [name, f] of Object.entries(flags)) options[name] = { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) };
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values, positionals };
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '--?([^']+)'/.exec(message)?.[1];
    const suggestion = unknown ? didYouMean(unknown, Object.keys(flags)) : undefined;
    throw new UserError(message.replace(/\. To specify a positional argument.*$/s, ''), {
      hint: suggestion ? `Did you mean --${suggestion}? See \`aisec ${command} --help\`` : `See \`aisec ${command} --help\``,
    });
  }
}

export function formatFlags(flags: Record<string, FlagSpec>): string {
  const rows = Object.entries(flags).map(([name, f]) => [`${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ' VALUE' : ''}`, f.description]);
  const width = Math.max(...rows.map(([a]) => a!.length));
  return rows.map(([a, b]) => `  ${a!.padEnd(width)}  ${b}`).join('\n');
}
