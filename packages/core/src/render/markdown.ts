import type { Finding } from '../finding';
import type { PolicyOutcome } from '../policy/policy';
import type { Report } from '../report';
import { SEVERITIES, type Severity } from '../severity';
import { truncateUtf8 } from '../truncate-utf8';
import { encodeMetric } from './json-report';

/** GitHub refuses a step summary over 1 MiB, and @actions/core does not check. */
export const JOB_SUMMARY_MAX_BYTES = 1024 * 1024;

const ICON: Record<Severity, string> = { critical: '🟥', high: '🟧', medium: '🟨', low: '🟦', info: '⬜' };

/** Escapes text for a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/</g, '&lt;');
}

export function formatLocation(f: Finding): string {
  const { path, line, member } = f.location;
  return `${path}${member ? ` › ${member}` : ''}${line ? `:${line}` : ''}`;
}

export interface MarkdownOptions {
  /** How many findings to list in the table. */
  topFindings?: number;
  maxBytes?: number;
  /** Extra Markdown a gate adds after the findings (drift tables, charts). */
  extra?: string;
}

export function renderMarkdown(report: Report, outcome: PolicyOutcome, options: MarkdownOptions = {}): string {
  const top = options.topFindings ?? 50;
  const status = outcome.passed ? '✅ passed' : '❌ failed';
  const lines: string[] = [];
  lines.push(`## aisec/${report.gate}: ${status}`, '');
  const suppressed = outcome.suppressed.filter((s) => s.kind === 'suppression').length;
  const baselined = outcome.suppressed.length - suppressed;
  lines.push(
    `${outcome.findings.length} finding${outcome.findings.length === 1 ? '' : 's'}; fails on \`${outcome.failOn}\`${outcome.failOn === 'never' ? '' : ' and above'}.` +
      (suppressed || baselined ? ` ${suppressed} suppressed, ${baselined} accepted in the baseline.` : ''),
    '',
  );
  lines.push(`| ${SEVERITIES.map((s) => `${ICON[s]} ${s}`).join(' | ')} |`, `|${SEVERITIES.map(() => '---:').join('|')}|`);
  lines.push(`| ${SEVERITIES.map((s) => String(outcome.counts[s])).join(' | ')} |`, '');
  if (outcome.findings.length) {
    const shown = outcome.findings.slice(0, top);
    lines.push(`### ${shown.length < outcome.findings.length ? `Top ${shown.length} of ${outcome.findings.length} findings` : 'Findings'}`, '');
    lines.push('| severity | rule | location | message |', '|---|---|---|---|');
    for (const f of shown) {
      lines.push(`| ${ICON[f.severity]} ${f.severity} | \`${f.ruleId}\` | \`${cell(formatLocation(f))}\` | ${cell(f.message)} |`);
    }
    if (shown.length < outcome.findings.length) {
      lines.push('', `${outcome.findings.length - shown.length} more findings are in the JSON report and the SARIF file.`);
    }
    lines.push('');
  }
  if (options.extra) lines.push(options.extra, '');
  const metrics = Object.entries(report.metrics);
  if (metrics.length) {
    lines.push('<details><summary>Metrics</summary>', '', '| metric | value |', '|---|---:|');
    for (const [k, v] of metrics) lines.push(`| \`${cell(k)}\` | ${encodeMetric(v)} |`);
    lines.push('', '</details>', '');
  }
  if (report.notes.length) {
    lines.push('**Notes**', '', ...report.notes.map((n) => `- ${cell(n)}`), '');
  }
  const note = '\n\n_This summary was cut to fit GitHub’s 1 MiB limit; the JSON report and SARIF file are complete._\n';
  return truncateUtf8(lines.join('\n'), options.maxBytes ?? JOB_SUMMARY_MAX_BYTES, note).text;
}
