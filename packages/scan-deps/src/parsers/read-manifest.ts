import { open } from 'node:fs/promises';
import { UserError } from '@aisec/core';

/**
 * Reads a manifest as text, refusing anything that is not a regular file or is larger than `maxBytes`.
 * Decodes by byte-order mark: `pip freeze > requirements.txt` in Windows PowerShell writes UTF-16LE,
 * and pip reads it, so we do too.
 */
export async function readManifestText(absPath: string, displayPath: string, maxBytes: number): Promise<string> {
  let handle;
  try {
    handle = await open(absPath, 'r');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
    const what = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be opened (${code ?? String(error)})`;
    throw new UserError(what, { file: displayPath, hint: 'check the path and that the file is checked out', cause: error });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new UserError('not a regular file', { file: displayPath });
    if (stat.size > maxBytes) {
      throw new UserError(`${stat.size} bytes, more than the ${maxBytes} allowed for a dependency file`, {
        file: displayPath,
        hint: 'exclude it from the scan, or raise limits.maxFileBytes if it really is a dependency file',
      });
    }
    const buffer = Buffer.alloc(stat.size);
    let filled = 0;
    while (filled < stat.size) {
      const { bytesRead } = await handle.read(buffer, filled, stat.size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return decodeText(buffer.subarray(0, filled));
  } finally {
    await handle.close();
  }
}

export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  // TextDecoder drops a UTF-8 byte-order mark by itself.
  return new TextDecoder('utf-8').decode(bytes);
}
