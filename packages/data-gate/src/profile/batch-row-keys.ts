import { CellKind, type ColumnChunk } from '../readers/index';
import { kindsPresent } from '../readers/kinds-present';
import { fmix32, laneA, laneB, scramble } from '../stats/murmur3';

/**
 * Row keys recipe `aisec-rowkey/v2`: a 64-bit screening key per row, computed column by column over a
 * batch's typed arrays. Recipe v1 (RowHasher.key) encoded each row into a byte buffer cell by cell and
 * hashed the bytes; with the row lookups that was a quarter of the gate's time. Here each cell becomes
 * two 32-bit words without leaving its column's arrays (a number's two IEEE-754 words read through a
 * Uint32Array view of the Float64Array; a text's 64-bit hash, computed once per interned value and
 * cached by its id), and every row's two MurmurHash3 lanes take the words column after column.
 *
 * Rows get equal keys exactly when recipe v1 calls them equal (numbers as doubles, -0 as 0, every NaN
 * as one NaN, an integer and a float of the same value alike; null only equals null; booleans never
 * equal numbers or text; text by content), except that two texts with different lone surrogates, which
 * UTF-8 turns into the same replacement bytes, differ here. Different rows collide by chance only
 * (about n²/2⁶⁵: 1e-6 at 10M rows), so a key match is a candidate to be confirmed on the row's SHA-256
 * where one is stored. Profiles store these keys with `rowKeyRecipe`: never change the recipe in place.
 */
export const ROW_KEY_RECIPE = 'aisec-rowkey/v2';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

// Words of the cells that are not numbers: quiet-NaN bit patterns no canonical number has (every NaN
// is hashed as 0x7ff80000_00000000), so null, false and true never meet a number.
const NAN_HI = 0x7ff80000;
const NULL_LO = 0x6e756c6c;
const NULL_HI = 0x7ff80001;
const BOOLEAN_HI = 0x7ff80002;
const SEED1 = 0x9747b28c;
const SEED2 = 0x3c6ef372;


/** Scratch for textWords: a text's two words (a typed array, so no number is boxed). */
const textOut = new Int32Array(2);

/** A text's two words: two MurmurHash3 lanes over its UTF-16 code units, two to a word, and its length. */
function textWords(s: string): void {
  const n = s.length;
  let h1 = 0x2f3a9b61;
  let h2 = 0x51ed270b;
  for (let i = 0; i < n; i += 2) {
    const k = scramble(s.charCodeAt(i) | (i + 1 < n ? s.charCodeAt(i + 1) << 16 : 0));
    h1 = laneA(h1, k);
    h2 = laneB(h2, k);
  }
  textOut[0] = fmix32(h1 ^ n);
  textOut[1] = fmix32(h2 ^ Math.imul(n, 0x27d4eb2d) ^ h1);
}

/** The words of a text cell without a cached id into textOut: a text's own, or null's. */
function cellTextWords(t: string | null | undefined): void {
  if (t === null || t === undefined) {
    textOut[0] = NULL_LO;
    textOut[1] = NULL_HI;
  } else {
    textWords(t);
  }
}

/** Per dictionary (one interned text column of one file): the words of ids [0, computed). */
interface TextWordCache {
  words: Int32Array;
  computed: number;
}

const EMPTY_WORDS = new Int32Array(0);
const EMPTY_IDS = new Int32Array(0);
const NUMBER_KINDS = (1 << CellKind.Integer) | (1 << CellKind.Float);
const TEXT_OR_NULL = (1 << CellKind.Text) | (1 << CellKind.Null);

/** Computes the recipe v2 keys of every row of a batch; reuse one instance across batches. */
export class BatchRowKeys {
  /** After `compute`, rows' keys: high and low 32 bits (unsigned), at the row's index in the batch. */
  hi: Uint32Array = new Uint32Array(0);
  lo: Uint32Array = new Uint32Array(0);
  private h1 = new Int32Array(0);
  private h2 = new Int32Array(0);
  /** One column's cell words, filled by `column` and then mixed into the lanes in a tight loop. */
  private wa = new Int32Array(0);
  private wb = new Int32Array(0);
  private readonly caches = new WeakMap<readonly string[], TextWordCache>();

