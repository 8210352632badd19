import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, aisec } from './run-cli';

describe('aisec command line', () => {
  it('prints usage with --help and exits 0; without a command exits 2', () => {
    const help = aisec(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage:');
    expect(help.stdout).toContain('Exit status: 0 passed, 1 a finding at or above fail-on, 2 usage or input error, 3 internal error.');
    expect(aisec([]).status).toBe(2);
  });

  it('is linked as node_modules/.bin/aisec by npm ci, so `npx aisec` works', () => {
    const bin = join(ROOT, 'node_modules/.bin/aisec');
    expect(existsSync(bin)).toBe(true);
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('prints its version', () => {
    expect(aisec(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('rejects an unknown command with exit 2 and a hint', () => {
    const r = aisec(['al']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("aisec: error: unknown command 'al'. Did you mean 'aisec all'?\n");
  });

  it('has --help on every command', () => {
    for (const command of ['all', 'baseline']) {
      const r = aisec([command, '--help']);
      expect(r.status, command).toBe(0);
      expect(r.stdout).toContain(`Usage: aisec ${command}`);
      expect(r.stdout).toContain('--fail-on');
    }
  });

  it('rejects an unknown flag with a did-you-mean', () => {
    const r = aisec(['all', '--fail-onn', 'high']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--fail-onn'");
    expect(r.stderr).toContain('Did you mean --fail-on?');
  });

  it('a malformed .aisec.yml is a one-line error with file, line and key, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-cli-'));
    writeFileSync(join(dir, '.aisec.yml'), 'gates: [scan-deps]\nsuppressions:\n  - rule: AISEC-DEP-001\n    reson: typo\n');
    const r = aisec(['all', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(".aisec.yml:4:5: unknown key 'reson' in 'suppressions.0' (key 'suppressions.0.reson'). Did you mean 'reason'?\n".replace(/^/, 'aisec: error: '));
  });

  it('malformed YAML is an error with its position, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-cli-'));
    writeFileSync(join(dir, '.aisec.yml'), 'fail-on: [high\n');
    const r = aisec(['all', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^aisec: error: \.aisec\.yml:\d+:\d+: malformed YAML/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a project directory that does not exist is a usage error', () => {
    const r = aisec(['all', '/nonexistent/aisec']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("'/nonexistent/aisec' is not a directory");
  });
});
