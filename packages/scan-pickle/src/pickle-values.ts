import type { ByteSource } from './byte-source';

/**
 * What the emulator knows about a value on the unpickler's stack. Plain data is kept (strings and bytes are
 * what payloads are made of); imported objects are `ref`s naming what they resolve to and how; the result
 * of calling something we do not model is an `obj` that remembers its callee, so later opcodes acting on
 * it (BUILD, getattr) can still be explained.
 */
export type PyValue =
  | { t: 'none' }
  | { t: 'bool'; v: boolean }
  | { t: 'int'; v: bigint }
  | { t: 'float'; v: number }
  | { t: 'str'; v: string }
  /** bytes or bytearray; `via` lists the decoders that produced it (base64.b64decode, zlib.decompress...). */
  | { t: 'bytes'; v: ByteSource; via: string[] }
  | { t: 'tuple'; items: PyValue[] }
  | { t: 'list'; items: PyValue[] }
  | { t: 'dict'; entries: [PyValue, PyValue][] }
  | { t: 'set'; items: PyValue[] }
  /** An object reached by import: `module` then the dotted attribute path `name`. */
  | { t: 'ref'; module: string; name: string; event: number }
  /** A module object, from importlib.import_module or __import__. */
  | { t: 'module'; module: string; how: string }
  /** `vars(x)` / `x.__dict__`: indexing it is attribute access. */
  | { t: 'namespace'; module: string; name: string; how: string }
  | { t: 'partial'; fn: PyValue; args: PyValue[] }
  /** io.BytesIO(data): loaders accept it in place of bytes. */
  | { t: 'stream'; data: PyValue }
  /** The result of calling `callee` (an instance, or a return value we do not model). */
  | { t: 'obj'; callee: PyValue; args: PyValue[]; state: PyValue | undefined }
  | { t: 'pid'; id: PyValue }
  | { t: 'unknown'; why: string };

export const NONE: PyValue = { t: 'none' };

/** `module.name` of a ref, or undefined for anything else. */
export function qualifiedName(v: PyValue): string | undefined {
  if (v.t === 'ref') return v.name === '' ? v.module : `${v.module}.${v.name}`;
  return undefined;
}

/** Short, stable description for evidence (no offsets, bounded length). */
export function describe(v: PyValue, depth = 0): string {
  if (depth > 3) return '…';
  switch (v.t) {
    case 'none':
      return 'None';
    case 'bool':
      return v.v ? 'True' : 'False';
    case 'int':
      return v.v.toString();
    case 'float':
      return String(v.v);
    case 'str':
      return JSON.stringify(v.v.length > 60 ? `${v.v.slice(0, 57)}...` : v.v);
    case 'bytes':
      return `<${v.v.size} bytes>`;
    case 'tuple':
      return `(${v.items.slice(0, 4).map((i) => describe(i, depth + 1)).join(', ')}${v.items.length > 4 ? ', …' : ''})`;
    case 'list':
      return `[${v.items.length} items]`;
    case 'dict':
      return `{${v.entries.length} items}`;
    case 'set':
      return `{set of ${v.items.length}}`;
    case 'ref':
      return qualifiedName(v) ?? '?';
    case 'module':
      return `<module ${v.module}>`;
    case 'namespace':
      return `vars(${v.name ? `${v.module}.${v.name}` : v.module})`;
    case 'partial':
      return `partial(${describe(v.fn, depth + 1)})`;
    case 'stream':
      return `BytesIO(${describe(v.data, depth + 1)})`;
    case 'obj':
      return `${describe(v.callee, depth + 1)}(…)`;
    case 'pid':
      return `persistent_id(${describe(v.id, depth + 1)})`;
    default:
      return `<${v.why}>`;
  }
}

/** The string a value stands for, if it is one (or bytes read as latin-1, as `encoding='latin1'` loads do). */
export function asString(v: PyValue | undefined): string | undefined {
  if (v?.t === 'str') return v.v;
  return undefined;
}
