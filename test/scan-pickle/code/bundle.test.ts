import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../../scripts/bundle-options.mjs';
import { PYTHON_WASM_FILES } from '../../../packages/scan-pickle/src/code/index';

const root = join(import.meta.dirname, '../../..');
const out = mkdtempSync(join(tmpdir(), 'aisec-code-bundle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * The shipped layout: a CommonJS bundle in dist/<gate>/index.js (where import.meta.url is empty) and the
 * wasm files in dist/assets/, in a folder with no node_modules. Proves that locateFile is all the parser
 * needs, and that the default lookup fails with a message saying so.
 */
describe('the code scanner in a CommonJS bundle', () => {
  it('parses with the wasm files it is pointed at, and only those', async () => {
    const bundle = join(out, 'scan-pickle', 'index.js');
    await build({
      ...bundleOptions(join(root, 'packages/scan-pickle/src/code/index.ts'), bundle),
      // jsonc-parser's "main" is a UMD build whose require calls esbuild cannot follow; its ESM build bundles.
      mainFields: ['module', 'main'],
    });
    writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
    mkdirSync(join(out, 'assets'));
    const require = createRequire(join(root, 'packages/scan-pickle/package.json'));
    copyFileSync(require.resolve(`web-tree-sitter/${PYTHON_WASM_FILES.runtime}`), join(out, 'assets', PYTHON_WASM_FILES.runtime));
    copyFileSync(require.resolve(`tree-sitter-python/${PYTHON_WASM_FILES.grammar}`), join(out, 'assets', PYTHON_WASM_FILES.grammar));
    writeFileSync(
      join(out, 'run.js'),
      `const path = require('node:path');
const code = require('./scan-pickle/index.js');
(async () => {
  const source = 'import pickle as pk\\nobj = pk.loads(blob)\\n';
  let defaultError = '';
  try { await code.scanPythonSource(source, 'a.py'); } catch (e) { defaultError = e.message; }
  const asked = [];
  const locateFile = (name) => { asked.push(name); return path.join(__dirname, 'assets', name); };
  const result = await code.scanPythonSource(source, 'a.py', { locateFile });
  const again = await code.scanNotebook(JSON.stringify({ cells: [{ cell_type: 'code', source: source }] }), 'n.ipynb');
  console.log(JSON.stringify({ defaultError, asked, findings: result.findings.concat(again.findings).map((f) => [f.location.line, f.location.column, f.evidence]) }));
})().catch((e) => { console.error(e); process.exit(1); });
`,
    );
    const output = JSON.parse(execFileSync(process.execPath, [join(out, 'run.js')], { encoding: 'utf8', timeout: 20_000 })) as {
      defaultError: string;
      asked: string[];
      findings: unknown[];
    };
    expect(output.defaultError).toMatch(/^cannot find web-tree-sitter\/web-tree-sitter\.wasm from file:.*pass locateFile/);
    expect(output.asked).toEqual(['web-tree-sitter.wasm', 'tree-sitter-python.wasm']);
    // The second scan reuses the parser loaded by the first: no locateFile needed, no wasm asked for again.
    expect(output.findings).toEqual([
      [2, 7, 'pickle.loads()'],
      // `{"cells":[{"cell_type":"code","source":"` (40) + `import pickle as pk\n` (21 in JSON) + `obj = ` (6).
      [1, 68, 'pickle.loads()'],
    ]);
  });
});
