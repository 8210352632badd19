import type { Finding, Report } from '@aisec/core';
import { RULE_COLUMN_DRIFT } from '../gate/rules';

/**
 * The job-summary section: a per-column drift table (effect size next to the p-value) read from the
 * report's metrics, and Mermaid `xychart-beta` charts (GitHub renders them) of the worst drifted
 * columns' histograms, reference against batch, from the drift findings' properties.
 */
const TEST_OF: [string, string, string][] = [
  ['ks', 'wasserstein_norm', 'KS'],
  ['chi2', 'js', 'chi-square'],
  ['length_ks', 'oov_rate', 'KS on length'],
  ['ks_profile', 'wasserstein_norm', 'KS (profile)'],
];

function fmt(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '–';
  if (v === 0) return '0';
  if (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) return v.toExponential(2);
  return v.toPrecision(3);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

interface Histogram {
  labels: string[];
  reference: number[];
  current: number[];
}

function histogramOf(f: Finding): Histogram | undefined {
  const h = f.properties?.histogram;
  if (!h || typeof h !== 'object' || Array.isArray(h)) return undefined;
  const { labels, reference, current } = h as Record<string, unknown>;
  if (!Array.isArray(labels) || !Array.isArray(reference) || !Array.isArray(current)) return undefined;
  return { labels: labels.map(String), reference: reference.map(Number), current: current.map(Number) };
}

function mermaidLabel(text: string): string {
  return `"${text.replace(/["\\]/g, "'").slice(0, 16)}"`;
}

function chart(column: string, h: Histogram): string {
  const max = Math.max(...h.reference, ...h.current, 1);
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${column.replace(/["\\]/g, "'")}: % of rows, reference (bars) vs batch (line)"`,
    `  x-axis [${h.labels.map(mermaidLabel).join(', ')}]`,
    `  y-axis "% of rows" 0 --> ${Math.ceil(max * 1.1)}`,
    `  bar [${h.reference.join(', ')}]`,
    `  line [${h.current.join(', ')}]`,
    '```',
  ].join('\n');
}

export function dataGateSummary(report: Report): string {
  const m = report.metrics;
  const columns = Object.keys(m)
    .filter((k) => k.startsWith('drift.') && k.endsWith('.drifted'))
    .map((k) => k.slice('drift.'.length, -'.drifted'.length));
  const lines: string[] = [];
  if (m['rows.reference'] !== undefined) lines.push(`**Rows:** reference ${m['rows.reference']}, batch ${m['rows.current']}`, '');
  if (columns.length === 0) return lines.join('\n');
  const share = m['drift.share'];
  lines.push(`**Drift:** ${m['drift.columns_drifted']} of ${m['drift.columns']} columns drifted (share ${fmt(share)})${m['drift.dataset'] === 1 ? ': **dataset drift**' : ''}`, '');
  lines.push('| column | drifted | test | p-value | effect size | PSI | Wasserstein |', '|---|---|---|---|---|---|---|');
  const rows = columns.map((c) => {
    const [test, effect, label] = TEST_OF.find(([t]) => m[`drift.${c}.${t}.statistic`] !== undefined) ?? ['', '', '?'];
    return { c, test, effect, label, drifted: m[`drift.${c}.drifted`] === 1, size: m[`drift.${c}.${effect}.statistic`] ?? 0 };
  });
  rows.sort((a, b) => Number(b.drifted) - Number(a.drifted) || b.size - a.size || a.c.localeCompare(b.c));
  for (const r of rows) {
    lines.push(
      `| ${cell(r.c)} | ${r.drifted ? '**yes**' : 'no'} | ${r.label} | ${fmt(m[`drift.${r.c}.${r.test}.pvalue`])} | ${r.effect} ${fmt(r.size)} | ${fmt(m[`drift.${r.c}.psi.statistic`] ?? m[`drift.${r.c}.psi_fixed.statistic`])} | ${fmt(m[`drift.${r.c}.wasserstein.statistic`])} |`,
    );
  }
  lines.push('', 'Small samples are decided by the p-value, large ones (both sides over `large-sample-rows`) by the effect size; both are shown.');
  const worst = report.findings
    .filter((f) => f.ruleId === RULE_COLUMN_DRIFT)
    .map((f) => ({ f, size: typeof f.properties?.effect_size === 'number' ? f.properties.effect_size : 0 }))
    .sort((a, b) => b.size - a.size)
    .slice(0, 3);
  for (const { f } of worst) {
    const h = histogramOf(f);
    const column = typeof f.properties?.column === 'string' ? f.properties.column : '';
    if (h) lines.push('', chart(column, h));
  }
  return lines.join('\n');
}
