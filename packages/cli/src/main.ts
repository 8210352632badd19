import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AISEC_VERSION,
  UserError,
  DEFAULT_LIMITS,
  coerceOptionValues,
  didYouMean,
  validateOptionValues,
  createBaseline,
  executeGate,
  isUserError,
  loadProjectConfig,
  renderSarif,
  renderTerminal,
  renderJsonReport,
  stringifyJsonReport,
  wantsColor,
  withCommonOptions,
  workspaceRelative,
  writeFileAtomic,
  type AisecConfig,
  type AnyGateBinding,
  type GateBinding,
  type GateExecution,
  type GateSubcommand,
} from '@aisec/core';
import { COMMON_FLAGS, formatFlags, gateFlags, parseCommand, rawOptionValues, type FlagSpec, type ParsedCommand } from './cli-options';
import { GATES } from './gates';
import { createTerminalLogger } from './progress';

/** Exit codes, documented in the README. */
export const EXIT = { passed: 0, policyFailure: 1, usage: 2, internal: 3 } as const;

const USAGE = `aisec ${AISEC_VERSION}: security gates for AI/ML pipelines

Usage:
  aisec <gate> [PATH...] [options]   run one gate (PATH defaults to .)
  aisec all [DIR] [options]          run the gates .aisec.yml names in DIR (default: every gate)
  aisec baseline [DIR] [--output FILE]
                                     accept today's findings: write a baseline of their fingerprints
  aisec <command> --help             options of a command

Gates:
${GATES.map((b) => `  ${b.gate.name.padEnd(22)}${b.gate.title}`).join('\n') || '  (none built yet)'}

Exit status: 0 passed, 1 a finding at or above fail-on, 2 usage or input error, 3 internal error.
`;

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(USAGE);
      return command ? EXIT.passed : EXIT.usage;
    }
    if (command === '--version' || command === '-v') {
      io.stdout.write(`${AISEC_VERSION}\n`);
      return EXIT.passed;
    }
    if (command === 'all' || command === 'baseline') return await runMany(command, rest, io);
    const binding = GATES.find((b) => b.gate.name === command);
    if (!binding) {
      const known = ['all', 'baseline', ...GATES.map((b) => b.gate.name)];
      const guess = known.find((k) => k.startsWith(command)) ?? didYouMean(command, known);
      throw new UserError(`unknown command '${command}'`, { hint: guess ? `Did you mean 'aisec ${guess}'?` : 'Run `aisec --help` for the list' });
    }
    return await runOne(binding, rest, io);
  } catch (error) {
    if (isUserError(error)) {
      io.stderr.write(`aisec: error: ${error.format()}\n`);
      return EXIT.usage;
    }
    const e = error instanceof Error ? error : new Error(String(error));
    io.stderr.write(`aisec: internal error: ${e.stack ?? e.message}\nThis is a bug in aisec; please report it with this output.\n`);
    return EXIT.internal;
  }
}

function helpFor(command: string, synopsis: string, flags: Record<string, FlagSpec>): string {
  return `Usage: aisec ${command} ${synopsis}\n\nOptions:\n${formatFlags(flags)}\n`;
}

async function runOne(binding: AnyGateBinding, args: string[], io: Io): Promise<number> {
  const sub = binding.subcommands?.find((s) => s.name === args[0]);
  if (sub) return runSubcommand(binding, sub, args.slice(1), io);
  const flags = { ...gateFlags(withCommonOptions(binding.options)), ...COMMON_FLAGS };
  const parsed = parseCommand(args, flags, binding.gate.name);
  if (parsed.values.help) {
    const subs = binding.subcommands?.length
      ? `\nCommands:\n${binding.subcommands.map((s) => `  aisec ${binding.gate.name} ${s.name} ${s.synopsis}\n      ${s.description}`).join('\n')}\n`
      : '';
    io.stdout.write(`${binding.gate.title}\n\n${helpFor(binding.gate.name, '[PATH...] [options]', flags)}${subs}`);
    return EXIT.passed;
  }
  const workspace = io.cwd;
  const config = readConfig(parsed, workspace, [binding]);
  const raw = rawOptionValues(binding.options, parsed.values);
  if (parsed.positionals.length) raw.paths = parsed.positionals;
  if (typeof parsed.values['fail-on'] === 'string') raw['fail-on'] = parsed.values['fail-on'];
  const values = coerceOptionValues(withCommonOptions(binding.options), raw, 'flag');
  for (const p of parsed.positionals) {
    if (!existsSync(resolve(workspace, p))) throw new UserError(`'${p}' does not exist`, { hint: 'Give files or directories to check' });
  }
  const results = await executeAll([binding], parsed, workspace, config, io, () => values);
  return report(results, parsed, io);
}

