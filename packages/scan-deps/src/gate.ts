import { AISEC_VERSION, CancelledError, buildReport, workspaceRelative, type Finding, type Gate, type GateContext, type Metrics } from '@aisec/core';
import { chooseDatabase, type DatabaseChoice } from './choose-database';
import type { Dependency } from './dependency';
import { discoverManifests } from './discovery/discover';
import { lockDriftFindings } from './lock-drift';
import type { DatabaseDescription } from './osv/database';
import { findVulnerabilities, isCheckable, type DependencyVulnerabilities } from './osv/match-dependencies';
import { parseProject } from './parsers/project';
import { resolveUnpinned } from './resolve-unpinned';
import { DEPENDENCY_RULES } from './rules';
import { packageFixes, uncheckedFinding, vulnerabilityFindings } from './vulnerability-findings';

export interface ScanDepsOptions extends DatabaseChoice {
  /** Absolute files or folders; folders are searched for dependency files (respecting .gitignore). */
  paths: string[];
  /** Check dev dependencies too (default true); those left out are named in the notes. */
  includeDev: boolean;
  /** For `${VAR}` in requirements files; defaults to the process environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The clock the database age is measured against (tests). */
  now?: Date;
  /** Resolve unpinned and range requirements with `pip install --dry-run --report` and check the result. */
  resolve?: boolean;
  /** The Python whose pip resolves (default `python3`). */
  python?: string;
}

/** Notes that name the advisory database start with this, so the summary can show it. */
export const DATABASE_NOTE_PREFIX = 'OSV database: ';

const DAY_MS = 24 * 60 * 60 * 1000;

function describeDatabase(db: DatabaseDescription, workspace: string, now: Date): { note: string; metrics: Metrics } {
  if (db.kind === 'online') {
    return { note: `${DATABASE_NOTE_PREFIX}the OSV API at ${db.location}, queried ${now.toISOString()}`, metrics: {} };
  }
  const metrics: Metrics = {};
  if (db.advisories !== undefined) metrics['osv.advisories'] = db.advisories;
  let age = '';
  const modified = db.modified !== undefined ? Date.parse(db.modified) : Number.NaN;
  if (!Number.isNaN(modified)) {
    const days = Math.max(0, Math.floor((now.getTime() - modified) / DAY_MS));
    metrics['osv.age.days'] = days;
    age = `, newest advisory modified ${new Date(modified).toISOString().slice(0, 10)} (${days} day${days === 1 ? '' : 's'} old): advisories published since are not known to this check`;
  }
  const count = db.advisories !== undefined ? `, ${db.advisories} advisories` : '';
  return { note: `${DATABASE_NOTE_PREFIX}offline export ${workspaceRelative(workspace, db.location)}${count}${age}`, metrics };
}

function names(deps: readonly Dependency[]): string {
  const unique = [...new Set(deps.map((d) => d.name))].sort();
  return unique.length > 12 ? `${unique.slice(0, 12).join(', ')} and ${unique.length - 12} more` : unique.join(', ');
}

