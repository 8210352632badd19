import { createHash } from 'node:crypto';

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
