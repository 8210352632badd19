import { MemorySource, SliceSource, type ByteSource } from './byte-source';
import { readNpyHeader } from './npy-header';
import type { NestedPayload } from './pickle-emulator';
import { scanPickleStream } from './pickle-scan';
import { addFinding as add, limitFinding, type ScanEnv, type Where } from './scan-env';
import { RULE_IDS } from './rules';
import { SNIFF_BYTES, sniffFormat, type ModelFormat } from './sniff-format';
import { readTarMembers } from './tar-reader';
import { hasZipTail, memberHead, openMember, readZipDirectory } from './zip-reader';
import { scanKerasArchive, isKerasArchive } from './keras';
import { scanSafetensors } from './safetensors';
import { scanGguf } from './gguf';
import { scanOnnx } from './onnx';
import { decompressOther } from './decompress';
import { InflateSource } from './inflate-source';
import { scanSavedModel } from './tf-savedmodel';
import { scanKerasH5 } from './keras-h5';

/**
 * Reads one byte source (a file, an archive member, a decompressed stream, a nested payload) the way
 * the loader for its format would, and recurses into what it contains, bounded by depth and time.
 */
export function scanSource(src: ByteSource, where: Where, depth: number, env: ScanEnv): ModelFormat {
  if (depth > env.bounds.maxDepth) {
    limitFinding(env, where, 'depth', `Nesting deeper than ${env.bounds.maxDepth} levels (archives or payloads inside each other)`);
    return 'unknown';
  }
  if (Date.now() > env.deadline) {
    limitFinding(env, where, 'time', 'The time budget for this file ran out');
    return 'unknown';
  }
  const head = src.read(0, SNIFF_BYTES);
  let format = sniffFormat(head, where.name, src.size);
  // A zip with other data in front (a polyglot) is still a zip to Python's zipfile. If the front also
  // reads as a protocol 0/1 pickle, pickle.load would run that: read it both ways.
  if ((format === 'unknown' || (format === 'pickle' && head[0] !== 0x80)) && !where.sniffed && hasZipTail(src)) {
    if (format === 'pickle') scanPickle(src, 0, { ...where, sniffed: true }, depth, env);
    format = 'zip';
  }
  switch (format) {
    case 'pickle':
      scanPickle(src, 0, where, depth, env);
      break;
    case 'zip':
      scanZip(src, where, depth, env);
      break;
    case 'npy': {
      const h = readNpyHeader(src);
      if (!h) {
        if (!where.sniffed) add(env, where, RULE_IDS.malformed, 'high', 'The .npy header is unreadable', 'npy header unreadable');
      } else if (h.hasObjects) {
        // numpy.save writes object arrays as a pickle after the header; np.load(allow_pickle=True) runs it.
        scanPickle(new SliceSource(src, h.dataOffset, src.size - h.dataOffset), 0, { ...where, sniffed: false }, depth, env);
      }
      break;
    }
    case 'gzip':
    case 'zlib':
    case 'joblib-zfile':
      inflateAndScan(src, format, where, depth, env);
      break;
    case 'bz2':
    case 'xz':
    case 'lzma': {
      const out = decompressOther(format, src, env.bounds, env.deadline);
      if (out.ok) {
        env.counters.decompressedBytes += out.data.length;
        scanSource(new MemorySource(out.data), { ...where, nestedChain: [...where.nestedChain, format], name: where.name.replace(/\.(?:bz2|xz|lzma)$/i, '') }, depth + 1, env);
      } else if (out.limit) {
        limitFinding(env, where, 'decompression', `${format} stream ${out.reason}`);
      } else if (!where.sniffed) {
        add(env, where, RULE_IDS.compressionNotChecked, 'high', `Compressed with ${format}: not checked (${out.reason}). A loader that decompresses it (joblib does) unpickles what is inside`, `compressed: ${format}`, { compression: format });
      }
      break;
    }
    case 'tar':
      scanTar(src, where, depth, env);
      break;
    case 'safetensors':
      scanSafetensors(src, where, env);
      break;
    case 'gguf':
      scanGguf(src, where, env);
      break;
    case 'onnx':
      scanOnnx(src, where, env);
      break;
    case 'hdf5':
      scanKerasH5(src, where, env);
      break;
    case 'tf-savedmodel':
      scanSavedModel(src, where, env);
      break;
    case 'unknown':
      break;
  }
  return format;
}

function scanPickle(src: ByteSource, start: number, where: Where, depth: number, env: ScanEnv): void {
  const summary = scanPickleStream(src, start, {
    members: where.members,
    nestedChain: where.nestedChain,
    bounds: env.bounds,
    deadline: env.deadline,
    signal: env.signal,
    extensions: env.extensions,
    joblibArrays: true,
    sniffed: where.sniffed,
    findings: env.findings,
    onNested: (payload: NestedPayload, chain: string[]) => {
      env.counters.nested += 1;
      scanNested(payload, { ...where, nestedChain: chain, sniffed: false }, depth + 1, env);
    },
  });
  env.counters.pickles += summary.pickles;
  env.counters.opcodes += summary.opcodes;
}

