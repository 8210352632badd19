import { describe, expect, it } from 'vitest';
import type { Dependency, Manifest } from '../../../packages/scan-deps/src/dependency';
import { parseCondaEnvironment, parseCondaSpec, parseManifestFile, parseNotebook } from '../../../packages/scan-deps/src/parsers/index';
import { FIXTURES, fixture, userErrorOf } from './fixtures';

const opts = { workspace: FIXTURES };
const at = (d: Dependency) => `${d.source.path}:${d.source.line}${d.source.member ? ` (${d.source.member})` : ''}`;
const pypi = (m: Manifest) => m.dependencies.filter((d) => d.ecosystem === 'PyPI');

describe('conda environment files', () => {
  it('lists conda packages as conda and reads the pip section as requirements', async () => {
    const m = await parseManifestFile(fixture('conda/environment.yml'), opts);
    expect(m.format).toBe('conda-environment');
    const conda = m.dependencies.filter((d) => d.ecosystem === 'conda');
    expect(conda.map((d) => [d.name, d.kind, d.version, d.source.line])).toEqual([
      ['python', 'range', undefined, 10],
      ['pytorch', 'pinned', '2.1.0', 11],
      ['torchvision', 'pinned', '0.16.0', 12],
      ['pytorch-cuda', 'range', undefined, 13],
      ['numpy', 'range', undefined, 14],
      ['pillow', 'pinned', '10.0.1', 15],
      ['opencv', 'unpinned', undefined, 16],
      ['pip', 'unpinned', undefined, 17],
    ]);
    expect(m.notes[0]).toMatch(/8 conda packages .* not checked against PyPI advisories/);
    expect(pypi(m).map((d) => [d.name, d.kind, at(d)])).toEqual([
      // `-r requirements-extra.txt` resolves against the environment file's folder.
      ['timm', 'pinned', 'conda/requirements-extra.txt:1'],
      ['transformers', 'pinned', 'conda/environment.yml:20'],
      ['datasets', 'range', 'conda/environment.yml:21'],
      ['openai-whisper', 'url', 'conda/environment.yml:22'],
    ]);
  });

  it.each([
    ['numpy', 'numpy', 'unpinned', undefined],
    ['numpy=1.24', 'numpy', 'range', undefined],
    ['numpy==1.24.3', 'numpy', 'pinned', '1.24.3'],
    ['numpy=1.24.3=py310h5f9d8c6_0', 'numpy', 'pinned', '1.24.3'],
    ['conda-forge::numpy 1.24.3 py310h5f9d8c6_0', 'numpy', 'pinned', '1.24.3'],
    ['numpy 1.24.*', 'numpy', 'range', undefined],
    ["numpy[version='>=1.24,<2']", 'numpy', 'range', undefined],
    ['numpy>=1.24|<1.20', 'numpy', 'range', undefined],
  ])('conda spec %s', (spec, name, kind, version) => {
    expect(parseCondaSpec(spec)).toMatchObject({ name, kind, ...(version ? { version } : {}) });
  });

  it('reports YAML syntax errors at their line', async () => {
    const text = 'name: x\ndependencies:\n  - numpy\n - pip: [\n';
    const error = await userErrorOf(parseCondaEnvironment(text, fixture('conda/bad.yml'), 'conda/bad.yml', opts));
    expect(error.file).toBe('conda/bad.yml');
    expect(error.line).toBeGreaterThanOrEqual(3);
    expect(error.message).toMatch(/not valid YAML/);
  });
});

describe('MLflow models', () => {
  it('reads python_env.yaml (and its -r requirements.txt) for an MLflow 2 model', async () => {
    const m = await parseManifestFile(fixture('mlflow/churn-model-v3/MLmodel'), opts);
    expect(m.format).toBe('mlflow-mlmodel');
    expect(m.dependencies.map((d) => [d.name, d.version, at(d), d.group])).toEqual([
      ['pip', '23.3.1', 'mlflow/churn-model-v3/python_env.yaml:3', 'build_dependencies'],
      ['setuptools', '68.2.2', 'mlflow/churn-model-v3/python_env.yaml:4', 'build_dependencies'],
      ['wheel', '0.41.3', 'mlflow/churn-model-v3/python_env.yaml:5', 'build_dependencies'],
      ['mlflow', '2.9.2', 'mlflow/churn-model-v3/requirements.txt:1', undefined],
      ['cloudpickle', '2.2.1', 'mlflow/churn-model-v3/requirements.txt:2', undefined],
      ['numpy', '1.26.2', 'mlflow/churn-model-v3/requirements.txt:3', undefined],
      ['pandas', '2.1.4', 'mlflow/churn-model-v3/requirements.txt:4', undefined],
      ['psutil', '5.9.6', 'mlflow/churn-model-v3/requirements.txt:5', undefined],
      ['scikit-learn', '1.3.2', 'mlflow/churn-model-v3/requirements.txt:6', undefined],
      ['scipy', '1.11.4', 'mlflow/churn-model-v3/requirements.txt:7', undefined],
    ]);
    expect(m.notes).toEqual(['mlflow/churn-model-v3/MLmodel: dependencies read from mlflow/churn-model-v3/python_env.yaml']);
  });

  it('reads conda.yaml for an MLflow 1.x model with a single env entry', async () => {
    const m = await parseManifestFile(fixture('mlflow/legacy-pytorch-model/MLmodel'), opts);
    expect(pypi(m).map((d) => [d.name, d.kind, d.version, d.source.line])).toEqual([
      ['mlflow', 'range', undefined, 7],
      ['cloudpickle', 'pinned', '2.2.0', 8],
      ['torch', 'pinned', '1.13.1+cu117', 9],
      ['torchvision', 'pinned', '0.14.1+cu117', 10],
      ['pillow', 'pinned', '9.2.0', 11],
    ]);
  });

  it('reads conda.yaml and python_env.yaml on their own', async () => {
    const conda = await parseManifestFile(fixture('mlflow/churn-model-v3/conda.yaml'), opts);
    expect(conda.format).toBe('conda-environment');
    expect(pypi(conda)).toHaveLength(7);
    const env = await parseManifestFile(fixture('mlflow/churn-model-v3/python_env.yaml'), opts);
    expect(env.format).toBe('mlflow-python-env');
    expect(env.dependencies).toHaveLength(10);
  });
});

