import { posix, win32 } from 'node:path';
import type { ByteSource } from './byte-source';
import { RULE_IDS } from './rules';
import { ProtoError, ProtoReader } from './protobuf-reader';
import { addFinding, type ScanEnv, type Where } from './scan-env';

/**
 * ONNX external data: a TensorProto whose data_location is EXTERNAL names its file in `external_data`
 * (key "location"). The runtime joins it to the model's directory; an absolute path or `..` reads any
 * file on the machine. This walks the protobuf just far enough to find those entries, in the graph,
 * node attributes and subgraphs, skipping raw tensor bytes without reading them.
 */

// Field numbers from onnx.proto3.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_SPARSE_INITIALIZER = 15;
const NODE_ATTRIBUTE = 5;
const ATTR_T = 5;
const ATTR_G = 6;
const ATTR_TENSORS = 10;
const ATTR_GRAPHS = 11;
const ATTR_SPARSE_TENSOR = 22;
const ATTR_SPARSE_TENSORS = 23;
const SPARSE_VALUES = 1;
const SPARSE_INDICES = 2;
const TENSOR_NAME = 8;
const TENSOR_EXTERNAL_DATA = 13;

type Kind = 'model' | 'graph' | 'node' | 'attr' | 'tensor' | 'sparse';

const CHILDREN: Record<Kind, Record<number, Kind>> = {
  model: { [MODEL_GRAPH]: 'graph' },
  graph: { [GRAPH_NODE]: 'node', [GRAPH_INITIALIZER]: 'tensor', [GRAPH_SPARSE_INITIALIZER]: 'sparse' },
  node: { [NODE_ATTRIBUTE]: 'attr' },
  attr: { [ATTR_T]: 'tensor', [ATTR_G]: 'graph', [ATTR_TENSORS]: 'tensor', [ATTR_GRAPHS]: 'graph', [ATTR_SPARSE_TENSOR]: 'sparse', [ATTR_SPARSE_TENSORS]: 'sparse' },
  tensor: {},
  sparse: { [SPARSE_VALUES]: 'tensor', [SPARSE_INDICES]: 'tensor' },
};

function walk(r: ProtoReader, end: number, kind: Kind, depth: number, out: { name: string; location: string }[]): void {
  if (depth > 64) throw new ProtoError('nesting too deep');
  const kids = CHILDREN[kind];
  let name = '';
  r.fields(end, (field, len, stop) => {
    const child = kids[field];
    if (child) walk(r, stop, child, depth + 1, out);
    else if (kind === 'tensor' && field === TENSOR_NAME) name = r.text(len);
    else if (kind === 'tensor' && field === TENSOR_EXTERNAL_DATA) {
      let key = '';
      let value = '';
      r.fields(stop, (f, l) => {
        if (f === 1) key = r.text(l);
        else if (f === 2) value = r.text(l);
      });
      if (key === 'location') out.push({ name, location: value });
    }
  });
}

export function escapesModelDir(location: string): boolean {
  if (location === '' || posix.isAbsolute(location) || win32.isAbsolute(location) || /^[a-zA-Z]:/.test(location)) return true;
  return location.split(/[\\/]+/).includes('..');
}

export function scanOnnx(src: ByteSource, where: Where, env: ScanEnv): void {
  const found: { name: string; location: string }[] = [];
  try {
    walk(new ProtoReader(src), src.size, 'model', 0, found);
  } catch (error) {
    if (!(error instanceof ProtoError)) throw error;
    if (!where.sniffed) addFinding(env, where, RULE_IDS.malformed, 'high', `The ONNX protobuf is unreadable (${error.message}); external-data paths could not be checked`, 'onnx unreadable');
    return;
  }
  for (const f of found) {
    if (escapesModelDir(f.location)) {
      addFinding(env, where, RULE_IDS.onnxExternalData, 'high', `ONNX tensor ${f.name || '(unnamed)'} reads its data from ${JSON.stringify(f.location)}, outside the model directory`, `onnx external data ${f.location}`, { tensor: f.name, location: f.location });
    }
  }
}
