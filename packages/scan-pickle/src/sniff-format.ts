/**
 * Decides a file's format from its first bytes, as the loaders do; the name only breaks ties where the
 * bytes cannot (protocol 0/1 pickles have no magic, ONNX is bare protobuf).
 */
export type ModelFormat =
  | 'pickle'
  | 'zip'
  | 'npy'
  | 'gzip'
  | 'zlib'
  | 'joblib-zfile'
  | 'bz2'
  | 'xz'
  | 'lzma'
  | 'tar'
  | 'safetensors'
  | 'gguf'
  | 'hdf5'
  | 'onnx'
  | 'tf-savedmodel'
  | 'unknown';

/** Bytes needed by `sniffFormat`. */
export const SNIFF_BYTES = 512;

const PICKLE_EXT = /\.(?:pkl|pickle|pk|p|pt|pth|bin|ckpt|joblib|jbl|dill|sav|model|mdl|data|dat)$/i;

/** First opcodes a protocol 0/1 pickle plausibly starts with (a value, a MARK or a GLOBAL). */
const PROTO01_START = new Set('(c]})NILSVFKJMXUTGldti'.split('').map((c) => c.charCodeAt(0)));

function u32le(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16)) + (b[o + 3] ?? 0) * 0x1000000;
}

export function sniffFormat(head: Uint8Array, name: string, fileSize: number): ModelFormat {
  const b0 = head[0] ?? -1;
  const b1 = head[1] ?? -1;
  if (b0 === 0x80 && b1 >= 0 && b1 <= 5) return 'pickle';
  if (b0 === 0x50 && b1 === 0x4b && head[2] === 3 && head[3] === 4) return 'zip';
  if (b0 === 0x50 && b1 === 0x4b && head[2] === 5 && head[3] === 6) return 'zip';
  if (b0 === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY') return 'npy';
  if (b0 === 0x1f && b1 === 0x8b) return 'gzip';
  if (b0 === 0x78 && (b0 * 256 + b1) % 31 === 0) return 'zlib';
  if (b0 === 0x5a && b1 === 0x46) return 'joblib-zfile'; // 'ZF': joblib < 0.10 zlib files
  if (b0 === 0x42 && b1 === 0x5a && head[2] === 0x68) return 'bz2';
  if (b0 === 0xfd && String.fromCharCode(...head.subarray(1, 6)) === '7zXZ\0') return 'xz';
  if (b0 === 0x5d && b1 === 0x00 && head[2] === 0x00) return 'lzma';
  if (String.fromCharCode(...head.subarray(0, 4)) === 'GGUF') return 'gguf';
  if (b0 === 0x89 && String.fromCharCode(...head.subarray(1, 4)) === 'HDF') return 'hdf5';
  if (head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar') return 'tar';
  if (head.length >= 9) {
    const n = u32le(head, 0) + u32le(head, 4) * 0x100000000;
    if (n > 1 && n + 8 <= fileSize && head[8] === 0x7b) return 'safetensors';
  }
  const lower = name.toLowerCase();
  if (lower.endsWith('.onnx')) return 'onnx';
  if (/(?:^|\/)saved_model\.pbt?x?t?$/.test(lower)) return 'tf-savedmodel';
  if (PROTO01_START.has(b0) && (PICKLE_EXT.test(lower) || lower.endsWith('data.pkl'))) return 'pickle';
  return 'unknown';
}

/** Names the directory walker always opens, whatever their first bytes say. */
export const MODEL_EXTENSIONS = /\.(?:pkl|pickle|pk|pt|pth|bin|ckpt|joblib|jbl|dill|sav|npy|npz|keras|h5|hdf5|safetensors|gguf|onnx|pb|model|mdl|nemo|tar)$/i;

/** A compressed file the walker opens: its name says a model is inside (`model.pkl.gz`, `clf.joblib.xz`). */
export const COMPRESSED_MODEL_NAME = /\.(?:pkl|pickle|pk|pt|pth|bin|joblib|jbl|dill|sav|npy|model)\.(?:gz|z|bz2|xz|lzma)$/i;

/**
 * Formats the walker opens on magic bytes alone, whatever the name. Compressed streams, tar and HDF5 are
 * left out (datasets use them): those are opened by name.
 */
export const WALK_BY_MAGIC: ReadonlySet<ModelFormat> = new Set(['pickle', 'zip', 'npy', 'gguf', 'safetensors']);
