import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Random-access bytes: a file read through a descriptor (never slurped), a buffer in memory, or a window
 * of either (a stored zip member, the pickle after an .npy header). Reads are synchronous and bounded by
 * the caller; a read past the end returns fewer bytes.
 */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

export class MemorySource implements ByteSource {
  constructor(private readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    if (offset >= this.bytes.length || length <= 0) return new Uint8Array(0);
    return this.bytes.subarray(offset, Math.min(this.bytes.length, offset + length));
  }
}

export class SliceSource implements ByteSource {
  readonly size: number;
  constructor(
    private readonly base: ByteSource,
    private readonly start: number,
    size: number,
  ) {
    this.size = Math.max(0, Math.min(size, base.size - start));
  }
  read(offset: number, length: number): Uint8Array {
    if (offset >= this.size || length <= 0) return new Uint8Array(0);
    return this.base.read(this.start + offset, Math.min(length, this.size - offset));
  }
}

/** A file opened for reading; call `close()` when done. */
export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number;
  constructor(path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }
  read(offset: number, length: number): Uint8Array {
    if (offset >= this.size || length <= 0) return new Uint8Array(0);
    const n = Math.min(length, this.size - offset);
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const r = readSync(this.fd, buf, got, n - got, offset + got);
      if (r === 0) break;
      got += r;
    }
    return got === n ? buf : buf.subarray(0, got);
  }
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** Whole contents of a source, for small things (headers, config.json); callers bound `size` first. */
export function readAll(source: ByteSource): Uint8Array {
  return source.read(0, source.size);
}

/**
 * Sequential reads over a source through a window, so an opcode walk over a multi-gigabyte legacy file
 * reads it once in large chunks rather than a syscall per opcode.
 */
export class Cursor {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  constructor(
    readonly source: ByteSource,
    public pos: number,
    private readonly chunk = 1 << 20,
  ) {}

  get remaining(): number {
    return this.source.size - this.pos;
  }

  /** Up to `n` bytes from the current position, without moving. */
  peek(n: number): Uint8Array {
    const off = this.pos - this.windowStart;
    if (off >= 0 && off + n <= this.window.length) return this.window.subarray(off, off + n);
    if (n > this.chunk) return this.source.read(this.pos, n);
    const w = this.source.read(this.pos, this.chunk);
    // A plain Uint8Array view: subarray() on it is much cheaper than on a Buffer.
    this.window = new Uint8Array(w.buffer, w.byteOffset, w.length);
    this.windowStart = this.pos;
    return this.window.subarray(0, Math.min(n, this.window.length));
  }

  /** Exactly `n` bytes, or undefined at the end of the source (a truncated stream). */
  take(n: number): Uint8Array | undefined {
    const b = this.peek(n);
    if (b.length < n) return undefined;
    this.pos += n;
    return b;
  }

  /** One byte, or -1 at the end. (Hot path: once per opcode, so no subarray.) */
  byte(): number {
    const off = this.pos - this.windowStart;
    if (off >= 0 && off < this.window.length) {
      this.pos += 1;
      return this.window[off] ?? -1;
    }
    const b = this.peek(1);
    if (b.length === 0) return -1;
    this.pos += 1;
    return b[0] ?? -1;
  }

  /** Bytes up to (not including) the next LF, at most `max` long; undefined if none is found. */
  line(max: number): Uint8Array | undefined {
    const b = this.peek(max + 1);
    const i = b.indexOf(0x0a);
    if (i < 0) return undefined;
    const out = b.slice(0, i);
    this.pos += i + 1;
    return out;
  }
}
