import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '@aisec/core';
import { classifyGlobal, scanPickleBytes } from '@aisec/scan-pickle';
import { OPCODES } from '../../packages/scan-pickle/src/opcodes';

const ROOT = join(import.meta.dirname, '../fixtures/scan-pickle/models');

/** Small opcode writers, the same way generate.py writes its fixtures. */
const enc = (s: string) => Buffer.from(s, 'latin1');
const u = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([0x8c, b.length]), b]);
};
const glob = (m: string, n: string) => enc(`c${m}\n${n}\n`);
const P2 = Buffer.from([0x80, 2]);
const STOP = enc('.');
const TUPLE1_REDUCE = Buffer.from([0x85, 0x52]);
const call1 = (fn: Buffer, arg: Buffer) => Buffer.concat([fn, arg, TUPLE1_REDUCE]);
const pk = (...parts: Buffer[]) => Buffer.concat(parts);

describe('opcode table', () => {
  it('matches CPython pickletools, opcode by opcode', () => {
    const ref = JSON.parse(readFileSync(join(ROOT, 'pickletools-opcodes.json'), 'utf8')) as { opcodes: { name: string; code: number; arg: string; proto: number }[] };
    expect(ref.opcodes.length).toBe(68);
    for (const op of ref.opcodes) {
      expect(OPCODES[op.code]).toEqual({ name: op.name, code: op.code, arg: op.arg, proto: op.proto });
    }
    expect(OPCODES.filter(Boolean).length).toBe(ref.opcodes.length);
  });
});

describe('emulation resolves imports built at run time', () => {
  it('reports the resolved call chain with offset and evidence', async () => {
    const imp = call1(glob('importlib', 'import_module'), u('os'));
    const bytes = pk(P2, call1(pk(glob('builtins', 'getattr'), imp, u('system'), Buffer.from([0x86, 0x52])), u('echo hi')), STOP);
    const { findings } = await scanPickleBytes(bytes);
    const sys = findings.find((f) => f.properties?.global === 'os.system');
    expect(sys?.ruleId).toBe('AISEC-PKL-001');
    expect(sys?.severity).toBe('critical');
    expect(sys?.evidence).toBe('os.system <- builtins.getattr(<module os>, "system") on importlib.import_module("os")');
    expect(sys?.message).toMatch(/imports and calls os\.system/);
    expect(sys?.properties?.called).toBe(true);
    // importlib.import_module and builtins.getattr are findings of their own.
    expect(findings.map((f) => f.properties?.global)).toEqual(expect.arrayContaining(['importlib.import_module', 'builtins.getattr']));
  });

  it('STACK_GLOBAL takes names from the memo', async () => {
    const bytes = pk(Buffer.from([0x80, 4]), u('os'), Buffer.from([0x94]), u('system'), Buffer.from([0x94, 0x30, 0x30]), enc('h\x00h\x01'), Buffer.from([0x93]), u('x'), TUPLE1_REDUCE, STOP);
    const { findings } = await scanPickleBytes(bytes);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.evidence).toBe('os.system');
    expect(findings[0]?.properties?.opcode).toBe('STACK_GLOBAL');
    expect(findings[0]?.properties?.offset).toBe(22);
  });

  it('a pickle followed by garbage: the payload is reported as running before the parse error', async () => {
    const bytes = pk(P2, call1(glob('os', 'system'), u('x')), Buffer.from([0xff]));
    const { findings } = await scanPickleBytes(bytes);
    const sys = findings.find((f) => f.ruleId === 'AISEC-PKL-001');
    expect(sys?.message).toContain('runs before the parse error at offset');
    const bad = findings.find((f) => f.ruleId === 'AISEC-PKL-005');
    expect(bad?.message).toContain('byte 0xff is not a pickle opcode');
  });

  it('a truncated stream is a high finding, and nothing else', async () => {
    const full = pk(P2, enc('}q\x00X\x01\x00\x00\x00aK\x01s.'));
    const { findings } = await scanPickleBytes(full.subarray(0, full.length - 3));
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([['AISEC-PKL-005', 'high']]);
    expect(findings[0]?.message).toMatch(/truncated/);
    expect((await scanPickleBytes(full)).findings).toEqual([]);
  });

  it('copyreg extension codes resolve only once registered', async () => {
    const reg = pk(glob('copyreg', 'add_extension'), u('os'), u('system'), enc('M\x00\x0f'), Buffer.from([0x87, 0x52, 0x30]));
    const ext = Buffer.from([0x83, 0x00, 0x0f]);
    const registered = await scanPickleBytes(pk(P2, reg, ext, u('x'), TUPLE1_REDUCE, STOP));
    expect(registered.findings.find((f) => f.properties?.global === 'os.system')?.evidence).toBe('os.system <- EXT2 code 3840 registered by copyreg.add_extension');
    const bare = await scanPickleBytes(pk(P2, ext, u('x'), TUPLE1_REDUCE, STOP));
    expect(bare.findings.map((f) => f.ruleId)).toEqual(['AISEC-PKL-003']);
  });

  it('safe-listed callables cannot launder a computed module name', async () => {
    const bytes = pk(Buffer.from([0x80, 4]), call1(glob('builtins', 'str'), u('os')), u('system'), Buffer.from([0x93]), STOP);
    const { findings } = await scanPickleBytes(bytes);
    expect(findings.map((f) => f.ruleId)).toEqual(['AISEC-PKL-003']);
    expect(findings[0]?.evidence).toMatch(/^dynamic: STACK_GLOBAL on builtins\.str\(…\)/);
  });

  it('nested payloads are decoded and scanned with the chain in the evidence', async () => {
    const inner = pk(P2, call1(glob('posix', 'system'), u('x')), STOP);
    const b64 = call1(glob('base64', 'b64decode'), u(inner.toString('base64')));
    const { findings } = await scanPickleBytes(pk(P2, call1(glob('pickle', 'loads'), b64), STOP));
    const nested = findings.find((f) => f.properties?.global === 'posix.system');
    expect(nested?.evidence).toBe('pickle.loads(base64.b64decode) > posix.system');
    expect(nested?.properties?.nestedChain).toEqual(['pickle.loads(base64.b64decode)']);
  });

  it('nesting deeper than maxDepth is a limit finding, not a crash', async () => {
    let payload = pk(P2, call1(glob('os', 'system'), u('x')), STOP);
    for (let i = 0; i < 6; i++) payload = pk(P2, call1(glob('torch.storage', '_load_from_bytes'), pk(enc('B'), Buffer.from(new Uint32Array([payload.length]).buffer), payload)), STOP);
    const { findings } = await scanPickleBytes(payload, { limits: { ...DEFAULT_LIMITS, maxDepth: 3 } });
    expect(findings.map((f) => f.ruleId)).toEqual(['AISEC-PKL-006']);
    expect(findings[0]?.evidence).toContain('limit: depth');
    const deep = await scanPickleBytes(payload);
    expect(deep.findings.map((f) => f.evidence)).toEqual([`${'torch.storage._load_from_bytes > '.repeat(6)}os.system`]);
  });

  it('the opcode bound stops a hostile stream with a high finding', async () => {
    const many = Buffer.alloc(10_000_000, 0x4e); // NONE x 10^7, no STOP
    const t0 = Date.now();
    const { findings } = await scanPickleBytes(pk(P2, many, STOP), { limits: { ...DEFAULT_LIMITS, timePerFileMs: 50 } });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(findings.map((f) => f.ruleId)).toEqual(['AISEC-PKL-006']);
    expect(findings[0]?.message).toMatch(/time budget/);
  });
});

