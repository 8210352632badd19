import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Dependency } from '../../../packages/scan-deps/src/dependency';
import { parseManifestFile, parseManifestText, parsePyproject } from '../../../packages/scan-deps/src/parsers/index';
import { FIXTURES, fixture, userErrorOf } from './fixtures';

const opts = { workspace: FIXTURES };
const row = (d: Dependency) => [d.name, d.kind, d.specifier ?? d.url ?? '', d.source.line, d.dev, d.group ?? ''];

describe('pyproject.toml', () => {
  it('reads PEP 621 dependencies, extras and PEP 735 groups at their lines', async () => {
    const m = await parseManifestFile(fixture('uv-project/pyproject.toml'), opts);
    expect(m.format).toBe('pyproject');
    expect(m.dependencies.map(row)).toEqual([
      ['numpy', 'range', '>=1.26,<2', 14, false, ''],
      ['pandas', 'pinned', '==2.1.4', 15, false, ''],
      ['scikit-learn', 'range', '~=1.3.2', 16, false, ''],
      ['pillow', 'range', '>=10.0', 17, false, ''],
      ['pyyaml', 'range', '>=6.0.1', 18, false, ''],
      ['requests', 'range', '>=2.31', 19, false, ''],
      ['peft', 'url', 'git+https://github.com/huggingface/peft.git@v0.7.1', 20, false, ''],
      // `all = ["churn-model[onnx]"]` refers to the project itself and is not a dependency.
      ['onnx', 'pinned', '==1.15.0', 24, false, 'project.optional-dependencies.onnx'],
      // The TOML-looking multi-line string above [dependency-groups] does not shift these lines.
      ['pytest', 'range', '>=7.4', 42, true, 'test'],
      ['ruff', 'pinned', '==0.1.8', 44, true, 'lint'],
    ]);
    expect(m.dependencies[4]?.marker).toBe('python_version >= "3.10"');
    expect(m.notes).toEqual([]);
  });

  it('translates Poetry 1.x caret, tilde and bare constraints, with dev-dependencies', async () => {
    const m = await parseManifestFile(fixture('poetry-1.1/pyproject.toml'), opts);
    expect(m.dependencies.map(row)).toEqual([
      ['numpy', 'range', '>=1.26,<2.0', 11, false, ''],
      ['pandas', 'pinned', '==2.1.4', 12, false, ''],
      ['scikit-learn', 'range', '>=1.3.2,<1.4.0', 13, false, ''],
      ['pillow', 'range', '>=10.0,<11', 14, false, ''],
      ['pyyaml', 'range', '>=6.0.1,<7.0.0', 15, false, ''],
      ['requests', 'range', '>=2.31,<3.0', 16, false, ''],
      ['peft', 'url', 'git+https://github.com/huggingface/peft.git@v0.7.1', 17, false, ''],
      ['onnx', 'pinned', '==1.15.0', 18, false, ''],
      ['pytest', 'range', '>=7.4,<8.0', 24, true, 'dev'],
      ['ruff', 'pinned', '==0.1.8', 25, true, 'dev'],
    ]);
    expect(m.dependencies.find((d) => d.name === 'pyyaml')?.marker).toBe('python_version >= "3.10"');
    expect(m.dependencies.find((d) => d.name === 'requests')?.extras).toEqual(['socks']);
  });

  it('reads Poetry groups, optional groups included', async () => {
    const m = await parseManifestFile(fixture('poetry-2.0/pyproject.toml'), opts);
    expect(m.dependencies.filter((d) => d.dev).map(row)).toEqual([
      ['pytest', 'range', '>=7.4,<8.0', 24, true, 'test'],
      ['ruff', 'pinned', '==0.1.8', 30, true, 'lint'],
    ]);
  });

  it('lets Poetry 2 [project] dependencies win over [tool.poetry.dependencies]', async () => {
    const m = await parseManifestFile(fixture('poetry-2.1/pyproject.toml'), opts);
    const numpy = m.dependencies.filter((d) => d.name === 'numpy');
    expect(numpy.map(row)).toEqual([['numpy', 'range', '>=1.26,<2.0', 9, false, '']]);
    expect(m.dependencies.find((d) => d.name === 'requests')).toMatchObject({ extras: ['socks'], specifier: '>=2.31,<3.0' });
  });

  it('reads PDM dev-dependencies', async () => {
    const m = await parseManifestFile(fixture('pdm-project/pyproject.toml'), opts);
    expect(m.dependencies.filter((d) => d.dev).map(row)).toEqual([
      ['pytest', 'range', '>=7.4', 26, true, 'test'],
      ['ruff', 'pinned', '==0.1.8', 27, true, 'lint'],
    ]);
  });

  it('handles Poetry multiple-constraint lists, path and URL sources, and || constraints', () => {
    const text = [
      '[tool.poetry.dependencies]',
      'python = ">=3.8,<3.12"',
      'numpy = [',
      '    {version = "1.24.4", python = "<3.9"},',
      '    {version = "^1.26", python = ">=3.9"},',
      ']',
      'mylib = { path = "../mylib", develop = true }',
      'wheel-dep = { url = "https://example.com/wheel_dep-1.0-py3-none-any.whl" }',
      'either = "^1.0 || ^2.0"',
      'broken = "^not-a-version"',
      '',
      '[tool.poetry.dependencies.torch]',
      'version = "2.1.0"',
      'source = "pytorch"',
    ].join('\n');
    const m = parsePyproject(text, 'inline/pyproject.toml');
    expect(m.dependencies.map((d) => [d.name, d.kind, d.specifier ?? d.url, d.marker, d.source.line])).toEqual([
      ['numpy', 'pinned', '==1.24.4', 'python_version < "3.9"', 4],
      ['numpy', 'range', '>=1.26,<2.0', 'python_version >= "3.9"', 5],
      ['mylib', 'url', '../mylib', undefined, 7],
      ['wheel-dep', 'url', 'https://example.com/wheel_dep-1.0-py3-none-any.whl', undefined, 8],
      ['either', 'range', '>=1.0,<2.0 || >=2.0,<3.0', undefined, 9],
      ['torch', 'pinned', '==2.1.0', undefined, 12],
    ]);
    expect(m.notes).toEqual([expect.stringContaining("inline/pyproject.toml:10: Poetry constraint '^not-a-version'")]);
  });

  it('notes dynamic dependencies, bad requirement strings and group include cycles', () => {
    const text = [
      '[project]',
      'name = "x"',
      'dynamic = ["dependencies"]',
      '',
      '[dependency-groups]',
      'a = [{ include-group = "b" }, "not valid!!"]',
      'b = [{ include-group = "a" }, { include-group = "missing" }]',
    ].join('\n');
    const m = parsePyproject(text, 'x/pyproject.toml');
    expect(m.dependencies).toEqual([]);
    expect(m.notes).toHaveLength(4);
    expect(m.notes.join('\n')).toMatch(/dynamic/);
    expect(m.notes.join('\n')).toMatch(/x\/pyproject\.toml:6: 'not valid!!'/);
    expect(m.notes.join('\n')).toMatch(/cycle \(a -> b -> a\)/);
    expect(m.notes.join('\n')).toMatch(/x\/pyproject\.toml:7: group 'b' includes 'missing'/);
  });

  it('keeps line numbers in files with Windows line endings and a byte-order mark', async () => {
    const text = readFileSync(fixture('uv-project/pyproject.toml'), 'utf8').replace(/\n/g, '\r\n');
    const m = await parseManifestText(`\uFEFF${text}`, fixture('uv-project/pyproject.toml'), { workspace: FIXTURES, format: 'pyproject' });
    expect(m.dependencies.map((d) => d.source.line)).toEqual([14, 15, 16, 17, 18, 19, 20, 24, 42, 44]);
  });

  it('reports TOML syntax errors with the parser line and column', async () => {
    const error = await userErrorOf(Promise.resolve().then(() => parsePyproject('[project]\nname = "x"\ndependencies = [\n  "numpy"\n  "pandas"\n]\n', 'bad/pyproject.toml')));
    expect(error.file).toBe('bad/pyproject.toml');
    expect(error.line).toBe(5);
    expect(error.message).toMatch(/not valid TOML/);
  });
});
