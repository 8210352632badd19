import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';

/**
 * The hashes DVC writes into `.dvc` files, reproduced bit for bit.
 *
 * DVC 3.x (`hash: md5`): md5 of each file's raw bytes. A directory's hash is md5 of the JSON listing
 * `[{"md5": ..., "relpath": ...}, ...]`, sorted by relpath, as Python's `json.dumps(..., sort_keys=True)`
 * spells it (separators ", " and ": ", non-ASCII escaped as \uXXXX), followed by `.dir`.
 * DVC 2.x (no `hash:` key): the same, but text files are hashed after CRLF -> LF (`md5-dos2unix`).
 */
export interface DvcDirEntry {
  md5: string;
  /** Forward slashes, relative to the tracked directory. */
  relpath: string;
}

/** Python's default string order (by code point), not JavaScript's UTF-16 code-unit order. */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(j) as number;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return a.length - i - (b.length - j);
}

/** `json.dumps(s)` with `ensure_ascii=True`. */
function pythonJsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The listing DVC hashes (and stores in its cache as the `.dir` object). */
export function dvcDirListingJson(entries: readonly DvcDirEntry[]): string {
  const sorted = [...entries].sort((a, b) => compareCodePoints(a.relpath, b.relpath));
  return `[${sorted.map((e) => `{"md5": ${pythonJsonString(e.md5)}, "relpath": ${pythonJsonString(e.relpath)}}`).join(', ')}]`;
}

export function dvcDirHash(entries: readonly DvcDirEntry[]): string {
  return `${createHash('md5').update(dvcDirListingJson(entries)).digest('hex')}.dir`;
}

const TEXT_CHARS = new Uint8Array(256);
for (let c = 32; c < 127; c++) TEXT_CHARS[c] = 1;
for (const c of [0x0a, 0x0d, 0x09, 0x0c, 0x08]) TEXT_CHARS[c] = 1;

/**
 * DVC 2.x's `istextfile`: the first 512 bytes have no NUL and at most 30% bytes outside printable
 * ASCII and \n \r \t \f \b. Only text files get the dos2unix treatment.
 */
export async function isDvcTextFile(path: string): Promise<boolean> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path, { start: 0, end: 511 })) chunks.push(chunk as Buffer);
  const block = Buffer.concat(chunks);
  if (block.length === 0) return true;
  if (block.includes(0)) return false;
  let nontext = 0;
  for (const b of block) if (!TEXT_CHARS[b]) nontext++;
  return nontext / block.length <= 0.3;
}
