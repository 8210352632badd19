import { createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { CancelledError, type Limits, UserError } from '@aisec/core';

export interface ByteSourceOptions {
  limits: Limits;
  signal?: AbortSignal;
  /** The path shown in errors (workspace-relative). */
  displayPath: string;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
// Below this many output bytes the ratio check is not meaningful (a tiny gzip of a tiny file has a
// large ratio and is harmless).
const RATIO_FLOOR_BYTES = 1024 * 1024;

/** Reads the first bytes of a file, to sniff gzip and byte-order marks. */
async function head(path: string, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  for await (const chunk of createReadStream(path, { start: 0, end: n - 1 })) {
    const b = chunk as Buffer;
    chunks.push(b);
    got += b.length;
  }
  return Buffer.concat(chunks, got);
}

/**
 * The bytes of a data file, decompressed when it is gzip (by its magic bytes, whatever its name),
 * within the file-size, decompression and time limits, stopping when the signal aborts.
 */
export async function* readBytes(path: string, options: ByteSourceOptions): AsyncGenerator<Buffer> {
  const { limits, signal, displayPath } = options;
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UserError(`${displayPath} is not a regular file`, { file: displayPath });
    size = st.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot read ${displayPath}: ${(error as Error).message}`, {
      file: displayPath,
      hint: 'check the path and its permissions',
      cause: error,
    });
  }
  if (size > limits.maxFileBytes) {
    throw new UserError(`${displayPath} is ${size} bytes, over the ${limits.maxFileBytes}-byte file limit`, {
      file: displayPath,
      hint: 'split the data into shards (a folder of files) or raise limits.maxFileBytes',
    });
  }
  const start = Date.now();
  const magic = size >= 2 ? await head(path, 2) : Buffer.alloc(0);
  const gzip = magic[0] === GZIP_MAGIC_0 && magic[1] === GZIP_MAGIC_1;
  const raw = createReadStream(path, { highWaterMark: 1024 * 1024 });
  let compressedIn = 0;
  raw.on('data', (chunk) => {
    compressedIn += chunk.length;
  });
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (error) => stream.destroy(error));
  let out = 0;
  try {
    for await (const chunk of stream) {
      const b = chunk as Buffer;
      if (signal?.aborted) throw new CancelledError();
      if (Date.now() - start > limits.timePerFileMs) {
        throw new UserError(`reading ${displayPath} took longer than ${limits.timePerFileMs} ms`, {
          file: displayPath,
          hint: 'split the data into shards or raise limits.timePerFileMs',
        });
      }
      out += b.length;
      if (gzip) {
        if (out > limits.maxDecompressedBytes) {
          throw new UserError(`${displayPath} decompresses to more than ${limits.maxDecompressedBytes} bytes`, {
            file: displayPath,
            hint: 'a gzip bomb, or a file too large for one piece: split it or raise limits.maxDecompressedBytes',
          });
        }
        if (out > RATIO_FLOOR_BYTES && out / Math.max(compressedIn, 1) > limits.maxDecompressionRatio) {
          throw new UserError(
            `${displayPath} expands more than ${limits.maxDecompressionRatio} times when decompressed (a gzip bomb?)`,
            { file: displayPath, hint: 'raise limits.maxDecompressionRatio if this file is legitimate' },
          );
        }
      }
      yield b;
    }
  } catch (error) {
    if (error instanceof UserError || error instanceof CancelledError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (gzip && code.startsWith('Z_')) {
      throw new UserError(`${displayPath} is not a valid gzip stream (${(error as Error).message}) after ${out} bytes`, {
        file: displayPath,
        hint: 'the file is truncated or corrupt: recompress it',
        cause: error,
      });
    }
    throw new UserError(`cannot read ${displayPath}: ${(error as Error).message}`, { file: displayPath, cause: error });
  } finally {
    raw.destroy();
    stream.destroy();
  }
}
