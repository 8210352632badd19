import * as core from '@actions/core';
import { coerceOptionValues, type OptionSchema, type OptionValues } from '@aisec/core';

/** Inputs every aisec action takes besides the gate's options: where reports go and how to report. */
export const RUNNER_INPUTS = {
  type: 'object',
  additionalProperties: false,
  properties: {
    config: { type: 'string', description: 'Path to the configuration file (default: .aisec.yml in the working directory, if present).' },
    'working-directory': { type: 'string', description: 'Directory the gate runs in; paths are relative to it.', default: '.' },
    baseline: { type: 'string', description: 'Baseline file of accepted findings (see `aisec baseline`); overrides the configuration.' },
    'sarif-file': { type: 'string', description: 'Where to write the SARIF report.', default: 'aisec-results/<gate>.sarif' },
    'report-file': { type: 'string', description: 'Where to write the JSON report.', default: 'aisec-results/<gate>.json' },
    annotations: { type: 'boolean', description: 'Annotate findings in the workflow log and the pull request.', default: true },
    'check-run': { type: 'boolean', description: 'Create a check run `aisec/<gate>` with every finding (needs `checks: write`).', default: true },
    'pr-comment': { type: 'boolean', description: 'Keep one comment per gate on the pull request up to date (needs `pull-requests: write`).', default: false },
    token: { type: 'string', description: 'Token for check runs and comments.', default: '${{ github.token }}' },
  },
} as const satisfies OptionSchema;

export interface RunnerInputs {
  config?: string;
  workingDirectory: string;
  baseline?: string;
  sarifFile: string;
  reportFile: string;
  annotations: boolean;
  checkRun: boolean;
  prComment: boolean;
  token?: string;
}

/** Reads every input a schema declares (action inputs keep their hyphens: INPUT_FAIL-ON). */
export function readRawInputs(schema: OptionSchema): Record<string, string | undefined> {
  const raw: Record<string, string | undefined> = {};
  for (const name of Object.keys(schema.properties)) {
    const value = core.getInput(name);
    if (value !== '') raw[name] = value;
  }
  return raw;
}

export function readRunnerInputs(gateLabel: string): RunnerInputs {
  const v: OptionValues = coerceOptionValues(RUNNER_INPUTS, readRawInputs(RUNNER_INPUTS), 'input');
  const str = (k: string) => (typeof v[k] === 'string' ? v[k] : undefined);
  const bool = (k: string, d: boolean) => (typeof v[k] === 'boolean' ? v[k] : d);
  const token = str('token');
  return {
    ...(str('config') ? { config: str('config') } : {}),
    workingDirectory: str('working-directory') ?? '.',
    ...(str('baseline') ? { baseline: str('baseline') } : {}),
    sarifFile: str('sarif-file') ?? `aisec-results/${gateLabel}.sarif`,
    reportFile: str('report-file') ?? `aisec-results/${gateLabel}.json`,
    annotations: bool('annotations', true),
    checkRun: bool('check-run', true),
    prComment: bool('pr-comment', false),
    ...(token ? { token } : {}),
  };
}
