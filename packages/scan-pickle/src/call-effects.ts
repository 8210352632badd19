import { gunzipSync, inflateSync } from 'node:zlib';
import { MemorySource, type ByteSource } from './byte-source';
import { describe, NONE, qualifiedName, type PyValue } from './pickle-values';

/**
 * What calling an imported callable does to the emulated state, for the callables that build imports at
 * run time (importlib, __import__, getattr, vars, dict.get), decode bytes (base64, hex, zlib, latin-1
 * encode) or deserialize again (pickle.loads, torch.load...). Everything else returns an opaque `obj`:
 * the import itself is what gets classified, so nothing is lost by not modelling it.
 */
export interface CallEnv {
  /** Record a resolved import and return its ref. */
  importRef(module: string, name: string, how: string): PyValue;
  /** Bytes handed to a loader: scanned again by the caller, bounded by depth. */
  nested(loader: string, data: ByteSource, via: string[]): void;
  /** An import whose target could not be worked out statically. */
  dynamic(reason: string): void;
  registerExtension(code: number, module: string, name: string): void;
  /** Largest buffer a decoder may produce. */
  maxDecodedBytes: number;
}

const IMPORTERS = new Set([
  'importlib.import_module',
  'builtins.__import__',
  'importlib.__import__',
  'importlib._bootstrap._gcd_import',
  'importlib._bootstrap.__import__',
  '_frozen_importlib._gcd_import',
  '_frozen_importlib.__import__',
  'imp.import_module',
]);

const GETATTRS = new Set([
  'builtins.getattr',
  'builtins.object.__getattribute__',
  'builtins.type.__getattribute__',
  '_operator.attrgetter',
  'operator.attrgetter',
]);

const GETITEMS = new Set([
  'builtins.dict.get',
  'builtins.dict.__getitem__',
  'operator.getitem',
  '_operator.getitem',
  'builtins.dict.pop',
  'builtins.dict.setdefault',
]);

/** Loaders that deserialize their argument again; the argument is scanned as a file of its own. */
export const NESTED_LOADERS = new Set([
  'pickle.loads',
  'pickle.load',
  'pickle._loads',
  'pickle._load',
  '_pickle.loads',
  '_pickle.load',
  'pickle.Unpickler',
  '_pickle.Unpickler',
  'dill.loads',
  'dill.load',
  'dill._dill.loads',
  'dill._dill.load',
  'cloudpickle.loads',
  'cloudpickle.load',
  'joblib.load',
  'joblib.numpy_pickle.load',
  'torch.load',
  'torch.serialization.load',
  'torch.storage._load_from_bytes',
  'numpy.load',
  'numpy.loads',
  'numpy.lib.npyio.load',
  'pandas.read_pickle',
  'pandas.io.pickle.read_pickle',
  'marshal.loads',
  'keras.models.load_model',
]);

function bytesOf(v: PyValue | undefined, max: number): { data: Uint8Array; via: string[] } | undefined {
  if (!v) return undefined;
  if (v.t === 'bytes') return v.v.size <= max ? { data: v.v.read(0, v.v.size), via: v.via } : undefined;
  // Python 2 str and `encoding='latin1'` loads give str where the writer had bytes.
  if (v.t === 'str') return v.v.length <= max ? { data: Buffer.from(v.v, 'latin1'), via: [] } : undefined;
  if (v.t === 'stream') return bytesOf(v.data, max);
  if (v.t === 'list' || v.t === 'tuple') {
    if (v.items.length > max) return undefined;
    const out = new Uint8Array(v.items.length);
    for (let i = 0; i < v.items.length; i++) {
      const it = v.items[i];
      if (it?.t !== 'int' || it.v < 0n || it.v > 255n) return undefined;
      out[i] = Number(it.v);
    }
    return { data: out, via: [] };
  }
  return undefined;
}

function bytesValue(data: Uint8Array, via: string[]): PyValue {
  return { t: 'bytes', v: new MemorySource(data), via };
}

function decodeWith(codec: string, input: Uint8Array, max: number): Uint8Array | undefined {
  const c = codec.toLowerCase().replace(/[-_]/g, '');
  const text = Buffer.from(input).toString('latin1');
  if (c === 'base64' || c === 'base64codec') return Buffer.from(text, 'base64');
  if (c === 'hex' || c === 'hexcodec') return /^[0-9a-f\s]*$/i.test(text) ? Buffer.from(text.replace(/\s/g, ''), 'hex') : undefined;
  if (c === 'zlib' || c === 'zlibcodec') return inflateSync(input, { maxOutputLength: max });
  return undefined;
}

