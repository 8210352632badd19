import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { UserError } from '@aisec/core';

/**
 * `utf-8` is the default. A UTF-16 byte-order mark switches to UTF-16 whatever was asked, since the
 * mark is unambiguous; a UTF-8 mark is dropped. `latin1` (ISO-8859-1) must be asked for: no byte
 * sequence proves a file is latin-1, but invalid UTF-8 is reported as a problem with its rows.
 */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1';

export interface TextChunk {
  text: string;
  /** The bytes behind this text were not valid in the encoding (replacement characters were used). */
  invalid: boolean;
}

/** How many bytes at the end of `buf` start a UTF-8 sequence that the next chunk completes. */
function incompleteUtf8Tail(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = buf[n - back] as number;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * UTF-16 without a byte-order mark (some Windows exports): text that is mostly ASCII has a NUL in
 * every other byte. Needs at least 64 bytes and NULs in at least 40% of one parity and almost none of
 * the other; UTF-8 text never has NULs, so this cannot misfire on it.
 */
function sniffUtf16WithoutBom(buf: Buffer): TextEncoding | undefined {
  const n = Math.min(buf.length, 4096) & ~1;
  if (n < 64) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (buf[i] === 0) evenZero++;
    if (buf[i + 1] === 0) oddZero++;
  }
  const half = n / 2;
  if (oddZero >= 0.4 * half && evenZero <= 0.02 * half) return 'utf-16le';
  if (evenZero >= 0.4 * half && oddZero <= 0.02 * half) return 'utf-16be';
  return undefined;
}

export async function* decodeText(
  bytes: AsyncIterable<Buffer>,
  requested: TextEncoding,
  displayPath: string,
): AsyncGenerator<TextChunk> {
  let encoding: TextEncoding | undefined;
  let carry: Buffer = Buffer.alloc(0);
  let decoder: TextDecoder | undefined;
  for await (const chunk of bytes) {
    let buf: Buffer = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    carry = Buffer.alloc(0);
    if (encoding === undefined) {
      if (buf.length < 3 && buf.length > 0) {
        carry = buf; // too short to sniff a byte-order mark yet
        continue;
      }
      encoding = requested;
      if (buf[0] === 0xff && buf[1] === 0xfe) {
        encoding = 'utf-16le';
        buf = buf.subarray(2);
      } else if (buf[0] === 0xfe && buf[1] === 0xff) {
        encoding = 'utf-16be';
        buf = buf.subarray(2);
      } else if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        buf = buf.subarray(3);
        encoding = 'utf-8';
      }
      if (encoding === 'utf-8' && requested === 'utf-8') encoding = sniffUtf16WithoutBom(buf) ?? encoding;
      if (encoding === 'utf-16le' || encoding === 'utf-16be') {
        try {
          decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: true });
        } catch (error) {
          throw new UserError(`${displayPath}: this Node.js build cannot decode ${encoding}`, {
            file: displayPath,
            hint: 'convert the file to UTF-8',
            cause: error,
          });
        }
      }
    }
    yield* decodeChunk(buf, false);
  }
  if (encoding === undefined && carry.length > 0) {
    encoding = requested;
    yield* decodeChunk(carry, true);
  } else if (carry.length > 0) {
    yield* decodeChunk(carry, true);
  } else if (decoder) {
    const rest = decoder.decode();
    if (rest.length > 0) yield { text: rest, invalid: rest.includes('\uFFFD') };
  }

  function* decodeChunk(buf: Buffer, last: boolean): Generator<TextChunk> {
    if (buf.length === 0) return;
    if (encoding === 'latin1') {
      yield { text: buf.toString('latin1'), invalid: false };
      return;
    }
    if (decoder) {
      const text = decoder.decode(buf, { stream: !last });
      // A lone surrogate is the only invalid UTF-16 and decodes to U+FFFD (a real U+FFFD in the file
      // is reported too; that is rare and harmless).
      if (text.length > 0) yield { text, invalid: text.includes('\uFFFD') };
      return;
    }
    const tail = last ? 0 : incompleteUtf8Tail(buf);
    const whole = tail > 0 ? buf.subarray(0, buf.length - tail) : buf;
    if (tail > 0) carry = Buffer.from(buf.subarray(buf.length - tail));
    if (whole.length > 0) yield { text: whole.toString('utf8'), invalid: !isUtf8(whole) };
  }
}

