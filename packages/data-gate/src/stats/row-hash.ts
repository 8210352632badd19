import { createHash, hash as sha } from 'node:crypto';

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
  private buf = Buffer.alloc(1024);
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  private len = 0;

  begin(): void {
    PREFIX.copy(this.buf, 0);
    this.len = PREFIX.length;
  }

  private room(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + extra));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
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
    this.room(5 + 3 * n);
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

  digest(): Buffer {
    return sha('sha256', this.buf.subarray(0, this.len), 'buffer');
  }
}
