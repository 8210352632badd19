import type { ByteSource } from './byte-source';
import { RULE_IDS } from './rules';
import { addFinding, type ScanEnv, type Where } from './scan-env';

/**
 * TensorFlow SavedModel graphs (saved_model.pb): ops that read or write files or call back into Python
 * run when the graph executes (ReadFile/WriteFile are what model scanners check). Walks the protobuf
 * SavedModel > MetaGraphDef > GraphDef > NodeDef (and FunctionDefLibrary > FunctionDef > NodeDef) for op
 * names. The saver's own SaveV2/RestoreV2 ops are normal and not reported; neither are tf.print (PrintV2)
 * and ImmutableConst, which ordinary graphs use.
 */

export const UNSAFE_TF_OPS: Record<string, string> = {
  ReadFile: 'reads any file the process can read',
  WriteFile: 'writes any file the process can write',
  MatchingFiles: 'lists files by pattern',
  PyFunc: 'calls back into Python code',
  PyFuncStateless: 'calls back into Python code',
  EagerPyFunc: 'calls back into Python code',
};

// Field numbers from saved_model.proto, meta_graph.proto, graph.proto, function.proto, node_def.proto.
type Kind = 'saved' | 'meta' | 'graph' | 'library' | 'function' | 'node';
const CHILDREN: Record<Kind, Record<number, Kind>> = {
  saved: { 2: 'meta' },
  meta: { 2: 'graph' },
  graph: { 1: 'node', 2: 'library' },
  library: { 1: 'function' },
  function: { 3: 'node' },
  node: {},
};

class ProtoError extends Error {}

function varint(src: ByteSource, r: { pos: number }): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const b = src.read(r.pos, 1)[0];
    if (b === undefined) throw new ProtoError('truncated varint');
    r.pos += 1;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return result;
    mul *= 128;
  }
  throw new ProtoError('varint too long');
}

function walk(src: ByteSource, r: { pos: number }, end: number, kind: Kind, depth: number, ops: Map<string, string[]>): void {
  if (depth > 32) throw new ProtoError('nesting too deep');
  let nodeName = '';
  let op = '';
  while (r.pos < end) {
    const key = varint(src, r);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) varint(src, r);
    else if (wire === 1) r.pos += 8;
    else if (wire === 5) r.pos += 4;
    else if (wire === 2) {
      const len = varint(src, r);
      const stop = r.pos + len;
      if (stop > end) throw new ProtoError('field runs past its message');
      const child = CHILDREN[kind][field];
      if (child) walk(src, r, stop, child, depth + 1, ops);
      else if (kind === 'node' && (field === 1 || field === 2) && len <= 4096) {
        const text = Buffer.from(src.read(r.pos, len)).toString('utf8');
        if (field === 1) nodeName = text;
        else op = text;
      }
      r.pos = stop;
    } else throw new ProtoError(`wire type ${wire}`);
  }
  if (r.pos !== end) throw new ProtoError('message length mismatch');
  if (kind === 'node' && op && UNSAFE_TF_OPS[op] !== undefined) ops.set(op, [...(ops.get(op) ?? []), nodeName]);
}

export function scanSavedModel(src: ByteSource, where: Where, env: ScanEnv): void {
  const ops = new Map<string, string[]>();
  try {
    walk(src, { pos: 0 }, src.size, 'saved', 0, ops);
  } catch (error) {
    if (!(error instanceof ProtoError)) throw error;
    addFinding(env, where, RULE_IDS.malformed, 'high', `The SavedModel protobuf is unreadable (${error.message}); its ops could not be checked`, 'savedmodel unreadable');
    return;
  }
  for (const [op, nodes] of ops) {
    addFinding(
      env,
      where,
      RULE_IDS.tfUnsafeOp,
      'critical',
      `TensorFlow graph op ${op} ${UNSAFE_TF_OPS[op] ?? ''} when the model runs (node ${nodes.slice(0, 3).join(', ')}${nodes.length > 3 ? ` and ${nodes.length - 3} more` : ''})`,
      `tf op ${op}`,
      { op, nodes },
    );
  }
  addFinding(env, where, RULE_IDS.notChecked, 'info', 'TensorFlow SavedModel: graph ops were checked for file and Python access; variables and assets were not read', 'format partly checked: tf-savedmodel');
}
