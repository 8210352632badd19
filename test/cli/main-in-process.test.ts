import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError, type AnyGateBinding, type GateBinding } from '@aisec/core';
import { testGateBinding } from '../fixtures/test-gate/binding';
import { assertValidReport, assertValidSarif } from '../helpers/schemas';

// The CLI module runs itself on import unless told not to; here it is driven in process, with the
// test-only gate registered, so every command path is exercised against a gate whose output is known.
process.env.AISEC_CLI_NO_AUTORUN = '1';
let main: typeof import('../../packages/cli/src/main').main;

const withSubcommand: GateBinding<never> = {
  ...(testGateBinding as unknown as GateBinding<never>),
  subcommands: [
    {
      name: 'echo',
      description: 'Prints its arguments.',
      synopsis: 'WORD... [--times N]',
      options: {
        type: 'object',
        additionalProperties: false,
        properties: {
          paths: { type: 'array', items: { type: 'string' }, description: 'words' },
          times: { type: 'integer', minimum: 1, description: 'repeat', default: 1 },
          shout: { type: 'boolean', description: 'upper case', default: true },
        },
      },
      run: async (values) => {
        if ((values.paths as string[] | undefined)?.includes('boom')) throw new UserError('echo cannot say boom', { hint: 'Say something else' });
        const text = (values.paths as string[]).join(' ');
        return Array.from({ length: values.times as number }, () => (values.shout ? text.toUpperCase() : text)).join('\n');
      },
    },
  ],
};

beforeAll(async () => {
  const gates: AnyGateBinding[] = (await import('../../packages/cli/src/gates')).GATES;
  gates.push(withSubcommand);
  ({ main } = await import('../../packages/cli/src/main'));
});

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const stream = (sink: string[]) => ({ isTTY: false, write: (s: string) => sink.push(s) }) as unknown as NodeJS.WriteStream;
  return { io: { stdout: stream(out), stderr: stream(err), env: { NO_COLOR: '1' }, cwd }, out, err };
}

describe('aisec <gate> in process (test-only gate)', () => {
  it('exits 1 on a policy failure and 0 when fail-on is raised', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-cli-'));
    const a = io(dir);
    expect(await main(['test-gate', '--count', '5'], a.io)).toBe(1);
    expect(a.out.join('')).toContain('aisec test-gate FAILED (fail-on: high)');
    const b = io(dir);
    expect(await main(['test-gate', '--count', '5', '--fail-on', 'never'], b.io)).toBe(0);
  });

  it('writes schema-valid --json and --sarif files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-cli-'));
    const r = io(dir);
    await main(['test-gate', '--count', '7', '--json', 'out/r.json', '--sarif', 'out/r.sarif'], r.io);
    assertValidReport(JSON.parse(readFileSync(join(dir, 'out/r.json'), 'utf8')));
    assertValidSarif(JSON.parse(readFileSync(join(dir, 'out/r.sarif'), 'utf8')));
  });

  it('prints JSON with --format json', async () => {
    const r = io(mkdtempSync(join(tmpdir(), 'aisec-cli-')));
    await main(['test-gate', '--count', '2', '--format', 'json'], r.io);
    const report = JSON.parse(r.out.join('')) as { summary: { total: number } };
    assertValidReport(report);
    expect(report.summary.total).toBe(2);
  });

  it('writes a baseline that makes the next run pass, and only new findings fail it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-cli-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, '.aisec.yml'), 'gates: [test-gate]\nbaseline: accepted.json\ntest-gate:\n  count: 5\n');
    const b = io(dir);
    expect(await main(['baseline', dir], b.io)).toBe(0);
    expect(b.out.join('')).toContain('wrote 5 accepted findings to accepted.json');
    expect(await main(['all', dir], io(dir).io)).toBe(0);
    writeFileSync(join(dir, '.aisec.yml'), 'gates: [test-gate]\nbaseline: accepted.json\ntest-gate:\n  count: 7\n');
    const after = io(dir);
    expect(await main(['all', dir], after.io)).toBe(1);
    expect(after.out.join('')).toContain('5 suppressed or baselined');
  });

  it('reports a gate input error as exit 2 with the file and line', async () => {
    const r = io(mkdtempSync(join(tmpdir(), 'aisec-cli-')));
    expect(await main(['test-gate', '--fail', 'user'], r.io)).toBe(2);
    expect(r.err.join('')).toBe('aisec: error: input.txt:3: the test gate was asked to fail\n');
  });

  it('reports an internal error as exit 3 with the stack', async () => {
    const r = io(mkdtempSync(join(tmpdir(), 'aisec-cli-')));
    expect(await main(['test-gate', '--fail', 'internal'], r.io)).toBe(3);
    expect(r.err.join('')).toContain('TypeError: test gate internal failure');
    expect(r.err.join('')).toContain('This is a bug in aisec');
  });

  it('runs gate subcommands with their own options and help', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisec-cli-'));
    const r = io(dir);
    expect(await main(['test-gate', 'echo', 'hello', 'world', '--times', '2', '--no-shout'], r.io)).toBe(0);
    expect(r.out.join('')).toBe('hello world\nhello world\n');
    const loud = io(dir);
    await main(['test-gate', 'echo', 'hi'], loud.io);
    expect(loud.out.join('')).toBe('HI\n');
    const both = io(dir);
    expect(await main(['test-gate', 'echo', 'hi', '--shout', '--no-shout'], both.io)).toBe(2);
    const help = io(dir);
    await main(['test-gate', 'echo', '--help'], help.io);
    expect(help.out.join('')).toContain('Usage: aisec test-gate echo WORD... [--times N]');
    const gateHelp = io(dir);
    await main(['test-gate', '--help'], gateHelp.io);
    expect(gateHelp.out.join('')).toContain('aisec test-gate echo WORD... [--times N]');
    const bad = io(dir);
    expect(await main(['test-gate', 'echo', 'x', '--times', 'zero'], bad.io)).toBe(2);
    expect(bad.err.join('')).toContain("--times must be a whole number; got 'zero'");
    const boom = io(dir);
    expect(await main(['test-gate', 'echo', 'boom'], boom.io)).toBe(2);
    expect(boom.err.join('')).toBe('aisec: error: echo cannot say boom. Say something else\n');
  });
});

describe('option values', () => {
  it('names the bad enum value and suggests the nearest', async () => {
    const r = io(mkdtempSync(join(tmpdir(), 'aisec-cli-')));
    expect(await main(['test-gate', '--severity', 'hihg'], r.io)).toBe(2);
    expect(r.err.join('')).toBe("aisec: error: --severity must be one of critical, high, medium, low, info; got 'hihg' (key 'severity'). Did you mean 'high'?\n");
  });
});
