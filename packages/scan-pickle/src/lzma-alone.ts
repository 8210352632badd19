/**
 * A decoder for LZMA "alone" streams (the .lzma format: 13-byte header, then one LZMA stream), which
 * joblib writes for `compress='lzma'`. npm has no maintained decoder that can be bounded (LZMA-JS
 * inflates to completion in memory), so this follows the reference decoder of the LZMA SDK (LzmaSpec.cpp)
 * line by line, with an output bound and a time budget. Decoding only: nothing here is ever executed.
 */

export class LzmaError extends Error {
  constructor(
    message: string,
    readonly limit = false,
  ) {
    super(message);
  }
}

const PROB_INIT = 1024;
const NUM_STATES = 12;
const POS_BITS_MAX = 4;
const LEN_TO_POS_STATES = 4;
const ALIGN_BITS = 4;
const END_POS_MODEL_INDEX = 14;
const FULL_DISTANCES = 128;
const MATCH_MIN_LEN = 2;

const probs = (n: number) => new Uint16Array(n).fill(PROB_INIT);

class RangeDecoder {
  range = 0xffffffff;
  code = 0;
  pos: number;
  constructor(private readonly input: Uint8Array, start: number) {
    this.pos = start;
    const b0 = this.next();
    for (let i = 0; i < 4; i++) this.code = ((this.code << 8) | this.next()) >>> 0;
    if (b0 !== 0 || this.code === this.range) throw new LzmaError('corrupt range coder header');
  }
  private next(): number {
    const b = this.input[this.pos++];
    if (b === undefined) throw new LzmaError('the LZMA stream ends early');
    return b;
  }
  private normalize(): void {
    if (this.range < 0x1000000) {
      this.range = (this.range << 8) >>> 0;
      this.code = ((this.code << 8) | this.next()) >>> 0;
    }
  }
  bit(p: Uint16Array, i: number): number {
    const v = p[i] ?? PROB_INIT;
    const bound = (this.range >>> 11) * v;
    let sym: number;
    if (this.code < bound) {
      p[i] = v + ((2048 - v) >>> 5);
      this.range = bound;
      sym = 0;
    } else {
      p[i] = v - (v >>> 5);
      this.code = (this.code - bound) >>> 0;
      this.range = (this.range - bound) >>> 0;
      sym = 1;
    }
    this.normalize();
    return sym;
  }
  direct(numBits: number): number {
    let res = 0;
    for (let i = 0; i < numBits; i++) {
      this.range >>>= 1;
      let bit = 1;
      if (this.code < this.range) bit = 0;
      else this.code = (this.code - this.range) >>> 0;
      if (this.code === this.range) throw new LzmaError('corrupt direct bits');
      this.normalize();
      res = res * 2 + bit;
    }
    return res;
  }
  finishedOk(): boolean {
    return this.code === 0;
  }
}

function treeDecode(rc: RangeDecoder, p: Uint16Array, base: number, numBits: number): number {
  let m = 1;
  for (let i = 0; i < numBits; i++) m = (m << 1) + rc.bit(p, base + m);
  return m - (1 << numBits);
}

function treeReverse(rc: RangeDecoder, p: Uint16Array, base: number, numBits: number): number {
  let m = 1;
  let sym = 0;
  for (let i = 0; i < numBits; i++) {
    const bit = rc.bit(p, base + m);
    m = (m << 1) + bit;
    sym |= bit << i;
  }
  return sym;
}

class LenDecoder {
  private readonly choice = probs(2);
  private readonly low = probs(16 << 3);
  private readonly mid = probs(16 << 3);
  private readonly high = probs(1 << 8);
  decode(rc: RangeDecoder, posState: number): number {
    if (rc.bit(this.choice, 0) === 0) return treeDecode(rc, this.low, posState << 3, 3);
    if (rc.bit(this.choice, 1) === 0) return 8 + treeDecode(rc, this.mid, posState << 3, 3);
    return 16 + treeDecode(rc, this.high, 0, 8);
  }
}

/**
 * Decodes an LZMA-alone stream. Throws LzmaError (with `limit` set when `maxOut` or the deadline is hit).
 */
