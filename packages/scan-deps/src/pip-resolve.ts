import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, UserError } from '@aisec/core';
import type { Dependency } from './dependency';
import { normalizeName } from './pep440/index';

export interface PipResolveOptions {
  /** The Python interpreter whose pip resolves (`python3` on PATH by default). */
  python: string;
  /** The folder pip runs in (relative paths in pip's configuration resolve against it). */
  cwd: string;
  /** Environment for pip: PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX... pass through from here. */
  env: Readonly<Record<string, string | undefined>>;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface PipResolution {
  /** Normalized name → version pip would install, for the requirements asked about. */
  versions: Map<string, string>;
  /** Packages pip would install besides those asked about (their dependencies). */
  transitive: number;
}

/** pip's `--report` for a dry run is a few hundred bytes per package; this bounds a hostile index. */
const MAX_REPORT_BYTES = 64 * 1024 * 1024;

/** The PEP 508 line pip is given for a dependency: name, extras, specifier, marker. */
export function requirementLine(dep: Dependency): string {
  const extras = dep.extras?.length ? `[${dep.extras.join(',')}]` : '';
  const marker = dep.marker ? `; ${dep.marker}` : '';
  return `${dep.rawName}${extras}${dep.specifier ?? ''}${marker}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads pip's installation report (https://pip.pypa.io/en/stable/reference/installation-report/). */
export function parsePipReport(text: string): PipResolution {
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch (error) {
    throw new Error(`pip printed something other than its JSON report: ${text.slice(0, 200)}`, { cause: error });
  }
  const install = isRecord(report) && Array.isArray(report.install) ? (report.install as unknown[]) : [];
  const versions = new Map<string, string>();
  let transitive = 0;
  for (const item of install) {
    if (!isRecord(item) || !isRecord(item.metadata)) continue;
    const { name, version } = item.metadata;
    if (typeof name !== 'string' || typeof version !== 'string') continue;
    if (item.requested === true) versions.set(normalizeName(name), version);
    else transitive++;
  }
  return { versions, transitive };
}

/**
 * Asks pip which versions it would install today for `requirements`: `pip install --dry-run --report -`,
 * resolving against whatever index pip is configured for (PIP_INDEX_URL, PIP_FIND_LINKS, pip.conf).
 * `--only-binary=:all:` keeps pip from building source distributions, which would run their setup.py:
 * nothing from an index is executed. Returns null with the reason when pip cannot resolve them (a
 * requirement no index has, a conflict); throws a UserError when there is no pip to ask.
 */
export async function resolveWithPip(
  requirements: readonly string[],
  constraints: readonly string[],
  options: PipResolveOptions,
): Promise<PipResolution | { failure: string }> {
  // Constraints (`-c`) hold only for packages the resolution needs, so a pin pip cannot find elsewhere
  // in the file does not stop the others from resolving.
  const scratch = mkdtempSync(join(tmpdir(), 'aisec-pip-'));
  try {
    const constraintFile = join(scratch, 'constraints.txt');
    writeFileSync(constraintFile, constraints.map((c) => `${c}\n`).join(''));
    return await runPip(requirements, constraintFile, options);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function runPip(requirements: readonly string[], constraintFile: string, options: PipResolveOptions): Promise<PipResolution | { failure: string }> {
  const args = [
    '-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--only-binary=:all:', '--disable-pip-version-check',
    '--no-input', '--quiet', '--report', '-', '--constraint', constraintFile,
    // A requirement never starts with '-' (PEP 508 names start with a letter or digit): no option injection.
    ...requirements.filter((r) => !r.startsWith('-')),
  ];
  const child = spawn(options.python, args, { cwd: options.cwd, env: { ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stdoutBytes = 0;
  let stderr = '';
  let overflow = false;
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdoutBytes += Buffer.byteLength(chunk);
    if (stdoutBytes > MAX_REPORT_BYTES) {
      overflow = true;
      child.kill('SIGKILL');
    } else stdout += chunk;
  });
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const abort = (): void => {
    child.kill('SIGKILL');
  };
  options.signal.addEventListener('abort', abort, { once: true });
  const outcome = await new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.on('error', (error: NodeJS.ErrnoException) => resolve({ code: null, error }));
    child.on('close', (code) => resolve({ code }));
  });
  clearTimeout(timer);
  options.signal.removeEventListener('abort', abort);
  if (options.signal.aborted) throw new CancelledError();
  if (outcome.error) {
    throw new UserError(`resolve is on, but ${options.python} cannot be run (${outcome.error.code ?? outcome.error.message})`, {
      key: 'resolve',
      hint: 'Install Python with pip on the runner (actions/setup-python), set the python option to its path, or turn resolve off',
    });
  }
  if (timedOut) return { failure: `pip did not finish within ${options.timeoutMs} ms` };
  if (overflow) return { failure: `pip's report was larger than ${MAX_REPORT_BYTES} bytes` };
  if (outcome.code !== 0) {
    if (/No module named pip/.test(stderr)) {
      throw new UserError(`resolve is on, but ${options.python} has no pip`, { key: 'resolve', hint: `Install pip (${options.python} -m ensurepip) or turn resolve off` });
    }
    const reason = stderr.trim().split('\n').filter((l) => l.startsWith('ERROR:')).join(' ') || stderr.trim().split('\n').at(-1) || `exit status ${outcome.code}`;
    return { failure: reason };
  }
  return parsePipReport(stdout);
}
