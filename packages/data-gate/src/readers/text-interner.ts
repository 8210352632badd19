/**
 * The strings of one text column, decoded once per distinct value: a hash table from a field's bytes
 * to its string. Categorical columns (labels, flags, sources) repeat a few values millions of times;
 * decoding each cell made a string per cell (an allocation, a copy and later a collection), and every
 * Map the statistics keep hashed each new string again. An interned string is one object, its hash
 * computed once, and it has an id: its index in `values`, given in order of first appearance, so
 * consumers can keep per-value state in arrays (see ColumnChunk.codes).
 *
 * The table is bounded (entries and bytes) and never resized or emptied, which makes every id stable
 * and gives each distinct text one fate for the whole file: it gets an id at its first appearance and
 * keeps it, or it never gets one (longer than MAX_VALUE_BYTES, or met after the table filled). So a
 * text whose code is -1 is never in `values`, and the same text never has two codes.
 *
 * The key is the text's bytes in the file's encoding (UTF-8, or latin-1 as read), which is a
 * one-to-one image of the text as long as the bytes are valid: the reader hands invalid UTF-8 over
 * re-encoded from its decoded text (see csv-reader.ts), so two different invalid byte runs that
 * decode to the same U+FFFD text share an id.
 */
/** Longest value worth interning, in bytes: longer text rarely repeats. */
export const MAX_VALUE_BYTES = 64;
/**
 * Texts of at most this many bytes are keyed by the bytes themselves, packed into two 32-bit words
 * as a scan reads them (see `packTail`), so a lookup compares two numbers instead of the bytes.
 */
export const SHORT_BYTES = 8;
/**
 * Texts of SHORT_BYTES + 1 to this many bytes (most category names) are keyed by four words: the two a
 * scan packs (their last eight bytes) and their first bytes packed the same way (`idOfMedium`).
 */
export const MEDIUM_BYTES = 16;
// A table entry is eight Int32s, so one probe reads half a cache line:
// [hash | 1, word 0, word 1, length | id << 8, word 2, word 3, unused, unused].
// A longer text keeps its words in the arena, and word 0 says where.
const STRIDE = 8;

/**
 * The two words `packTail` gives for `buf[start, end)`: the last four bytes and the four before them,
 * big-endian, zero where the text is shorter. A scan computes them byte by byte as
 * `w1 = (w1 << 8) | (w0 >>> 24); w0 = (w0 << 8) | b` from zeros.
 */
export const packed = { w0: 0, w1: 0 };
function packTail(buf: Buffer, start: number, end: number): void {
  let w0 = 0;
  let w1 = 0;
  for (let i = start; i < end; i++) {
    w1 = (w1 << 8) | (w0 >>> 24);
    w0 = (w0 << 8) | (buf[i] as number);
  }
  packed.w0 = w0;
  packed.w1 = w1;
}

