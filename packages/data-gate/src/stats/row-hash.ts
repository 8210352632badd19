import { createHash, hash as sha } from 'node:crypto';
import { fmix32, laneA, laneB, scramble } from './murmur3';

/**
 * Canonical row hashes for exact-duplicate and copied-row detection. Two rows hash alike exactly when
 * their cells are equal under the README's rule: numbers compared as doubles (so CSV `5`, JSONL `5`
 * and `5.0` agree, and −0 equals 0), null equals null, strings by their UTF-8 bytes, and a number never
 * equals a string. Each cell is length-prefixed and type-tagged, so no two different rows share an
 * encoding; SHA-256 makes accidental collisions negligible across billions of rows.
 *
 * Recipe v1: sha256( "aisec-row/v1" 0x00, then per cell: 'n' | 'f' + float64 big-endian |
 * 'b' + 0/1 | 's' + uint32 big-endian byte length + UTF-8 ). Never change it in place: profiles store
 * these hashes.
 */
export type Cell = null | number | string | boolean;

export const ROW_HASH_VERSION = 'aisec-row/v1';

const PREFIX = Buffer.from(`${ROW_HASH_VERSION}\u0000`, 'utf8');

export function rowHash(cells: readonly Cell[]): string {
  const hash = createHash('sha256');
  hash.update(PREFIX);
  const num = Buffer.alloc(9);
  for (const cell of cells) {
    if (cell === null || cell === undefined) {
      hash.update('n');
    } else if (typeof cell === 'number') {
      num[0] = 0x66; // 'f'
      // One NaN and one zero, so equal-as-doubles means equal bytes.
      num.writeDoubleBE(Number.isNaN(cell) ? NaN : cell === 0 ? 0 : cell, 1);
      hash.update(num);
    } else if (typeof cell === 'boolean') {
      hash.update(cell ? 'b1' : 'b0');
    } else {
      const bytes = Buffer.from(cell, 'utf8');
      const head = Buffer.alloc(5);
      head[0] = 0x73; // 's'
      head.writeUInt32BE(bytes.length, 1);
      hash.update(head);
      hash.update(bytes);
    }
  }
  return hash.digest('hex');
}

/**
 * The same recipe v1 hash, fed cell by cell into one reused buffer and digested in a single call:
 * `rowHash` made a Buffer per cell and a Hash object per row, which was most of the streaming gate's
 * time. `digest()` returns the 32 bytes (hex them for the stored form); results equal `rowHash`.
 */
export class RowHasher {
  private buf = Buffer.from(new ArrayBuffer(1024));
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  private words = new Int32Array(this.buf.buffer, 0, 256);
  private len = 0;
  /** The row's 64-bit screening key, set by `key()`: high and low 32 bits (unsigned). */
  keyHi = 0;
  keyLo = 0;

  begin(): void {
    PREFIX.copy(this.buf, 0);
    this.len = PREFIX.length;
  }

  private room(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const size = Math.ceil(Math.max(this.buf.length * 2, this.len + extra + 4) / 4) * 4;
    const next = Buffer.from(new ArrayBuffer(size));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
    this.view = new DataView(next.buffer, 0, size);
    this.words = new Int32Array(next.buffer, 0, size / 4);
  }

  null(): void {
    this.room(1);
    this.buf[this.len++] = 0x6e; // 'n'
  }

  number(value: number): void {
    this.room(9);
    this.buf[this.len] = 0x66; // 'f'
    this.view.setFloat64(this.len + 1, Number.isNaN(value) ? Number.NaN : value === 0 ? 0 : value, false);
    this.len += 9;
  }

  boolean(value: boolean): void {
    this.room(2);
    this.buf[this.len] = 0x62; // 'b'
    this.buf[this.len + 1] = value ? 0x31 : 0x30;
    this.len += 2;
  }

  text(value: string): void {
    const n = value.length;
    this.room(8 + 3 * n);
    const buf = this.buf;
    const at = this.len + 5;
    let i = 0;
    // ASCII in a JS loop: cheaper than a native UTF-8 write for the short strings tables hold.
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) break;
      buf[at + i] = c;
    }
    const bytes = i === n ? n : i + buf.write(value.slice(i), at + i, 'utf8');
    buf[this.len] = 0x73; // 's'
    this.view.setUint32(this.len + 1, bytes, false);
    this.len = at + bytes;
  }

  /**
   * A fast non-cryptographic 64-bit key of the same bytes (two MurmurHash3 x86_32 lanes with different
   * seeds, over little-endian words), into `keyHi`/`keyLo`: equal rows under recipe v1 always get equal
   * keys, so it screens for duplicates at a tenth of SHA-256's cost; a key match is only a candidate
   * (chance collisions about 1e-6 at 10M rows) and is confirmed on the SHA-256 where one is stored.
   * Stored in profiles as `rowKeys` (recipe `aisec-rowkey/v1`): never change it in place.
   */
  key(): void {
    const len = this.len;
    const buf = this.buf;
    buf[len] = 0;
    buf[len + 1] = 0;
    buf[len + 2] = 0;
    const n = (len + 3) >>> 2;
    let h1 = 0x9747b28c;
    let h2 = 0x3c6ef372;
    for (let i = 0; i < n; i++) {
      const k = scramble(LITTLE_ENDIAN ? (this.words[i] as number) : this.view.getInt32(i * 4, true));
      h1 = laneA(h1, k);
      h2 = laneB(h2, k);
    }
    this.keyHi = fmix32(h1 ^ len) >>> 0;
    this.keyLo = fmix32(h2 ^ Math.imul(len, 0x27d4eb2d) ^ h1) >>> 0;
  }

  digest(): Buffer {
    return sha('sha256', this.buf.subarray(0, this.len), 'buffer');
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;


/** `keyHi`/`keyLo` as the 16 hex digits stored in a profile's `rowKeys`. */
export function rowKeyHex(hi: number, lo: number): string {
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
