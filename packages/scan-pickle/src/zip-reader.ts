import { constants, crc32, inflateRawSync } from 'node:zlib';
import { SliceSource, type ByteSource } from './byte-source';
import { InflateSource } from './inflate-source';

/**
 * A tolerant zip reader, written for scanning rather than extracting: it reads the central directory and
 * every local header itself and reports what a strict reader would reject (bad CRC, local name differing
 * from the central directory, duplicate names, the encryption flag, entries outside the file) instead of
 * failing, because torch.load ignores all of these and scanners that fail on them are how payloads hide.
 * fflate and yauzl stop at the first such problem, hence this file. Members inflate through fflate's
 * streaming decoder (inflate-source.ts), bounded; node:zlib only sniffs a member's first bytes.
 */

export interface ZipEntry {
  /** Name from the central directory (what torch's reader looks up). */
  name: string;
  /** Name from the local header, when it differs. */
  localName?: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** Offset of the member's data (after the local header), when the local header was readable. */
  dataOffset?: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  /** Structure problems found while reading, each one line. */
  anomalies: string[];
  /** True when the central directory was missing and entries came from walking local headers. */
  recovered: boolean;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CDH = 0x02014b50;
const LFH = 0x04034b50;

function u16(b: Uint8Array, o: number): number {
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
}
function u32(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16)) + (b[o + 3] ?? 0) * 0x1000000;
}
function u64(b: Uint8Array, o: number): number {
  return u32(b, o) + u32(b, o + 4) * 0x100000000;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** An end-of-central-directory record near the end: a zip, whatever precedes it. */
export function hasZipTail(src: ByteSource): boolean {
  if (src.size < 22) return false;
  const tailLen = Math.min(src.size, 65_557);
  const tail = src.read(src.size - tailLen, tailLen);
  for (let i = tail.length - 22; i >= 0; i--) if (u32(tail, i) === EOCD) return true;
  return false;
}

export function readZipDirectory(src: ByteSource, maxEntries: number): ZipDirectory {
  const anomalies: string[] = [];
  const tailLen = Math.min(src.size, 65_557);
  const tail = src.read(src.size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    anomalies.push('no end-of-central-directory record: entries recovered from local headers');
    return { entries: walkLocalHeaders(src, maxEntries, anomalies), anomalies, recovered: true };
  }
  let count = u16(tail, eocd + 10);
  let cdSize = u32(tail, eocd + 12);
  let cdOffset = u32(tail, eocd + 16);
  const eocdAbs = src.size - tailLen + eocd;
  if (eocd >= 20 && u32(tail, eocd - 20) === ZIP64_LOCATOR) {
    const z64 = u64(tail, eocd - 20 + 8);
    const rec = src.read(z64, 56);
    if (u32(rec, 0) === ZIP64_EOCD) {
      count = u64(rec, 32);
      cdSize = u64(rec, 40);
      cdOffset = u64(rec, 48);
    } else anomalies.push('zip64 locator points at no zip64 record');
  }
  if (cdOffset + cdSize > src.size) {
    anomalies.push('central directory lies outside the file: entries recovered from local headers');
    return { entries: walkLocalHeaders(src, maxEntries, anomalies), anomalies, recovered: true };
  }
  // With data prepended, the directory sits `prepended` bytes after where the record says.
  const shift = eocdAbs - cdSize - cdOffset > 0 && u32(src.read(cdOffset, 4), 0) !== CDH ? eocdAbs - cdSize - cdOffset : 0;
  const cd = src.read(cdOffset + shift, Math.min(cdSize, Math.max(0, eocdAbs - cdOffset - shift)));
  const entries: ZipEntry[] = [];
  let p = 0;
  while (p + 46 <= cd.length && u32(cd, p) === CDH) {
    if (entries.length >= maxEntries) {
      anomalies.push(`more than ${maxEntries} entries: the rest were not read`);
      break;
    }
    const flags = u16(cd, p + 8);
    const method = u16(cd, p + 10);
    const crc = u32(cd, p + 16);
    let compressedSize = u32(cd, p + 20);
    let size = u32(cd, p + 24);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    let localHeaderOffset = u32(cd, p + 42);
    const name = utf8.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field: the 0xFFFFFFFF fields, in order.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = u16(cd, e);
      const len = u16(cd, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = u64(cd, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(cd, q);
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(cd, q);
      }
      e += 4 + len;
    }
    entries.push({ name, method, flags, crc, compressedSize, size, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  if (entries.length < count && entries.length < maxEntries) anomalies.push(`central directory announces ${count} entries but holds ${entries.length}`);
  // Bytes prepended to the archive (a "polyglot" file) shift every offset; Python's zipfile corrects for
  // it the same way, from where the central directory really is.
  const prepended = eocdAbs - cdSize - cdOffset;
  if (prepended > 0 && entries.length > 0) {
    const first = entries[0];
    if (first && u32(src.read(first.localHeaderOffset, 4), 0) !== LFH && u32(src.read(first.localHeaderOffset + prepended, 4), 0) === LFH) {
      anomalies.push(`${prepended} bytes of other data precede the archive`);
      for (const e of entries) e.localHeaderOffset += prepended;
    }
  }
  for (const entry of entries) readLocalHeader(src, entry, anomalies);
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.name)) anomalies.push(`duplicate entry ${entry.name}: loaders read the last one`);
    seen.add(entry.name);
    if (entry.flags & 1) anomalies.push(`entry ${entry.name} has the encryption flag set`);
  }
  return { entries, anomalies, recovered: false };
}

function readLocalHeader(src: ByteSource, entry: ZipEntry, anomalies: string[]): void {
  const h = src.read(entry.localHeaderOffset, 30);
  if (h.length < 30 || u32(h, 0) !== LFH) {
    anomalies.push(`entry ${entry.name}: no local header at offset ${entry.localHeaderOffset}`);
    return;
  }
  const nameLen = u16(h, 26);
  const extraLen = u16(h, 28);
  const localName = utf8.decode(src.read(entry.localHeaderOffset + 30, nameLen));
  if (localName !== entry.name) {
    entry.localName = localName;
    anomalies.push(`entry ${entry.name}: local header names it ${JSON.stringify(localName)}`);
  }
  entry.dataOffset = entry.localHeaderOffset + 30 + nameLen + extraLen;
  if (entry.dataOffset + entry.compressedSize > src.size) anomalies.push(`entry ${entry.name} runs past the end of the file`);
}

/** Without a usable central directory: walk local headers from the start, as streaming readers do. */
function walkLocalHeaders(src: ByteSource, maxEntries: number, anomalies: string[]): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let off = 0;
  while (off + 30 <= src.size && entries.length < maxEntries) {
    const h = src.read(off, 30);
    if (u32(h, 0) !== LFH) break;
    const flags = u16(h, 6);
    const method = u16(h, 8);
    const crc = u32(h, 14);
    const compressedSize = u32(h, 18);
    const size = u32(h, 22);
    const nameLen = u16(h, 26);
    const extraLen = u16(h, 28);
    const name = utf8.decode(src.read(off + 30, nameLen));
    const dataOffset = off + 30 + nameLen + extraLen;
    if (flags & 8) {
      anomalies.push(`entry ${name} uses a data descriptor and no central directory gives its size: not read`);
      break;
    }
    entries.push({ name, method, flags, crc, compressedSize, size, localHeaderOffset: off, dataOffset });
    off = dataOffset + compressedSize;
  }
  return entries;
}

