// Benchmark of the model-file scanner (run by hand, not in CI):
//   /usr/bin/python3 bench/scan-pickle/generate.py && node bench/scan-pickle/run.mjs [dir]
// Prints: time to scan the 500 MB torch.save state_dict; throughput over the mixed directory in one process;
// each as a ratio to merely reading the same bytes in the same run (the baseline). When PICKLESCAN_SRC points at
// a picklescan checkout, also the ratio against `python -m picklescan -p DIR` on the same directory.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { openSync, readSync, closeSync, statSync, readdirSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cache = join(repo, '.cache/bench/scan-pickle');
const outFile = join(repo, '.cache/bench/scan-pickle-lib.mjs');
mkdirSync(dirname(outFile), { recursive: true });
// Only the model-file half of the package (the code scanner's parser is not needed here).
await build({ stdin: { contents: "export * from './scan-model-file'; export * from './scan-models';", resolveDir: join(repo, 'packages/scan-pickle/src'), loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', outfile: outFile, logLevel: 'error',
  banner: { js: "import { createRequire as __aisecCreateRequire } from 'node:module'; const require = __aisecCreateRequire(import.meta.url);" } });
const lib = await import(pathToFileURL(outFile).href);
const { DEFAULT_LIMITS, silentLogger } = await import(pathToFileURL(join(repo, 'packages/core/src/index.ts')).href).catch(() => ({}));
const limits = DEFAULT_LIMITS ?? { maxFileBytes: 20 * 1024 ** 3, maxDecompressedBytes: 4 * 1024 ** 3, maxDecompressionRatio: 1000, maxDepth: 16, maxEntries: 100000, timePerFileMs: 60000 };
const ctx = (ws) => ({ workspace: ws, logger: silentLogger ?? { info() {}, warn() {}, debug() {}, progress() {} }, limits, signal: new AbortController().signal });

function readAllBytes(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 24);
  let n = 0;
  for (;;) {
    const r = readSync(fd, buf, 0, buf.length, null);
    if (r === 0) break;
    n += r;
  }
  closeSync(fd);
  return n;
}
function walk(d) {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
}
const ms = (t) => performance.now() - t;

const big = join(cache, 'state-dict-500mb.pt');
let t = performance.now();
const res = await lib.scanModelFile(big, ctx(cache));
const scanMs = ms(t);
t = performance.now();
readAllBytes(big);
const readMs = ms(t);
console.log(`state-dict-500mb.pt: ${(statSync(big).size / 1e6).toFixed(0)} MB scanned in ${scanMs.toFixed(0)} ms (${res.findings.length} findings, ${res.metrics.opcodes} opcodes); reading it: ${readMs.toFixed(0)} ms; ratio scan/read ${(scanMs / readMs).toFixed(3)}`);

const dir = resolve(process.argv[2] ?? join(cache, 'mixed'));
const files = walk(dir);
const bytes = files.reduce((a, f) => a + statSync(f).size, 0);
t = performance.now();
const report = await lib.scanModels({ paths: [dir] }, ctx(dir));
const dirScanMs = ms(t);
t = performance.now();
for (const f of files) readAllBytes(f);
const dirReadMs = ms(t);
console.log(`${dir}: ${files.length} files, ${(bytes / 1e9).toFixed(2)} GB scanned in ${(dirScanMs / 1000).toFixed(2)} s (${(bytes / 1e6 / (dirScanMs / 1000)).toFixed(0)} MB/s, ${report.findings.length} findings, ${report.metrics['files.flagged']} flagged); reading them: ${(dirReadMs / 1000).toFixed(2)} s; ratio scan/read ${(dirScanMs / dirReadMs).toFixed(3)}`);

if (process.env.PICKLESCAN_SRC) {
  t = performance.now();
  const r = spawnSync('/usr/bin/python3', ['-m', 'picklescan', '-p', dir], { cwd: process.env.PICKLESCAN_SRC, env: { ...process.env, PYTHONPATH: join(process.env.PICKLESCAN_SRC, 'src') }, stdio: 'ignore' });
  const psMs = ms(t);
  console.log(`picklescan on the same directory: ${(psMs / 1000).toFixed(2)} s (exit ${r.status}); ratio aisec/picklescan ${(dirScanMs / psMs).toFixed(3)}`);
}
