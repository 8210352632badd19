import { basename } from 'node:path';
import type { ManifestFormat } from '../dependency';

/**
 * The format of a dependency file, from its name alone (the names the tools themselves write).
 * `undefined` for anything else. `requirements` covers `pip freeze` output too: the parser tells them
 * apart by content.
 */
export function formatForFileName(path: string): ManifestFormat | undefined {
  const name = basename(path);
  const lower = name.toLowerCase();
  const parent = basename(path.slice(0, path.length - name.length)).toLowerCase();
  if (lower === 'pyproject.toml') return 'pyproject';
  if (lower === 'poetry.lock') return 'poetry-lock';
  if (lower === 'pipfile.lock') return 'pipfile-lock';
  if (lower === 'uv.lock') return 'uv-lock';
  if (lower === 'pdm.lock') return 'pdm-lock';
  if (lower === 'pylock.toml' || /^pylock\.[^.]+\.toml$/.test(lower)) return 'pylock';
  if (/^environment\.ya?ml$/.test(lower) || /^conda\.ya?ml$/.test(lower)) return 'conda-environment';
  if (name === 'MLmodel') return 'mlflow-mlmodel';
  if (/^python_env\.ya?ml$/.test(lower)) return 'mlflow-python-env';
  if (lower.endsWith('.ipynb')) return 'notebook';
  // Constraint files only pin what something else requires; they are read through `-c`, never alone.
  if (lower.includes('constraint')) return undefined;
  if (/^(?:.*[-_.])?requirements(?:[-_.].*)?\.txt$/.test(lower)) return 'requirements';
  if (parent === 'requirements' && lower.endsWith('.txt')) return 'requirements';
  return undefined;
}
