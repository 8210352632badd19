import type { ByteSource } from './byte-source';
import { RULE_IDS } from './rules';
import { ProtoError, ProtoReader } from './protobuf-reader';
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

function walk(r: ProtoReader, end: number, kind: Kind, depth: number, ops: Map<string, string[]>): void {
  if (depth > 32) throw new ProtoError('nesting too deep');
  let nodeName = '';
  let op = '';
  r.fields(end, (field, len, stop) => {
    const child = CHILDREN[kind][field];
    if (child) walk(r, stop, child, depth + 1, ops);
    else if (kind === 'node' && field === 1) nodeName = r.text(len);
    else if (kind === 'node' && field === 2) op = r.text(len);
  });
  if (kind === 'node' && op && UNSAFE_TF_OPS[op] !== undefined) ops.set(op, [...(ops.get(op) ?? []), nodeName]);
}

export function scanSavedModel(src: ByteSource, where: Where, env: ScanEnv): void {
  const ops = new Map<string, string[]>();
  try {
    walk(new ProtoReader(src), src.size, 'saved', 0, ops);
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
