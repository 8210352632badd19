import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { crc32, inflateRawSync } from 'node:zlib';
import { UserError, type Limits } from '@aisec/core';
import { describeFailure, startInflateHelper, type InflatedBatch, type InflateHelper } from './inflate-helper';

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
/** The largest output chunk asked of zlib at once (larger members are inflated in several). */
const MAX_CHUNK_BYTES = 1024 * 1024;
/** How much of the zip `readInOrder` holds at a time. */
const WINDOW_BYTES = 1024 * 1024;
/**
 * Below this many members a helper thread costs more than it saves: starting one takes ~30 ms, about what
 * inflating 2,000 advisories takes.
 */
const PARALLEL_MIN_MEMBERS = 4000;
/** Members per unit of work shared with the helper (a few ms of inflating: small enough to balance the end). */
const HELPER_BATCH_MEMBERS = 128;
/** How long `readInParallel` waits for a helper that delivers nothing before inflating its share itself. */
const HELPER_WAIT_MS = 10_000;

type Batch = { member: number; entry: ZipEntry }[];

/** A parallel read whose helper is already starting (see `ZipArchive.prepareParallelRead`). */
export interface ParallelRead {
  run(visit: (member: number, data: Buffer) => void): Promise<void>;
  cancel(): void;
}

export interface ParallelReadOptions {
  /** Use a helper thread (default: for 4,000 members and more, when more than one core is available). */
  helper?: boolean;
  /** Leave all inflating to the helper (tests: makes its path certain to be taken). */
  helperOnly?: boolean;
  /** How long to wait for a silent helper before inflating its share here. */
  helperWaitMs?: number;
}

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
    return this.decode(entry, readAt(this.fd, dataStart, entry.compressedSize));
  }

  /**
   * Every member of `members` (indexes into `entries`), inflated and CRC-checked, handed to `visit` in file
   * order. The file is read sequentially through one window of WINDOW_BYTES rather than with two positional
   * reads per member: indexing a 17,000-member export with per-member reads spent more time in `read(2)`
   * than in inflating. `visit` may keep the buffer it is given.
   */
  readInOrder(members: readonly number[], visit: (member: number, data: Buffer) => void): void {
    const read = this.windowedReader();
    for (const { member, entry } of this.ordered(members)) visit(member, read(entry));
  }

  /**
   * The same members as `readInOrder`, in no particular order, with a helper thread inflating part of them
   * while this one handles the rest and visits all (see inflate-helper.ts). Worth it for a whole export
   * (17,000 members); small sets, or a single core, are read in order on this thread. `visit` is handed a
   * view that is valid only during the call: it copies what it keeps.
   */
  async readInParallel(members: readonly number[], visit: (member: number, data: Buffer) => void, options: ParallelReadOptions = {}): Promise<void> {
    return this.prepareParallelRead(members, options).run(visit);
  }

  /**
   * `readInParallel` in two steps: the helper thread (when one is used) starts now, and the reading when
   * `run` is called, so that the ~30 ms the helper takes to start overlap other work (hashing the zip).
   * `cancel` stops a helper that will not be needed (the index was cached).
   */
  prepareParallelRead(members: readonly number[], options: ParallelReadOptions = {}): ParallelRead {
    const ordered = this.ordered(members);
    const helped = options.helper ?? (ordered.length >= PARALLEL_MIN_MEMBERS && availableParallelism() > 1);
    const batches: Batch[] = [];
    if (helped) for (let i = 0; i < ordered.length; i += HELPER_BATCH_MEMBERS) batches.push(ordered.slice(i, i + HELPER_BATCH_MEMBERS));
    let helper: InflateHelper | undefined;
    try {
      if (helped) helper = startInflateHelper(this.path, batches.map((batch) => batch.map(({ entry }) => entry)), options.helperOnly === true);
    } catch {
      helper = undefined; // no thread to be had (resource limits): this thread reads everything
    }
    return {
      run: (visit) => this.runParallelRead(ordered, batches, helper, visit, options.helperWaitMs ?? HELPER_WAIT_MS),
      cancel: () => helper?.stop(),
    };
  }

  private async runParallelRead(
    ordered: Batch,
    batches: Batch[],
    helper: InflateHelper | undefined,
    visit: (member: number, data: Buffer) => void,
    helperWaitMs: number,
  ): Promise<void> {
    try {
      let declared = 0;
      for (const { entry } of ordered) declared += entry.uncompressedSize;
      // Sizes are checked exactly, so the declared total is what inflating everything would spend.
      if (this.decompressed + declared > this.limits.maxDecompressedBytes) {
        throw corrupt(this.path, `inflates past the ${this.limits.maxDecompressedBytes}-byte decompression limit`);
      }
      const read = this.windowedReader();
      if (!helper) {
        for (const { member, entry } of ordered) visit(member, read(entry));
        return;
      }
      const visitBatch = (batch: Batch, inflated: InflatedBatch): void => {
        if (inflated.failure) {
          const entry = batch[inflated.failure.index]?.entry;
          throw corrupt(this.path, describeFailure(inflated.failure, entry?.name ?? '?'));
        }
        let offset = 0;
        for (const { member, entry } of batch) {
          const data = Buffer.from(inflated.bytes, offset, entry.uncompressedSize);
          offset += entry.uncompressedSize;
          this.count(data.length);
          visit(member, data);
        }
      };
      for (let b = helper.claim(); b < batches.length; b = helper.claim()) {
        for (const { member, entry } of batches[b] ?? []) visit(member, read(entry));
        for (let done = helper.received(); done; done = helper.received()) visitBatch(batches[done.batch] ?? [], done);
      }
      // What is left is the helper's: wait for it, and inflate here whatever it could not deliver.
      for await (const done of helper.remaining(helperWaitMs)) {
        if ('batch' in done) visitBatch(batches[done.batch] ?? [], done);
        else for (const { member, entry } of batches[done.undelivered] ?? []) visit(member, read(entry));
      }
    } finally {
      helper?.stop();
    }
  }

  private ordered(members: readonly number[]): Batch {
    return members
      .map((member) => {
        const entry = this.entries[member];
        if (!entry) throw new Error(`member ${member} out of range`);
        return { member, entry };
      })
      .sort((a, b) => a.entry.localHeaderOffset - b.entry.localHeaderOffset);
  }

  /** A reader of members in increasing file order through one window of WINDOW_BYTES (see `readInOrder`). */
  private windowedReader(): (entry: ZipEntry) => Buffer {
    const window = Buffer.allocUnsafe(Math.min(WINDOW_BYTES, this.size));
    let windowStart = 0;
    let windowEnd = 0;
    /** The bytes [start, end) of the file from the window, refilling it from `start` when they are not there. */
    const bytes = (start: number, end: number): Buffer => {
      if (end > this.size) return Buffer.alloc(0);
      if (start < windowStart || end > windowEnd) {
        if (end - start > window.length) return readAt(this.fd, start, end - start);
        const length = Math.min(window.length, this.size - start);
        const filled = readInto(this.fd, window, start, length);
        windowStart = start;
        windowEnd = start + filled;
        if (end > windowEnd) return Buffer.alloc(0);
      }
      return window.subarray(start - windowStart, end - windowStart);
    };
    return (entry) => {
      const header = bytes(entry.localHeaderOffset, entry.localHeaderOffset + 30);
      if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_SIGNATURE) {
        throw corrupt(this.path, `has a broken local header for ${entry.name}`);
      }
      const dataStart = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      if (dataStart + entry.compressedSize > this.size) throw corrupt(this.path, `is truncated inside ${entry.name}`);
      const raw = bytes(dataStart, dataStart + entry.compressedSize);
      // A stored member would be a view of the window, which the next refill overwrites: copy it.
      return this.decode(entry, entry.method === 0 ? Buffer.from(raw) : raw);
    };
  }

  /** Inflates (or takes as stored) one member's raw bytes and checks its size, CRC and the decompression budget. */
  private decode(entry: ZipEntry, raw: Buffer): Buffer {
    let data: Buffer;
    if (entry.method === 0) {
      data = raw;
    } else {
      try {
        // One byte of slack so that a member inflating past its declared size is caught, not truncated. The
        // output chunk sized to the member makes one right-sized buffer instead of 16 KiB chunks concatenated.
        const expected = entry.uncompressedSize + 1;
        data = inflateRawSync(raw, { maxOutputLength: expected, chunkSize: Math.min(Math.max(expected, 64), MAX_CHUNK_BYTES) });
      } catch (error) {
        throw corrupt(this.path, `cannot inflate ${entry.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (data.length !== entry.uncompressedSize) throw corrupt(this.path, `has ${entry.name} at a size other than declared`);
    if (crc32(data) >>> 0 !== entry.crc32) throw corrupt(this.path, `fails the CRC check of ${entry.name}`);
    this.count(data.length);
    return data;
  }

  /** Adds inflated bytes to the archive's decompression budget. */
  private count(bytes: number): void {
    this.decompressed += bytes;
    if (this.decompressed > this.limits.maxDecompressedBytes) {
      throw corrupt(this.path, `inflates past the ${this.limits.maxDecompressedBytes}-byte decompression limit`);
    }
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
  const done = readInto(fd, buffer, position, length);
  return done === length ? buffer : buffer.subarray(0, done);
}

/** Reads up to `length` bytes at `position` into the start of `buffer`; the count read (less at the end of the file). */
function readInto(fd: number, buffer: Buffer, position: number, length: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
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
