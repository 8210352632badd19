import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { CancelledError, type Limits, UserError } from '@aisec/core';

export type HashAlgorithm = 'sha256' | 'md5';

export interface FileDigest {
  hex: string;
  /** Bytes read from disk (before any dos2unix conversion). */
  size: number;
}

export interface HashOptions {
  limits: Limits;
  signal?: AbortSignal;
  /** Path shown in errors. */
  displayPath: string;
  /** Hash with CRLF turned into LF, as DVC 2.x's `md5-dos2unix` does for text files. */
  dos2unix?: boolean;
}

/** Streams a file through a hash; never holds more than one read chunk. */
export async function hashFile(path: string, algorithm: HashAlgorithm, options: HashOptions): Promise<FileDigest> {
  const { limits, signal, displayPath } = options;
  const st = statSync(path);
  if (st.size > limits.maxFileBytes) {
    throw new UserError(`${displayPath} is ${st.size} bytes, over the ${limits.maxFileBytes}-byte file limit`, {
      file: displayPath,
      hint: 'raise limits.maxFileBytes to hash it',
    });
  }
  const hash = createHash(algorithm);
  let size = 0;
  // A CR at the end of one chunk may pair with an LF at the start of the next.
  let heldCR = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    if (signal?.aborted) throw new CancelledError();
    const b = chunk as Buffer;
    size += b.length;
    if (!options.dos2unix) {
      hash.update(b);
      continue;
    }
    let start = 0;
    if (heldCR) {
      if (b[0] !== 0x0a) hash.update(Buffer.from([0x0d]));
      heldCR = false;
    }
    let end = b.length;
    if (end > 0 && b[end - 1] === 0x0d) {
      heldCR = true;
      end--;
    }
    for (let i = b.indexOf('\r\n', start); i !== -1 && i < end; i = b.indexOf('\r\n', start)) {
      hash.update(b.subarray(start, i));
      start = i + 1; // keep the LF, drop the CR
    }
    hash.update(b.subarray(start, end));
  }
  if (heldCR) hash.update(Buffer.from([0x0d]));
  return { hex: hash.digest('hex'), size };
}
