/**
 * Bit `1 << kind` for every kind among the first `n` cells. A column is nearly always of one kind, so
 * it is compared with its first kind four bytes at a time (from the first 4-byte boundary of its
 * buffer: readers hand out columns as views of one shared array), and folded byte by byte only where
 * it is mixed and at the ends.
 */
export function kindsPresent(kinds: Uint8Array, n: number): number {
  const end = Math.min(n, kinds.length);
  if (end === 0) return 0;
  const first = kinds[0] as number;
  let present = 1 << first;
  let i = Math.min(end, (4 - (kinds.byteOffset % 4)) % 4);
  for (let j = 1; j < i; j++) present |= 1 << (kinds[j] as number);
  const words = (end - i) >>> 2;
  if (words > 0) {
    const view = new Uint32Array(kinds.buffer, kinds.byteOffset + i, words);
    const same = Math.imul(first, 0x01010101) >>> 0;
    let w = 0;
    while (w < words && view[w] === same) w++;
    i += w * 4;
  }
  for (; i < end; i++) present |= 1 << (kinds[i] as number);
  return present;
}
