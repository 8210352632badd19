import type { ByteSource } from './byte-source';

export interface NpyHeader {
  /** Offset of the array data (or of the pickle, for object arrays). */
  dataOffset: number;
  descr: string;
  /** numpy.save pickles object arrays after the header (np.load needs allow_pickle=True). */
  hasObjects: boolean;
}

/** Parses an .npy header (format versions 1 to 3); undefined when it is not one. */
export function readNpyHeader(src: ByteSource): NpyHeader | undefined {
  const pre = src.read(0, 12);
  if (pre.length < 10 || pre[0] !== 0x93) return undefined;
  const major = pre[6] ?? 0;
  const lenBytes = major >= 2 ? 4 : 2;
  const hlen = lenBytes === 2 ? (pre[8] ?? 0) | ((pre[9] ?? 0) << 8) : ((pre[8] ?? 0) | ((pre[9] ?? 0) << 8) | ((pre[10] ?? 0) << 16)) + (pre[11] ?? 0) * 0x1000000;
  if (hlen > 1 << 20) return undefined;
  const start = 8 + lenBytes;
  const text = Buffer.from(src.read(start, hlen)).toString(major >= 3 ? 'utf8' : 'latin1');
  const m = /['"]descr['"]\s*:\s*(.*?)\s*,\s*['"]fortran_order['"]/s.exec(text);
  const descr = m?.[1] ?? '';
  // Object fields appear as 'O' type codes, alone or inside a structured descr.
  const hasObjects = /['"][|<>=]?O\d*['"]/.test(descr);
  return { dataOffset: start + hlen, descr, hasObjects };
}
