import { basename, dirname } from 'node:path';

/**
 * Words that mark a requirements file as development-only by its name, as projects name them:
 * `requirements-dev.txt`, `dev-requirements.txt`, `requirements/test.txt`, `requirements_docs.txt`.
 */
const DEV_WORDS = new Set([
  'dev', 'devel', 'develop', 'development', 'test', 'tests', 'testing', 'lint', 'linting', 'docs', 'doc',
  'typing', 'mypy', 'ci', 'qa', 'style', 'format', 'bench', 'benchmark', 'benchmarks', 'coverage', 'tox',
]);
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
  if (/(^|\/)requirements$/i.test(dirname(path).replace(/\\/g, '/')) || words.length > 0) {
    const word = words.find((w) => DEV_WORDS.has(w));
    if (word !== undefined) return { dev: true, group: word };
  }
  return { dev: false };
}