async function runMany(command: 'all' | 'baseline', args: string[], io: Io): Promise<number> {
  const flags: Record<string, FlagSpec> = {
    ...COMMON_FLAGS,
    ...(command === 'baseline' ? { output: { type: 'string', description: 'Where to write the baseline (default: the configured baseline, else .aisec-baseline.json).' } } : {}),
  };
  const parsed = parseCommand(args, flags, command);
  if (parsed.values.help) {
    io.stdout.write(helpFor(command, '[DIR] [options]', flags));
    return EXIT.passed;
  }
  if (parsed.positionals.length > 1) throw new UserError(`aisec ${command} takes one project directory; got ${parsed.positionals.length}`);
  const workspace = resolve(io.cwd, parsed.positionals[0] ?? '.');
  if (!existsSync(workspace) || !statSync(workspace).isDirectory()) throw new UserError(`'${parsed.positionals[0]}' is not a directory`);
  const config = readConfig(parsed, workspace, GATES);
  const names = config.gates ?? GATES.map((b) => b.gate.name);
  const bindings = names.flatMap((name) => {
    const b = GATES.find((g) => g.gate.name === name);
    if (!b) io.stderr.write(`aisec: note: gate '${name}' named in ${config.file ? workspaceRelative(io.cwd, config.file) : 'the configuration'} is not built in this version; skipped\n`);
    return b ? [b] : [];
  });
  if (!bindings.length) throw new UserError('no gates to run', { hint: 'Name gates under `gates:` in .aisec.yml' });
  const failOn = typeof parsed.values['fail-on'] === 'string' ? { 'fail-on': parsed.values['fail-on'] } : {};
  const results = await executeAll(bindings, parsed, workspace, config, io, (b) => coerceOptionValues(withCommonOptions(b.options), failOn, 'flag'), command === 'baseline');
  if (command === 'baseline') {
    // Everything found today, active or already accepted, is what the new baseline accepts.
    const byGate = Object.fromEntries(results.map((r) => [r.report.gate, [...r.outcome.findings, ...r.outcome.suppressed.filter((s) => s.kind === 'baseline').map((s) => s.finding)]]));
    const out = resolve(io.cwd, typeof parsed.values.output === 'string' ? parsed.values.output : (config.baseline ?? resolve(workspace, '.aisec-baseline.json')));
    const baseline = createBaseline(byGate);
    writeFileAtomic(out, `${JSON.stringify(baseline, null, 2)}\n`);
    io.stdout.write(`aisec: wrote ${baseline.entries.length} accepted findings to ${workspaceRelative(io.cwd, out)}; review it and commit it\n`);
    return EXIT.passed;
  }
  return report(results, parsed, io);
}

