import type { PolicyOutcome } from '../policy/policy';
import type { Report } from '../report';
import { SEVERITIES, type Severity } from '../severity';
import { formatLocation } from './markdown';

/** ANSI styles, applied only when the caller decided colour is wanted (TTY and no NO_COLOR). */
const SGR = { red: 31, yellow: 33, blue: 34, magenta: 35, gray: 90, green: 32, bold: 1, dim: 2 } as const;
type Style = keyof typeof SGR;

export function stylist(color: boolean) {
  return (style: Style, text: string): string => (color ? `\u001b[${SGR[style]}m${text}\u001b[0m` : text);
}

/** Whether to colour: a TTY, `NO_COLOR` unset (https://no-color.org), `FORCE_COLOR` wins. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

const SEVERITY_STYLE: Record<Severity, Style> = { critical: 'magenta', high: 'red', medium: 'yellow', low: 'blue', info: 'gray' };

export interface TerminalOptions {
  color: boolean;
  /** Findings listed before "N more". */
  limit?: number;
}

export function renderTerminal(report: Report, outcome: PolicyOutcome, options: TerminalOptions): string {
  const s = stylist(options.color);
  const limit = options.limit ?? 200;
  const out: string[] = [];
  const status = outcome.passed ? s('green', 'passed') : s('red', 'FAILED');
  out.push(s('bold', `aisec ${report.gate}`) + ` ${status} ` + s('dim', `(fail-on: ${outcome.failOn})`));
  for (const f of outcome.findings.slice(0, limit)) {
    const sev = s(SEVERITY_STYLE[f.severity], f.severity.toUpperCase().padEnd(8));
    out.push(`  ${sev} ${formatLocation(f)}  ${s('dim', f.ruleId)}`);
    out.push(`           ${f.message}`);
  }
  if (outcome.findings.length > limit) out.push(s('dim', `  ... ${outcome.findings.length - limit} more in the JSON report`));
  const counts = SEVERITIES.filter((sev) => outcome.counts[sev] > 0).map((sev) => s(SEVERITY_STYLE[sev], `${outcome.counts[sev]} ${sev}`));
  const hidden = outcome.suppressed.length ? s('dim', `, ${outcome.suppressed.length} suppressed or baselined`) : '';
  out.push(`  ${counts.length ? counts.join(', ') : 'no findings'}${hidden}`);
  for (const note of report.notes) out.push(s('dim', `  note: ${note}`));
  return `${out.join('\n')}\n`;
}
