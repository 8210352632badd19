import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Dependency, Manifest } from '../../../packages/scan-deps/src/dependency';
import {
  parseManifestFile,
  parsePipfileLock,
  parsePoetryLock,
  parsePylock,
  parseUvLock,
} from '../../../packages/scan-deps/src/parsers/index';
import { FIXTURES, fixture, userErrorOf } from './fixtures';

const opts = { workspace: FIXTURES };
const get = (m: Manifest, name: string): Dependency | undefined => m.dependencies.find((d) => d.name === name);
/** The line of `name = "<pkg>"` minus one: the `[[package]]` header a lock entry starts at. */
function headerLine(path: string, field: string, pkg: string): number {
  const lines = readFileSync(fixture(path), 'utf8').split('\n');
  return lines.findIndex((l) => l === `${field} = "${pkg}"`);
}

// The generator (make-locks.py) resolves one project: 28 packages, 10 of them only in dev groups.
const DEV_ONLY = ['colorama', 'exceptiongroup', 'iniconfig', 'pluggy', 'pytest', 'ruff', 'tomli'];

describe('uv.lock', () => {
  it('lists every locked package at its [[package]] line, skipping the editable project', async () => {
    const m = await parseManifestFile(fixture('uv-project/uv.lock'), opts);
    expect(m.format).toBe('uv-lock');
    expect(m.dependencies).toHaveLength(28);
    expect(get(m, 'churn-model')).toBeUndefined();
    expect(get(m, 'numpy')).toMatchObject({ kind: 'locked', version: '1.26.2', source: { line: headerLine('uv-project/uv.lock', 'name', 'numpy') } });
    expect(get(m, 'numpy')?.hashes).toHaveLength(3);
    expect(get(m, 'peft')).toMatchObject({ kind: 'url', url: 'git+https://github.com/huggingface/peft.git@8665e2b5719faa4e4b91749ddec09442927b53e0' });
  });

  it('derives dev and direct from the lock graph', async () => {
    const m = await parseManifestFile(fixture('uv-project/uv.lock'), opts);
    expect(m.dependencies.filter((d) => d.dev).map((d) => d.name)).toEqual(DEV_ONLY);
    // packaging is needed by pytest (dev) and by peft (runtime): runtime wins.
    expect(get(m, 'packaging')).toMatchObject({ dev: false, direct: false });
    // onnx comes from an extra: not dev; protobuf is its transitive dependency.
    expect(get(m, 'onnx')).toMatchObject({ dev: false, direct: true });
    expect(get(m, 'protobuf')).toMatchObject({ dev: false, direct: false });
    expect(get(m, 'pytest')).toMatchObject({ dev: true, direct: true, group: 'dev' });
    expect(get(m, 'certifi')).toMatchObject({ direct: false });
  });

  it('follows version-disambiguated edges when one name is locked twice', () => {
    const text = [
      'version = 1',
      'requires-python = ">=3.9"',
      '',
      '[[package]]',
      'name = "app"',
      'version = "0.1.0"',
      'source = { virtual = "." }',
      'dependencies = [',
      '    { name = "numpy", version = "1.26.4", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version < \'3.10\'" },',
      '    { name = "numpy", version = "2.1.0", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= \'3.10\'" },',
      ']',
      '',
      '[package.dev-dependencies]',
      'dev = [{ name = "scipy" }]',
      '',
      '[[package]]',
      'name = "numpy"',
      'version = "1.26.4"',
      'source = { registry = "https://pypi.org/simple" }',
      '',
      '[[package]]',
      'name = "numpy"',
      'version = "2.1.0"',
      'source = { registry = "https://pypi.org/simple" }',
      '',
      '[[package]]',
      'name = "scipy"',
      'version = "1.13.1"',
      'source = { registry = "https://pypi.org/simple" }',
      'dependencies = [{ name = "numpy", version = "2.1.0", source = { registry = "https://pypi.org/simple" } }]',
      '',
    ].join('\n');
    const m = parseUvLock(text, 'forked/uv.lock');
    expect(m.dependencies.map((d) => [d.name, d.version, d.dev, d.source.line])).toEqual([
      ['numpy', '1.26.4', false, 16],
      ['numpy', '2.1.0', false, 21],
      ['scipy', '1.13.1', true, 26],
    ]);
  });
});