async function runSubcommand(binding: AnyGateBinding, sub: GateSubcommand, args: string[], io: Io): Promise<number> {
  const command = `${binding.gate.name} ${sub.name}`;
  const flags = { ...gateFlags(sub.options), quiet: COMMON_FLAGS.quiet, verbose: COMMON_FLAGS.verbose, help: COMMON_FLAGS.help };
  const parsed = parseCommand(args, flags, command);
  if (parsed.values.help) {
    io.stdout.write(`${sub.description}\n\n${helpFor(command, sub.synopsis, flags)}`);
    return EXIT.passed;
  }
  const raw = rawOptionValues(sub.options, parsed.values);
  if (parsed.positionals.length) {
    if (!sub.options.properties.paths) throw new UserError(`aisec ${command} takes no positional arguments; got '${parsed.positionals[0]}'`, { hint: `See \`aisec ${command} --help\`` });
    raw.paths = parsed.positionals;
  }
  const values = validateOptionValues(sub.options, coerceOptionValues(sub.options, raw, 'flag'), 'flag');
  const logger = createTerminalLogger(io.stderr, { verbose: parsed.values.verbose === true, quiet: parsed.values.quiet === true });
  try {
    const out = await sub.run(values, { workspace: io.cwd, logger, limits: { ...DEFAULT_LIMITS }, signal: new AbortController().signal });
    if (out) io.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  } finally {
    logger.clear();
  }
  return EXIT.passed;
}

function readConfig(parsed: ParsedCommand, workspace: string, bindings: AnyGateBinding[]): AisecConfig {
  const named = typeof parsed.values.config === 'string' ? parsed.values.config : undefined;
  return loadProjectConfig(workspace, named, Object.fromEntries(bindings.map((b) => [b.gate.name, b.options])), 'Fix --config, or leave it out to use .aisec.yml in the project directory');
}

async function executeAll(
  bindings: AnyGateBinding[],
  parsed: ParsedCommand,
  workspace: string,
  config: AisecConfig,
  io: Io,
  valuesFor: (b: AnyGateBinding) => ReturnType<typeof coerceOptionValues>,
  baselineMayBeMissing = false,
): Promise<GateExecution[]> {
  const logger = createTerminalLogger(io.stderr, { verbose: parsed.values.verbose === true, quiet: parsed.values.quiet === true });
  const results: GateExecution[] = [];
  for (const binding of bindings) {
    try {
      results.push(
        await executeGate(binding as GateBinding<unknown>, {
          workspace,
          config,
          values: valuesFor(binding),
          source: 'flag',
          baselineMayBeMissing,
          ...(typeof parsed.values.baseline === 'string' ? { baseline: resolve(io.cwd, parsed.values.baseline) } : {}),
          logger,
        }),
      );
    } finally {
      logger.clear();
    }
  }
  return results;
}

function report(results: GateExecution[], parsed: ParsedCommand, io: Io): number {
  const format = typeof parsed.values.format === 'string' ? parsed.values.format : 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UserError(`--format must be text, json or sarif; got '${format}'`);
  const several = results.length > 1;
  if (typeof parsed.values.json === 'string') {
    for (const r of results) {
      const base = resolve(io.cwd, parsed.values.json);
      const path = several ? base.replace(/(\.json)?$/, `-${r.report.gate}.json`) : base;
      writeFileAtomic(path, stringifyJsonReport(r.report, r.outcome));
    }
  }
  if (typeof parsed.values.sarif === 'string') {
    writeFileAtomic(resolve(io.cwd, parsed.values.sarif), `${JSON.stringify(renderSarif(results), null, 2)}\n`);
  }
  if (format === 'json') {
    const docs = results.map((r) => renderJsonReport(r.report, r.outcome));
    io.stdout.write(`${JSON.stringify(several ? docs : docs[0], null, 2)}\n`);
  } else if (format === 'sarif') {
    io.stdout.write(`${JSON.stringify(renderSarif(results), null, 2)}\n`);
  } else {
    const color = wantsColor(io.stdout, io.env);
    for (const r of results) io.stdout.write(renderTerminal(r.report, r.outcome, { color }));
    if (several) {
      const failed = results.filter((r) => !r.outcome.passed).map((r) => r.report.gate);
      io.stdout.write(failed.length ? `\naisec: ${failed.length} of ${results.length} gates failed: ${failed.join(', ')}\n` : `\naisec: all ${results.length} gates passed\n`);
    }
  }
  return results.every((r) => r.outcome.passed) ? EXIT.passed : EXIT.policyFailure;
}

// Run when loaded as the bundle's entry (the bin shim requires it), not when imported by tests.
if (process.env.AISEC_CLI_NO_AUTORUN !== '1') {
  void main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then((code) => {
    process.exitCode = code;
  });
}
