import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '@aisec/core';
import type { ManifestFormat } from '../../../packages/scan-deps/src/dependency';
import { parseManifestFile, parseManifestText } from '../../../packages/scan-deps/src/parsers/index';
import { FIXTURES, fixture, userErrorOf } from './fixtures';

const SAMPLES: [string, ManifestFormat][] = [
  ['requirements/requirements.txt', 'requirements'],
  ['requirements/freeze.txt', 'pip-freeze'],
  ['uv-project/pyproject.toml', 'pyproject'],
  ['poetry-1.1/pyproject.toml', 'pyproject'],
  ['poetry-1.1/poetry.lock', 'poetry-lock'],
  ['poetry-2.1/poetry.lock', 'poetry-lock'],
  ['uv-project/uv.lock', 'uv-lock'],
  ['pdm-project/pdm.lock', 'pdm-lock'],
  ['pylock-project/pylock.toml', 'pylock'],
  ['pipenv-project/Pipfile.lock', 'pipfile-lock'],
  ['conda/environment.yml', 'conda-environment'],
  ['mlflow/churn-model-v3/MLmodel', 'mlflow-mlmodel'],
  ['mlflow/churn-model-v3/python_env.yaml', 'mlflow-python-env'],
  ['notebooks/finetune.ipynb', 'notebook'],
];

/** A small deterministic generator, so a failure reproduces. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('hostile and damaged input', () => {
  // Every parser, fed truncated and byte-mangled copies of real files, returns a Manifest or throws a
  // UserError that names the file: never a TypeError, RangeError or hang.
  it.each(SAMPLES)('%s survives truncation and mutation', async (path, format) => {
    const text = readFileSync(fixture(path), 'utf8');
    const random = lcg(path.length * 7919);
    const variants: string[] = [];
    for (let i = 1; i <= 40; i++) variants.push(text.slice(0, Math.floor((text.length * i) / 41)));
    const noise = ['"', "'", '[', ']', '{', '}', '\n', '=', ',', '\\', ':', '-', '#', '\u0000', '${X}', '[[package]]\n'];
    for (let i = 0; i < 60; i++) {
      let mangled = text;
      for (let k = 0; k < 3; k++) {
        const at = Math.floor(random() * mangled.length);
        mangled = mangled.slice(0, at) + (noise[Math.floor(random() * noise.length)] ?? '') + mangled.slice(at + 1);
      }
      variants.push(mangled);
    }
    const outcomes: string[] = [];
    for (const variant of variants) {
      try {
        await parseManifestText(variant, fixture(path), { workspace: FIXTURES, format, env: {} });
        outcomes.push('parsed');
      } catch (error) {
        if (!(error instanceof UserError)) throw new Error(`${path}: non-UserError on damaged input: ${String(error)}`, { cause: error });
        outcomes.push(error.file ? 'refused with file' : 'refused without file');
      }
    }
    expect(outcomes).toHaveLength(100);
    expect(outcomes).not.toContain('refused without file');
  });

  it('refuses a file over the size bound with a UserError naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-big-'));
    try {
      writeFileSync(join(dir, 'requirements.txt'), 'numpy==1.0\n'.repeat(1000));
      const error = await userErrorOf(parseManifestFile(join(dir, 'requirements.txt'), { workspace: dir, limits: { maxFileBytes: 1000 } }));
      expect(error.format()).toMatch(/^requirements\.txt: 11000 bytes, more than the 1000 allowed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not expand YAML aliases (billion laughs) while walking an environment file', async () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'dependencies: [*f, "numpy=1.24"]',
    ].join('\n');
    const started = Date.now();
    const m = await parseManifestText(bomb, 'environment.yml', { workspace: FIXTURES, format: 'conda-environment' });
    expect(m.dependencies.map((d) => d.name)).toEqual(['numpy']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('keeps an MLmodel from reading files outside its folder', async () => {
    const text = 'flavors:\n  python_function:\n    env:\n      conda: ../../../../etc/passwd\n';
    const m = await parseManifestText(text, fixture('mlflow/churn-model-v3/MLmodel'), { workspace: FIXTURES, format: 'mlflow-mlmodel' });
    expect(m.notes[0]).toMatch(/points outside the model folder; not read/);
    // It falls back to the requirements.txt MLflow writes beside every model.
    expect(m.notes[1]).toMatch(/read from mlflow\/churn-model-v3\/requirements\.txt/);
  });
});
