import { SliceSource, type ByteSource, type Cursor } from './byte-source';
import { callEffect, type CallEnv } from './call-effects';
import { fixImports } from './compat-pickle';
import { HIGHEST_PROTOCOL, OPCODES } from './opcodes';
import { describe, NONE, qualifiedName, type PyValue } from './pickle-values';

/**
 * Walks one pickle opcode by opcode the way CPython's Unpickler would, keeping the stack, the mark
 * stack, the memo and the copyreg extension registry, but never importing or calling anything: imports
 * become `ref` values and calls are modelled by call-effects.ts. What it reports is every object the
 * unpickler would import (however the name was built), every import it could not resolve, and every byte
 * string handed to a loader that deserializes again.
 */

export interface ImportEvent {
  offset: number;
  opcode: string;
  module: string;
  /** Dotted attribute path inside `module`. */
  name: string;
  /** How the name was built, when not a plain GLOBAL (e.g. `builtins.getattr(<module os>, "system")`). */
  how: string;
  /** Whether the unpickler goes on to call it (REDUCE, NEWOBJ, INST, OBJ, BUILD's __setstate__). */
  called: boolean;
  /**
   * Called with arguments (REDUCE, INST, OBJ, a planted __setstate__), as opposed to only having
   * `cls.__new__(cls)` run by NEWOBJ: constructors run only in the first case.
   */
  invoked: boolean;
}

export interface DynamicImport {
  offset: number;
  opcode: string;
  reason: string;
}

export interface NestedPayload {
  offset: number;
  loader: string;
  via: string[];
  data: ByteSource;
}

export type BoundKind = 'opcodes' | 'memo' | 'time' | 'line' | 'cancelled';

export interface EmulationResult {
  start: number;
  /** Offset just after STOP, or where the walk stopped. */
  end: number;
  protocol: number;
  opcodes: number;
  stopped: boolean;
  /** Set when the stream is malformed or truncated: everything before `offset` already ran. */
  error?: { offset: number; message: string; truncated: boolean };
  bound?: { kind: BoundKind; detail: string };
  imports: ImportEvent[];
  dynamic: DynamicImport[];
  nested: NestedPayload[];
  persistentIds: number;
  /** Byte ranges skipped as joblib inline array data (a plain pickle.load would read them as opcodes). */
  skipped: [number, number][];
  /** The value STOP returned. */
  result?: PyValue;
}

export interface EmulatorOptions {
  maxOpcodes: number;
  maxMemo: number;
  /** Longest text argument line (GLOBAL, INT...) before the stream is judged hostile. */
  maxLine: number;
  maxDecodedBytes: number;
  deadline: number;
  signal?: AbortSignal;
  /** copyreg extension codes registered so far in this load (shared by stacked pickles). */
  extensions: Map<number, [string, string]>;
  /**
   * joblib's NumpyUnpickler reads array bytes straight from the stream after BUILD of a
   * NumpyArrayWrapper; the walk must skip them as it does.
   */
  joblibArrays: boolean;
}

class PickleError extends Error {
  constructor(
    message: string,
    readonly truncated = false,
  ) {
    super(message);
  }
}

class BoundError extends Error {
  constructor(
    readonly kind: BoundKind,
    message: string,
  ) {
    super(message);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Items kept per list, dict or set. Payload construction needs a handful (names, arguments, state dicts);
 * a pickled 10^8-element list of floats must not become 10^8 JS objects. Items past this are counted
 * by the unpickler's stack discipline but not stored.
 */
const MAX_RETAINED_ITEMS = 1 << 16;

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

/** Python's `string_escape`-style repr body used by protocol 0 STRING. */
function unescapePyString(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/gs, (_m, e: string) => {
    if (e.startsWith('x')) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
    return map[e] ?? `\\${e}`;
  });
}

/** raw-unicode-escape, as protocol 0 UNICODE uses. */
function rawUnicodeEscape(b: Uint8Array): string {
  return latin1(b).replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u4?: string, u8?: string) => {
    const cp = parseInt(u4 ?? u8 ?? '0', 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  });
}

function leSigned(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] ?? 0);
  if (((b[b.length - 1] ?? 0) & 0x80) !== 0) v -= 1n << BigInt(8 * b.length);
  return v;
}

function uint(b: Uint8Array): number {
  let v = 0;
  for (let i = b.length - 1; i >= 0; i--) v = v * 256 + (b[i] ?? 0);
  return v;
}

