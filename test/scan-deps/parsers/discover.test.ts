import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverManifests, formatForFileName } from '../../../packages/scan-deps/src/parsers/index';
import { requirementsFileRole } from '../../../packages/scan-deps/src/parsers/requirements-role';
import { fixture, userErrorOf } from './fixtures';

/** A repository-shaped tree built from the real fixtures, with the clutter real repositories have. */
let root = '';
let outside = '';
function put(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'aisec-discover-'));
  cpSync(fixture('uv-project'), join(root, 'services/churn'), { recursive: true });
  cpSync(fixture('mlflow/churn-model-v3'), join(root, 'models/churn'), { recursive: true });
  cpSync(fixture('notebooks/finetune.ipynb'), join(root, 'notebooks/finetune.ipynb'));
  cpSync(fixture('conda/environment.yml'), join(root, 'environment.yml'));
  put('requirements.txt', 'numpy==1.24.3\n');
  put('requirements/dev.txt', 'pytest==7.4.0\n');
  put('requirements/base.in', 'numpy\n');
  put('dev-requirements.txt', 'black==23.7.0\n');
  put('docs/requirements-docs.txt', 'sphinx==7.2.6\n');
  put('locks/pylock.gpu.toml', 'lock-version = "1.0"\ncreated-by = "x"\n');
  put('README.md', '# not a manifest\n');
  put('src/app/requirements.py', '# a Python module, not a requirements file\n');
  // Clutter that holds other projects' manifests.
  put('node_modules/some-pkg/requirements.txt', 'evil==1.0\n');
  put('.venv/pyvenv.cfg', 'home = /usr/bin\n');
  put('.venv/lib/python3.10/site-packages/pkg/requirements.txt', 'evil==1.0\n');
  put('envs/py310/pyvenv.cfg', 'home = /usr/bin\n');
  put('envs/py310/requirements.txt', 'evil==1.0\n');
  put('notebooks/.ipynb_checkpoints/finetune-checkpoint.ipynb', '{}');
  put('.git/requirements.txt', 'evil==1.0\n');
  // .gitignore at two levels, with a re-include.
  put('.gitignore', 'build/\n*.generated.txt\nscratch/\n');
  put('build/requirements.txt', 'evil==1.0\n');
  put('requirements.generated.txt', 'evil==1.0\n');
  put('services/.gitignore', 'legacy/\n!keep-requirements.generated.txt\n');
  put('services/legacy/requirements.txt', 'evil==1.0\n');
  put('services/keep-requirements.generated.txt', 'ok==1.0\n');
  put('services/churn/scratch/requirements.txt', 'evil==1.0\n');
  symlinkSync(join(root, 'services'), join(root, 'services-link'));
  // A link to a file outside the workspace is not read.
  outside = mkdtempSync(join(tmpdir(), 'aisec-outside-'));
  writeFileSync(join(outside, 'requirements.txt'), 'secret==1.0\n');
  symlinkSync(join(outside, 'requirements.txt'), join(root, 'requirements-host.txt'));
  // Declarations we do not read: noted. A setup.py beside a pyproject.toml is covered by it.
  put('legacy-app/Pipfile', '[packages]\nflask = "*"\n');
  put('legacy-app/setup.py', 'from setuptools import setup\nsetup(name="legacy", install_requires=["flask"])\n');
  put('services/churn/setup.py', 'from setuptools import setup\nsetup()\n');
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('discoverManifests', () => {
  it('finds dependency files by name, respecting .gitignore and skipping clutter', async () => {
    const { files, notes } = await discoverManifests(['.'], { workspace: root });
    expect(files.map((f) => [f.path, f.format])).toEqual([
      ['dev-requirements.txt', 'requirements'],
      ['docs/requirements-docs.txt', 'requirements'],
      ['environment.yml', 'conda-environment'],
      ['locks/pylock.gpu.toml', 'pylock'],
      ['models/churn/MLmodel', 'mlflow-mlmodel'],
      ['models/churn/conda.yaml', 'conda-environment'],
      ['models/churn/python_env.yaml', 'mlflow-python-env'],
      ['models/churn/requirements.txt', 'requirements'],
      ['notebooks/finetune.ipynb', 'notebook'],
      ['requirements.txt', 'requirements'],
      ['requirements/dev.txt', 'requirements'],
      ['services/churn/pyproject.toml', 'pyproject'],
      ['services/churn/uv.lock', 'uv-lock'],
      ['services/keep-requirements.generated.txt', 'requirements'],
    ]);
    expect(notes).toEqual([
      expect.stringMatching(/^legacy-app\/Pipfile: not read .*pipenv lock/),
      expect.stringMatching(/^legacy-app\/setup\.py: not read/),
      'requirements-host.txt: links outside the workspace; not read',
    ]);
  });

  it('applies the .gitignore files above a sub-folder it is asked to walk', async () => {
    const { files } = await discoverManifests(['services/churn'], { workspace: root });
    expect(files.map((f) => f.path)).toEqual(['services/churn/pyproject.toml', 'services/churn/uv.lock']);
  });

  it('walks ignored files when asked to', async () => {
    const { files } = await discoverManifests(['.'], { workspace: root, ignoreGitignore: true });
    const paths = files.map((f) => f.path);
    expect(paths).toContain('build/requirements.txt');
    expect(paths).toContain('services/legacy/requirements.txt');
    expect(paths).not.toContain('node_modules/some-pkg/requirements.txt');
  });

  it('takes explicitly named files whatever their name, once', async () => {
    const { files } = await discoverManifests(['requirements/base.in', 'requirements.txt', '.'], { workspace: root, maxFiles: 100 });
    expect(files.find((f) => f.path === 'requirements/base.in')).toMatchObject({ format: 'requirements', explicit: true });
    expect(files.filter((f) => f.path === 'requirements.txt')).toHaveLength(1);
  });

  it('stops at the file limit with a note', async () => {
    const { files, notes } = await discoverManifests(['.'], { workspace: root, maxFiles: 3 });
    expect(files).toHaveLength(3);
    expect(notes.filter((n) => n.includes('stopped after'))).toEqual([expect.stringMatching(/stopped after 3 dependency files/)]);
  });

  it('refuses a missing path and a file it cannot classify', async () => {
    expect((await userErrorOf(discoverManifests(['nope'], { workspace: root }))).format()).toMatch(/^nope: does not exist/);
    expect((await userErrorOf(discoverManifests(['README.md'], { workspace: root }))).format()).toMatch(/^README\.md: cannot tell/);
  });
});

