import { Gunzip, Inflate, Unzlib } from 'fflate';
import { crc32, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { MemorySource, type ByteSource } from './byte-source';

/**
 * A decompressed stream read as a ByteSource without holding it in memory: fflate's streaming decoders
 * (synchronous, unlike node:zlib's streams) inflate on demand, keeping a window of recent output. Reads
 * move forward as the pickle walk does; a read behind the window restarts the decoder (rare: only bytes
 * handed to a nested loader are read back). A first pass measures the size and CRC, and enforces the
 * decompression bounds before anything is scanned.
 */

export type InflateKind = 'deflate-raw' | 'zlib' | 'gzip';

/** Compressed bytes pushed per step: bounds one step's output to ~260 MB even at deflate's 1032:1. */
const IN_STEP = 256 * 1024;
/**
 * Streams that inflate to at most this much are inflated in one native call (node:zlib is several times
 * faster than fflate); larger ones stream through fflate in bounded memory.
 */
const NATIVE_INFLATE_BYTES = 1024 * 1024 * 1024;
/** Output kept behind the last read, for backward reads without a restart. */
const KEEP_BEHIND = 16 * 1024 * 1024;

interface Chunk {
  off: number;
  data: Uint8Array;
}

class Decoder {
  private readonly dec: Inflate | Unzlib | Gunzip;
  private inPos = 0;
  outEnd = 0;
  finished = false;
  readonly chunks: Chunk[] = [];

  constructor(
    private readonly src: ByteSource,
    kind: InflateKind,
    private readonly onChunk?: (data: Uint8Array) => void,
  ) {
    const handler = (data: Uint8Array, final: boolean) => {
      if (data.length > 0) {
        if (this.onChunk) this.onChunk(data);
        else this.chunks.push({ off: this.outEnd, data });
        this.outEnd += data.length;
      }
      if (final) this.finished = true;
    };
    this.dec = kind === 'gzip' ? new Gunzip(handler) : kind === 'zlib' ? new Unzlib(handler) : new Inflate(handler);
  }

  /** Pushes one step of input; false when there is nothing left to push. */
  step(): boolean {
    if (this.finished) return false;
    if (this.inPos >= this.src.size) {
      throw new Error('compressed stream ends before its end marker');
    }
    const chunk = this.src.read(this.inPos, IN_STEP);
    this.inPos += chunk.length;
    this.dec.push(chunk, this.inPos >= this.src.size);
    return true;
  }
}

export type Opened = { ok: true; source: ByteSource; crc: number } | { ok: false; reason: string; limit: boolean };

export class InflateSource implements ByteSource {
  private decoder: Decoder;

  private constructor(
    private readonly compressed: ByteSource,
    private readonly kind: InflateKind,
    readonly size: number,
  ) {
    this.decoder = new Decoder(compressed, kind);
  }

  /** Measures the stream (first pass), enforcing `maxBytes` and the ratio to the compressed size. */
  static open(compressed: ByteSource, kind: InflateKind, maxBytes: number, maxRatio: number, deadline: number, nativeLimit = NATIVE_INFLATE_BYTES): Opened {
    const bound = Math.min(maxBytes, Math.max(1 << 20, compressed.size * maxRatio));
    if (compressed.size <= nativeLimit / 2) {
      const raw = compressed.read(0, compressed.size);
      const opts = { maxOutputLength: Math.min(bound, nativeLimit) };
      try {
        const out = kind === 'gzip' ? gunzipSync(raw, opts) : kind === 'zlib' ? inflateSync(raw, opts) : inflateRawSync(raw, opts);
        return { ok: true, source: new MemorySource(out), crc: kind === 'deflate-raw' ? crc32(out) >>> 0 : 0 };
      } catch (error) {
        const tooBig = error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
        if (!tooBig) return { ok: false, reason: `${kind} data is corrupt (${(error as Error).message})`, limit: false };
        if (bound <= nativeLimit) return { ok: false, reason: `inflates past ${bound} bytes (decompression bound)`, limit: true };
        // Larger than the native path allows but within the bound: stream it below.
      }
    }
    let total = 0;
    let crc = 0;
    let over = false;
    const probe = new Decoder(compressed, kind, (data) => {
      total += data.length;
      if (total > bound) over = true;
      else if (kind === 'deflate-raw') crc = crc32(data, crc);
    });
    try {
      let steps = 0;
      while (probe.step()) {
        if (over) return { ok: false, reason: `inflates past ${bound} bytes (decompression bound)`, limit: true };
        if ((++steps & 0xff) === 0 && Date.now() > deadline) return { ok: false, reason: 'takes longer than the time budget to inflate', limit: true };
      }
    } catch (error) {
      if (over) return { ok: false, reason: `inflates past ${bound} bytes (decompression bound)`, limit: true };
      return { ok: false, reason: `${kind} data is corrupt (${(error as Error).message})`, limit: false };
    }
    if (over) return { ok: false, reason: `inflates past ${bound} bytes (decompression bound)`, limit: true };
    return { ok: true, source: new InflateSource(compressed, kind, total), crc: crc >>> 0 };
  }

  read(offset: number, length: number): Uint8Array {
    if (offset >= this.size || length <= 0) return new Uint8Array(0);
    const end = Math.min(this.size, offset + length);
    const first = this.decoder.chunks[0];
    if (first && offset < first.off) this.decoder = new Decoder(this.compressed, this.kind);
    if (!first && offset < this.decoder.outEnd) this.decoder = new Decoder(this.compressed, this.kind);
    while (this.decoder.outEnd < end && this.decoder.step()) {
      this.trim(offset);
    }
    const out = new Uint8Array(end - offset);
    for (const c of this.decoder.chunks) {
      const from = Math.max(offset, c.off);
      const to = Math.min(end, c.off + c.data.length);
      if (from < to) out.set(c.data.subarray(from - c.off, to - c.off), from - offset);
    }
    this.trim(offset);
    return out;
  }

  /** Drops output that ends well before `offset`. */
  private trim(offset: number): void {
    const chunks = this.decoder.chunks;
    let drop = 0;
    while (drop < chunks.length - 1) {
      const c = chunks[drop];
      if (!c || c.off + c.data.length >= offset - KEEP_BEHIND) break;
      drop++;
    }
    if (drop > 0) chunks.splice(0, drop);
  }
}
