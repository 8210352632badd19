import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeLzmaAlone, LzmaError } from '../../packages/scan-pickle/src/lzma-alone';

// Vectors written by Python's lzma module (FORMAT_ALONE), see test/fixtures/scan-pickle/models/generate.py.
const DIR = join(import.meta.dirname, '../fixtures/scan-pickle/lzma');
const vectors = readdirSync(DIR).filter((f) => f.endsWith('.lzma'));

describe('LZMA-alone decoder', () => {
  it('has vectors for several presets and lc/lp/pb settings', () => {
    expect(vectors.length).toBe(9);
  });

  it.each(vectors)('%s decodes to the bytes Python compressed', (f) => {
    const raw = readFileSync(join(DIR, `${f.split('.')[0]}.raw`));
    const out = decodeLzmaAlone(readFileSync(join(DIR, f)), 1 << 26, Date.now() + 30_000);
    expect(Buffer.from(out).equals(raw)).toBe(true);
  });

  it('stops at the output bound, and rejects damaged streams with an LzmaError', () => {
    const packed = readFileSync(join(DIR, 'mixed.default.lzma'));
    expect(() => decodeLzmaAlone(packed, 1000, Date.now() + 30_000)).toThrow(expect.objectContaining({ limit: true }));
    for (let cut = 13; cut < packed.length; cut += 997) {
      expect(() => decodeLzmaAlone(packed.subarray(0, cut), 1 << 26, Date.now() + 30_000)).toThrow(LzmaError);
    }
    const flipped = Buffer.from(packed);
    flipped[13] = 1; // the range coder's first byte must be 0
    expect(() => decodeLzmaAlone(flipped, 1 << 26, Date.now() + 30_000)).toThrow(/corrupt range coder header/);
  });
});
