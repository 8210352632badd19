// Benchmark of data-gate's table reader alone (run by hand, not in CI):
//   [REPEAT=5] [BASE=lib.mjs] node bench/data-gate/read.mjs [GB]   (default 0.31)
// Reads .cache/bench/data-gate/batch-<GB>gb.v2.csv, the batch file bench/data-gate/run.mjs generates (run
// that first), with readTable, every batch consumed and dropped, in a fresh process per run, and
// reports CPU seconds: the median of REPEAT runs and every run beside it. The baseline in the same
// run is reading the file's bytes (fs.createReadStream, 1 MiB chunks), so the ratio is comparable
// across machines. BASE, a bundle of another version of packages/data-gate/src/readers/index.ts (e.g.
// built from an older commit), is measured in the same window, runs alternating, for an A/B.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cache = join(repo, '.cache/bench/data-gate');
const lib = join(cache, 'readers-lib.mjs');
const gb = process.argv[2] ?? '0.31';
const file = join(cache, `batch-${gb}gb.v2.csv`);
const repeat = Math.max(1, Number(process.env.REPEAT ?? 5));
if (!existsSync(file)) {
  console.log(`${file} is missing: generate it with node bench/data-gate/run.mjs ${gb}`);
  process.exit(1);
}
mkdirSync(cache, { recursive: true });
await build({
  entryPoints: [join(repo, 'packages/data-gate/src/readers/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: lib,
  logLevel: 'error',
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});

const child = `
const [mode, path, lib] = process.argv.slice(1);
const limits = { maxFileBytes: 1e12, maxDecompressedBytes: 1e12, maxDecompressionRatio: 1e6, maxDepth: 16, maxEntries: 1e5, timePerFileMs: 3.6e6 };
let detail;
const u0 = process.cpuUsage();
if (mode === 'bytes') {
  const { createReadStream } = await import('node:fs');
  let n = 0;
  for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) n += c.length;
  detail = n + ' bytes';
} else {
  const { readTable } = await import(lib);
  const table = readTable(path, {}, { workspace: '/', limits });
  let rows = 0;
  for await (const batch of table) {
    rows += batch.length;
  }
  detail = rows + ' rows, ' + Object.values(table.types()).join(' ');
}
const u = process.cpuUsage(u0);
console.log(JSON.stringify({ cpu: (u.user + u.system) / 1e6, rssMb: process.resourceUsage().maxRSS / 1024, detail }));
`;

function once(mode, libPath) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', child, mode, file, libPath ?? ''], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error((r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | '));
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

const steps = [
  ['baseline: read the bytes', 'bytes', undefined],
  ['readTable (this checkout)', 'table', lib],
  ...(process.env.BASE ? [[`readTable (${process.env.BASE})`, 'table', resolve(process.env.BASE)]] : []),
];
const runs = steps.map(() => []);
// Alternate the steps, so a busy moment on a shared machine spreads over all of them.
for (let k = 0; k < repeat; k++) steps.forEach(([, mode, l], i) => runs[i].push(once(mode, l)));
const gbActual = statSync(file).size / 1024 ** 3;
console.log(`reading ${file} (${gbActual.toFixed(2)} GB), median of ${repeat} runs (CPU-s of each run in brackets)`);
const medians = runs.map((list) => [...list].sort((a, b) => a.cpu - b.cpu)[Math.floor(list.length / 2)]);
steps.forEach(([label], i) => {
  const m = medians[i];
  console.log(`${label.padEnd(40)} ${m.cpu.toFixed(2).padStart(6)} CPU-s ${(m.cpu / gbActual).toFixed(1).padStart(6)} CPU-s/GB ${m.rssMb.toFixed(0).padStart(5)} MB peak  (${m.detail})  [${runs[i].map((x) => x.cpu.toFixed(2)).join(', ')}]`);
});
console.log(`ratio readTable/bytes: ${(medians[1].cpu / Math.max(medians[0].cpu, 1e-3)).toFixed(1)}x`);