function callDecoder(fn: string, args: PyValue[], max: number): PyValue | undefined {
  const first = bytesOf(args[0], max);
  const arg1 = args[1];
  const codec = arg1?.t === 'str' ? arg1.v : undefined;
  const via = (extra: string) => [...(first?.via ?? []), extra];
  try {
    switch (fn) {
      case 'base64.b64decode':
      case 'base64.standard_b64decode':
      case 'base64.decodebytes':
      case 'base64.decodestring':
      case 'binascii.a2b_base64':
        return first ? bytesValue(Buffer.from(Buffer.from(first.data).toString('latin1'), 'base64'), via(fn)) : undefined;
      case 'base64.urlsafe_b64decode':
        return first ? bytesValue(Buffer.from(Buffer.from(first.data).toString('latin1'), 'base64url'), via(fn)) : undefined;
      case 'base64.b16decode':
      case 'binascii.a2b_hex':
      case 'binascii.unhexlify':
      case 'builtins.bytes.fromhex':
      case 'builtins.bytearray.fromhex': {
        const d = first && decodeWith('hex', first.data, max);
        return d ? bytesValue(d, via(fn)) : undefined;
      }
      case 'zlib.decompress':
        return first ? bytesValue(inflateSync(first.data, { maxOutputLength: max }), via(fn)) : undefined;
      case 'gzip.decompress':
        return first ? bytesValue(gunzipSync(first.data, { maxOutputLength: max }), via(fn)) : undefined;
      case 'codecs.decode':
      case '_codecs.decode': {
        if (!first) return undefined;
        const d = decodeWith(codec ?? 'utf-8', first.data, max);
        return d ? bytesValue(d, via(`${fn}(${codec ?? ''})`)) : undefined;
      }
      case 'codecs.encode':
      case '_codecs.encode':
      case 'builtins.str.encode':
      case 'builtins.bytes':
      case 'builtins.bytearray': {
        // `_codecs.encode(s, 'latin1')` is how protocol 2 writes bytes: the same bytes, carried on.
        const a0 = args[0];
        if (a0?.t === 'str') {
          const enc = (codec ?? 'utf-8').toLowerCase();
          const data = /latin|8859|cp1252/.test(enc) ? Buffer.from(a0.v, 'latin1') : Buffer.from(a0.v, 'utf8');
          return bytesValue(data, []);
        }
        return first ? bytesValue(first.data, first.via) : undefined;
      }
      default:
        return undefined;
    }
  } catch {
    // A decoder that would raise makes the unpickler raise: nothing to carry on.
    return { t: 'unknown', why: `${fn} failed` };
  }
}