export type MemberData =
  | { ok: true; source: ByteSource; crcChecked: boolean; crcOk: boolean }
  | { ok: false; reason: string; limit: boolean };

/**
 * The member's uncompressed bytes. Stored members stay a window over the file (no copy); deflated ones are
 * inflated in memory under `maxBytes` and `maxRatio`.
 */
export function openMember(src: ByteSource, entry: ZipEntry, maxBytes: number, maxRatio: number, verifyCrc: boolean, deadline = Number.POSITIVE_INFINITY): MemberData {
  if (entry.dataOffset === undefined) return { ok: false, reason: 'local header unreadable', limit: false };
  const raw = new SliceSource(src, entry.dataOffset, entry.compressedSize);
  if (entry.method === 0) {
    if (!verifyCrc || entry.compressedSize > 1 << 30) return { ok: true, source: raw, crcChecked: false, crcOk: true };
    let crc = 0;
    for (let off = 0; off < raw.size; off += 1 << 24) crc = crc32(raw.read(off, 1 << 24), crc);
    return { ok: true, source: raw, crcChecked: true, crcOk: crc >>> 0 === entry.crc };
  }
  if (entry.method === 8) {
    // Inflated on demand (a stream, not a buffer), after a first pass that checks size, ratio and CRC.
    const opened = InflateSource.open(raw, 'deflate-raw', maxBytes, maxRatio, deadline);
    if (!opened.ok) return { ok: false, reason: opened.reason, limit: opened.limit };
    return { ok: true, source: opened.source, crcChecked: true, crcOk: opened.crc === entry.crc };
  }
  return { ok: false, reason: `compression method ${entry.method} is not supported`, limit: false };
}

/** First bytes of a member, for sniffing its format without reading it all. */
export function memberHead(src: ByteSource, entry: ZipEntry, n: number): Uint8Array {
  if (entry.dataOffset === undefined) return new Uint8Array(0);
  if (entry.method === 0) return src.read(entry.dataOffset, Math.min(n, entry.compressedSize));
  if (entry.method === 8) {
    try {
      const raw = src.read(entry.dataOffset, Math.min(entry.compressedSize, 64 * 1024));
      return inflateRawSync(raw, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 1 << 20 }).subarray(0, n);
    } catch {
      return new Uint8Array(0);
    }
  }
  return new Uint8Array(0);
}
