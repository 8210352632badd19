import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, UserError } from '@aisec/core';
import { ZipArchive } from '../../../packages/scan-deps/src/osv/zip-archive';
import { writeZip } from './zip-writer';

const scratch = mkdtempSync(join(tmpdir(), 'aisec-zip-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Incompressible bytes (a SHA-256 chain), so the zip is as large as its content and spans several read windows. */
function noise(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  let block = createHash('sha256').update(seed).digest();
  for (let at = 0; at < length; at += block.length) {
    block.copy(out, at);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

describe('ZipArchive.readInOrder (sequential windowed reads)', () => {
  // 40 members of 90 KB and one of 1.5 MB (above the 1 MiB window): ~5 MB of zip, several window refills.
  const members: [string, Buffer][] = Array.from({ length: 40 }, (_, i) => [`m${i}.json`, noise(`m${i}`, 90_000)]);
  members.splice(17, 0, ['big.json', noise('big', 1_500_000)]);
  const path = join(scratch, 'windows.zip');
  writeFileSync(path, writeZip(members));

  it('hands every asked member over once, in file order, byte for byte, whatever order it was asked in', () => {
    const zip = ZipArchive.open(path, DEFAULT_LIMITS);
    try {
      const asked = [40, 3, 17, 0, 39, 18, 25, 16, 1];
      const seen: number[] = [];
      zip.readInOrder(asked, (member, data) => {
        seen.push(member);
        expect(data.equals(members[member]?.[1] ?? Buffer.alloc(0))).toBe(true);
        expect(data.equals(zip.read(zip.entries[member]!))).toBe(true);
      });
      expect(seen).toEqual([...asked].sort((a, b) => a - b));
    } finally {
      zip.close();
    }
  });

  it('reports a member corrupted past the first window by name', () => {
    const bytes = writeZip(members);
    const zip = ZipArchive.open(path, DEFAULT_LIMITS);
    const target = zip.entries[30]!;
    zip.close();
    // Flip a byte in the middle of member 30's compressed data (beyond the first 1 MiB of the file).
    const at = target.localHeaderOffset + 30 + target.name.length + Math.floor(target.compressedSize / 2);
    expect(at).toBeGreaterThan(1024 * 1024);
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    const corruptPath = join(scratch, 'corrupt.zip');
    writeFileSync(corruptPath, bytes);
    const corrupt = ZipArchive.open(corruptPath, DEFAULT_LIMITS);
    try {
      expect(() => corrupt.readInOrder(corrupt.entries.map((_, i) => i), () => {})).toThrow(UserError);
      expect(() => corrupt.readInOrder([30], () => {})).toThrow(/m29\.json/);
    } finally {
      corrupt.close();
    }
  });
});

describe('ZipArchive.readInParallel (a helper thread inflates part of the members)', () => {
  // 300 members of 20 KB, a 1.5 MB one (above the window) and two stored ones: three helper batches of 128.
  const members: [string, Buffer][] = Array.from({ length: 300 }, (_, i) => [`p${i}.json`, noise(`p${i}`, 20_000)]);
  members.splice(150, 0, ['big.json', noise('big', 1_500_000)]);
  members.splice(10, 0, ['stored-a.json', Buffer.from('{"id": "stored"}')]);
  members.splice(200, 0, ['stored-b.json', noise('stored-b', 5_000)]);
  const stored = new Set(['stored-a.json', 'stored-b.json']);
  const path = join(scratch, 'parallel.zip');
  writeFileSync(path, writeZip(members, stored));

  /** Every member handed over, checked against `read`, as member → length; fails on a member seen twice. */
  async function readAll(zip: ZipArchive, asked: number[], options: Parameters<ZipArchive['readInParallel']>[2]): Promise<Map<number, number>> {
    const seen = new Map<number, number>();
    await zip.readInParallel(asked, (member, data) => {
      expect(seen.has(member)).toBe(false);
      expect(data.equals(members[member]?.[1] ?? Buffer.alloc(0))).toBe(true);
      seen.set(member, data.length);
    }, options);
    return seen;
  }

  it('hands every member over once, byte for byte, whether the helper inflates all, some or none of them', async () => {
    const zip = ZipArchive.open(path, DEFAULT_LIMITS);
    try {
      expect(zip.entries.filter((e) => e.method === 0)).toHaveLength(2);
      const all = zip.entries.map((_, i) => i).toReversed();
      for (const options of [{ helper: true, helperOnly: true }, { helper: true }, { helper: false }]) {
        expect([...(await readAll(zip, all, options)).keys()].sort((a, b) => a - b)).toEqual([...all].sort((a, b) => a - b));
      }
      expect((await readAll(zip, [3, 151, 10, 200], { helper: true, helperOnly: true })).size).toBe(4);
    } finally {
      zip.close();
    }
  });

  it('inflates here what a helper cannot deliver (its file gone)', async () => {
    const copy = join(scratch, 'parallel-gone.zip');
    writeFileSync(copy, writeZip(members, stored));
    const zip = ZipArchive.open(copy, DEFAULT_LIMITS);
    unlinkSync(copy); // this thread keeps its descriptor; the helper, opening the path, fails
    try {
      expect((await readAll(zip, zip.entries.map((_, i) => i), { helper: true, helperOnly: true })).size).toBe(members.length);
    } finally {
      zip.close();
    }
  });

  it('reports a member the helper finds corrupt by name, as readInOrder does', async () => {
    const bytes = writeZip(members, stored);
    const zip = ZipArchive.open(path, DEFAULT_LIMITS);
    const target = zip.entries[250]!;
    zip.close();
    const at = target.localHeaderOffset + 30 + target.name.length + Math.floor(target.compressedSize / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    const corruptPath = join(scratch, 'parallel-corrupt.zip');
    writeFileSync(corruptPath, bytes);
    const corrupt = ZipArchive.open(corruptPath, DEFAULT_LIMITS);
    try {
      const all = corrupt.entries.map((_, i) => i);
      let inOrder: unknown;
      try {
        corrupt.readInOrder(all, () => {});
      } catch (error) {
        inOrder = error;
      }
      expect(inOrder).toBeInstanceOf(UserError);
      expect(String(inOrder)).toContain(target.name);
      await expect(corrupt.readInParallel(all, () => {}, { helper: true, helperOnly: true })).rejects.toThrow(
        inOrder instanceof Error ? inOrder.message : 'unreachable',
      );
      await expect(corrupt.readInParallel(all, () => {}, { helper: true })).rejects.toThrow(UserError);
    } finally {
      corrupt.close();
    }
  });

  it('refuses up front to inflate past the decompression limit, and stops the helper when a visit throws', async () => {
    const total = members.reduce((sum, [, data]) => sum + data.length, 0);
    const tight = ZipArchive.open(path, { ...DEFAULT_LIMITS, maxDecompressedBytes: total - 1 });
    try {
      let visits = 0;
      await expect(tight.readInParallel(tight.entries.map((_, i) => i), () => visits++, { helper: true })).rejects.toThrow(/decompression limit/);
      expect(visits).toBe(0);
    } finally {
      tight.close();
    }
    const zip = ZipArchive.open(path, DEFAULT_LIMITS);
    try {
      await expect(
        zip.readInParallel(zip.entries.map((_, i) => i), (member) => {
          if (member === 120) throw new Error('stop here');
        }, { helper: true }),
      ).rejects.toThrow('stop here');
    } finally {
      zip.close();
    }
  });
});
