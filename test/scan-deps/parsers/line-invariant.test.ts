import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverManifests, parseManifestFile } from '../../../packages/scan-deps/src/parsers/index';
import { decodeText } from '../../../packages/scan-deps/src/parsers/read-manifest';
import { FIXTURES } from './fixtures';

/**
 * The promise behind every annotation: a dependency's line is where the file names it. For manifests
 * the line itself holds the name; for TOML locks it is the `[[package]]` header with the name just
 * below it (or the line holding the constraint that pinned it, for `-c` files).
 */
describe('every dependency points at a line that names it', async () => {
  const { files } = await discoverManifests(['.'], { workspace: FIXTURES });
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
  });
  it.each(files.map((f) => [f.path, f.absPath] as const))('%s', async (_path, absPath) => {
    const m = await parseManifestFile(absPath, { workspace: FIXTURES, env: { ORT_VERSION: '1.15.1' } });
    const cache = new Map<string, string[]>();
    const linesOf = (p: string): string[] => {
      const hit = cache.get(p);
      if (hit) return hit;
      const text = decodeText(readFileSync(join(FIXTURES, p))).split('\n');
      cache.set(p, text);
      return text;
    };
    for (const d of m.dependencies) {
      const lines = linesOf(d.source.path);
      const near = lines.slice(d.source.line - 1, d.source.line + 2).join('\n').toLowerCase();
      const spellings = [d.rawName, d.name, d.rawName.replace(/-/g, '_')].map((n) => n.toLowerCase());
      expect(spellings.some((n) => near.includes(n)), `${d.rawName} at ${d.source.path}:${d.source.line}`).toBe(true);
    }
  });
});