async function runScan(options: ScanDepsOptions, ctx: GateContext) {
  const timings: Record<string, number> = {};
  const notes: string[] = [];
  const findings: Finding[] = [];
  let t = performance.now();
  const lap = (phase: string): void => {
    const now = performance.now();
    timings[phase] = Math.round(now - t);
    t = now;
  };

  const discovery = await discoverManifests(options.paths, { workspace: ctx.workspace, signal: ctx.signal });
  notes.push(...discovery.notes);
  lap('discover');
  ctx.logger.info(`dependency files: ${discovery.files.length} (${discovery.files.map((f) => f.path).join(', ') || 'none'})`);

  const project = await parseProject(discovery.files, {
    workspace: ctx.workspace,
    includeDev: options.includeDev,
    signal: ctx.signal,
    limits: ctx.limits,
    ...(options.env !== undefined ? { env: options.env } : {}),
  });
  notes.push(...project.notes);
  for (const s of project.superseded) notes.push(`${s.path}: not checked itself; ${s.by} is checked in its place (${s.reason})`);
  lap('parse');
  findings.push(...lockDriftFindings(project));

  const deps = project.dependencies;
  const pypi = deps.filter((d) => d.ecosystem === 'PyPI');
  const unpinned = pypi.filter((d) => d.kind === 'range' || d.kind === 'unpinned');
  const urls = pypi.filter((d) => d.kind === 'url');
  const unversioned = pypi.filter((d) => (d.kind === 'locked' || d.kind === 'pinned') && !isCheckable(d));
  let resolved: Dependency[] = [];
  let stillUnpinned = unpinned;
  if (options.resolve && unpinned.length > 0) {
    ctx.logger.info(`resolving ${unpinned.length} unpinned requirements with pip`);
    const outcome = await resolveUnpinned(unpinned, deps, {
      python: options.python ?? 'python3',
      cwd: ctx.workspace,
      env: { ...process.env, ...options.env },
      timeoutMs: ctx.limits.timePerFileMs,
      signal: ctx.signal,
    });
    resolved = outcome.resolved;
    stillUnpinned = outcome.unresolved;
    notes.push(...outcome.notes);
    lap('resolve');
  }
  findings.push(...stillUnpinned.map(uncheckedFinding));
  if (urls.length > 0) {
    notes.push(`${urls.length} dependenc${urls.length === 1 ? 'y is' : 'ies are'} installed from a URL, VCS or local path and not checked (no registry version): ${names(urls)}`);
  }
  if (unversioned.length > 0) notes.push(`${unversioned.length} pinned dependencies have no usable version and were not checked: ${names(unversioned)}`);

  const checkable = [...deps, ...resolved].filter(isCheckable);
  const now = options.now ?? new Date();
  const metrics: Metrics = {
    'files.scanned': project.manifests.length,
    'dependencies.total': deps.length,
    'dependencies.checked': checkable.length,
    'dependencies.unpinned': stillUnpinned.length,
    'dependencies.resolved': resolved.length,
    'dependencies.url': urls.length,
    'dependencies.conda': deps.filter((d) => d.ecosystem === 'conda').length,
    'dependencies.dev-excluded': project.excludedDev.length,
  };

  let results: DependencyVulnerabilities[] = [];
  if (checkable.length === 0) {
    notes.push(
      discovery.files.length === 0
        ? 'no dependency files were found, so no dependency was checked for vulnerabilities'
        : 'no dependency has an exact version (lockfile, pip freeze or == pin), so none was checked for vulnerabilities',
    );
  } else {
    const database = await chooseDatabase(options, ctx, checkable.map((d) => d.name));
    try {
      lap('database');
      ctx.logger.progress('checking dependencies against OSV', 0, checkable.length);
      results = await findVulnerabilities(checkable, database);
      ctx.logger.progress('checking dependencies against OSV', checkable.length, checkable.length);
      const described = describeDatabase(database.describe(), ctx.workspace, now);
      notes.unshift(described.note);
      Object.assign(metrics, described.metrics);
    } finally {
      database.close?.();
    }
    lap('match');
  }
  if (ctx.signal.aborted) throw new CancelledError();

  const fixes = packageFixes(results);
  const vulnerable = vulnerabilityFindings(results, fixes, new Set(resolved));
  findings.unshift(...vulnerable);
  metrics['vulnerabilities.found'] = new Set(vulnerable.map((f) => f.evidence)).size;
  metrics['packages.vulnerable'] = fixes.size;
  metrics['vulnerabilities.deserialization'] = new Set(vulnerable.filter((f) => f.properties?.deserialization !== undefined).map((f) => f.evidence)).size;
  return { findings, metrics, notes, timings };
}

/**
 * scan-deps: finds the project's dependency files, reads every declared and locked version, and checks
 * the exact ones against OSV advisories (offline export or API). What cannot be checked is a finding
 * (ranges, unpinned) or a note (URLs, conda packages, dev dependencies left out), never silence.
 */
export const scanDepsGate: Gate<ScanDepsOptions> = {
  name: 'scan-deps',
  title: 'Vulnerable Python and ML dependencies (OSV)',
  version: AISEC_VERSION,
  rules: DEPENDENCY_RULES,
  async run(options, ctx) {
    const { findings, metrics, notes, timings } = await runScan(options, ctx);
    return buildReport({ gate: 'scan-deps', version: AISEC_VERSION, findings, metrics, notes, timings }, DEPENDENCY_RULES);
  },
};
