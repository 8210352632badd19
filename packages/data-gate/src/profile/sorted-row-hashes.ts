/**
 * A profile's SHA-256 row hashes as 32-byte binary records in one sorted Buffer, searched by
 * bisection: 32 bytes a row instead of a Set of 64-character strings (over 150 bytes a row), so a
 * reference profile of millions of rows stays within the gate's memory bound. Lookups are rare (only
 * rows whose fast key matches are confirmed), so the log-time search costs nothing measurable.
 */
export class SortedRowHashes {
  private readonly data: Buffer;
  readonly size: number;

  constructor(hexHashes: readonly string[]) {
    const sorted = isSorted(hexHashes) ? hexHashes : [...hexHashes].sort();
    this.data = Buffer.alloc(sorted.length * 32);
    let n = 0;
    for (const h of sorted) {
      // Lower-case hex of 32 bytes sorts like the bytes; anything else cannot match a digest.
      if (!/^[0-9a-f]{64}$/.test(h)) continue;
      if (n > 0 && this.data.subarray((n - 1) * 32, n * 32).equals(Buffer.from(h, 'hex'))) continue;
      this.data.write(h, n * 32, 'hex');
      n++;
    }
    this.size = n;
  }

  has(digest: Buffer): boolean {
    let lo = 0;
    let hi = this.size;
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

function isSorted(values: readonly string[]): boolean {
  for (let i = 1; i < values.length; i++) if ((values[i - 1] as string) > (values[i] as string)) return false;
  return true;
}
