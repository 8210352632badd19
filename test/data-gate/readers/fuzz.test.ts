import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { UserError } from '@aisec/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readTable } from '../../../packages/data-gate/src/readers/index';

const tmp = mkdtempSync(join(tmpdir(), 'aisec-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** Bytes biased towards the characters that steer the parsers, plus arbitrary ones. */
function hostileBytes(rnd: () => number, length: number): Buffer {
  const alphabet = Buffer.from(',;\t"\r\n{}[]:\\ 0123456789.-eEaz\u00e9');
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = rnd() < 0.8 ? (alphabet[Math.floor(rnd() * alphabet.length)] as number) : Math.floor(rnd() * 256);
  return out;
}

/** Reads a file fully; returns 'ok' or 'user-error', and lets anything else (a crash) fail the test. */
async function outcome(path: string): Promise<'ok' | 'user-error'> {
  try {
    const table = readTable(path, {}, { workspace: tmp });
    for await (const batch of table) {
      for (const chunk of batch.data) if (chunk.kinds.length !== batch.length) throw new Error('column length differs from batch length');
    }
    return 'ok';
  } catch (error) {
    if (error instanceof UserError) return 'user-error';
    throw error;
  }
}

describe('hostile input never crashes a reader', () => {
  it('500 random files per format end in rows or a UserError, never another exception', async () => {
    const rnd = lcg(2024);
    const seen = { ok: 0, 'user-error': 0 };
    for (let k = 0; k < 500; k++) {
      const bytes = hostileBytes(rnd, Math.floor(rnd() * 2000));
      for (const name of [`f${k}.csv`, `f${k}.jsonl`, `f${k}.tsv.gz`, `f${k}.parquet`]) {
        const path = join(tmp, name);
        writeFileSync(path, name.endsWith('.gz') ? (rnd() < 0.5 ? gzipSync(bytes) : bytes) : name.endsWith('.parquet') ? Buffer.concat([Buffer.from('PAR1'), bytes, Buffer.from('PAR1')]) : bytes);
        seen[await outcome(path)]++;
      }
    }
    // Both outcomes occur, so the generator exercises the error paths as well as the happy ones.
    expect(seen.ok).toBeGreaterThan(100);
    expect(seen['user-error']).toBeGreaterThan(100);
  });
});
