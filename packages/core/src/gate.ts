import type { GateContext } from './context';
import type { Report } from './report';
import type { Rule } from './rule';

export const GATE_NAMES = ['scan-deps', 'scan-pickle', 'data-gate', 'model-security-test', 'sign-model', 'mbom'] as const;
export type GateName = (typeof GATE_NAMES)[number];

/** A gate library: options in, Report out. Knows nothing of GitHub or the terminal. */
export interface Gate<Options> {
  name: string;
  title: string;
  version: string;
  rules: readonly Rule[];
  run(options: Options, ctx: GateContext): Promise<Report>;
}
