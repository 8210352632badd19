import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { GateBinding, Report } from '@aisec/core';
import { DATABASE_NOTE_PREFIX, scanDepsGate, type ScanDepsOptions } from './gate';
import { DEFAULT_OSV_API } from './osv/online-database';
import { RULE_IDS } from './rules';

/**
 * Where the downloaded OSV export and the offline name index live when `cache-dir` is not given: the
 * runner's tool cache in GitHub Actions (kept between steps of a job, and by self-hosted runners between
 * jobs), else the user's cache directory (XDG_CACHE_HOME honoured).
 */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.RUNNER_TOOL_CACHE) return join(env.RUNNER_TOOL_CACHE, 'aisec-osv');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'aisec', 'osv');
}

function stringProperty(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The job-summary section: the database used and a table of vulnerable packages with the fix for each. */
export function scanDepsSummary(report: Report): string {
  const lines: string[] = [];
  const database = report.notes.find((n) => n.startsWith(DATABASE_NOTE_PREFIX));
  if (database) lines.push(`**Database:** ${database.slice(DATABASE_NOTE_PREFIX.length)}`, '');
  const rows = new Map<string, { pkg: string; version: string; advisories: string[]; upgradeTo: string | null; files: Set<string> }>();
  for (const f of report.findings) {
    if (f.ruleId !== RULE_IDS.vulnerable && f.ruleId !== RULE_IDS.deserialization) continue;
    const p = f.properties ?? {};
    const pkg = stringProperty(p.package);
    const version = stringProperty(p.version);
    const key = `${pkg}@${version}`;
    const row = rows.get(key) ?? { pkg, version, advisories: [], upgradeTo: typeof p.upgradeTo === 'string' ? p.upgradeTo : null, files: new Set<string>() };
    const id = stringProperty(p.vulnerability);
    const label = f.ruleId === RULE_IDS.deserialization ? `${id} (deserialization)` : id;
    if (!row.advisories.includes(label)) row.advisories.push(label);
    row.files.add(f.location.path);
    rows.set(key, row);
  }
  if (rows.size === 0) return lines.join('\n');
  lines.push('| package | installed | advisories | upgrade to | declared in |', '|---|---|---|---|---|');
  const sorted = [...rows.values()].sort((a, b) => a.pkg.localeCompare(b.pkg) || a.version.localeCompare(b.version));
  for (const r of sorted) {
    lines.push(`| ${cell(r.pkg)} | ${cell(r.version)} | ${cell(r.advisories.join(', '))} | ${r.upgradeTo ? cell(r.upgradeTo) : 'no fixed release'} | ${cell([...r.files].sort().join(', '))} |`);
  }
  lines.push('', '"upgrade to" is the smallest release that fixes every advisory listed for that installed version.');
  return lines.join('\n');
}

export const scanDepsBinding: GateBinding<ScanDepsOptions> = {
  gate: scanDepsGate,
  options: {
    type: 'object',
    additionalProperties: false,
    properties: {
      'offline-db': {
        type: 'string',
        description:
          "An OSV export to check against instead of the API: osv.dev's PyPI all.zip or a folder of OSV <ID>.json files, relative to the working directory. With it, nothing goes over the network.",
      },
      'download-db': {
        type: 'boolean',
        description: "Download osv.dev's PyPI export once into cache-dir (refreshed after 24 hours) and check offline against it, instead of querying the API per package.",
        default: false,
      },
      'osv-api-url': {
        type: 'string',
        description: 'Root of the OSV API used when neither offline-db nor download-db is set (a mirror, or a proxy that reaches api.osv.dev).',
        default: DEFAULT_OSV_API,
      },
      'include-dev': {
        type: 'boolean',
        description: 'Check development dependencies too (Poetry/uv/PDM dev groups, PEP 735 groups, Pipfile develop, requirements-dev.txt); when false, those left out are listed in the report.',
        default: true,
      },
      resolve: {
        type: 'boolean',
        description:
          "Resolve unpinned and range requirements with pip (`pip install --dry-run --report`, wheels only, against pip's configured index) and check the versions it would install today.",
        default: false,
      },
      python: {
        type: 'string',
        description: 'The Python interpreter whose pip resolves requirements when resolve is true.',
        default: 'python3',
      },
      'cache-dir': {
        type: 'string',
        description:
          'Where the downloaded OSV export and the offline database index are kept. Default: $RUNNER_TOOL_CACHE/aisec-osv in Actions, else $XDG_CACHE_HOME/aisec/osv (~/.cache/aisec/osv).',
      },
    },
  },
  toOptions(values, ctx) {
    const at = (key: string): string | undefined => (typeof values[key] === 'string' && values[key] !== '' ? resolve(ctx.workspace, values[key]) : undefined);
    const offlineDb = at('offline-db');
    return {
      paths: values.paths as string[],
      includeDev: values['include-dev'] !== false,
      downloadDb: values['download-db'] === true,
      osvApiUrl: typeof values['osv-api-url'] === 'string' ? values['osv-api-url'] : DEFAULT_OSV_API,
      cacheDir: at('cache-dir') ?? defaultCacheDir(),
      resolve: values.resolve === true,
      python: typeof values.python === 'string' && values.python !== '' ? values.python : 'python3',
      ...(offlineDb !== undefined ? { offlineDb } : {}),
    };
  },
  summary: scanDepsSummary,
};
