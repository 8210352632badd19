import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON_WASM_FILES, type WasmLocator } from '../code/index';

/**
 * Where the Python parser's wasm files are when running from a bundle: scripts/build.mjs copies them to
 * dist/assets/, beside every dist/<bundle>/ folder (dist/scan-pickle, dist/aisec, dist/cli). Bundles define
 * `import.meta.dirname` as their own `__dirname`. From source (tests, dev) there is no assets folder and
 * the result is undefined, so the parser resolves the files through node_modules as usual.
 */
export function bundledWasmLocator(dir: string | undefined = import.meta.dirname): WasmLocator | undefined {
  if (typeof dir !== 'string' || dir === '') return undefined;
  const assets = join(dir, '..', 'assets');
  if (!Object.values(PYTHON_WASM_FILES).every((name) => existsSync(join(assets, name)))) return undefined;
  return (name) => join(assets, name);
}