  /** The keys of the first `length` rows over `chunks` in order (a missing column hashes as null). */
  compute(chunks: readonly (ColumnChunk | undefined)[], length: number): void {
    if (this.h1.length < length) {
      const size = Math.max(length, 2 * this.h1.length);
      this.h1 = new Int32Array(size);
      this.h2 = new Int32Array(size);
      this.hi = new Uint32Array(size);
      this.lo = new Uint32Array(size);
      this.wa = new Int32Array(size);
      this.wb = new Int32Array(size);
    }
    const h1 = this.h1;
    const h2 = this.h2;
    h1.fill(SEED1, 0, length);
    h2.fill(SEED2, 0, length);
    for (const chunk of chunks) {
      if (chunk && this.mixWhole(chunk, length)) continue;
      if (chunk) this.column(chunk, length);
      else {
        this.wa.fill(NULL_LO, 0, length);
        this.wb.fill(NULL_HI | 0, 0, length);
      }
      mixColumn(h1, h2, this.wa, this.wb, length);
    }
    finish(h1, h2, 2 * chunks.length, this.hi, this.lo, length);
  }

  /**
   * A column of one kind, as nearly every column is (numbers only, or interned text and nulls only),
   * mixed into the lanes in one loop that reads the words where they are: no test of each cell's
   * kind and no round trip through `wa` and `wb`. Gives the words `column` gives. False when the
   * column is mixed (then `column` and mixColumn take it).
   */
  private mixWhole(chunk: ColumnChunk, length: number): boolean {
    const present = kindsPresent(chunk.kinds, length);
    if (present !== 0 && (present & ~NUMBER_KINDS) === 0) {
      const { numbers } = chunk;
      mixNumbers(this.h1, this.h2, numbers, new Int32Array(numbers.buffer, numbers.byteOffset, numbers.length * 2), length);
      return true;
    }
    if (present !== 0 && (present & ~TEXT_OR_NULL) === 0 && chunk.codes !== undefined && chunk.dictionary !== undefined) {
      const cache = this.wordsOf(chunk.dictionary);
      mixTexts(this.h1, this.h2, chunk.codes, cache.words, cache.computed, chunk.texts, length);
      return true;
    }
    return false;
  }

  /** The two words of each cell of a column into `wa` and `wb`. */
  private column(chunk: ColumnChunk, length: number): void {
    const wa = this.wa;
    const wb = this.wb;
    const { kinds, numbers, texts, codes, dictionary } = chunk;
    const bits = new Int32Array(numbers.buffer, numbers.byteOffset, numbers.length * 2);
    // Interned texts' words for every id so far, computed before the loop (ids are dense and the
    // dictionary only grows), so a coded cell costs two loads.
    const cache = codes && dictionary ? this.wordsOf(dictionary) : undefined;
    const known = cache ? cache.computed : 0;
    const words = cache ? cache.words : EMPTY_WORDS;
    const ids = codes ?? EMPTY_IDS;
    for (let i = 0; i < length; i++) {
      const kind = kinds[i];
      let a: number;
      let b: number;
      if (kind === CellKind.Integer || kind === CellKind.Float) {
        const v = numbers[i] as number;
        a = numberWordA(v, bits, i);
        b = numberWordB(v, bits, i);
      } else if (kind === CellKind.Text) {
        const code = i < ids.length ? (ids[i] as number) : -1;
        if (code >= 0 && code < known) {
          a = words[2 * code] as number;
          b = words[2 * code + 1] as number;
        } else {
          cellTextWords(texts[i]);
          a = textOut[0] as number;
          b = textOut[1] as number;
        }
      } else if (kind === CellKind.Boolean) {
        a = numbers[i] === 1 ? 1 : 0;
        b = BOOLEAN_HI;
      } else {
        a = NULL_LO;
        b = NULL_HI;
      }
      wa[i] = a;
      wb[i] = b;
    }
  }