function shortHash(w0: number, w1: number, len: number): number {
  let h = Math.imul(w0 ^ Math.imul(w1 ^ len, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  return Math.imul(h, 0xc2b2ae35) ^ (h >>> 16);
}

export class TextInterner {
  private mask = 15;
  private table = new Int32Array(16 * STRIDE);
  /** The words of the longer texts interned, back to back (an entry's word 0 says where its own start). */
  private arena = new Int32Array(64);
  /** The words of the text being looked up. */
  private readonly key = new Int32Array(MAX_VALUE_BYTES / 4);
  /** Id -> text; grows as texts first appear, never changes an entry. */
  readonly values: string[] = [];
  private used = 0;
  private readonly maxArenaBytes: number;

  /**
   * Starts small and doubles as texts come (at most `maxEntries` texts, 16 bytes each on average):
   * a table with thousands of numeric columns must not hold a full table per column.
   */
  constructor(
    readonly decode: (buf: Buffer, start: number, end: number) => string,
    private readonly maxEntries = 4096,
  ) {
    this.maxArenaBytes = maxEntries * 16;
  }

  /** The id of the text `buf[start, end)`, interning it if there is room; -1 when it is not interned. */
  idOf(buf: Buffer, start: number, end: number): number {
    const len = end - start;
    if (len <= MEDIUM_BYTES) {
      packTail(buf, start, end);
      return len <= SHORT_BYTES ? this.idOfShort(buf, start, end, packed.w0, packed.w1) : this.idOfMedium(buf, start, end, packed.w0, packed.w1);
    }
    if (len > MAX_VALUE_BYTES) return -1;
    // Longer text is keyed four bytes a word (little-endian, the last one zero-padded): a quarter of
    // the hashing steps and compares of a byte at a time, which was a third of reading a file of long
    // categories.
    const key = this.key;
    const words = (len + 3) >>> 2;
    let h = len;
    for (let k = 0, i = start; k < words; k++, i += 4) {
      let w = buf[i] as number;
      if (i + 1 < end) w |= (buf[i + 1] as number) << 8;
      if (i + 2 < end) w |= (buf[i + 2] as number) << 16;
      if (i + 3 < end) w |= (buf[i + 3] as number) << 24;
      key[k] = w;
      // MurmurHash3's step per word.
      w = Math.imul(w, 0xcc9e2d51);
      w = Math.imul((w << 15) | (w >>> 17), 0x1b873593);
      h ^= w;
      h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h |= 1;
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const at = slot * STRIDE;
      const sh = table[at] as number;
      if (sh === 0) break;
      if (sh === h && ((table[at + 3] as number) & 0xff) === len && this.same(table[at + 1] as number, words)) return (table[at + 3] as number) >> 8;
      slot = (slot + 1) & mask;
    }
    if (this.values.length >= this.maxEntries || (this.used + words) * 4 > this.maxArenaBytes) return -1;
    if (this.used + words > this.arena.length) {
      const arena = new Int32Array(Math.min(this.maxArenaBytes >>> 2, Math.max(this.arena.length * 2, this.used + words)));
      arena.set(this.arena);
      this.arena = arena;
    }
    this.arena.set(key.subarray(0, words), this.used);
    const id = this.insert(slot, h, this.used, 0, 0, 0, len, buf, start, end);
    this.used += words;
    return id;
  }

  /** `idOf` for a text of at most SHORT_BYTES bytes whose words (see `packed`) the caller computed while scanning it. */
  idOfShort(buf: Buffer, start: number, end: number, w0: number, w1: number): number {
    return this.idOfWords(buf, start, end, w0, w1, 0, 0);
  }

  /**
   * `idOf` for a text of SHORT_BYTES + 1 to MEDIUM_BYTES bytes whose last eight bytes' words (see
   * `packed`) the caller computed while scanning it: its first bytes (up to eight) are packed the
   * same way here, so a lookup compares four numbers instead of hashing and comparing it word by word
   * through the arena, which was a sixth of reading a file of such categories.
   */
  idOfMedium(buf: Buffer, start: number, end: number, w0: number, w1: number): number {
    let w2 = 0;
    let w3 = 0;
    for (let i = start; i < end - SHORT_BYTES; i++) {
      w3 = (w3 << 8) | (w2 >>> 24);
      w2 = (w2 << 8) | (buf[i] as number);
    }
    return this.idOfWords(buf, start, end, w0, w1, w2, w3);
  }

  /** The id of a text of at most MEDIUM_BYTES bytes by its packed words (w2 and w3 zero for a short one). */
  private idOfWords(buf: Buffer, start: number, end: number, w0: number, w1: number, w2: number, w3: number): number {
    const len = end - start;
    const h = shortHash(w0 ^ Math.imul(w2, 0x27d4eb2d), w1 ^ Math.imul(w3, 0x165667b1), len) | 1;
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const at = slot * STRIDE;
      const sh = table[at] as number;
      if (sh === 0) break;
      if (sh === h && table[at + 1] === w0 && table[at + 2] === w1 && table[at + 4] === w2 && table[at + 5] === w3 && ((table[at + 3] as number) & 0xff) === len) return (table[at + 3] as number) >> 8;
      slot = (slot + 1) & mask;
    }
    if (this.values.length >= this.maxEntries) return -1;
    return this.insert(slot, h, w0, w1, w2, w3, len, buf, start, end);
  }

  private insert(slot: number, h: number, w0: number, w1: number, w2: number, w3: number, len: number, buf: Buffer, start: number, end: number): number {
    const id = this.values.length;
    const at = slot * STRIDE;
    this.table[at] = h;
    this.table[at + 1] = w0;
    this.table[at + 2] = w1;
    this.table[at + 3] = len | (id << 8);
    this.table[at + 4] = w2;
    this.table[at + 5] = w3;
    this.values.push(this.decode(buf, start, end));
    // At most half full, so a probe for an absent text ends soon. Ids live in the entries: a rehash keeps them.
    if (this.values.length * 2 > this.mask && this.values.length < this.maxEntries) this.grow();
    return id;
  }

  private grow(): void {
    const old = this.table;
    const slots = (this.mask + 1) * 2;
    const mask = slots - 1;
    const table = new Int32Array(slots * STRIDE);
    for (let at = 0; at < old.length; at += STRIDE) {
      const h = old[at] as number;
      if (h === 0) continue;
      let slot = h & mask;
      while (table[slot * STRIDE] !== 0) slot = (slot + 1) & mask;
      table.set(old.subarray(at, at + STRIDE), slot * STRIDE);
    }
    this.table = table;
    this.mask = mask;
  }

  /** Whether the first `words` words of `key` are the arena's from `at`. */
  private same(at: number, words: number): boolean {
    const arena = this.arena;
    const key = this.key;
    for (let k = 0; k < words; k++) if (key[k] !== arena[at + k]) return false;
    return true;
  }
}
