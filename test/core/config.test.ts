import { describe, expect, it } from 'vitest';
import { UserError, parseConfig } from '@aisec/core';

function errorOf(text: string, gateSchemas = {}): UserError {
  try {
    parseConfig(text, '.aisec.yml', { gateSchemas });
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('.aisec.yml', () => {
  it('reads fail-on, gates, suppressions with their lines, and gate sections', () => {
    const config = parseConfig(
      ['fail-on: medium', 'gates: [scan-deps, scan-pickle]', 'suppressions:', '  - rule: AISEC-DEP-001', '    id: GHSA-1234', '    reason: not reachable', '    expires: 2030-01-01', 'scan-deps:', '  paths: [app]'].join('\n'),
      '.aisec.yml',
      {},
      '/repo',
    );
    expect(config.failOn).toBe('medium');
    expect(config.gates).toEqual(['scan-deps', 'scan-pickle']);
    expect(config.suppressions[0]).toMatchObject({ rule: 'AISEC-DEP-001', id: 'GHSA-1234', source: { file: '.aisec.yml', line: 4 } });
    expect(config.sections['scan-deps']).toEqual({ paths: ['app'] });
    expect(config.file).toBe('/repo/.aisec.yml');
  });

  it('names file, line, column and key of an unknown key, with a did-you-mean', () => {
    const e = errorOf('gates: [scan-deps]\nfail_on: high\n');
    expect(e.format()).toBe(".aisec.yml:2:1: unknown key 'fail_on' (key 'fail_on'). Did you mean 'fail-on'?");
  });

  it('finds unknown keys nested in a list item', () => {
    const e = errorOf('suppressions:\n  - rule: AISEC-DEP-001\n    reason: ok\n    expiry: 2030-01-01\n');
    expect(e.line).toBe(4);
    expect(e.column).toBe(5);
    expect(e.key).toBe('suppressions.0.expiry');
    expect(e.hint).toBe("Did you mean 'expires'?");
  });

  it('reports a wrong enum value with the allowed ones', () => {
    const e = errorOf('fail-on: hihg\n');
    expect(e.format()).toBe(".aisec.yml:1:10: 'hihg' is not allowed for fail-on; use one of: critical, high, medium, low, info, never (key 'fail-on'). Did you mean 'high'?");
  });

  it('reports a wrong type at the value', () => {
    const e = errorOf('gates: scan-deps\n');
    expect(e.message).toContain('gates must be array');
    expect(e.line).toBe(1);
    expect(e.column).toBe(8);
  });

  it('requires a reason on suppressions', () => {
    const e = errorOf('suppressions:\n  - rule: AISEC-DEP-001\n');
    expect(e.message).toContain("must have required property 'reason'");
    expect(e.line).toBe(2);
  });

  it('rejects impossible dates', () => {
    const e = errorOf('suppressions:\n  - rule: AISEC-DEP-001\n    reason: later\n    expires: 2030-02-31x\n');
    expect(e.key).toBe('suppressions.0.expires');
    expect(e.line).toBe(4);
  });

  it('reports malformed YAML with its position', () => {
    const e = errorOf('gates: [scan-deps\nfail-on: high\n');
    expect(e.file).toBe('.aisec.yml');
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.message).toMatch(/^malformed YAML/);
  });

  it('closes gate sections with the gate schema so option typos are caught', () => {
    const gateSchemas = { 'scan-deps': { type: 'object', properties: { 'offline-db': { type: 'string' } } } };
    expect(parseConfig('scan-deps:\n  offline-db: osv.zip\n', '.aisec.yml', { gateSchemas }).sections['scan-deps']).toEqual({ 'offline-db': 'osv.zip' });
    const e = errorOf('scan-deps:\n  offline_db: osv.zip\n', gateSchemas);
    expect(e.format()).toBe(".aisec.yml:2:3: unknown key 'offline_db' in 'scan-deps' (key 'scan-deps.offline_db'). Did you mean 'offline-db'?");
  });
});