/** Effect of calling `callee(*args)`; `kwargs` only matter for a few loaders. */
export function callEffect(callee: PyValue, args: PyValue[], env: CallEnv): PyValue {
  if (callee.t === 'partial') return callEffect(callee.fn, [...callee.args, ...args], env);
  const fn = qualifiedName(callee);
  if (fn === undefined) {
    return { t: 'obj', callee, args, state: undefined };
  }
  const a0 = args[0];
  const a1 = args[1];

  if (IMPORTERS.has(fn)) {
    if (a0?.t === 'str') {
      // __import__('a.b') returns package `a` unless fromlist is given; import_module returns `a.b`.
      const fromlist = args[3];
      const topOnly = fn.endsWith('__import__') && !(fromlist && fromlist.t !== 'none' && !(fromlist.t === 'tuple' && fromlist.items.length === 0) && !(fromlist.t === 'list' && fromlist.items.length === 0));
      const module = topOnly ? (a0.v.split('.')[0] ?? a0.v) : a0.v;
      return { t: 'module', module, how: `${fn}(${JSON.stringify(a0.v)})` };
    }
    env.dynamic(`${fn}(${a0 ? describe(a0) : ''}) imports a module whose name is computed at run time`);
    return { t: 'unknown', why: 'dynamically imported module' };
  }

  if (fn === 'numpy.core._ufunc_reconstruct' || fn === 'numpy._core._ufunc_reconstruct') {
    // _ufunc_reconstruct(module, name) is __import__(module) then getattr: an import like any other.
    if (a0?.t === 'str' && a1?.t === 'str') return env.importRef(a0.v, a1.v, `${fn}(${JSON.stringify(a0.v)}, ${JSON.stringify(a1.v)})`);
    env.dynamic(`${fn} imports a name computed at run time`);
    return { t: 'unknown', why: 'ufunc' };
  }

  if (fn === 'pkgutil.resolve_name' && a0?.t === 'str') {
    // 'pkg.mod:attr' or 'pkg.mod.attr': an import spelled as one string.
    const [mod, attr] = a0.v.includes(':') ? (a0.v.split(':', 2) as [string, string]) : [a0.v.slice(0, a0.v.lastIndexOf('.')), a0.v.slice(a0.v.lastIndexOf('.') + 1)];
    return env.importRef(mod, attr, `${fn}(${JSON.stringify(a0.v)})`);
  }

  if (GETATTRS.has(fn)) {
    if (fn.endsWith('attrgetter')) {
      // attrgetter('x')(obj) arrives as partial(attrgetter, 'x') called with obj.
      if (args.length >= 2) return getattrValue(a1, a0, fn, env);
      return a0?.t === 'str' ? { t: 'partial', fn: callee, args } : { t: 'unknown', why: 'attrgetter' };
    }
    return getattrValue(a0, a1, fn, env);
  }

  if (fn === 'builtins.vars' || fn === 'builtins.globals') {
    if (a0?.t === 'module') return { t: 'namespace', module: a0.module, name: '', how: `${fn}(${a0.how})` };
    if (a0?.t === 'ref') return { t: 'namespace', module: a0.module, name: a0.name, how: `${fn}(${qualifiedName(a0)})` };
    if (fn === 'builtins.globals') return { t: 'namespace', module: 'builtins', name: '', how: fn };
    return { t: 'unknown', why: `${fn} result` };
  }

  if (GETITEMS.has(fn)) {
    if (a0?.t === 'namespace' && a1?.t === 'str') return namespaceGet(a0, a1.v, fn, env);
    if (a0?.t === 'namespace') {
      env.dynamic(`${fn}(${describe(a0)}, ${a1 ? describe(a1) : ''}) looks up a name computed at run time`);
      return { t: 'unknown', why: 'namespace lookup' };
    }
    if (a0?.t === 'dict' && a1) return dictGet(a0, a1) ?? { t: 'unknown', why: 'dict lookup' };
    return { t: 'unknown', why: `${fn} result` };
  }

  if (fn.endsWith('.__dict__.get') || fn.endsWith('.__dict__.__getitem__')) {
    const owner = fn.slice(0, fn.lastIndexOf('.__dict__.'));
    if (a0?.t === 'str' && callee.t === 'ref') {
      const name = callee.name.slice(0, callee.name.lastIndexOf('.__dict__.'));
      return env.importRef(callee.module, name ? `${name}.${a0.v}` : a0.v, `${owner}.__dict__[${JSON.stringify(a0.v)}]`);
    }
  }

  if (fn === 'functools.partial' || fn === '_functools.partial') {
    return a0 ? { t: 'partial', fn: a0, args: args.slice(1) } : { t: 'unknown', why: 'partial' };
  }

  if (fn === 'copyreg.add_extension' || fn === 'copy_reg.add_extension') {
    const code = args[2];
    if (a0?.t === 'str' && a1?.t === 'str' && code?.t === 'int') env.registerExtension(Number(code.v), a0.v, a1.v);
    return NONE;
  }

  if (fn === 'io.BytesIO' || fn === '_io.BytesIO') return { t: 'stream', data: a0 ?? NONE };

  if (NESTED_LOADERS.has(fn)) {
    const b = bytesOf(a0, env.maxDecodedBytes);
    if (b) env.nested(fn, new MemorySource(b.data), b.via);
    else if (a0?.t === 'bytes' || (a0?.t === 'stream' && a0.data.t === 'bytes')) {
      const src = a0.t === 'bytes' ? a0 : a0.data;
      if (src.t === 'bytes') env.nested(fn, src.v, src.via);
    }
    return { t: 'unknown', why: `result of ${fn}` };
  }

  const decoded = callDecoder(fn, args, env.maxDecodedBytes);
  if (decoded) return decoded;

  return { t: 'obj', callee, args, state: undefined };
}

function getattrValue(target: PyValue | undefined, attr: PyValue | undefined, fn: string, env: CallEnv): PyValue {
  if (attr?.t !== 'str') {
    env.dynamic(`${fn}(${target ? describe(target) : ''}, ${attr ? describe(attr) : ''}) reads an attribute named at run time`);
    return { t: 'unknown', why: 'dynamic attribute' };
  }
  const how = `${fn}(${target ? describe(target) : '?'}, ${JSON.stringify(attr.v)})`;
  if (target?.t === 'module') return env.importRef(target.module, attr.v, `${how} on ${target.how}`);
  if (target?.t === 'ref') return env.importRef(target.module, target.name ? `${target.name}.${attr.v}` : attr.v, how);
  if (target?.t === 'namespace' && attr.v === 'get') return { t: 'partial', fn: { t: 'ref', module: 'builtins', name: 'dict.get', event: -1 }, args: [target] };
  if (target?.t === 'obj' && target.callee.t === 'ref') {
    // An attribute of an instance: name it after its class so the classifier sees `cls.attr`.
    return env.importRef(target.callee.module, `${target.callee.name}().${attr.v}`, how);
  }
  env.dynamic(`${how} reads an attribute of a value the scanner cannot name`);
  return { t: 'unknown', why: 'attribute of unknown value' };
}

function namespaceGet(ns: Extract<PyValue, { t: 'namespace' }>, key: string, fn: string, env: CallEnv): PyValue {
  return env.importRef(ns.module, ns.name ? `${ns.name}.${key}` : key, `${fn}(${ns.how}, ${JSON.stringify(key)})`);
}

function dictGet(d: Extract<PyValue, { t: 'dict' }>, key: PyValue): PyValue | undefined {
  if (key.t !== 'str') return undefined;
  for (const [k, v] of d.entries) if (k.t === 'str' && k.v === key.v) return v;
  return undefined;
}
