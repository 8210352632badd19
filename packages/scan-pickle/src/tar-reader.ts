import type { ByteSource } from './byte-source';

export interface TarMember {
  name: string;
  offset: number;
  size: number;
}

function field(b: Uint8Array, o: number, n: number): string {
  const s = b.subarray(o, o + n);
  const end = s.indexOf(0);
  return Buffer.from(end < 0 ? s : s.subarray(0, end)).toString('utf8');
}

/**
 * Regular-file members of a ustar/GNU tar (PyTorch's legacy tar layout: sys_info, pickle, storages,
 * tensors). Stops at the end marker, a bad header, or `maxEntries`.
 */
export function readTarMembers(src: ByteSource, maxEntries: number): { members: TarMember[]; truncated: boolean } {
  const members: TarMember[] = [];
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= src.size) {
    if (members.length >= maxEntries) return { members, truncated: true };
    const h = src.read(off, 512);
    if (h.every((x) => x === 0)) break;
    const size = Number.parseInt(field(h, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) break;
    const type = String.fromCharCode(h[156] ?? 0);
    const prefix = field(h, 257, 6).startsWith('ustar') ? field(h, 345, 155) : '';
    let name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    longName = undefined;
    const dataOff = off + 512;
    if (type === 'L') {
      longName = Buffer.from(src.read(dataOff, size)).toString('utf8').replace(/\0+$/, '');
    } else if (type === '0' || type === '\0' || type === '7') {
      name = name.replace(/^\.\//, '');
      members.push({ name, offset: dataOff, size });
    }
    off = dataOff + Math.ceil(size / 512) * 512;
  }
  return { members, truncated: false };
}
