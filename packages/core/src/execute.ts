import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AisecConfig, FailOn } from './config/config';
import { DEFAULT_FAIL_ON } from './config/config';
import type { Logger } from './context';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { type GateBinding, type OptionValues, validateOptionValues, withCommonOptions } from './options';
import { readBaseline } from './policy/baseline';
import { applyPolicy, type PolicyOutcome } from './policy/policy';
import type { Report } from './report';
import { workspaceRelative } from './workspace-path';

export interface ExecuteRequest {
  workspace: string;
  config: AisecConfig;
  /** Typed values from action inputs or CLI flags; they win over the config section. */
  values: OptionValues;
  /** Where `values` came from, for error messages. */
  source: 'input' | 'flag';
  /** A baseline file named on the command line or as an input; wins over the config's. */
  baseline?: string;
  logger: Logger;
  signal?: AbortSignal;
  limits?: Partial<Limits>;
  now?: Date;
  /** `aisec baseline` writes the baseline: a configured one that does not exist yet is not an error. */
  baselineMayBeMissing?: boolean;
}

export interface GateExecution {
  report: Report;
  outcome: PolicyOutcome;
  failOn: FailOn;
}

/**
 * The one path every runner takes (the action runner, `aisec <gate>`, `aisec all`): merge options
 * (defaults < .aisec.yml section < inputs/flags), run the gate, apply policy. No reporting here.
 */
export async function executeGate<O>(binding: GateBinding<O>, request: ExecuteRequest): Promise<GateExecution> {
  const schema = withCommonOptions(binding.options);
  const section = request.config.sections[binding.gate.name] ?? {};
  const fromConfig = validateOptionValues({ ...schema, required: [] }, section as OptionValues, 'config');
  const merged = validateOptionValues(schema, { ...stripDefaults(fromConfig, section), ...request.values }, request.source);
  const failOn = (merged['fail-on'] as FailOn | undefined) ?? request.config.failOn ?? DEFAULT_FAIL_ON;
  const paths = ((merged.paths as string[] | undefined) ?? ['.']).map((p) => resolve(request.workspace, p));
  const options = binding.toOptions({ ...merged, paths }, { workspace: request.workspace });

  const started = performance.now();
  const report = await binding.gate.run(options, {
    workspace: request.workspace,
    logger: request.logger,
    limits: { ...DEFAULT_LIMITS, ...request.limits },
    signal: request.signal ?? new AbortController().signal,
  });
  report.timings.total ??= Math.round(performance.now() - started);

  let baselineFile = request.baseline ? resolve(request.workspace, request.baseline) : request.config.baseline;
  if (baselineFile && request.baselineMayBeMissing && !existsSync(baselineFile)) baselineFile = undefined;
  const outcome = applyPolicy(report, {
    failOn,
    suppressions: request.config.suppressions,
    ...(baselineFile ? { baseline: readBaseline(baselineFile), baselineFile: workspaceRelative(request.workspace, baselineFile) } : {}),
    ...(request.now ? { now: request.now } : {}),
  });
  return { report, outcome, failOn };
}

/** Keeps only what the section really set, so schema defaults never override an input. */
function stripDefaults(values: OptionValues, section: Record<string, unknown>): OptionValues {
  return Object.fromEntries(Object.entries(values).filter(([k]) => k in section));
}