describe('poetry.lock', () => {
  it.each([
    ['poetry-1.1/poetry.lock', 'category'],
    ['poetry-2.1/poetry.lock', 'groups'],
  ])('%s marks dev from %s', async (path) => {
    const m = await parseManifestFile(fixture(path), opts);
    expect(m.format).toBe('poetry-lock');
    expect(m.dependencies).toHaveLength(28);
    expect(m.dependencies.filter((d) => d.dev).map((d) => d.name)).toEqual(DEV_ONLY);
    expect(get(m, 'pandas')).toMatchObject({ kind: 'locked', version: '2.1.4', group: 'main', source: { line: headerLine(path, 'name', 'pandas') } });
    expect(get(m, 'pandas')?.hashes).toHaveLength(2);
    expect(get(m, 'peft')).toMatchObject({ kind: 'url', url: 'git+https://github.com/huggingface/peft.git@8665e2b5719faa4e4b91749ddec09442927b53e0' });
  });

  it('leaves dev unknown (group unset) for lock-version 2.0, which does not record it', async () => {
    const m = await parseManifestFile(fixture('poetry-2.0/poetry.lock'), opts);
    expect(m.dependencies).toHaveLength(28);
    expect(m.dependencies.every((d) => !d.dev && d.group === undefined)).toBe(true);
  });

  it('keeps Poetry 2 per-package markers', async () => {
    const m = await parseManifestFile(fixture('poetry-2.1/poetry.lock'), opts);
    expect(get(m, 'colorama')?.marker).toBe('sys_platform == "win32"');
  });

  it('reads per-group marker tables of Poetry 2', () => {
    const text = '[[package]]\nname = "colorama"\nversion = "0.4.6"\ngroups = ["main", "dev"]\nmarkers = {main = "platform_system == \\"Windows\\"", dev = "sys_platform == \\"win32\\""}\n';
    const m = parsePoetryLock(text, 'poetry.lock');
    expect(m.dependencies[0]).toMatchObject({ dev: false, group: 'main,dev', marker: '(platform_system == "Windows") or (sys_platform == "win32")' });
  });

  it('refuses an entry without a version, at its line', async () => {
    const error = await userErrorOf(Promise.resolve().then(() => parsePoetryLock('[[package]]\nname = "a"\nversion = "1"\n\n[[package]]\nname = "b"\n', 'p/poetry.lock')));
    expect(error.format()).toMatch(/^p\/poetry\.lock:5: package 'b' has no version.*poetry lock/);
  });
});

describe('pdm.lock', () => {
  it('folds extras entries into one dependency and keeps groups for parseProject', async () => {
    const m = await parseManifestFile(fixture('pdm-project/pdm.lock'), opts);
    expect(m.format).toBe('pdm-lock');
    expect(m.dependencies).toHaveLength(28);
    expect(m.dependencies.filter((d) => d.name === 'requests')).toHaveLength(1);
    expect(get(m, 'requests')).toMatchObject({ version: '2.31.0', group: 'default', source: { line: headerLine('pdm-project/pdm.lock', 'name', 'requests') } });
    expect(get(m, 'pytest')).toMatchObject({ group: 'test', dev: false });
    expect(get(m, 'onnx')).toMatchObject({ group: 'onnx', dev: false });
    expect(get(m, 'peft')).toMatchObject({ kind: 'url', url: 'git+https://github.com/huggingface/peft.git@8665e2b5719faa4e4b91749ddec09442927b53e0' });
  });
});

describe('pylock.toml (PEP 751)', () => {
  it('reads packages, dev from dependency_groups markers, and skips the project itself', async () => {
    const m = await parseManifestFile(fixture('pylock-project/pylock.toml'), opts);
    expect(m.format).toBe('pylock');
    expect(m.dependencies).toHaveLength(28);
    expect(m.dependencies.filter((d) => d.dev).map((d) => d.name)).toEqual(DEV_ONLY);
    expect(get(m, 'onnx')).toMatchObject({ dev: false, marker: "'onnx' in extras" });
    // numpy uses the [[packages.wheels]] form: both wheels' hashes plus the sdist's.
    expect(get(m, 'numpy')?.hashes).toHaveLength(3);
    expect(get(m, 'numpy')?.source.line).toBe(headerLine('pylock-project/pylock.toml', 'name', 'numpy'));
    expect(get(m, 'peft')).toMatchObject({ kind: 'url', url: 'git+https://github.com/huggingface/peft.git@8665e2b5719faa4e4b91749ddec09442927b53e0' });
  });

  it('refuses a lock-version it does not know', async () => {
    const error = await userErrorOf(Promise.resolve().then(() => parsePylock('lock-version = "2.0"\ncreated-by = "x"\n', 'pylock.toml')));
    expect(error.line).toBe(1);
    expect(error.message).toMatch(/lock-version 2\.0/);
  });
});

describe('Pipfile.lock', () => {
  it('reads default and develop at the line of each key', async () => {
    const m = await parseManifestFile(fixture('pipenv-project/Pipfile.lock'), opts);
    expect(m.format).toBe('pipfile-lock');
    expect(m.dependencies).toHaveLength(28);
    expect(m.dependencies.filter((d) => d.dev).map((d) => d.name)).toEqual(DEV_ONLY);
    const lines = readFileSync(fixture('pipenv-project/Pipfile.lock'), 'utf8').split('\n');
    expect(get(m, 'pandas')).toMatchObject({
      version: '2.1.4',
      kind: 'locked',
      group: 'default',
      source: { line: lines.findIndex((l) => l.startsWith('        "pandas": {')) + 1 },
    });
    expect(get(m, 'churn-model')).toBeUndefined();
  });

  it('reports invalid JSON at its line and column', async () => {
    const text = '{\n    "default": {\n        "numpy": {"version": "==1.0"},,\n    }\n}\n';
    const error = await userErrorOf(Promise.resolve().then(() => parsePipfileLock(text, 'Pipfile.lock')));
    expect([error.line, error.column]).toEqual([3, 39]);
    expect(error.hint).toMatch(/pipenv lock/);
  });

  it('refuses JSON that is not a Pipfile.lock', async () => {
    const error = await userErrorOf(Promise.resolve().then(() => parsePipfileLock('{"name": "package.json?"}', 'Pipfile.lock')));
    expect(error.message).toMatch(/not a Pipfile\.lock/);
  });

  it('turns absurd nesting into a UserError, not a crash', async () => {
    const text = `{"default": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const error = await userErrorOf(Promise.resolve().then(() => parsePipfileLock(text, 'Pipfile.lock')));
    expect(error.file).toBe('Pipfile.lock');
  });
});
