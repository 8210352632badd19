import { UserError } from '@aisec/core';
import { fmix32, laneA, laneB, scramble } from '../stats/murmur3';

/**
 * HyperLogLog distinct counting (Flajolet, Fusy, Gandouet and Meunier 2007) with 64-bit hashes, as
 * HLL++ (Heule, Nunkesser and Hall 2013) uses them, so the counts never saturate; the estimate is Otmar
 * Ertl's improved estimator ("New cardinality estimation algorithms for HyperLogLog sketches", 2017,
 * the one Redis uses), which is unbiased from 0 to far past 2^40 with no empirical bias tables: for
 * small counts it behaves as linear counting, for large ones as the raw HLL estimate.
 *
 * Values: numbers are hashed by their IEEE-754 double bits (-0 as 0, every NaN as one NaN), strings by
 * their UTF-16 code units, so the hash is the same on every platform. Adding a value twice changes
 * nothing, so a builder may add each distinct value once; merging takes register-wise maxima, in any
 * order, and gives exactly the sketch of the union.
 *
 * Hash recipes: profiles store registers, so a sketch is only meaningful with the hash it was built
 * with, and only sketches of one recipe merge. A recipe is never changed in place; a new one gets a new
 * name, stored in the JSON (`hash`; absent means `aisec-hll/v1`), and older ones stay readable (their
 * estimates stay valid, and a sketch read back keeps adding with its own recipe):
 * - `aisec-hll/v1`: SplitMix64's output function (Steele, Lea and Flood 2014) over the double's 64 bits
 *   (strings: two MurmurHash3 x86_32 lanes, finished the same way), in 64-bit arithmetic emulated with
 *   16-bit limbs; about 35 ns a number.
 * - `aisec-hll/v2` (new sketches): three MurmurHash3 fmix32 rounds cross-mixing the double's two 32-bit
 *   words (`mix64`), all in Math.imul; a bijection on 64 bits, so distinct doubles never collide.
 *
 * Error: the relative standard error is 1.04/√m (m = 2^precision registers; precision 12: 1.6%).
 */
export const HLL_DEFAULT_PRECISION = 12;
export const HLL_MIN_PRECISION = 4;
export const HLL_MAX_PRECISION = 18;

/** The hash recipes a sketch may be built with (see above). */
export type HllHash = 'aisec-hll/v1' | 'aisec-hll/v2';
/** The recipe of new sketches. */
export const HLL_HASH: HllHash = 'aisec-hll/v2';
const HASHES: readonly HllHash[] = ['aisec-hll/v1', 'aisec-hll/v2'];

