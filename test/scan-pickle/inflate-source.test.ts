import { randomBytes } from 'node:crypto';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../packages/scan-pickle/src/byte-source';
import { InflateSource } from '../../packages/scan-pickle/src/inflate-source';

// 24 MB mixing incompressible and repetitive runs, so output chunks have uneven sizes.
const plain = Buffer.concat(Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? randomBytes(1 << 20) : Buffer.alloc(1 << 20, i))));

describe('InflateSource (streaming path, native inflate disabled)', () => {
  it.each([
    ['deflate-raw', deflateRawSync(plain)],
    ['zlib', deflateSync(plain)],
    ['gzip', gzipSync(plain)],
  ] as const)('%s: random forward and backward reads equal the inflated bytes', (kind, packed) => {
    const opened = InflateSource.open(new MemorySource(packed), kind, 1 << 30, 1000, Date.now() + 60_000, 0);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.source.size).toBe(plain.length);
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 40; i++) {
      const off = Math.floor(next() * plain.length);
      const len = Math.floor(next() * (3 << 20));
      expect(Buffer.from(opened.source.read(off, len)).equals(plain.subarray(off, off + len))).toBe(true);
    }
  });

  it('enforces the size bound and reports corruption without throwing', () => {
    const packed = deflateRawSync(Buffer.alloc(50 << 20));
    const big = InflateSource.open(new MemorySource(packed), 'deflate-raw', 10 << 20, 1000, Date.now() + 60_000, 0);
    expect(big).toMatchObject({ ok: false, limit: true });
    const bad = InflateSource.open(new MemorySource(Buffer.from([0x78, 0x9c, 0xff, 0xff, 0x00])), 'zlib', 1 << 20, 1000, Date.now() + 60_000, 0);
    expect(bad).toMatchObject({ ok: false, limit: false });
  });
});
