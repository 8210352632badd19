import { posix, win32 } from 'node:path';
import type { ByteSource } from './byte-source';
import { RULE_IDS } from './rules';
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

class ProtoError extends Error {}

interface Reader {
  src: ByteSource;
  pos: number;
}

function varint(r: Reader): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const b = r.src.read(r.pos, 1)[0];
    if (b === undefined) throw new ProtoError('truncated varint');
    r.pos += 1;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return result;
    mul *= 128;
  }
  throw new ProtoError('varint too long');
}

function walk(r: Reader, end: number, kind: Kind, depth: number, out: { name: string; location: string }[]): void {
  if (depth > 64) throw new ProtoError('nesting too deep');
  const kids = CHILDREN[kind];
  let name = '';
  while (r.pos < end) {
    const key = varint(r);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) varint(r);
    else if (wire === 1) r.pos += 8;
    else if (wire === 5) r.pos += 4;
    else if (wire === 2) {
      const len = varint(r);
      const stop = r.pos + len;
      if (stop > end) throw new ProtoError('field runs past its message');
      const child = kids[field];
      if (child) walk(r, stop, child, depth + 1, out);
      else if (kind === 'tensor' && field === TENSOR_NAME) name = Buffer.from(r.src.read(r.pos, Math.min(len, 4096))).toString('utf8');
      else if (kind === 'tensor' && field === TENSOR_EXTERNAL_DATA) {
        const entry = readEntry(r, stop);
        if (entry.key === 'location') out.push({ name, location: entry.value });
      }
      r.pos = stop;
    } else throw new ProtoError(`wire type ${wire}`);
  }
  if (r.pos !== end) throw new ProtoError('message length mismatch');
}

function readEntry(r: Reader, end: number): { key: string; value: string } {
  let key = '';
  let value = '';
  while (r.pos < end) {
    const tag = varint(r);
    if ((tag & 7) !== 2) throw new ProtoError('bad external_data entry');
    const len = varint(r);
    const text = Buffer.from(r.src.read(r.pos, Math.min(len, 4096))).toString('utf8');
    if (tag >> 3 === 1) key = text;
    else if (tag >> 3 === 2) value = text;
    r.pos += len;
  }
  return { key, value };
}

export function escapesModelDir(location: string): boolean {
  if (location === '' || posix.isAbsolute(location) || win32.isAbsolute(location) || /^[a-zA-Z]:/.test(location)) return true;
  return location.split(/[\\/]+/).includes('..');
}

export function scanOnnx(src: ByteSource, where: Where, env: ScanEnv): void {
  const found: { name: string; location: string }[] = [];
  try {
    walk({ src, pos: 0 }, src.size, 'model', 0, found);
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