export interface HyperLogLogJson {
  precision: number;
  /** The hash recipe of the registers; absent means `aisec-hll/v1` (sketches written before it was recorded). */
  hash?: HllHash;
  /** The m one-byte registers, base64. */
  registers: string;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const i32 = new Int32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

/**
 * Scratch registers for the 64-bit arithmetic: results go to a typed array, since a module variable
 * holding a uint32 above 2^30 would box a heap number on every store.
 */
const reg = new Uint32Array(4);
const MUL_HI = 0;
const MUL_LO = 1;
const HASH_HI = 2;
const HASH_LO = 3;

/** Low 64 bits of (aHi:aLo)·(bHi:bLo), into reg[MUL_HI], reg[MUL_LO]. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  // aLo·bLo in 16-bit limbs (exact), plus the cross terms' low 32 bits.
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const lo = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  reg[MUL_LO] = lo;
  reg[MUL_HI] = carry + Math.imul(aHi, bLo) + Math.imul(aLo, bHi);
}

/** SplitMix64's output function (Steele, Lea and Flood 2014) on (hi, lo) plus the golden gamma, into reg[HASH_HI], reg[HASH_LO]. */
function splitmix64(hi: number, lo: number): void {
  // z = x + 0x9e3779b97f4a7c15
  let zLo = (lo + 0x7f4a7c15) >>> 0;
  let zHi = (hi + 0x9e3779b9 + (zLo < lo >>> 0 ? 1 : 0)) >>> 0;
  // z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9
  zLo = (zLo ^ ((zLo >>> 30) | (zHi << 2))) >>> 0;
  zHi = (zHi ^ (zHi >>> 30)) >>> 0;
  mul64(zHi, zLo, 0xbf58476d, 0x1ce4e5b9);
  zHi = reg[MUL_HI] as number;
  zLo = reg[MUL_LO] as number;
  // z = (z ^ (z >>> 27)) * 0x94d049bb133111eb
  zLo = (zLo ^ ((zLo >>> 27) | (zHi << 5))) >>> 0;
  zHi = (zHi ^ (zHi >>> 27)) >>> 0;
  mul64(zHi, zLo, 0x94d049bb, 0x133111eb);
  zHi = reg[MUL_HI] as number;
  zLo = reg[MUL_LO] as number;
  // z ^ (z >>> 31)
  reg[HASH_LO] = zLo ^ ((zLo >>> 31) | (zHi << 1));
  reg[HASH_HI] = zHi ^ (zHi >>> 31);
}


/**
 * `aisec-hll/v2`'s 64-bit mix of (hi, lo), into reg[HASH_HI], reg[HASH_LO]: a = fmix32(lo + γ),
 * b = fmix32(hi ^ a), c = fmix32(a ^ rotl(b, 16) ^ γ'), hash = (c, b). Each step is invertible given the
 * other word, so the map is a bijection (distinct inputs, distinct hashes), and every output bit
 * depends on every input bit through at least one full fmix32 avalanche. (Inlined in addNumbers.)
 */
function mix64(hi: number, lo: number): void {
  const a = fmix32((lo + 0x9e3779b9) | 0);
  const b = fmix32(hi ^ a);
  const c = fmix32(a ^ ((b << 16) | (b >>> 16)) ^ 0x7f4a7c15);
  reg[HASH_HI] = c;
  reg[HASH_LO] = b;
}

/** Bits of the double every NaN is hashed as (V8's NaN), high word; the low word is 0. */
const NAN_HI = 0x7ff80000;

/** 64-bit hash of a number by its double bits, by `hash`'s recipe (default: new sketches'); [hi, lo]. */
export function hashNumber64(value: number, hash: HllHash = HLL_HASH): [number, number] {
  if (hash === 'aisec-hll/v1') setNumberHash(value);
  else setNumberHashV2(value);
  return [reg[HASH_HI] as number, reg[HASH_LO] as number];
}

function setNumberHash(value: number): void {
  f64[0] = value === 0 ? 0 : value !== value ? Number.NaN : value;
  splitmix64(u32[HI] as number, u32[LO] as number);
}

function setNumberHashV2(value: number): void {
  if (value === 0) {
    mix64(0, 0);
  } else if (value !== value) {
    mix64(NAN_HI, 0);
  } else {
    f64[0] = value;
    mix64(i32[HI] as number, i32[LO] as number);
  }
}

/**
 * 64-bit hash of a string's UTF-16 code units, by `hash`'s recipe: two MurmurHash3 x86_32 lanes,
 * finished by SplitMix64 (v1) or by mix64 (v2).
 */
export function hashString64(text: string, hash: HllHash = HLL_HASH): [number, number] {
  setStringHash(text, hash === 'aisec-hll/v1');
  return [reg[HASH_HI] as number, reg[HASH_LO] as number];
}

function setStringHash(text: string, v1: boolean): void {
  const len = text.length;
  let h1 = 0x9747b28c ^ len;
  let h2 = 0x3c6ef372;
  let i = 0;
  for (; i + 1 < len; i += 2) {
    const k = scramble(text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16));
    h1 = laneA(h1, k);
    h2 = laneB(h2, k);
  }
  if (i < len) {
    // The tail, as MurmurHash3 takes it: scrambled and mixed in without a lane step.
    const k = scramble(text.charCodeAt(i));
    h1 ^= k;
    h2 ^= k;
  }
  if (v1) splitmix64(h1 >>> 0, (h2 ^ Math.imul(len, 0x27d4eb2d)) >>> 0);
  else mix64(h1, h2 ^ Math.imul(len, 0x27d4eb2d));
}

/** Relative standard error of a sketch with 2^precision registers. */
export function hllStandardError(precision: number): number {
  return 1.04 / Math.sqrt(2 ** precision);
}

export class HyperLogLog {
  readonly precision: number;
  /** The hash recipe of the registers; new sketches use HLL_HASH, sketches read back keep theirs. */
  readonly hash: HllHash;
  private readonly registers: Uint8Array;
  private readonly shift: number;
  private readonly v1: boolean;