describe('classification', () => {
  it.each([
    ['os', 'system', 'dangerous'],
    ['torch.serialization', 'os.system', 'dangerous'],
    ['builtins', 'eval', 'dangerous'],
    ['builtins', 'getattr', 'dangerous'],
    ['subprocess', 'Popen', 'dangerous'],
    ['torch', 'load', 'dangerous'],
    ['numpy', 'load', 'dangerous'],
    ['pickle', 'loads', 'dangerous'],
    ['types', 'CodeType', 'dangerous'],
    ['requests', 'get', 'dangerous'],
    ['mypkg', 'Model', 'unknown'],
    ['torch._utils', '_rebuild_tensor_v2', 'safe'],
    ['torch', 'BFloat16Storage', 'safe'],
    ['torch', 'bfloat16', 'safe'],
    ['torch.nn.modules.linear', 'Linear', 'safe'],
    ['torch.nn.modules.linear', 'Linear.__init__', 'dangerous'],
    ['torch.nn.modules.linear', '__builtins__', 'dangerous'],
    ['numpy.core.multiarray', '_reconstruct', 'safe'],
    ['sklearn.pipeline', 'Pipeline', 'safe'],
    ['sklearn.pipeline', 'Pipeline.__reduce__', 'dangerous'],
    ['collections', 'OrderedDict', 'safe'],
    ['builtins', 'set', 'safe'],
    ['sklearn.utils', 'os', 'dangerous'],
  ])('%s.%s is %s', (module, name, verdict) => {
    expect(classifyGlobal(module, name).verdict).toBe(verdict);
  });
});
