import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
import { UserError, type Limits } from '@aisec/core';

/** One member of a zip, from the central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;
/** An OSV record is a few KiB; the largest real ones (TensorFlow's) are under 100 KiB. */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

/**
 * A minimal zip reader for OSV exports: reads the central directory, then single members by positional
 * reads, so a 22 MB export is never held whole and only the members asked for are inflated. Stored and
 * deflated members only (what zip tools and osv.dev write); ZIP64 is refused with a clear message.
 * Every declared size is checked against the limits before inflating, and the CRC after.
 */
export class ZipArchive {
  readonly entries: ZipEntry[];
  private decompressed = 0;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    readonly size: number,
    entries: ZipEntry[],
    private readonly limits: Limits,
  ) {
    this.entries = entries;
  }

  static open(path: string, limits: Limits): ZipArchive {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      throw new UserError(`cannot open ${path}: ${error instanceof Error ? error.message : String(error)}`, {
        file: path,
        hint: 'Check the --offline-db path',
        cause: error,
      });
    }
    try {
      const size = fstatSync(fd).size;
      if (size > limits.maxFileBytes) {
        throw corrupt(path, `is ${size} bytes, above the ${limits.maxFileBytes}-byte limit`);
      }
      const entries = readCentralDirectory(path, fd, size, limits);
      return new ZipArchive(path, fd, size, entries, limits);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** The member's bytes, inflated and CRC-checked. */
  read(entry: ZipEntry): Buffer {
    const header = readAt(this.fd, entry.localHeaderOffset, 30);
    if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_SIGNATURE) {
      throw corrupt(this.path, `has a broken local header for ${entry.name}`);
    }
    const dataStart = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    if (dataStart + entry.compressedSize > this.size) throw corrupt(this.path, `is truncated inside ${entry.name}`);
    const raw = readAt(this.fd, dataStart, entry.compressedSize);
    let data: Buffer;
    if (entry.method === 0) {
      data = raw;
    } else {
      try {
        // One byte of slack so that a member inflating past its declared size is caught, not truncated.
        data = inflateRawSync(raw, { maxOutputLength: entry.uncompressedSize + 1 });
      } catch (error) {
        throw corrupt(this.path, `cannot inflate ${entry.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (data.length !== entry.uncompressedSize) throw corrupt(this.path, `has ${entry.name} at a size other than declared`);
    if (crc32(data) >>> 0 !== entry.crc32) throw corrupt(this.path, `fails the CRC check of ${entry.name}`);
    this.decompressed += data.length;
    if (this.decompressed > this.limits.maxDecompressedBytes) {
      throw corrupt(this.path, `inflates past the ${this.limits.maxDecompressedBytes}-byte decompression limit`);
    }
    return data;
  }

  close(): void {
    closeSync(this.fd);
  }
}

function corrupt(path: string, problem: string): UserError {
  return new UserError(`${path} ${problem}`, {
    file: path,
    hint: "It is not a readable OSV export: download the ecosystem's all.zip again (https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip)",
  });
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

function readCentralDirectory(path: string, fd: number, size: number, limits: Limits): ZipEntry[] {
  if (size < EOCD_MIN) throw corrupt(path, 'is too small to be a zip');
  const tailLength = Math.min(size, EOCD_MIN + MAX_COMMENT);
  const tail = readAt(fd, size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - EOCD_MIN; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt(path, 'is not a zip (no end-of-central-directory record)');
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw corrupt(path, 'is a ZIP64 archive, which this reader does not support');
  }
  if (count > limits.maxEntries) throw corrupt(path, `has ${count} members, above the ${limits.maxEntries}-member limit`);
  if (cdOffset + cdSize > size) throw corrupt(path, 'has a central directory past its end (truncated download?)');
  const cd = readAt(fd, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw corrupt(path, 'has a broken central directory');
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    const entry: ZipEntry = {
      name: cd.toString('utf8', p + 46, p + 46 + nameLength),
      method,
      crc32: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      uncompressedSize: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
    };
    p += 46 + nameLength + extraLength + commentLength;
    if (flags & 0x1) throw corrupt(path, `has an encrypted member ${entry.name}`);
    if (method !== 0 && method !== 8) throw corrupt(path, `uses compression method ${method} for ${entry.name} (only stored and deflate are read)`);
    if (entry.uncompressedSize > MAX_ENTRY_BYTES) throw corrupt(path, `declares ${entry.name} at ${entry.uncompressedSize} bytes, too large for an advisory`);
    if (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > limits.maxDecompressionRatio) {
      throw corrupt(path, `has ${entry.name} with a decompression ratio above ${limits.maxDecompressionRatio} (a zip bomb?)`);
    }
    entries.push(entry);
  }
  return entries;
}