export interface ByteChunk {
  /** UTF-8 bytes (or latin-1 bytes when `latin1`), cut between whole characters. */
  bytes: Buffer;
  latin1: boolean;
  /** The source bytes were not valid in their encoding (invalid UTF-8 decodes to U+FFFD). */
  invalid: boolean;
}

/**
 * The file as bytes the CSV tokenizer can scan (UTF-8, or latin-1 as it is), with the same encoding
 * rules as decodeText: a UTF-16 file (by its byte-order mark, or sniffed) is transcoded to UTF-8, a
 * UTF-8 byte-order mark is dropped. UTF-8 passes through untouched, checked with isUtf8, and a chunk
 * never ends inside a character (its last bytes wait for the next chunk).
 */
export async function* decodeToBytes(bytes: AsyncIterable<Buffer>, requested: TextEncoding, displayPath: string): AsyncGenerator<ByteChunk> {
  if (requested === 'latin1') {
    for await (const chunk of bytes) yield { bytes: chunk, latin1: true, invalid: false };
    return;
  }
  const iterator = bytes[Symbol.asyncIterator]();
  try {
    let carry: Buffer = Buffer.alloc(0);
    let started = false;
    let utf16: AsyncGenerator<TextChunk> | undefined;
    const rest: Buffer[] = [];
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      let buf: Buffer = carry.length > 0 ? Buffer.concat([carry, next.value]) : next.value;
      carry = Buffer.alloc(0);
      if (!started) {
        if (buf.length < 64) {
          carry = buf; // enough bytes to see a byte-order mark and sniff UTF-16
          continue;
        }
        started = true;
        if (isUtf16(buf, requested)) {
          rest.push(buf);
          utf16 = decodeText(replay(rest, iterator), requested, displayPath);
          break;
        }
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      }
      const tail = incompleteUtf8Tail(buf);
      const whole = tail > 0 ? buf.subarray(0, buf.length - tail) : buf;
      if (tail > 0) carry = Buffer.from(buf.subarray(buf.length - tail));
      if (whole.length > 0) yield { bytes: whole, latin1: false, invalid: !isUtf8(whole) };
    }
    if (utf16) {
      for await (const chunk of utf16) yield { bytes: Buffer.from(chunk.text, 'utf8'), latin1: false, invalid: chunk.invalid };
      return;
    }
    if (!started && carry.length > 0) {
      if (isUtf16(carry, requested)) {
        for await (const chunk of decodeText(replay([carry], undefined), requested, displayPath)) yield { bytes: Buffer.from(chunk.text, 'utf8'), latin1: false, invalid: chunk.invalid };
        return;
      }
      if (carry[0] === 0xef && carry[1] === 0xbb && carry[2] === 0xbf) carry = carry.subarray(3);
    }
    if (carry.length > 0) yield { bytes: carry, latin1: false, invalid: !isUtf8(carry) };
  } finally {
    // Stopping early (an error downstream) must still close the file.
    await iterator.return?.();
  }
}

function isUtf16(buf: Buffer, requested: TextEncoding): boolean {
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) return true;
  if (requested === 'utf-16le' || requested === 'utf-16be') return true;
  return !(buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) && requested === 'utf-8' && sniffUtf16WithoutBom(buf) !== undefined;
}

/** The chunks already taken from `iterator`, then the rest of it. */
async function* replay(taken: Buffer[], iterator: AsyncIterator<Buffer> | undefined): AsyncGenerator<Buffer> {
  yield* taken;
  if (!iterator) return;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield next.value;
  }
}
