import { Cursor, type ByteSource } from './byte-source';
import { RULE_IDS } from './rules';
import { addFinding, limitFinding, type ScanEnv, type Where } from './scan-env';

/**
 * GGUF metadata: reads the key/value section (GGUF v2/v3) to find `tokenizer.chat_template*`, the Jinja
 * templates inference servers render on every request, and flags templates that reach for Python
 * internals, the classic server-side template injection gadgets.
 */

const SSTI = [
  /__[a-z]+__/, // __class__, __globals__, __subclasses__, __builtins__, __import__, __init__, __mro__
  /\b(?:lipsum|cycler|joiner|url_for|get_flashed_messages|request\.application|self\._TemplateReference__context)\b/,
  /\b(?:popen|subprocess|os\.system|eval|exec|import_module)\b/,
  /\|\s*attr\s*\(/, // attribute access by computed name
];

const MAX_KV = 1_000_000;
const MAX_STRING = 64 * 1024 * 1024;

class GgufError extends Error {}

function u32(c: Cursor): number {
  const b = c.take(4);
  if (!b) throw new GgufError('truncated');
  return Buffer.from(b).readUInt32LE(0);
}
function u64(c: Cursor): number {
  const b = c.take(8);
  if (!b) throw new GgufError('truncated');
  const v = Buffer.from(b).readBigUInt64LE(0);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufError('length out of range');
  return Number(v);
}
function str(c: Cursor, keep: boolean): string {
  const n = u64(c);
  if (n > MAX_STRING || n > c.remaining) throw new GgufError(`string of ${n} bytes`);
  if (!keep) {
    c.pos += n;
    return '';
  }
  const b = c.take(n);
  if (!b) throw new GgufError('truncated');
  return Buffer.from(b).toString('utf8');
}

const FIXED: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

function skipValue(c: Cursor, type: number, keep: boolean): string | undefined {
  const size = FIXED[type];
  if (size !== undefined) {
    c.pos += size;
    return undefined;
  }
  if (type === 8) return str(c, keep);
  if (type === 9) {
    const inner = u32(c);
    const n = u64(c);
    const innerSize = FIXED[inner];
    if (innerSize !== undefined) {
      if (n * innerSize > c.remaining) throw new GgufError('array past the end');
      c.pos += n * innerSize;
    } else {
      for (let i = 0; i < n; i++) skipValue(c, inner, false);
    }
    return undefined;
  }
  throw new GgufError(`unknown value type ${type}`);
}

export function scanGguf(src: ByteSource, where: Where, env: ScanEnv): void {
  const c = new Cursor(src, 4);
  try {
    const version = u32(c);
    if (version < 2) return; // v1 used 32-bit lengths and predates chat templates
    u64(c); // tensor count
    const kvCount = u64(c);
    if (kvCount > MAX_KV) {
      limitFinding(env, where, 'entries', `GGUF declares ${kvCount} metadata entries`);
      return;
    }
    for (let i = 0; i < kvCount; i++) {
      if ((i & 0xff) === 0 && Date.now() > env.deadline) {
        limitFinding(env, where, 'time', 'The time budget ran out in GGUF metadata');
        return;
      }
      const key = str(c, true);
      const type = u32(c);
      const isTemplate = key.startsWith('tokenizer.chat_template');
      const value = skipValue(c, type, isTemplate);
      if (isTemplate && value !== undefined) {
        const hit = SSTI.map((re) => re.exec(value)?.[0]).find((m) => m !== undefined);
        if (hit) {
          addFinding(env, { ...where, members: [...where.members] }, RULE_IDS.ggufTemplate, 'critical', `GGUF ${key} uses "${hit}", which reaches Python internals from the Jinja template run by the inference server`, `gguf ${key}: ${hit}`, { key });
        }
      }
    }
  } catch (error) {
    if (error instanceof GgufError && !where.sniffed) {
      addFinding(env, where, RULE_IDS.malformed, 'high', `GGUF metadata is unreadable (${error.message}); its chat template could not be checked`, 'gguf metadata unreadable');
    } else if (!(error instanceof GgufError)) throw error;
  }
}