  constructor(precision = HLL_DEFAULT_PRECISION, hash: HllHash = HLL_HASH) {
    if (!Number.isInteger(precision) || precision < HLL_MIN_PRECISION || precision > HLL_MAX_PRECISION) {
      throw new RangeError(`HyperLogLog precision must be an integer in [${HLL_MIN_PRECISION}, ${HLL_MAX_PRECISION}], not ${precision}`);
    }
    if (!HASHES.includes(hash)) throw new RangeError(`unknown HyperLogLog hash recipe ${JSON.stringify(hash)}`);
    this.precision = precision;
    this.hash = hash;
    this.v1 = hash === 'aisec-hll/v1';
    this.registers = new Uint8Array(2 ** precision);
    this.shift = 32 - precision;
  }

  addNumber(value: number): void {
    if (this.v1) setNumberHash(value);
    else setNumberHashV2(value);
    this.addHash(reg[HASH_HI] as number, reg[HASH_LO] as number);
  }

  /**
   * Adds values[0..count), as addNumber does value by value (same registers), with the v2 hash and the
   * register update inlined over the doubles' words: the per-column call of a profile batch.
   */
  addNumbers(values: Float64Array, count: number): void {
    if (!(count >= 0 && count <= values.length)) throw new RangeError(`count ${count} is outside [0, ${values.length}]`);
    if (this.v1) {
      for (let i = 0; i < count; i++) this.addNumber(values[i] as number);
      return;
    }
    const words = new Int32Array(values.buffer, values.byteOffset, 2 * count);
    const registers = this.registers;
    const shift = this.shift;
    const precision = this.precision;
    const tail = 65 - precision;
    for (let i = 0; i < count; i++) {
      let hi = words[2 * i + HI] as number;
      let lo = words[2 * i + LO] as number;
      // -0 as 0, every NaN as one NaN (as setNumberHashV2).
      if ((hi & 0x7ff00000) === 0x7ff00000) {
        if (((hi & 0xfffff) | lo) !== 0) {
          hi = NAN_HI;
          lo = 0;
        }
      } else if (hi === -0x80000000 && lo === 0) {
        hi = 0;
      }
      // mix64, inlined.
      let a = (lo + 0x9e3779b9) | 0;
      a ^= a >>> 16;
      a = Math.imul(a, 0x85ebca6b);
      a ^= a >>> 13;
      a = Math.imul(a, 0xc2b2ae35);
      a ^= a >>> 16;
      let b = hi ^ a;
      b ^= b >>> 16;
      b = Math.imul(b, 0x85ebca6b);
      b ^= b >>> 13;
      b = Math.imul(b, 0xc2b2ae35);
      b ^= b >>> 16;
      let c = a ^ ((b << 16) | (b >>> 16)) ^ 0x7f4a7c15;
      c ^= c >>> 16;
      c = Math.imul(c, 0x85ebca6b);
      c ^= c >>> 13;
      c = Math.imul(c, 0xc2b2ae35);
      c ^= c >>> 16;
      // addHash, inlined.
      const index = c >>> shift;
      const rest = c << precision;
      const rank = rest !== 0 ? Math.clz32(rest) + 1 : b !== 0 ? shift + Math.clz32(b) + 1 : tail;
      if (rank > (registers[index] as number)) registers[index] = rank;
    }
  }

  addString(text: string): void {
    setStringHash(text, this.v1);
    this.addHash(reg[HASH_HI] as number, reg[HASH_LO] as number);
  }

  /** Register = top `precision` bits; value = 1 + leading zeros of the other 64 − precision bits (at most 65 − precision). */
  addHash(hi: number, lo: number): void {
    const index = hi >>> this.shift;
    const rest = hi << this.precision;
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : lo !== 0 ? this.shift + Math.clz32(lo) + 1 : 65 - this.precision;
    if (rank > (this.registers[index] as number)) this.registers[index] = rank;
  }

  /** Registers become the maxima of both: the sketch of the union. A finer sketch is folded to the coarser precision first. */
  merge(other: HyperLogLog): HyperLogLog {
    if (other.hash !== this.hash) {
      throw new UserError(`cannot merge distinct-count sketches built with different hash recipes (${this.hash} and ${other.hash}): their registers do not describe the same hashes`, {
        hint: 'profile every shard again with the same aisec version (`aisec data-gate profile`), then merge the profiles',
      });
    }
    if (other.precision === this.precision) {
      const a = this.registers;
      const b = other.registers;
      for (let i = 0; i < a.length; i++) if ((b[i] as number) > (a[i] as number)) a[i] = b[i] as number;
      return this;
    }
    const coarse = this.precision < other.precision ? this.clone() : other.fold(this.precision);
    const folded = this.precision < other.precision ? other.fold(this.precision) : this.fold(other.precision);
    return coarse.merge(folded);
  }

