import { basename, dirname } from 'node:path/posix';

/**
 * Words that mark a requirements file as development-only by its name, as projects name them:
 * `requirements-dev.txt`, `dev-requirements.txt`, `requirements/test.txt`, `requirements_docs.txt`.
 */
const DEV_WORDS = new Set([
  'dev', 'devel', 'develop', 'development', 'test', 'tests', 'testing', 'lint', 'linting', 'docs', 'doc',
  'typing', 'mypy', 'ci', 'qa', 'style', 'format', 'bench', 'benchmark', 'benchmarks', 'coverage', 'tox',
]);
/** Folders whose own requirements file serves development only. */
const DEV_FOLDERS = new Set(['docs', 'doc', 'test', 'tests', 'testing', 'benchmarks', 'bench', 'ci', '.github']);
const NEUTRAL = new Set(['requirements', 'requirement', 'reqs', 'req', 'txt', 'in', 'pip']);

/**
 * Whether a requirements file is a dev file, decided by the name of the file that declares a line
 * (not by the file that includes it: `requirements-dev.txt` including `-r base.txt` leaves base runtime).
 */
export function requirementsFileRole(path: string): { dev: boolean; group?: string } {
  const words = basename(path)
    .toLowerCase()
    .split(/[-_.]+/)
    .filter((w) => w !== '' && !NEUTRAL.has(w));
  const word = words.find((w) => DEV_WORDS.has(w));
  if (word !== undefined) return { dev: true, group: word };
  // `docs/requirements.txt` (what Read the Docs installs), `tests/requirements.txt`: the folder says it.
  const folder = basename(dirname(path.replace(/\\/g, '/'))).toLowerCase();
  if (DEV_FOLDERS.has(folder)) return { dev: true, group: folder };
  return { dev: false };
}