export function emulatePickle(cursor: Cursor, opts: EmulatorOptions): EmulationResult {
  const start = cursor.pos;
  const res: EmulationResult = {
    start,
    end: start,
    protocol: 0,
    opcodes: 0,
    stopped: false,
    imports: [],
    dynamic: [],
    nested: [],
    persistentIds: 0,
    skipped: [],
  };
  let stack: PyValue[] = [];
  const metastack: PyValue[][] = [];
  const memo = new Map<number, PyValue>();
  let opOffset = start;
  let opName = '';

  const env: CallEnv = {
    importRef(module, name, how) {
      return addImport(module, name, how);
    },
    nested(loader, data, via) {
      res.nested.push({ offset: opOffset, loader, via, data });
    },
    dynamic(reason) {
      res.dynamic.push({ offset: opOffset, opcode: opName, reason });
    },
    registerExtension(code, module, name) {
      opts.extensions.set(code, [module, name]);
    },
    maxDecodedBytes: opts.maxDecodedBytes,
  };

  function addImport(module: string, name: string, how: string): PyValue {
    const [m, n] = res.protocol < 3 ? fixImports(module, name) : [module, name];
    res.imports.push({ offset: opOffset, opcode: opName, module: m, name: n, how, called: false, invoked: false });
    return { t: 'ref', module: m, name: n, event: res.imports.length - 1 };
  }

  function markCalled(v: PyValue, invoked = true): void {
    if (v.t === 'ref' && v.event >= 0) {
      const ev = res.imports[v.event];
      if (ev) {
        ev.called = true;
        if (invoked) ev.invoked = true;
      }
    } else if (v.t === 'partial') markCalled(v.fn, invoked);
  }

  function pop(): PyValue {
    const v = stack.pop();
    if (v === undefined) throw new PickleError(`${opName} on an empty stack`);
    return v;
  }
  function top(): PyValue {
    const v = stack[stack.length - 1];
    if (v === undefined) throw new PickleError(`${opName} on an empty stack`);
    return v;
  }
  function popMark(): PyValue[] {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) throw new PickleError(`${opName} without a MARK`);
    stack = prev;
    return items;
  }
  function need(n: number): Uint8Array {
    const b = cursor.take(n);
    if (b === undefined) throw new PickleError(`${opName} argument runs past the end of the data`, true);
    return b;
  }
  function line(): Uint8Array {
    const b = cursor.line(opts.maxLine);
    if (b === undefined) {
      if (cursor.remaining <= opts.maxLine) throw new PickleError(`${opName} argument has no end of line`, true);
      throw new BoundError('line', `${opName} text argument longer than ${opts.maxLine} bytes`);
    }
    return b;
  }
  function putMemo(idx: number, v: PyValue): void {
    if (!memo.has(idx) && memo.size >= opts.maxMemo) throw new BoundError('memo', `memo grew past ${opts.maxMemo} entries`);
    memo.set(idx, v);
  }
  function bytesArg(n: number, asStr: 'utf8' | 'latin1' | 'bytes'): PyValue {
    if (n < 0) throw new PickleError(`${opName} has a negative length`);
    if (n > cursor.remaining) throw new PickleError(`${opName} length ${n} runs past the end of the data`, true);
    if (asStr === 'bytes') {
      const v: PyValue = { t: 'bytes', v: new SliceSource(cursor.source, cursor.pos, n), via: [] };
      cursor.pos += n;
      return v;
    }
    if (n > opts.maxDecodedBytes) {
      cursor.pos += n;
      return { t: 'unknown', why: `${n}-byte string` };
    }
    const b = need(n);
    return { t: 'str', v: asStr === 'utf8' ? decoder.decode(b) : latin1(b) };
  }
  function call(callee: PyValue, args: PyValue[]): PyValue {
    markCalled(callee);
    // A class handed to another callable may be called by it (_rebuild_from_type_v2(func, ...),
    // _reconstructor(cls, base, state) runs base.__init__), except where only __new__ runs on it.
    const fn = qualifiedName(callee);
    const allocOnly = fn === 'copyreg.__newobj__' || fn === 'copyreg.__newobj_ex__' || (fn === 'copyreg._reconstructor' && qualifiedName(args[1] ?? NONE) === 'builtins.object');
    args.forEach((a, i) => {
      if (allocOnly && i === 0) return;
      if (a.t === 'ref' || a.t === 'partial') markCalled(a);
      else if (a.t === 'tuple') for (const x of a.items) if (x.t === 'ref') markCalled(x);
    });
    return callEffect(callee, args, env);
  }
  /** `invoked`: INST and OBJ call cls(*args); NEWOBJ only runs cls.__new__(cls, *args). */
  function instantiate(cls: PyValue, args: PyValue[], invoked: boolean): PyValue {
    markCalled(cls, invoked);
    return { t: 'obj', callee: cls, args, state: undefined };
  }

  try {
    for (;;) {
      opOffset = cursor.pos;
      const code = cursor.byte();
      if (code < 0) throw new PickleError('the stream ends before STOP', true);
      const info = OPCODES[code];
      if (!info) throw new PickleError(`byte 0x${code.toString(16).padStart(2, '0')} is not a pickle opcode`);
      opName = info.name;
      res.opcodes += 1;
      if ((res.opcodes & 0xfff) === 0) {
        if (res.opcodes > opts.maxOpcodes) throw new BoundError('opcodes', `more than ${opts.maxOpcodes} opcodes`);
        if (opts.signal?.aborted) throw new BoundError('cancelled', 'scan cancelled');
        if (Date.now() > opts.deadline) throw new BoundError('time', 'time budget for this file ran out');
      }

      // Numeric cases (the opcode byte) let V8 use a jump table: this switch runs once per opcode.
      switch (code) {
        case 0x80: { // PROTO
          const p = need(1)[0] ?? 0;
          if (p > HIGHEST_PROTOCOL) throw new PickleError(`unsupported pickle protocol ${p}`);
          res.protocol = p;
          break;
        }
        case 0x95: // FRAME
          need(8); // a read-ahead hint: opcodes run on across frame boundaries
          break;
        case 0x2e: // STOP
          res.result = stack[stack.length - 1];
          res.stopped = true;
          res.end = cursor.pos;
          return res;
        case 0x49: { // INT
          const s = latin1(line()).trim();
          if (s === '00' || s === '01') stack.push({ t: 'bool', v: s === '01' });
          else if (/^[+-]?\d+$/.test(s)) stack.push({ t: 'int', v: BigInt(s) });
          else throw new PickleError(`INT argument ${JSON.stringify(s)} is not a number`);
          break;
        }
        case 0x4c: { // LONG
          const s = latin1(line()).trim().replace(/L$/, '');
          if (!/^[+-]?\d+$/.test(s)) throw new PickleError(`LONG argument ${JSON.stringify(s)} is not a number`);
          stack.push({ t: 'int', v: BigInt(s) });
          break;
        }
        case 0x4a: { // BININT
          const b = need(4);
          stack.push({ t: 'int', v: BigInt(new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true)) });
          break;
        }
        case 0x4b: // BININT1
          stack.push({ t: 'int', v: BigInt(need(1)[0] ?? 0) });
          break;
        case 0x4d: // BININT2
          stack.push({ t: 'int', v: BigInt(uint(need(2))) });
          break;
        case 0x8a: { // LONG1
          const n = need(1)[0] ?? 0;
          stack.push({ t: 'int', v: leSigned(need(n)) });
          break;
        }
        case 0x8b: { // LONG4
          const n = Number(leSigned(need(4)));
          if (n < 0) throw new PickleError('LONG4 has a negative length');
          if (n > 1 << 20) throw new BoundError('line', `LONG4 of ${n} bytes`);
          stack.push({ t: 'int', v: leSigned(need(n)) });
          break;
        }
        case 0x46: // FLOAT
          stack.push({ t: 'float', v: Number.parseFloat(latin1(line())) });
          break;
        case 0x47: { // BINFLOAT
          const b = need(8);
          stack.push({ t: 'float', v: new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, false) });
          break;
        }
        case 0x4e: // NONE
          stack.push(NONE);
          break;
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
          stack.push({ t: 'bool', v: info.name === 'NEWTRUE' });
          break;
        case 0x53: { // STRING
          const s = latin1(line()).trim();
          const q = s[0];
          if (s.length < 2 || (q !== '"' && q !== "'") || s[s.length - 1] !== q) throw new PickleError('STRING argument is not quoted');
          stack.push({ t: 'str', v: unescapePyString(s.slice(1, -1)) });
          break;
        }
        case 0x54: // BINSTRING
          stack.push(bytesArg(Number(leSigned(need(4))), 'latin1'));
          break;
        case 0x55: // SHORT_BINSTRING
          stack.push(bytesArg(need(1)[0] ?? 0, 'latin1'));
          break;
        case 0x56: // UNICODE
          stack.push({ t: 'str', v: rawUnicodeEscape(line()) });
          break;
        case 0x8c: // SHORT_BINUNICODE
          stack.push(bytesArg(need(1)[0] ?? 0, 'utf8'));
          break;
        case 0x58: // BINUNICODE
          stack.push(bytesArg(uint(need(4)), 'utf8'));
          break;
        case 0x8d: // BINUNICODE8
          stack.push(bytesArg(uint(need(8)), 'utf8'));
          break;
        case 0x42: // BINBYTES
          stack.push(bytesArg(uint(need(4)), 'bytes'));
          break;
        case 0x43: // SHORT_BINBYTES
          stack.push(bytesArg(need(1)[0] ?? 0, 'bytes'));
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          stack.push(bytesArg(uint(need(8)), 'bytes'));
          break;
        case 0x97: // NEXT_BUFFER
          // Out-of-band buffers come from the caller's `buffers=`; a model file has none to give.
          stack.push({ t: 'unknown', why: 'out-of-band buffer' });
          break;
        case 0x98: // READONLY_BUFFER
          top();
          break;
        case 0x5d: // EMPTY_LIST
          stack.push({ t: 'list', items: [] });
          break;
        case 0x29: // EMPTY_TUPLE
          stack.push({ t: 'tuple', items: [] });
          break;
        case 0x7d: // EMPTY_DICT
          stack.push({ t: 'dict', entries: [] });
          break;
        case 0x8f: // EMPTY_SET
          stack.push({ t: 'set', items: [] });
          break;
        case 0x61: { // APPEND
          const v = pop();
          const l = top();
          // On anything but a list the unpickler calls its append(); that object's class was classified.
          if (l.t === 'list' && l.items.length < MAX_RETAINED_ITEMS) l.items.push(v);
          break;
        }
        case 0x65: { // APPENDS
          const items = popMark();
          const l = top();
          if (l.t === 'list') for (const it of items.slice(0, Math.max(0, MAX_RETAINED_ITEMS - l.items.length))) l.items.push(it);
          break;
        }
        // popMark() replaces `stack`, so it must run before `stack.push` is evaluated.
        case 0x6c: { // LIST
          const items = popMark();
          stack.push({ t: 'list', items });
          break;
        }
        case 0x74: { // TUPLE
          const items = popMark();
          stack.push({ t: 'tuple', items });
          break;
        }
        case 0x85: // TUPLE1
          stack.push({ t: 'tuple', items: [pop()] });
          break;
        case 0x86: { // TUPLE2
          const b = pop();
          const a = pop();
          stack.push({ t: 'tuple', items: [a, b] });
          break;
        }
        case 0x87: { // TUPLE3
          const c = pop();
          const b = pop();
          const a = pop();
          stack.push({ t: 'tuple', items: [a, b, c] });
          break;
        }
        case 0x64: { // DICT
          const items = popMark();
          const d: PyValue = { t: 'dict', entries: [] };
          for (let i = 0; i + 1 < items.length; i += 2) d.entries.push([items[i] ?? NONE, items[i + 1] ?? NONE]);
          stack.push(d);
          break;
        }
        case 0x73: { // SETITEM
          const v = pop();
          const k = pop();
          const d = top();
          if (d.t === 'dict' && d.entries.length < MAX_RETAINED_ITEMS) d.entries.push([k, v]);
          break;
        }
        case 0x75: { // SETITEMS
          const items = popMark();
          const d = top();
          if (d.t === 'dict') for (let i = 0; i + 1 < items.length && d.entries.length < MAX_RETAINED_ITEMS; i += 2) d.entries.push([items[i] ?? NONE, items[i + 1] ?? NONE]);
          break;
        }
        case 0x90: { // ADDITEMS
          const items = popMark();
          const s = top();
          if (s.t === 'set') for (const it of items.slice(0, Math.max(0, MAX_RETAINED_ITEMS - s.items.length))) s.items.push(it);
          break;
        }
        case 0x91: { // FROZENSET
          const items = popMark();
          stack.push({ t: 'set', items });
          break;
        }
        case 0x30: // POP
          if (stack.length > 0) stack.pop();
          else popMark();
          break;
        case 0x32: // DUP
          stack.push(top());
          break;
        case 0x28: // MARK
          metastack.push(stack);
          stack = [];
          break;
        case 0x31: // POP_MARK
          popMark();
          break;
        case 0x67: // GET
        case 0x68: // BINGET
        case 0x6a: { // LONG_BINGET
          const idx = info.name === 'GET' ? Number.parseInt(latin1(line()), 10) : uint(need(info.name === 'BINGET' ? 1 : 4));
          const v = memo.get(idx);
          if (v === undefined) throw new PickleError(`memo value ${idx} was never stored`);
          stack.push(v);
          break;
        }
        case 0x70: // PUT
        case 0x71: // BINPUT
        case 0x72: { // LONG_BINPUT
          const idx = info.name === 'PUT' ? Number.parseInt(latin1(line()), 10) : uint(need(info.name === 'BINPUT' ? 1 : 4));
          if (!Number.isFinite(idx) || idx < 0) throw new PickleError('negative PUT argument');
          putMemo(idx, top());
          break;
        }
        case 0x94: // MEMOIZE
          putMemo(memo.size, top());
          break;
        case 0x63: // GLOBAL
        case 0x69: { // INST
          const module = decoder.decode(line());
          const name = decoder.decode(line());
          const ref = addImport(module, name, '');
          if (info.name === 'INST') {
            const args = popMark();
            stack.push(instantiate(ref, args, true));
          } else stack.push(ref);
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = pop();
          const module = pop();
          if (module.t === 'str' && name.t === 'str') {
            stack.push(addImport(module.v, name.v, ''));
          } else {
            env.dynamic(`STACK_GLOBAL on ${describe(module)} . ${describe(name)}: module or name is not a plain string`);
            stack.push({ t: 'unknown', why: 'unresolved STACK_GLOBAL' });
          }
          break;
        }
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: { // EXT4
          const codeNo = info.name === 'EXT4' ? Number(leSigned(need(4))) : uint(need(info.name === 'EXT1' ? 1 : 2));
          const target = opts.extensions.get(codeNo);
          if (target) {
            stack.push(addImport(target[0], target[1], `${info.name} code ${codeNo} registered by copyreg.add_extension`));
          } else {
            env.dynamic(`${info.name} code ${codeNo} is not registered in a fresh interpreter: it resolves to whatever the loading process registered`);
            stack.push({ t: 'unknown', why: `extension ${codeNo}` });
          }
          break;
        }
        case 0x52: { // REDUCE
          const args = pop();
          const fn = pop();
          stack.push(call(fn, argsOf(args)));
          break;
        }
        case 0x81: { // NEWOBJ
          const args = pop();
          const cls = pop();
          stack.push(instantiate(cls, argsOf(args), false));
          break;
        }
        case 0x92: { // NEWOBJ_EX
          pop(); // kwargs
          const args = pop();
          const cls = pop();
          stack.push(instantiate(cls, argsOf(args), false));
          break;
        }
        case 0x6f: { // OBJ
          const items = popMark();
          const cls = items[0];
          if (cls === undefined) throw new PickleError('OBJ without a class');
          stack.push(instantiate(cls, items.slice(1), true));
          break;
        }
        case 0x62: { // BUILD
          const state = pop();
          const inst = top();
          build(inst, state);
          break;
        }
        case 0x50: // PERSID
          res.persistentIds += 1;
          stack.push({ t: 'pid', id: { t: 'str', v: decoder.decode(line()) } });
          break;
        case 0x51: // BINPERSID
          res.persistentIds += 1;
          stack.push({ t: 'pid', id: pop() });
          break;
        default:
          throw new PickleError(`opcode ${info.name} is not handled`);
      }
    }
  } catch (error) {
    res.end = cursor.pos;
    if (error instanceof BoundError) {
      res.bound = { kind: error.kind, detail: error.message };
      return res;
    }
    if (error instanceof PickleError) {
      res.error = { offset: opOffset, message: error.message, truncated: error.truncated };
      return res;
    }
    throw error;
  }

  function build(inst: PyValue, state: PyValue): void {
    // load_build: an instance attribute named __setstate__ (set by an earlier BUILD) is called with the state.
    if (inst.t === 'obj') {
      const setstate = inst.state ? lookupState(inst.state, '__setstate__') : undefined;
      if (setstate) {
        call(setstate, [state]);
        return;
      }
      inst.state = state;
      if (opts.joblibArrays && isNumpyArrayWrapper(inst.callee)) skipJoblibArray(state);
      return;
    }
    if (inst.t === 'ref') {
      // BUILD on a class or function sets attributes on it: a way to plant __reduce__ or __setstate__.
      res.dynamic.push({ offset: opOffset, opcode: 'BUILD', reason: `BUILD sets attributes on ${qualifiedName(inst)} itself` });
    }
  }

  function skipJoblibArray(state: PyValue): void {
    const shape = lookupState(state, 'shape');
    const dtype = lookupState(state, 'dtype');
    const align = lookupState(state, 'numpy_array_alignment_bytes');
    const itemsize = dtype ? dtypeItemSize(dtype) : undefined;
    if (itemsize === 'object') {
      // Object arrays are a whole pickle written inline (pickle.dump(array, protocol=2)): walk it too.
      const inner = emulatePickle(cursor, { ...opts, joblibArrays: false });
      for (const ev of inner.imports) res.imports.push({ ...ev, how: ev.how || 'inline object array pickle' });
      res.dynamic.push(...inner.dynamic);
      res.nested.push(...inner.nested);
      if (!inner.stopped) throw new PickleError(`inline object-array pickle: ${inner.error?.message ?? inner.bound?.detail ?? 'did not end'}`, inner.error?.truncated ?? false);
      return;
    }
    if (shape?.t !== 'tuple' || itemsize === undefined) {
      throw new PickleError('joblib NumpyArrayWrapper without a shape and dtype the scanner can size');
    }
    let count = 1;
    for (const d of shape.items) {
      if (d.t !== 'int' || d.v < 0n) throw new PickleError('joblib array shape is not a tuple of sizes');
      count *= Number(d.v);
    }
    if (align?.t === 'int') {
      const pad = cursor.byte();
      if (pad < 0) throw new PickleError('joblib array padding runs past the end', true);
      cursor.pos += pad;
    }
    const n = count * itemsize;
    if (n > cursor.remaining) throw new PickleError(`joblib array of ${n} bytes runs past the end of the data`, true);
    res.skipped.push([cursor.pos, cursor.pos + n]);
    cursor.pos += n;
  }
}

