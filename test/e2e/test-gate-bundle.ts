import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/bundle-options.mjs';

let bundled: Promise<string> | undefined;

/** Bundles the test-only gate like a shipped action, into a temporary folder (never into dist/). */
export function testGateBundle(): Promise<string> {
  bundled ??= (async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'aisec-test-gate-')), 'test-gate', 'index.cjs');
    await build({ ...bundleOptions(join(import.meta.dirname, '../fixtures/test-gate/action.ts'), out), logLevel: 'error' });
    return out;
  })();
  return bundled;
}