describe('notebooks', () => {
  it('reads %pip and !pip lines of code cells at their .ipynb line, with the cell', async () => {
    const m = await parseManifestFile(fixture('notebooks/finetune.ipynb'), opts);
    expect(m.format).toBe('notebook');
    expect(m.dependencies.map((d) => [d.name, d.kind, d.version ?? d.url ?? '', at(d)])).toEqual([
      ['transformers', 'pinned', '4.30.0', 'notebooks/finetune.ipynb:29 (cell 2)'],
      // `accelerate>=0.20` unquoted: the shell redirects to a file named `=0.20`.
      ['accelerate', 'unpinned', '', 'notebooks/finetune.ipynb:29 (cell 2)'],
      ['datasets', 'unpinned', '', 'notebooks/finetune.ipynb:29 (cell 2)'],
      ['peft', 'url', 'git+https://github.com/huggingface/peft.git#egg=peft', 'notebooks/finetune.ipynb:51 (cell 4)'],
      // A continuation line keeps the line where the command starts.
      ['bitsandbytes', 'pinned', '0.41.1', 'notebooks/finetune.ipynb:51 (cell 4)'],
      // `pip install -r requirements.txt` in a %%bash cell, relative to the notebook's folder.
      ['scipy', 'pinned', '1.11.4', 'notebooks/requirements.txt:1'],
      ['sentencepiece', 'pinned', '0.1.99', 'notebooks/finetune.ipynb:74 (cell 6)'],
    ]);
    // Outputs, comments and markdown mention pip too, and are not read.
    expect(m.dependencies.some((d) => ['evil', 'fake-package', 'commented-out', 'gradio'].includes(d.name))).toBe(false);
    expect(m.notes).toEqual([
      expect.stringMatching(/^notebooks\/finetune\.ipynb:29 \(cell 2\): the shell reads unquoted '>=0\.20' as a redirect/),
      expect.stringMatching(/^notebooks\/finetune\.ipynb:85 \(cell 7\): \{package_name\}==0\.7\.4 is filled in when the cell runs/),
    ]);
  });

  it('reads single-string sources and nbformat 3 worksheets, and notes a missing -r file', async () => {
    const v3 = JSON.stringify({
      nbformat: 3,
      worksheets: [{ cells: [{ cell_type: 'code', input: ['!pip3 install "numpy==1.21.0" -r missing.txt\n'] }] }],
    });
    const m3 = await parseNotebook(v3, fixture('notebooks/old.ipynb'), 'notebooks/old.ipynb', opts);
    expect(m3.dependencies.map((d) => [d.name, d.version, d.source.member])).toEqual([['numpy', '1.21.0', 'cell 1']]);
    expect(m3.notes).toEqual([expect.stringMatching(/-r missing\.txt: .*does not exist/)]);
    const v4 = '{"nbformat": 4, "cells": [\n{"cell_type": "code", "source": "x = 1\\n%pip install torch==2.0.1 --index-url https://download.pytorch.org/whl/cu118"}\n]}';
    const m4 = await parseNotebook(v4, fixture('notebooks/one.ipynb'), 'notebooks/one.ipynb', opts);
    expect(m4.dependencies.map((d) => [d.name, d.version, d.source.line])).toEqual([['torch', '2.0.1', 2]]);
  });

  it('lists conda installs in cells as conda packages, not checked', async () => {
    const nb = JSON.stringify({ nbformat: 4, cells: [{ cell_type: 'code', source: ['%conda install -y -c conda-forge numpy=1.24.3=py310h5f9d8c6_0 opencv\n', '!echo pip install not-this\n'] }] }, null, 1);
    const m = await parseNotebook(nb, fixture('notebooks/conda.ipynb'), 'notebooks/conda.ipynb', opts);
    expect(m.dependencies.map((d) => [d.name, d.ecosystem, d.kind, d.version, d.source.line, d.source.member])).toEqual([
      ['numpy', 'conda', 'pinned', '1.24.3', 7, 'cell 1'],
      ['opencv', 'conda', 'unpinned', undefined, 7, 'cell 1'],
    ]);
    expect(m.notes).toEqual(['notebooks/conda.ipynb: 2 packages installed with conda (numpy, opencv) listed but not checked against PyPI advisories']);
  });

  it('reports a notebook that is not JSON', async () => {
    const error = await userErrorOf(parseNotebook('{"cells": [', fixture('notebooks/x.ipynb'), 'notebooks/x.ipynb', opts));
    expect(error.file).toBe('notebooks/x.ipynb');
  });
});
