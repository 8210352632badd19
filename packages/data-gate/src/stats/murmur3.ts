/**
 * The pieces of MurmurHash3 x86_32 (Austin Appleby, public domain) that aisec's stored hash recipes
 * are built from: row keys v1 (RowHasher.key) and v2 (profile/batch-row-keys.ts), and the HyperLogLog
 * string hash (sketch/hyperloglog.ts). Each recipe chooses its seeds, its words and their order; these
 * functions are shared so the arithmetic is written once. Profiles store what they produce: never
 * change them in place.
 */

/** The finalizer: a bijection on 32 bits with full avalanche. */
export function fmix32(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

/** A block's key scramble: k·c1, rotated left 15, ·c2. */
export function scramble(k: number): number {
  const x = Math.imul(k, 0xcc9e2d51);
  return Math.imul((x << 15) | (x >>> 17), 0x1b873593);
}

/** The first lane's block step (MurmurHash3's own): h ^ k, rotated left 13, ·5 + 0xe6546b64. */
export function laneA(h: number, k: number): number {
  const x = h ^ k;
  return (Math.imul((x << 13) | (x >>> 19), 5) + 0xe6546b64) | 0;
}

/** The second lane's block step (aisec's variant, so two lanes give 64 bits): h ^ k, rotated left 17, ·9 + 0x85ebca6b. */
export function laneB(h: number, k: number): number {
  const x = h ^ k;
  return (Math.imul((x << 17) | (x >>> 15), 9) + 0x85ebca6b) | 0;
}
