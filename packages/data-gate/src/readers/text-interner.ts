/**
 * The strings of one text column, decoded once per distinct value: a hash table from a field's bytes
 * to its string. Categorical columns (labels, flags, sources) repeat a few values millions of times;
 * decoding each cell made a string per cell (an allocation, a copy and later a collection), and every
 * Map the statistics keep hashed each new string again. An interned string is one object, its hash
 * computed once. The table is bounded (entries and bytes); a column that turns out to be free text
 * (few repeats) stops being looked up at all.
 */
const EMPTY = 0;
/** FNV-1a, 32-bit: h = (h ^ byte) * FNV_PRIME from FNV_OFFSET. */
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;
/** Longest value worth interning, in bytes: longer text rarely repeats. */
const MAX_VALUE_BYTES = 64;

export class TextInterner {
  private readonly mask: number;
  private readonly hashes: Int32Array;
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;
  private readonly texts: string[];
  private readonly arena: Uint8Array;
  private used = 0;
  private size = 0;
  private hits = 0;
  private misses = 0;
  /** Set once the column looks like free text: `intern` then only decodes. */
  private off = false;

  constructor(
    private readonly decode: (buf: Buffer, start: number, end: number) => string,
    private readonly maxEntries = 4096,
  ) {
    let slots = 16;
    while (slots < maxEntries * 2) slots *= 2;
    this.mask = slots - 1;
    this.hashes = new Int32Array(slots);
    this.starts = new Int32Array(slots);
    this.lengths = new Int32Array(slots);
    this.texts = Array.from({ length: slots }, () => '');
    this.arena = new Uint8Array(maxEntries * 16);
  }

  /** The text of `buf[start, end)`, the same string object every time the same bytes come. */
  intern(buf: Buffer, start: number, end: number): string {
    if (this.off || end - start > MAX_VALUE_BYTES) return this.decode(buf, start, end);
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ (buf[i] as number), FNV_PRIME);
    return this.internHashed(buf, start, end, h);
  }

  /** `intern` for a caller that computed the FNV-1a hash (FNV_OFFSET, FNV_PRIME) while scanning the bytes. */
  internHashed(buf: Buffer, start: number, end: number, fnv: number): string {
    const len = end - start;
    if (this.off || len > MAX_VALUE_BYTES) return this.decode(buf, start, end);
    // | 1 keeps 0 free to mean an empty slot.
    const h = fnv | 1;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const sh = this.hashes[slot] as number;
      if (sh === EMPTY) break;
      if (sh === h && this.lengths[slot] === len && this.same(buf, start, this.starts[slot] as number, len)) {
        this.hits++;
        return this.texts[slot] as string;
      }
      slot = (slot + 1) & mask;
    }
    const text = this.decode(buf, start, end);
    if (this.size < this.maxEntries && this.used + len <= this.arena.length) {
      this.arena.set(buf.subarray(start, end), this.used);
      this.hashes[slot] = h;
      this.starts[slot] = this.used;
      this.lengths[slot] = len;
      this.texts[slot] = text;
      this.used += len;
      this.size++;
    } else if (++this.misses > 65_536 && this.misses > 4 * this.hits) {
      this.off = true; // free text: hashing every cell would only cost
    }
    return text;
  }

  private same(buf: Buffer, start: number, at: number, len: number): boolean {
    const arena = this.arena;
    for (let i = 0; i < len; i++) if (buf[start + i] !== arena[at + i]) return false;
    return true;
  }
}
