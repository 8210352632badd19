import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifestFile, parseRequirements } from '../../../packages/scan-deps/src/parsers/index';
import { FIXTURES, fixture, userErrorOf } from './fixtures';

const opts = { workspace: FIXTURES, env: { ORT_VERSION: '1.15.1' } };

describe('requirements files', () => {
  it('reads pins, ranges, extras, markers, URLs, VCS and editables at their lines', async () => {
    const m = await parseManifestFile(fixture('requirements/requirements.txt'), opts);
    expect(m.format).toBe('requirements');
    const top = m.dependencies.filter((d) => d.source.path === 'requirements/requirements.txt');
    const by = (name: string) => top.find((d) => d.name === name);
    expect(by('torch')).toMatchObject({
      version: '2.0.1+cu118', kind: 'pinned', marker: 'platform_system == "Linux"', source: { line: 10 },
    });
    expect(by('torchvision')).toMatchObject({ version: '0.15.2+cu118', marker: 'platform_system == "Linux"', source: { line: 11 } });
    expect(by('transformers')).toMatchObject({
      kind: 'range', specifier: '>=4.30,<5', extras: ['torch', 'sentencepiece'], source: { line: 12 },
    });
    expect(by('accelerate')).toMatchObject({ kind: 'range', specifier: '~=0.21.0', source: { line: 13 } });
    // A continued line keeps the number of its first physical line, and its hashes.
    expect(by('pillow')).toMatchObject({ rawName: 'Pillow', version: '9.5.0', source: { line: 15 } });
    expect(by('pillow')?.hashes).toHaveLength(2);
    expect(by('peft')).toMatchObject({ kind: 'url', url: 'git+https://github.com/huggingface/peft.git@v0.4.0#egg=peft', source: { line: 18 } });
    expect(by('mlflow')).toMatchObject({ kind: 'url', source: { line: 19 } });
    expect(by('clip')).toMatchObject({ kind: 'url', source: { line: 20 } });
    // ${ORT_VERSION} is expanded from the given environment.
    expect(by('onnxruntime-gpu')).toMatchObject({ kind: 'pinned', version: '1.15.1', source: { line: 21 } });
    expect(by('fraud-features')).toMatchObject({ kind: 'url', source: { line: 23 } });
    expect(m.notes.some((n) => n.includes(':22') && n.includes('${PRIVATE_WHEEL}'))).toBe(true);
    expect(m.notes.some((n) => n.includes(':24') && n.includes("editable '.'"))).toBe(true);
    // Options that only change where pip looks are ignored without a note.
    expect(m.notes.some((n) => n.includes('index-url') || n.includes('trusted-host'))).toBe(false);
  });

  it('follows -r relative to the including file and applies -c pins at the constraint line', async () => {
    const m = await parseManifestFile(fixture('requirements/requirements.txt'), opts);
    const base = m.dependencies.filter((d) => d.source.path === 'requirements/requirements/base.txt');
    expect(base.map((d) => d.name)).toEqual(['pandas', 'scikit-learn', 'pyyaml', 'requests', 'aiohttp']);
    const aiohttp = m.dependencies.find((d) => d.name === 'aiohttp');
    expect(aiohttp).toMatchObject({ version: '3.8.4', marker: 'python_version >= "3.8"', source: { line: 7 } });
    // numpy (unpinned in requirements.txt) and urllib3 (unpinned in base.txt) take the constraint's pin and line.
    const numpy = m.dependencies.find((d) => d.name === 'numpy');
    expect(numpy).toMatchObject({ kind: 'pinned', version: '1.24.3', source: { path: 'requirements/constraints.txt', line: 2 } });
    const urllib3 = m.dependencies.find((d) => d.name === 'urllib3');
    expect(urllib3).toMatchObject({ version: '1.26.15', source: { path: 'requirements/constraints.txt', line: 3 } });
    // A constraint nothing asks for is not installed, so not reported.
    expect(m.dependencies.find((d) => d.name === 'tensorflow')).toBeUndefined();
  });

  it('marks files named for development as dev, by the declaring file', async () => {
    const m = await parseManifestFile(fixture('requirements/requirements/dev.txt'), opts);
    expect(m.dependencies.find((d) => d.name === 'pytest')).toMatchObject({ dev: true, group: 'dev', version: '7.4.0' });
    expect(m.dependencies.find((d) => d.name === 'pandas')).toMatchObject({ dev: false, source: { path: 'requirements/requirements/base.txt' } });
  });

  it('notes unset ${VAR} references instead of guessing', async () => {
    const m = await parseManifestFile(fixture('requirements/requirements.txt'), { workspace: FIXTURES, env: {} });
    expect(m.dependencies.find((d) => d.name === 'onnxruntime-gpu')).toBeUndefined();
    expect(m.notes.some((n) => n.includes('requirements/requirements.txt:21') && n.includes('ORT_VERSION'))).toBe(true);
  });

  it('recognizes pip freeze output, with editable-install comments', async () => {
    const m = await parseManifestFile(fixture('requirements/freeze.txt'), opts);
    expect(m.format).toBe('pip-freeze');
    expect(m.dependencies.find((d) => d.name === 'numpy')).toMatchObject({ kind: 'locked', version: '1.24.3', source: { line: 13 } });
    expect(m.dependencies.find((d) => d.name === 'scoring-service')).toMatchObject({ kind: 'url', version: '0.2.0', source: { line: 11 } });
    expect(m.dependencies.find((d) => d.name === 'fraud-features')).toMatchObject({ kind: 'url', source: { line: 7 } });
    expect(m.dependencies.find((d) => d.name === 'torch')).toMatchObject({ kind: 'url', source: { line: 15 } });
    expect(m.dependencies).toHaveLength(15);
  });

  it('reads UTF-16 files written by PowerShell', async () => {
    const m = await parseManifestFile(fixture('requirements/freeze-utf16.txt'), { ...opts, format: 'requirements' });
    expect(m.dependencies.map((d) => [d.name, d.version, d.source.line])).toEqual([
      ['numpy', '1.24.3', 1],
      ['pillow', '9.5.0', 2],
    ]);
  });

  it('survives include cycles with a note', async () => {
    const m = await parseManifestFile(fixture('requirements/cycle/a.txt'), { ...opts, format: 'requirements' });
    expect(m.dependencies.map((d) => d.name).sort()).toEqual(['numpy', 'scipy']);
    expect(m.notes.some((n) => n.includes('cycle'))).toBe(true);
  });

  it('fails on a missing include with the including file and line', async () => {
    const text = 'numpy==1.0\n-r does-not-exist.txt\n';
    const error = await userErrorOf(parseRequirements(text, fixture('requirements/inline.txt'), opts));
    expect(error.format()).toMatch(/^requirements\/inline\.txt:2: -r does-not-exist\.txt: .*does not exist/);
  });

  it('bounds include depth', async () => {
    const error = await userErrorOf(
      parseManifestFile(fixture('requirements/cycle/a.txt'), { ...opts, format: 'requirements', limits: { maxDepth: 0 } }),
    );
    expect(error.line).toBe(1);
  });

  it('handles the grammar corners pip accepts', async () => {
    const text = [
      'requests [security] >= 2.8.1, == 2.8.* ; python_version < "2.7"',
      'name@https://example.com/name-1.0.tar.gz;python_version>="3"',
      '-rother.txt',
      'zope.interface (>=4.0)',
      'six==1.16.0 # a comment',
      'broken===',
      'https://example.com/archive/main.zip',
      '--unknown-flag',
      'line-one \\',
      '  ==1.0  \\',
      '# comment ends the continuation',
      '',
    ].join('\n');
    // -rother.txt does not exist: the glued short option was read as an include.
    const error = await userErrorOf(parseRequirements(text, 'requirements/inline.txt', { workspace: FIXTURES, env: {} }));
    expect(error.message).toContain('-r other.txt');
    const m2 = await parseRequirements(text.replace('-rother.txt', ''), 'requirements/inline.txt', { workspace: FIXTURES, env: {} });
    const names = m2.dependencies.map((d) => [d.name, d.kind, d.specifier ?? d.url, d.source.line]);
    expect(names).toEqual([
      ['requests', 'range', '>=2.8.1,==2.8.*', 1],
      ['name', 'url', 'https://example.com/name-1.0.tar.gz', 2],
      ['zope-interface', 'range', '>=4.0', 4],
      ['six', 'pinned', '==1.16.0', 5],
      ['line-one', 'pinned', '==1.0', 9],
    ]);
    expect(m2.dependencies[1]?.marker).toBe('python_version>="3"');
    expect(m2.notes.filter((n) => n.includes(':6') || n.includes(':7') || n.includes(':8'))).toHaveLength(3);
  });

  it('does not read includes outside the workspace, even through a link', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'aisec-outside-'));
    const ws = mkdtempSync(join(tmpdir(), 'aisec-ws-'));
    try {
      writeFileSync(join(outside, 'secret.txt'), 'token-abc123==1.0\n');
      symlinkSync(join(outside, 'secret.txt'), join(ws, 'linked.txt'));
      const text = `-r ${join(outside, 'secret.txt')}\n-r ../${basename(outside)}/secret.txt\n-r linked.txt\nnumpy==1.24.3\n`;
      const m = await parseRequirements(text, join(ws, 'requirements.txt'), { workspace: ws, env: {} });
      expect(m.dependencies.map((d) => d.name)).toEqual(['numpy']);
      expect(m.notes).toHaveLength(3);
      expect(m.notes.every((n) => n.includes('outside the workspace; not read'))).toBe(true);
      expect(m.notes.join('\n')).not.toContain('token-abc123');
    } finally {
      rmSync(outside, { recursive: true, force: true });
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it('reads the fixture text the same way from a string', async () => {
    const path = fixture('requirements/requirements/base.txt');
    const m = await parseRequirements(readFileSync(path, 'utf8'), path, opts);
    expect(m.path).toBe('requirements/requirements/base.txt');
    expect(m.dependencies).toHaveLength(6);
  });
});