describe('formatForFileName', () => {
  it.each([
    ['requirements.txt', 'requirements'],
    ['requirements-dev.txt', 'requirements'],
    ['requirements_gpu.txt', 'requirements'],
    ['test-requirements.txt', 'requirements'],
    ['requirements/prod.txt', 'requirements'],
    ['pyproject.toml', 'pyproject'],
    ['poetry.lock', 'poetry-lock'],
    ['Pipfile.lock', 'pipfile-lock'],
    ['uv.lock', 'uv-lock'],
    ['pdm.lock', 'pdm-lock'],
    ['pylock.toml', 'pylock'],
    ['pylock.dev.toml', 'pylock'],
    ['environment.yml', 'conda-environment'],
    ['environment.yaml', 'conda-environment'],
    ['conda.yaml', 'conda-environment'],
    ['python_env.yaml', 'mlflow-python-env'],
    ['MLmodel', 'mlflow-mlmodel'],
    ['train.ipynb', 'notebook'],
    ['requirements.in', undefined],
    ['constraints.txt', undefined],
    ['requirements/constraints.txt', undefined],
    ['requirements-constraints.txt', undefined],
    ['myrequirements.txt', undefined],
    ['Pipfile', undefined],
    ['pylock.a.b.toml', undefined],
  ])('%s -> %s', (name, format) => {
    expect(formatForFileName(`/repo/${name}`)).toBe(format);
  });
});

describe('requirementsFileRole', () => {
  it.each([
    ['requirements.txt', false, undefined],
    ['requirements-dev.txt', true, 'dev'],
    ['dev-requirements.txt', true, 'dev'],
    ['requirements_test.txt', true, 'test'],
    ['requirements/docs.txt', true, 'docs'],
    ['requirements/base.txt', false, undefined],
    ['requirements-gpu.txt', false, undefined],
    ['docs/requirements.txt', true, 'docs'],
    ['tests/requirements.txt', true, 'tests'],
    ['services/api/requirements.txt', false, undefined],
  ])('%s', (path, dev, group) => {
    expect(requirementsFileRole(path)).toEqual({ dev, ...(group ? { group } : {}) });
  });
});
