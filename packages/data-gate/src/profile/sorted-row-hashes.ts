import type { RowKeySet } from './row-key-set';

/**
 * A profile's SHA-256 row hashes as 32-byte binary records in one sorted Buffer, searched by
 * bisection: 32 bytes a row instead of a Set of 64-character strings (over 150 bytes a row), so a
 * reference profile of millions of rows stays within the gate's memory bound. Lookups are rare (only
 * rows whose fast key matches are confirmed), so the log-time search costs nothing measurable.
 * Fill with `add` (profiles store them sorted; any order is accepted), then `seal` before `has`.
 */
export class SortedRowHashes {
  private data = Buffer.alloc(32 * 1024);
  private count = 0;
  private sorted = true;

  constructor(hexHashes: readonly string[] = []) {
    for (const h of hexHashes) this.add(h);
    this.seal();
  }

  get size(): number {
    return this.count;
  }

  /** Makes room for `n` hashes in all, so filling the table never doubles it (and briefly holds both copies). */
  reserve(n: number): void {
    if (n * 32 <= this.data.length) return;
    const next = Buffer.alloc(n * 32);
    this.data.copy(next, 0, 0, this.count * 32);
    this.data = next;
  }

  /** Adds one lower-case 64-digit hex hash; anything else cannot equal a digest and is skipped. */
  add(hex: string): void {
    if (hex.length === 64) this.addHex(Buffer.from(hex, 'latin1'), 0, 64);
  }

  /** `add` for the hash's hex digits in bytes[start, end), as a profile's list holds them; false (and nothing added) when they are not 64 lower-case hex digits. */
  addHex(bytes: Uint8Array, start: number, end: number): boolean {
    if (end - start !== 64) return false;
    if ((this.count + 1) * 32 > this.data.length) {
      const next = Buffer.alloc(this.data.length * 2);
      this.data.copy(next, 0, 0, this.count * 32);
      this.data = next;
    }
    const at = this.count * 32;
    // Decoded here rather than by Buffer.write, and checked for order on the first differing byte: a
    // reference profile holds millions of hashes, and two native calls per hash were most of loading.
    const data = this.data;
    for (let i = 0; i < 32; i++) {
      const h = HEX_VALUE[bytes[start + 2 * i] as number] as number;
      const l = HEX_VALUE[bytes[start + 2 * i + 1] as number] as number;
      if ((h | l) > 15) return false; // not lower-case hex (the slot is overwritten by the next hash)
      data[at + i] = (h << 4) | l;
    }
    if (this.count > 0 && this.sorted) {
      let i = 0;
      while (i < 32 && data[at + i] === data[at - 32 + i]) i++;
      if (i === 32 || (data[at + i] as number) < (data[at - 32 + i] as number)) this.sorted = false;
    }
    this.count++;
    return true;
  }

  /** Sorts (when the input was not) and drops repeats; call once after the last `add`. */
  seal(): void {
    if (!this.sorted) {
      const records: Buffer[] = [];
      for (let i = 0; i < this.count; i++) records.push(this.data.subarray(i * 32, i * 32 + 32));
      const copy = Buffer.concat(records.sort((a, b) => Buffer.compare(a, b)));
      let n = 0;
      for (let i = 0; i < this.count; i++) {
        if (n > 0 && copy.compare(this.data, (n - 1) * 32, n * 32, i * 32, i * 32 + 32) === 0) continue;
        copy.copy(this.data, n * 32, i * 32, i * 32 + 32);
        n++;
      }
      this.count = n;
      this.sorted = true;
    }
  }

  /** Adds every hash's first 8 bytes to `keys` (the screen for profiles without fast row keys). */
  prefixKeys(keys: RowKeySet): RowKeySet {
    for (let i = 0; i < this.count; i++) keys.addOrHas(this.data.readUInt32BE(i * 32), this.data.readUInt32BE(i * 32 + 4));
    return keys;
  }

  has(digest: Buffer): boolean {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.data.compare(digest, 0, 32, mid * 32, mid * 32 + 32);
      if (c === 0) return true;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return false;
  }
}

/** The value of each lower-case hex digit by byte; 16 (not a digit) elsewhere. */
export const HEX_VALUE: Uint8Array = (() => {
  const table = new Uint8Array(256).fill(16);
  for (let d = 0; d < 16; d++) table['0123456789abcdef'.charCodeAt(d)] = d;
  return table;
})();
