import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverManifests, parseProject } from '../../../packages/scan-deps/src/parsers/index';
import { FIXTURES, fixture } from './fixtures';

const workspace = FIXTURES;

describe('parseProject', () => {
  it('reports the lock instead of the pyproject.toml beside it, and marks direct from the manifest', async () => {
    const { files } = await discoverManifests(['pdm-project'], { workspace });
    const project = await parseProject(files, { workspace });
    expect(project.superseded).toEqual([
      { path: 'pdm-project/pyproject.toml', by: 'pdm-project/pdm.lock', reason: expect.any(String) },
    ]);
    expect(project.manifests.map((m) => m.format)).toEqual(['pdm-lock', 'pyproject']);
    expect(project.dependencies).toHaveLength(28);
    expect(project.dependencies.every((d) => d.source.path === 'pdm-project/pdm.lock')).toBe(true);
    const byName = new Map(project.dependencies.map((d) => [d.name, d]));
    expect(byName.get('pandas')).toMatchObject({ direct: true, dev: false });
    expect(byName.get('six')).toMatchObject({ direct: false, dev: false });
    // pdm groups: `test` and `lint` are dev groups of the pyproject; `onnx` is an extra, so runtime.
    expect(byName.get('pytest')).toMatchObject({ direct: true, dev: true });
    expect(byName.get('iniconfig')).toMatchObject({ direct: false, dev: true });
    expect(byName.get('onnx')).toMatchObject({ dev: false });
    expect(byName.get('protobuf')).toMatchObject({ dev: false });
    expect(project.notes).toEqual([]);
  });

  it('leaves dev dependencies out on request and says which', async () => {
    const { files } = await discoverManifests(['uv-project'], { workspace });
    const project = await parseProject(files, { workspace, includeDev: false });
    expect(project.dependencies).toHaveLength(21);
    expect(project.excludedDev.map((d) => d.name)).toEqual(['colorama', 'exceptiongroup', 'iniconfig', 'pluggy', 'pytest', 'ruff', 'tomli']);
    expect(project.notes).toEqual([
      '7 dev dependencies left out (includeDev is false): colorama, exceptiongroup, iniconfig, pluggy, pytest, ruff, tomli',
    ]);
    const all = await parseProject(files, { workspace });
    expect(all.dependencies).toHaveLength(28);
    expect(all.excludedDev).toEqual([]);
  });

  it('marks direct dev declarations for a poetry.lock that does not record dev, and says so', async () => {
    const { files } = await discoverManifests(['poetry-2.0'], { workspace });
    const project = await parseProject(files, { workspace, includeDev: false });
    expect(project.excludedDev.map((d) => d.name)).toEqual(['pytest', 'ruff']);
    expect(project.notes[0]).toMatch(/poetry-2\.0\/poetry\.lock: this lock-version does not record dev-only packages; 2 declared only in dev groups/);
  });

  it('notes a package the manifest declares and the lock lacks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-stale-'));
    try {
      cpSync(fixture('uv-project/uv.lock'), join(dir, 'uv.lock'));
      const manifest = readFileSync(fixture('uv-project/pyproject.toml'), 'utf8').replace('    "requests>=2.31",\n', '    "requests>=2.31",\n    "torch==2.1.0",\n');
      writeFileSync(join(dir, 'pyproject.toml'), manifest);
      const project = await parseProject([join(dir, 'pyproject.toml'), join(dir, 'uv.lock')], { workspace: dir });
      expect(project.notes).toEqual(['pyproject.toml:20: declares torch, which uv.lock does not lock; the lock may be stale (run `uv lock`)']);
      expect(project.dependencies.find((d) => d.name === 'torch')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets a root uv.lock stand for every workspace member, member-to-member dependencies included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-uvws-'));
    const put = (path: string, text: string): void => {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    try {
      put('pyproject.toml', '[project]\nname = "platform"\nversion = "0"\ndependencies = ["feature-store", "requests>=2"]\n\n[tool.uv.workspace]\nmembers = ["packages/*"]\n\n[tool.uv.sources]\nfeature-store = { workspace = true }\n');
      put('packages/feature-store/pyproject.toml', '[project]\nname = "feature-store"\nversion = "0.2.0"\ndependencies = ["pyarrow==14.0.1"]\n');
      put('uv.lock', [
        'version = 1', 'requires-python = ">=3.11"', '', '[manifest]', 'members = ["feature-store", "platform"]', '',
        '[[package]]', 'name = "feature-store"', 'version = "0.2.0"', 'source = { editable = "packages/feature-store" }',
        'dependencies = [{ name = "pyarrow" }]', '',
        '[[package]]', 'name = "platform"', 'version = "0"', 'source = { virtual = "." }',
        'dependencies = [{ name = "feature-store" }, { name = "requests" }]', '',
        '[[package]]', 'name = "pyarrow"', 'version = "14.0.1"', 'source = { registry = "https://pypi.org/simple" }', '',
        '[[package]]', 'name = "requests"', 'version = "2.31.0"', 'source = { registry = "https://pypi.org/simple" }', '',
      ].join('\n'));
      const { files } = await discoverManifests(['.'], { workspace: dir });
      const project = await parseProject(files, { workspace: dir });
      expect(project.superseded.map((s) => [s.path, s.by])).toEqual([
        ['packages/feature-store/pyproject.toml', 'uv.lock'],
        ['pyproject.toml', 'uv.lock'],
      ]);
      expect(project.dependencies.map((d) => [d.name, d.version, d.direct])).toEqual([
        ['pyarrow', '14.0.1', true],
        ['requests', '2.31.0', true],
      ]);
      expect(project.notes).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a pylock.toml export beside uv.lock only where it differs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-pylock-'));
    try {
      cpSync(fixture('uv-project/uv.lock'), join(dir, 'uv.lock'));
      const pylock = readFileSync(fixture('pylock-project/pylock.toml'), 'utf8');
      writeFileSync(join(dir, 'pylock.toml'), pylock);
      const same = await parseProject([join(dir, 'uv.lock'), join(dir, 'pylock.toml')], { workspace: dir });
      expect(same.superseded).toEqual([{ path: 'pylock.toml', by: 'uv.lock', reason: 'every entry is the same as in uv.lock' }]);
      expect(same.dependencies).toHaveLength(28);
      // A stale export pins an older numpy: that entry is reported, at the pylock.toml line.
      writeFileSync(join(dir, 'pylock.toml'), pylock.replace('name = "numpy"\nversion = "1.26.2"', 'name = "numpy"\nversion = "1.21.0"'));
      const differs = await parseProject([join(dir, 'uv.lock'), join(dir, 'pylock.toml')], { workspace: dir });
      expect(differs.dependencies.filter((d) => d.source.path === 'pylock.toml').map((d) => [d.name, d.version])).toEqual([['numpy', '1.21.0']]);
      expect(differs.notes).toEqual(['pylock.toml: 27 of 28 entries are the same as in uv.lock and are reported there']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a poetry export requirements.txt beside poetry.lock only where it differs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-export-'));
    try {
      cpSync(fixture('poetry-2.1/poetry.lock'), join(dir, 'poetry.lock'));
      cpSync(fixture('poetry-2.1/pyproject.toml'), join(dir, 'pyproject.toml'));
      const lock = await parseProject([join(dir, 'poetry.lock')], { workspace: dir });
      // `poetry export -f requirements.txt` output: main group, markers, hashes on continuation lines.
      const exported = lock.dependencies
        .filter((d) => !d.dev && d.kind === 'locked')
        .map((d) => {
          const version = d.name === 'pillow' ? '9.5.0' : d.version;
          return `${d.rawName}==${version} ; python_version >= "3.10" and python_version < "4.0" \\\n${(d.hashes ?? []).map((h) => `    --hash=${h}`).join(' \\\n')}`;
        })
        .join('\n');
      writeFileSync(join(dir, 'requirements.txt'), `${exported}\n`);
      const { files } = await discoverManifests(['.'], { workspace: dir });
      const project = await parseProject(files, { workspace: dir });
      const fromExport = project.dependencies.filter((d) => d.source.path === 'requirements.txt');
      expect(fromExport.map((d) => [d.name, d.version])).toEqual([['pillow', '9.5.0']]);
      expect(project.notes).toEqual(['requirements.txt: 19 of 20 entries are the same as in poetry.lock and are reported there']);
      expect(project.dependencies).toHaveLength(29);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('treats Pipfile.lock as the lock a pipenv requirements export repeats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-pipenv-'));
    try {
      cpSync(fixture('pipenv-project/Pipfile.lock'), join(dir, 'Pipfile.lock'));
      writeFileSync(join(dir, 'requirements.txt'), '-i https://pypi.org/simple\nnumpy==1.26.2\npandas==2.1.4\n');
      const project = await parseProject([join(dir, 'Pipfile.lock'), join(dir, 'requirements.txt')], { workspace: dir });
      expect(project.superseded).toEqual([{ path: 'requirements.txt', by: 'Pipfile.lock', reason: 'every entry is the same as in Pipfile.lock' }]);
      expect(project.dependencies).toHaveLength(28);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads an MLflow model once, through its MLmodel', async () => {
    const { files } = await discoverManifests(['mlflow/churn-model-v3'], { workspace });
    expect(files).toHaveLength(4);
    const project = await parseProject(files, { workspace });
    expect(project.superseded.map((s) => s.path)).toEqual([
      'mlflow/churn-model-v3/conda.yaml',
      'mlflow/churn-model-v3/python_env.yaml',
      'mlflow/churn-model-v3/requirements.txt',
    ]);
    expect(project.dependencies.map((d) => `${d.name}@${d.source.path}:${d.source.line}`)).toEqual([
      'pip@mlflow/churn-model-v3/python_env.yaml:3',
      'setuptools@mlflow/churn-model-v3/python_env.yaml:4',
      'wheel@mlflow/churn-model-v3/python_env.yaml:5',
      'mlflow@mlflow/churn-model-v3/requirements.txt:1',
      'cloudpickle@mlflow/churn-model-v3/requirements.txt:2',
      'numpy@mlflow/churn-model-v3/requirements.txt:3',
      'pandas@mlflow/churn-model-v3/requirements.txt:4',
      'psutil@mlflow/churn-model-v3/requirements.txt:5',
      'scikit-learn@mlflow/churn-model-v3/requirements.txt:6',
      'scipy@mlflow/churn-model-v3/requirements.txt:7',
    ]);
  });

  it('folds a declaration reached through several files into one, runtime if any path is', async () => {
    const { files } = await discoverManifests(
      ['requirements/requirements.txt', 'requirements/requirements/base.txt', 'requirements/requirements/dev.txt'],
      { workspace },
    );
    const project = await parseProject(files, { workspace, env: { ORT_VERSION: '1.15.1' } });
    // base.txt is read from requirements.txt, from dev.txt and on its own: pandas once.
    expect(project.dependencies.filter((d) => d.name === 'pandas')).toHaveLength(1);
    expect(project.dependencies.find((d) => d.name === 'pandas')?.dev).toBe(false);
    // urllib3 from base.txt is pinned by constraints.txt only where requirements.txt applies it; read
    // on their own, base.txt and dev.txt leave it unpinned at its own line. Both are real outcomes.
    const urllib3 = project.dependencies.filter((d) => d.name === 'urllib3').map((d) => `${d.source.path}:${d.source.line}:${d.kind}`);
    expect(urllib3).toEqual(['requirements/constraints.txt:3:pinned', 'requirements/requirements/base.txt:6:unpinned']);
    expect(project.dependencies.find((d) => d.name === 'pytest')).toMatchObject({ dev: true });
  });

  it('notes a found notebook that does not parse, but fails on a broken lock or a named notebook', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-broken-'));
    try {
      writeFileSync(join(dir, 'conflicted.ipynb'), '{\n "cells": [\n<<<<<<< HEAD\n');
      writeFileSync(join(dir, 'requirements.txt'), 'numpy==1.24.3\n');
      const { files } = await discoverManifests(['.'], { workspace: dir });
      const project = await parseProject(files, { workspace: dir });
      expect(project.dependencies.map((d) => d.name)).toEqual(['numpy']);
      expect(project.notes).toEqual([expect.stringMatching(/^conflicted\.ipynb:3:1: not valid JSON: .*pip install lines were not checked$/)]);
      const named = await discoverManifests(['conflicted.ipynb'], { workspace: dir });
      await expect(parseProject(named.files, { workspace: dir })).rejects.toThrow(/not valid JSON/);
      writeFileSync(join(dir, 'uv.lock'), 'version = 1\n[[package]\n');
      const withLock = await discoverManifests(['.'], { workspace: dir });
      await expect(parseProject(withLock.files, { workspace: dir })).rejects.toThrow(/not valid TOML/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes plain paths too', async () => {
    const project = await parseProject([fixture('pipenv-project/Pipfile.lock')], { workspace });
    expect(project.dependencies).toHaveLength(28);
  });
});