  /** The words of every text of `dictionary` so far (computed for the ids added since the last call). */
  private wordsOf(dictionary: readonly string[]): TextWordCache {
    let cache = this.caches.get(dictionary);
    if (!cache) {
      cache = { words: new Int32Array(2 * Math.max(16, dictionary.length)), computed: 0 };
      this.caches.set(dictionary, cache);
    }
    const n = dictionary.length;
    if (n > cache.computed) {
      if (2 * n > cache.words.length) {
        const grown = new Int32Array(Math.max(2 * n, 2 * cache.words.length));
        grown.set(cache.words);
        cache.words = grown;
      }
      for (let id = cache.computed; id < n; id++) {
        textWords(dictionary[id] as string);
        cache.words[2 * id] = textOut[0] as number;
        cache.words[2 * id + 1] = textOut[1] as number;
      }
      cache.computed = n;
    }
    return cache;
  }
}

/** The keys from the lanes after `words` words (each hot loop in a function of its own, so V8 optimizes it whole). */
function finish(h1: Int32Array, h2: Int32Array, words: number, hi: Uint32Array, lo: Uint32Array, length: number): void {
  for (let i = 0; i < length; i++) {
    const a = h1[i] as number;
    hi[i] = fmix32(a ^ words);
    lo[i] = fmix32((h2[i] as number) ^ Math.imul(words, 0x27d4eb2d) ^ a);
  }
}

/**
 * A number's two words: its IEEE-754 low and high words (`bits`, a view of the numbers), with −0 as 0
 * and every NaN as one NaN. Two small functions V8 inlines into each loop.
 */
function numberWordA(v: number, bits: Int32Array, i: number): number {
  return v === 0 || v !== v ? 0 : (bits[2 * i + LO] as number);
}

function numberWordB(v: number, bits: Int32Array, i: number): number {
  return v === 0 ? 0 : v !== v ? NAN_HI : (bits[2 * i + HI] as number);
}

/** mixColumn for a column of numbers only, with the words `column` gives a number. */
function mixNumbers(h1: Int32Array, h2: Int32Array, numbers: Float64Array, bits: Int32Array, length: number): void {
  for (let i = 0; i < length; i++) {
    const v = numbers[i] as number;
    const ka = scramble(numberWordA(v, bits, i));
    const kb = scramble(numberWordB(v, bits, i));
    h1[i] = laneA(laneA(h1[i] as number, ka), kb);
    h2[i] = laneB(laneB(h2[i] as number, ka), kb);
  }
}

/** mixColumn for a column of text and nulls only, with the words `column` gives them (`words` cached for ids below `known`). */
function mixTexts(h1: Int32Array, h2: Int32Array, codes: Int32Array, words: Int32Array, known: number, texts: readonly (string | null)[], length: number): void {
  for (let i = 0; i < length; i++) {
    const code = codes[i] as number;
    let a: number;
    let b: number;
    if (code >= 0 && code < known) {
      a = words[2 * code] as number;
      b = words[2 * code + 1] as number;
    } else {
      cellTextWords(texts[i]);
      a = textOut[0] as number;
      b = textOut[1] as number;
    }
    const ka = scramble(a);
    const kb = scramble(b);
    h1[i] = laneA(laneA(h1[i] as number, ka), kb);
    h2[i] = laneB(laneB(h2[i] as number, ka), kb);
  }
}

/** Each row's lanes take its cell's two words (MurmurHash3 x86_32 body steps, two seeds and shapes, as v1). */
function mixColumn(h1: Int32Array, h2: Int32Array, wa: Int32Array, wb: Int32Array, length: number): void {
  for (let i = 0; i < length; i++) {
    const ka = scramble(wa[i] as number);
    const kb = scramble(wb[i] as number);
    const x = laneA(laneA(h1[i] as number, ka), kb);
    const y = laneB(laneB(h2[i] as number, ka), kb);
    h1[i] = x;
    h2[i] = y;
  }
}