function argsOf(v: PyValue): PyValue[] {
  if (v.t === 'tuple' || v.t === 'list') return v.items;
  return [v];
}

function isNumpyArrayWrapper(v: PyValue): boolean {
  const q = qualifiedName(v);
  return q === 'joblib.numpy_pickle.NumpyArrayWrapper' || q === 'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper';
}

function lookupState(state: PyValue, key: string): PyValue | undefined {
  const dicts = state.t === 'tuple' ? state.items : [state];
  for (const d of dicts) {
    if (d.t !== 'dict') continue;
    for (const [k, v] of d.entries) if (k.t === 'str' && k.v === key) return v;
  }
  return undefined;
}

/** Item size of a pickled numpy.dtype (`numpy.dtype('f8', False, True)` then BUILD state). */
function dtypeItemSize(dtype: PyValue): number | 'object' | undefined {
  if (dtype.t !== 'obj') return undefined;
  const spec = dtype.args[0];
  // Structured and other sized dtypes carry elsize in their BUILD state (index 5 of the state tuple).
  const st = dtype.state;
  if (st?.t === 'tuple') {
    const elsize = st.items[5];
    if (elsize?.t === 'int' && elsize.v > 0n) return Number(elsize.v);
  }
  if (spec?.t !== 'str') return undefined;
  const m = /^[<>|=]?([a-zA-Z])(\d*)$/.exec(spec.v);
  if (!m) return undefined;
  const kind = m[1] ?? '';
  const n = m[2] ? Number(m[2]) : undefined;
  if (kind === 'O') return 'object';
  if (kind === 'U') return n === undefined ? undefined : n * 4;
  if (kind === 'b' && n === 1) return 1;
  if (n !== undefined) return n;
  const single: Record<string, number> = { b: 1, B: 1, '?': 1, h: 2, H: 2, i: 4, I: 4, l: 8, L: 8, q: 8, Q: 8, e: 2, f: 4, d: 8, g: 16, F: 8, D: 16 };
  return single[kind];
}