export function decodeLzmaAlone(input: Uint8Array, maxOut: number, deadline: number): Uint8Array {
  if (input.length < 13) throw new LzmaError('shorter than the 13-byte header');
  let d = input[0] ?? 0;
  if (d >= 9 * 5 * 5) throw new LzmaError('bad properties byte');
  const lc = d % 9;
  d = Math.floor(d / 9);
  const lp = d % 5;
  const pb = Math.floor(d / 5);
  const dictSize = Math.max(4096, ((input[1] ?? 0) | ((input[2] ?? 0) << 8) | ((input[3] ?? 0) << 16)) + (input[4] ?? 0) * 0x1000000);
  let sizeKnown = false;
  let unpackSize = 0;
  for (let i = 5; i < 13; i++) if (input[i] !== 0xff) sizeKnown = true;
  if (sizeKnown) {
    for (let i = 12; i >= 5; i--) unpackSize = unpackSize * 256 + (input[i] ?? 0);
    if (unpackSize > maxOut) throw new LzmaError(`declares ${unpackSize} bytes, past the decompression bound`, true);
  }

  let out = new Uint8Array(sizeKnown ? unpackSize : Math.min(maxOut, Math.max(1 << 16, input.length * 4)));
  let pos = 0;
  const put = (b: number) => {
    if (pos >= out.length) {
      if (out.length >= maxOut) throw new LzmaError(`inflates past ${maxOut} bytes (decompression bound)`, true);
      const next = new Uint8Array(Math.min(maxOut, out.length * 2));
      next.set(out);
      out = next;
    }
    out[pos++] = b;
  };

  const rc = new RangeDecoder(input, 13);
  const lit = probs(0x300 << (lc + lp));
  const isMatch = probs(NUM_STATES << POS_BITS_MAX);
  const isRep = probs(NUM_STATES);
  const isRepG0 = probs(NUM_STATES);
  const isRepG1 = probs(NUM_STATES);
  const isRepG2 = probs(NUM_STATES);
  const isRep0Long = probs(NUM_STATES << POS_BITS_MAX);
  const posSlot = probs(LEN_TO_POS_STATES << 6);
  const posDecoders = probs(1 + FULL_DISTANCES - END_POS_MODEL_INDEX);
  const align = probs(1 << ALIGN_BITS);
  const lenDecoder = new LenDecoder();
  const repLenDecoder = new LenDecoder();

  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  let remaining = unpackSize;
  const pbMask = (1 << pb) - 1;
  const lpMask = (1 << lp) - 1;

  for (let iter = 0; ; iter++) {
    if ((iter & 0xffff) === 0 && Date.now() > deadline) throw new LzmaError('takes longer than the time budget to decode', true);
    if (sizeKnown && remaining === 0 && rc.finishedOk()) break;
    const posState = pos & pbMask;
    if (rc.bit(isMatch, (state << POS_BITS_MAX) + posState) === 0) {
      if (sizeKnown && remaining === 0) throw new LzmaError('data past the declared size');
      const prevByte = pos > 0 ? (out[pos - 1] ?? 0) : 0;
      const base = 0x300 * (((pos & lpMask) << lc) + (prevByte >>> (8 - lc)));
      let symbol = 1;
      if (state >= 7) {
        let matchByte = out[pos - rep0 - 1] ?? 0;
        do {
          const matchBit = (matchByte >>> 7) & 1;
          matchByte <<= 1;
          const bit = rc.bit(lit, base + ((1 + matchBit) << 8) + symbol);
          symbol = (symbol << 1) | bit;
          if (matchBit !== bit) break;
        } while (symbol < 0x100);
      }
      while (symbol < 0x100) symbol = (symbol << 1) | rc.bit(lit, base + symbol);
      put(symbol - 0x100);
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      remaining--;
      continue;
    }
    let len: number;
    if (rc.bit(isRep, state) !== 0) {
      if (sizeKnown && remaining === 0) throw new LzmaError('data past the declared size');
      if (pos === 0) throw new LzmaError('repeat match before any output');
      if (rc.bit(isRepG0, state) === 0) {
        if (rc.bit(isRep0Long, (state << POS_BITS_MAX) + posState) === 0) {
          state = state < 7 ? 9 : 11;
          put(out[pos - rep0 - 1] ?? 0);
          remaining--;
          continue;
        }
      } else {
        let dist: number;
        if (rc.bit(isRepG1, state) === 0) dist = rep1;
        else {
          if (rc.bit(isRepG2, state) === 0) dist = rep2;
          else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = repLenDecoder.decode(rc, posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = lenDecoder.decode(rc, posState);
      state = state < 7 ? 7 : 10;
      // Distance.
      const lenState = Math.min(len, LEN_TO_POS_STATES - 1);
      const slot = treeDecode(rc, posSlot, lenState << 6, 6);
      if (slot < 4) rep0 = slot;
      else {
        const numDirect = (slot >>> 1) - 1;
        let dist = (2 | (slot & 1)) * 2 ** numDirect;
        if (slot < END_POS_MODEL_INDEX) dist += treeReverse(rc, posDecoders, dist - slot, numDirect);
        else {
          dist += rc.direct(numDirect - ALIGN_BITS) * 2 ** ALIGN_BITS;
          dist += treeReverse(rc, align, 0, ALIGN_BITS);
        }
        rep0 = dist;
      }
      if (rep0 === 0xffffffff) {
        if (rc.finishedOk()) break; // end marker
        throw new LzmaError('corrupt end marker');
      }
      if (sizeKnown && remaining === 0) throw new LzmaError('data past the declared size');
      if (rep0 >= dictSize || rep0 >= pos) throw new LzmaError('match distance out of range');
    }
    len += MATCH_MIN_LEN;
    if (sizeKnown && remaining < len) throw new LzmaError('match runs past the declared size');
    for (let i = 0; i < len; i++) put(out[pos - rep0 - 1] ?? 0);
    remaining -= len;
  }
  return out.subarray(0, pos);
}