function scanNested(payload: NestedPayload, where: Where, depth: number, env: ScanEnv): void {
  if (payload.loader === 'marshal.loads') {
    add(env, where, RULE_IDS.codeObject, 'critical', `marshal.loads turns ${payload.data.size} embedded bytes into a Python code object`, 'marshal code object');
    return;
  }
  const before = env.findings.length;
  // A pickle loader reads protocol 0/1 pickles too, which have no magic bytes to sniff.
  const pickleLoader = /^(?:_?pickle|dill|cloudpickle|joblib)\b|_load_from_bytes$/.test(payload.loader);
  if (pickleLoader && sniffFormat(payload.data.read(0, SNIFF_BYTES), '', payload.data.size) === 'unknown') {
    scanPickle(payload.data, 0, where, depth, env);
    return;
  }
  const format = scanSource(payload.data, where, depth, env);
  if (format === 'unknown' && env.findings.length === before) {
    add(env, where, RULE_IDS.nestedUnreadable, 'high', `${payload.loader} receives ${payload.data.size} embedded bytes in a format the scanner does not read`, 'nested payload unreadable');
  }
}

function inflateAndScan(src: ByteSource, format: 'gzip' | 'zlib' | 'joblib-zfile', where: Where, depth: number, env: ScanEnv): void {
  let compressed = src;
  if (format === 'joblib-zfile') {
    // 'ZF' + the hex length padded to 19 bytes, then a zlib stream.
    const z = src.read(0, 32).indexOf(0x78, 2);
    if (z < 0) {
      if (!where.sniffed) add(env, where, RULE_IDS.malformed, 'high', 'joblib ZF file without a zlib stream', 'joblib zfile malformed');
      return;
    }
    compressed = new SliceSource(src, z, src.size - z);
  }
  const opened = InflateSource.open(compressed, format === 'gzip' ? 'gzip' : 'zlib', env.bounds.maxDecompressedBytes, env.bounds.maxDecompressionRatio, env.deadline);
  if (!opened.ok) {
    if (opened.limit) limitFinding(env, where, 'decompression', `${format} stream ${opened.reason}`);
    else if (!where.sniffed) add(env, where, RULE_IDS.malformed, 'high', `${format} stream is corrupt: ${opened.reason}`, `${format} corrupt`);
    return;
  }
  env.counters.decompressedBytes += opened.source.size;
  const inner = format === 'joblib-zfile' ? 'zlib' : format;
  scanSource(opened.source, { ...where, nestedChain: [...where.nestedChain, inner], name: where.name.replace(/\.(?:gz|z)$/i, '') }, depth + 1, env);
}

const PICKLE_MEMBER = /\.(?:pkl|pickle)$/i;

function scanZip(src: ByteSource, where: Where, depth: number, env: ScanEnv): void {
  const dir = readZipDirectory(src, env.bounds.maxEntries);
  if (dir.entries.length >= env.bounds.maxEntries) limitFinding(env, where, 'entries', `Archive has more than ${env.bounds.maxEntries} entries`);
  if (isKerasArchive(dir.entries)) {
    scanKerasArchive(src, dir, where, env);
  }
  const anomalies = [...dir.anomalies];
  for (const entry of dir.entries) {
    if (entry.name.endsWith('/') && entry.size === 0) continue;
    env.counters.members += 1;
    const byName = PICKLE_MEMBER.test(entry.name);
    const head = memberHead(src, entry, SNIFF_BYTES);
    const fmt = sniffFormat(head, entry.name, entry.size);
    if (fmt === 'unknown' && !byName) continue;
    // Weights and other members are scanned when their bytes say they are something that loads code.
    const data = openMember(src, entry, env.bounds.maxDecompressedBytes, env.bounds.maxDecompressionRatio, byName || fmt === 'pickle', env.deadline);
    const memberWhere: Where = { members: [...where.members, entry.name], nestedChain: where.nestedChain, name: entry.name, sniffed: !byName && fmt !== 'npy' && fmt !== 'zip' };
    if (!data.ok) {
      if (data.limit) limitFinding(env, memberWhere, 'decompression', `Archive member ${entry.name} ${data.reason}`);
      else if (byName) anomalies.push(`entry ${entry.name}: ${data.reason}`);
      continue;
    }
    if (data.crcChecked && !data.crcOk) anomalies.push(`entry ${entry.name}: CRC-32 does not match its data`);
    if (byName && fmt !== 'pickle' && fmt !== 'zip') {
      scanPickle(data.source, 0, memberWhere, depth + 1, env);
    } else {
      scanSource(data.source, memberWhere, depth + 1, env);
    }
  }
  if (anomalies.length > 0) {
    add(env, where, RULE_IDS.archiveTampered, 'high', `The archive has structure no normal writer produces: ${anomalies.slice(0, 5).join('; ')}${anomalies.length > 5 ? `; and ${anomalies.length - 5} more` : ''}`, `zip anomalies: ${[...new Set(anomalies.map((a) => a.replace(/\d+/g, 'N')))].sort().join('; ')}`, { anomalies });
  }
}

function scanTar(src: ByteSource, where: Where, depth: number, env: ScanEnv): void {
  const { members, truncated } = readTarMembers(src, env.bounds.maxEntries);
  if (truncated) limitFinding(env, where, 'entries', `Archive has more than ${env.bounds.maxEntries} entries`);
  for (const m of members) {
    env.counters.members += 1;
    const member = new SliceSource(src, m.offset, m.size);
    // PyTorch's legacy tar layout: these members are pickles (storages/tensors interleave raw data).
    const legacy = /^(?:.*\/)?(?:pickle|sys_info|storages|tensors)$/.test(m.name);
    const memberWhere: Where = { members: [...where.members, m.name], nestedChain: where.nestedChain, name: m.name, sniffed: !legacy && !PICKLE_MEMBER.test(m.name) };
    if (legacy || PICKLE_MEMBER.test(m.name)) scanPickle(member, 0, memberWhere, depth + 1, env);
    else scanSource(member, memberWhere, depth + 1, env);
  }
}
