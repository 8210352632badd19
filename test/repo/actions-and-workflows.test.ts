import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { withCommonOptions } from '@aisec/core';
import { RUNNER_INPUTS } from '@aisec/github';
import { GATES } from '../../packages/cli/src/gates';
import { assertValid } from '../helpers/schemas';

const root = resolve(import.meta.dirname, '../..');

interface ActionYml {
  inputs?: Record<string, { description: string; default?: string }>;
  outputs?: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

function actionFiles(): string[] {
  const files = [join(root, 'action.yml')];
  const dir = join(root, 'actions');
  if (existsSync(dir)) for (const gate of readdirSync(dir).sort()) if (existsSync(join(dir, gate, 'action.yml'))) files.push(join(dir, gate, 'action.yml'));
  return files;
}

function workflowFiles(): string[] {
  const files: string[] = [];
  for (const dir of ['.github/workflows', 'workflows-examples']) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs).sort()) if (/\.ya?ml$/.test(f)) files.push(join(abs, f));
  }
  return files;
}

const OUTPUTS = ['findings', 'max-severity', 'passed', 'report', 'sarif'];

describe('action.yml files', () => {
  it.each(actionFiles().map((f) => [f.slice(root.length + 1), f]))('%s matches the action schema and runs an existing bundle on node24', (_name, file) => {
    const action = parse(readFileSync(file, 'utf8')) as ActionYml;
    expect(() => assertValid('github-action', action, file)).not.toThrow();
    expect(action.runs.using).toBe('node24');
    expect(existsSync(resolve(dirname(file), action.runs.main))).toBe(true);
    expect(Object.keys(action.outputs ?? {}).sort()).toEqual([...OUTPUTS].sort());
  });

  it('the umbrella action takes the runner inputs and `gates`', () => {
    const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as ActionYml;
    expect(Object.keys(action.inputs ?? {}).sort()).toEqual(['gates', ...Object.keys(RUNNER_INPUTS.properties)].sort());
  });

  it.each(GATES.map((b) => [b.gate.name, b] as const))('actions/%s/action.yml declares exactly the gate options and runner inputs, with the same defaults', (name, binding) => {
    const file = join(root, 'actions', name, 'action.yml');
    expect(existsSync(file)).toBe(true);
    const action = parse(readFileSync(file, 'utf8')) as ActionYml;
    const schema = withCommonOptions(binding.options);
    const expected = [...Object.keys(RUNNER_INPUTS.properties), ...Object.keys(schema.properties)].sort();
    expect(Object.keys(action.inputs ?? {}).sort()).toEqual(expected);
    for (const [key, prop] of Object.entries(schema.properties)) {
      const d = prop.default;
      if (d === undefined || key === 'paths') continue;
      expect(action.inputs![key]!.default, `default of ${key}`).toBe(Array.isArray(d) ? d.join('\n') : String(d));
    }
    expect(action.runs.main).toBe(`../../dist/${name}/index.js`);
    expect(existsSync(join(root, 'actions', name, 'README.md'))).toBe(true);
  });
});

describe('workflows', () => {
  it.each(workflowFiles().map((f) => [f.slice(root.length + 1), f]))('%s matches the workflow schema', (_name, file) => {
    expect(() => assertValid('github-workflow', parse(readFileSync(file, 'utf8')), file)).not.toThrow();
  });
});

describe('release tree', () => {
  it('publishes every gate action at <gate>/action.yml pointing at an existing bundle', () => {
    const out = mkdtempSync(join(tmpdir(), 'aisec-release-'));
    execFileSync(process.execPath, [join(root, 'scripts/release-tree.mjs'), out]);
    const gates = existsSync(join(root, 'actions')) ? readdirSync(join(root, 'actions')).filter((g) => existsSync(join(root, 'actions', g, 'action.yml'))) : [];
    expect(gates.sort()).toEqual(GATES.map((b) => b.gate.name).sort());
    for (const gate of gates) {
      const file = join(out, gate, 'action.yml');
      const action = parse(readFileSync(file, 'utf8')) as ActionYml;
      assertValid('github-action', action, file);
      expect(action.runs.main).toBe(`../dist/${gate}/index.js`);
      expect(existsSync(resolve(out, gate, action.runs.main))).toBe(true);
    }
    const umbrella = parse(readFileSync(join(out, 'action.yml'), 'utf8')) as ActionYml;
    expect(existsSync(resolve(out, umbrella.runs.main))).toBe(true);
  });
});
