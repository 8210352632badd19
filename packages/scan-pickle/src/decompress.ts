import Bunzip from 'seek-bzip';
import { XzReadableStream } from 'xz-decompress';
import type { ByteSource } from './byte-source';
import { decodeLzmaAlone, LzmaError } from './lzma-alone';
import type { ScanBounds } from './scan-bounds';

/**
 * Decompressors node:zlib lacks, for joblib's bz2 / xz / lzma files: seek-bzip (pure JS) for bzip2,
 * xz-decompress (xz-embedded in WebAssembly) for xz, and lzma-alone.ts for LZMA-alone streams. All are
 * bounded by the decompression limits.
 */

export type Decompressed = { ok: true; data: Uint8Array } | { ok: false; reason: string; limit: boolean };

class TooLarge extends Error {}

function outputBound(inputBytes: number, bounds: ScanBounds): number {
  return Math.min(bounds.maxInMemoryBytes, Math.max(1 << 20, inputBytes * bounds.maxDecompressionRatio));
}

/** Synchronous decompression: bzip2 only; xz goes through `decompressXz` (asynchronous). */
export function decompressOther(format: 'bz2' | 'xz' | 'lzma', src: ByteSource, bounds: ScanBounds, deadline: number): Decompressed {
  if (format === 'xz') return { ok: false, reason: 'xz streams are decompressed only at the top of a file', limit: false };
  if (src.size > bounds.maxInMemoryBytes) return { ok: false, reason: `of ${src.size} bytes is larger than the in-memory bound`, limit: true };
  const bound = outputBound(src.size, bounds);
  if (format === 'lzma') {
    try {
      return { ok: true, data: decodeLzmaAlone(src.read(0, src.size), bound, deadline) };
    } catch (error) {
      if (error instanceof LzmaError) return { ok: false, reason: error.limit ? error.message : `LZMA data is corrupt (${error.message})`, limit: error.limit };
      throw error;
    }
  }
  let buf = Buffer.allocUnsafe(Math.min(bound, Math.max(4096, src.size * 4)));
  let len = 0;
  try {
    Bunzip.decode(
      src.read(0, src.size),
      {
        writeByte(byte: number) {
          if (len >= buf.length) {
            if (buf.length >= bound) throw new TooLarge();
            const next = Buffer.allocUnsafe(Math.min(bound, buf.length * 2));
            buf.copy(next, 0, 0, len);
            buf = next;
          }
          buf[len++] = byte;
        },
      },
      true,
    );
  } catch (error) {
    if (error instanceof TooLarge) return { ok: false, reason: `inflates past ${bound} bytes (decompression bound)`, limit: true };
    return { ok: false, reason: `bzip2 data is corrupt (${(error as Error).message})`, limit: false };
  }
  return { ok: true, data: buf.subarray(0, len) };
}

/** Decompresses an .xz stream, stopping at the bound. */
export async function decompressXz(src: ByteSource, bounds: ScanBounds): Promise<Decompressed> {
  if (src.size > bounds.maxInMemoryBytes) return { ok: false, reason: `of ${src.size} bytes is larger than the in-memory bound`, limit: true };
  const bound = outputBound(src.size, bounds);
  const input = src.read(0, src.size);
  const compressed = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(input);
      controller.close();
    },
  });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const reader = new XzReadableStream(compressed).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > bound) {
        await reader.cancel();
        return { ok: false, reason: `inflates past ${bound} bytes (decompression bound)`, limit: true };
      }
      chunks.push(value);
    }
  } catch (error) {
    return { ok: false, reason: `xz data is corrupt (${(error as Error).message})`, limit: false };
  }
  return { ok: true, data: Buffer.concat(chunks) };
}
