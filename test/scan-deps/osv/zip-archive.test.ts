import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