  clone(): HyperLogLog {
    const out = new HyperLogLog(this.precision, this.hash);
    out.registers.set(this.registers);
    return out;
  }

  /**
   * The same values' sketch at a lower precision, exactly: the register index loses its low bits,
   * which become the leading bits of the rest of the hash.
   */
  fold(precision: number): HyperLogLog {
    if (precision > this.precision) throw new RangeError(`cannot fold a precision-${this.precision} sketch up to ${precision}`);
    const out = new HyperLogLog(precision, this.hash);
    const drop = this.precision - precision;
    for (let j = 0; j < this.registers.length; j++) {
      const r = this.registers[j] as number;
      if (r === 0) continue;
      const low = j & ((1 << drop) - 1);
      const rank = low !== 0 ? drop - (31 - Math.clz32(low)) : drop + r;
      const index = j >>> drop;
      if (rank > (out.registers[index] as number)) out.registers[index] = rank;
    }
    return out;
  }

  /** Ertl's improved estimator (2017, algorithm 6), as Redis computes it. */
  estimate(): number {
    const m = this.registers.length;
    const q = 64 - this.precision;
    const histogram = new Float64Array(q + 2);
    for (let i = 0; i < m; i++) histogram[this.registers[i] as number]! += 1;
    if (histogram[0] === m) return 0;
    let z = m * tau((m - (histogram[q + 1] as number)) / m);
    for (let k = q; k >= 1; k--) z = 0.5 * (z + (histogram[k] as number));
    z += m * sigma((histogram[0] as number) / m);
    return (m * m) / (2 * Math.LN2 * z);
  }

  /** Relative standard error of this sketch's estimate, 1.04/√m. */
  get relativeStandardError(): number {
    return hllStandardError(this.precision);
  }

  /** v1 sketches are written as they were read (no `hash`), so reading and writing them back changes no byte. */
  toJSON(): HyperLogLogJson {
    const registers = Buffer.from(this.registers.buffer, this.registers.byteOffset, this.registers.byteLength).toString('base64');
    return this.v1 ? { precision: this.precision, registers } : { precision: this.precision, hash: this.hash, registers };
  }

  static fromJSON(json: unknown, file?: string): HyperLogLog {
    const bad = (why: string): UserError => new UserError(`invalid distinct-count sketch: ${why}`, { ...(file === undefined ? {} : { file }), hint: 'profile the reference again with `aisec data-gate profile`' });
    if (json === null || typeof json !== 'object') throw bad('not an object');
    const j = json as Partial<Record<keyof HyperLogLogJson, unknown>>;
    const p = j.precision;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < HLL_MIN_PRECISION || p > HLL_MAX_PRECISION) throw bad(`precision must be an integer in [${HLL_MIN_PRECISION}, ${HLL_MAX_PRECISION}]`);
    if (typeof j.registers !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(j.registers)) throw bad('registers must be base64');
    if (j.hash !== undefined && !HASHES.includes(j.hash as HllHash)) {
      throw new UserError(`invalid distinct-count sketch: unknown hash recipe ${JSON.stringify(j.hash)} (this aisec reads ${HASHES.join(' and ')})`, {
        ...(file === undefined ? {} : { file }),
        hint: 'profile the reference again with this aisec version (`aisec data-gate profile`), or use the aisec version that wrote it',
      });
    }
    const bytes = Buffer.from(j.registers, 'base64');
    if (bytes.length !== 2 ** p) throw bad(`${bytes.length} registers, expected 2^${p}`);
    const out = new HyperLogLog(p, (j.hash as HllHash | undefined) ?? 'aisec-hll/v1');
    const max = 65 - p;
    for (let i = 0; i < bytes.length; i++) {
      const r = bytes[i] as number;
      if (r > max) throw bad(`register ${i} is ${r}, above ${max}`);
      out.registers[i] = r;
    }
    return out;
  }
}

/** σ(x) = x + Σ_{k≥1} x^(2^k)·2^(k−1) (Ertl 2017, eq. 46). */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous !== z);
  return z;
}

/** τ(x) = (1/3)·(1 − x − Σ_{k≥1} (1 − x^(2^−k))²·2^−k) (Ertl 2017, eq. 47). */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  } while (previous !== z);
  return z / 3;
}
