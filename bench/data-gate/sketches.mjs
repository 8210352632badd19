// Micro benchmark of data-gate's per-column sketches (run by hand, not in CI):
//   [RUNS=5] [N=4600000] [BASE=<git ref>] node bench/data-gate/sketches.mjs
// What profiling feeds them per numeric column of the issue-5 bench at 0.31 GB (4.6M rows): the KLL
// quantile sketch, the HyperLogLog distinct count and the moments, in batches of 65,536 values. Each
// variant runs in a fresh process (generation in memory, not timed; only the feeding is timed, as CPU
// time, which counts V8's compiler and GC threads too), twice per process into fresh sketches (the first
// pass pays V8's warm-up, which a profile run pays once for all its columns; the second is the steady
// cost), variants alternate within a round so they share the machine's load, and the median of RUNS
// rounds is reported as CPU ms per million values (= ns per value):
//   per-value  the working tree's add / addNumber / add, value by value (the baseline of this run)
//   batch      the working tree's addMany / addNumbers / addMany, once per batch
//   base       with BASE set: the per-value path of the sources at that git ref, bundled from `git show`
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cache = join(repo, '.cache/bench/data-gate');
const runs = Math.max(1, Number(process.env.RUNS ?? 5));
const n = Math.max(1, Number(process.env.N ?? 4_600_000));
const BATCH = 65_536;
const SOURCES = ['packages/data-gate/src/sketch/kll-sketch.ts', 'packages/data-gate/src/sketch/hyperloglog.ts', 'packages/data-gate/src/stats/moments-accumulator.ts', 'packages/data-gate/src/stats/sum.ts'];

const worker = `
const [lib, sketch, input, mode, count, batchSize] = process.argv.slice(1);
const { KllSketch, HyperLogLog, MomentsAccumulator } = await import(lib);
const N = Number(count);
const B = Number(batchSize);
let a = 12345;
const rand = () => {
  a = (a + 0x6d2b79f5) >>> 0;
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
// As the bench CSV's columns read back: n1 (normal, 4 decimals: millions of distinct values) and n3 (integers 0..999).
const values = new Float64Array(N);
for (let i = 0; i < N; i++) {
  if (input === 'continuous') values[i] = Number((Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand()) + 0.05).toFixed(4));
  else values[i] = Math.floor(rand() * 1000);
}
const batch = new Float64Array(B);
// Two passes, each into a fresh sketch: the first pays V8's warm-up (a profile run pays it once for all
// its columns), the second shows the steady cost.
const ms = [];
let check;
for (let pass = 0; pass < 2; pass++) {
  const target = sketch === 'kll' ? new KllSketch() : sketch === 'hll' ? new HyperLogLog() : new MomentsAccumulator();
  const started = process.cpuUsage();
  for (let at = 0; at < N; at += B) {
    const len = Math.min(B, N - at);
    batch.set(values.subarray(at, at + len));
    if (mode === 'batch') {
      if (sketch === 'kll') target.addMany(batch, len);
      else if (sketch === 'hll') target.addNumbers(batch, len);
      else target.addMany(batch, len);
    } else if (sketch === 'hll') {
      for (let i = 0; i < len; i++) target.addNumber(batch[i]);
    } else {
      for (let i = 0; i < len; i++) target.add(batch[i]);
    }
  }
  const u = process.cpuUsage(started);
  ms.push((u.user + u.system) / 1000);
  check = sketch === 'kll' ? target.quantile(0.5) : sketch === 'hll' ? target.estimate() : target.state().m2;
}
console.log(JSON.stringify({ ms, check }));
`;

async function bundle(name, root) {
  const entry = join(cache, `${name}-entry.ts`);
  const at = (p) => JSON.stringify(join(root, p).replace(/\.ts$/, ''));
  writeFileSync(entry, `export { KllSketch } from ${at(SOURCES[0])};\nexport { HyperLogLog } from ${at(SOURCES[1])};\nexport { MomentsAccumulator } from ${at(SOURCES[2])};\n`);
  const outfile = join(cache, `${name}.mjs`);
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" }, outfile, logLevel: 'error' });
  return outfile;
}

function median(xs) {
  return [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
}

mkdirSync(cache, { recursive: true });
const variants = [];
const work = await bundle('sketches-work', repo);
variants.push({ name: 'per-value', lib: work, mode: 'per-value' }, { name: 'batch', lib: work, mode: 'batch' });
if (process.env.BASE) {
  const sha = execFileSync('git', ['rev-parse', '--short', process.env.BASE], { cwd: repo, encoding: 'utf8' }).trim();
  const root = join(cache, `sketches-base-${sha}`);
  for (const p of SOURCES) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), execFileSync('git', ['show', `${sha}:${p}`], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 26 }));
  }
  variants.push({ name: `base ${sha}`, lib: await bundle(`sketches-base-${sha}`, root), mode: 'per-value' });
}

const cases = [
  ['kll', 'continuous'],
  ['kll', 'integers'],
  ['hll', 'continuous'],
  ['moments', 'continuous'],
];
console.log(`sketch micro benchmark: ${n.toLocaleString('en')} values per case, batches of ${BATCH.toLocaleString('en')}, median of ${runs} fresh-process runs, CPU ms per million values`);
for (const [sketch, input] of cases) {
  // times.get(variant)[pass]: per-run CPU ms per million values, pass 0 cold, pass 1 warm.
  const times = new Map(variants.map((v) => [v.name, [[], []]]));
  for (let r = 0; r < runs; r++) {
    // Alternate the order each round so neither variant always runs first.
    const order = r % 2 === 0 ? variants : variants.toReversed();
    for (const v of order) {
      const out = spawnSync(process.execPath, ['--input-type=module', '-e', worker, v.lib, sketch, input, v.mode, String(n), String(BATCH)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (out.status !== 0) throw new Error(`${sketch} ${input} ${v.name}: ${out.stderr}`);
      const res = JSON.parse(out.stdout.trim().split('\n').at(-1));
      res.ms.forEach((ms, pass) => times.get(v.name)[pass].push((ms / n) * 1e6));
    }
  }
  for (const [pass, label] of ['fresh process', 'second pass'].entries()) {
    const base = median(times.get('per-value')[pass]);
    const parts = variants.map((v) => {
      const xs = times.get(v.name)[pass];
      const m = median(xs);
      return `${v.name} ${m.toFixed(1)} [${xs.map((x) => x.toFixed(0)).join(' ')}]${v.name === 'per-value' ? '' : ` (per-value/${v.name} ${(base / m).toFixed(2)}x)`}`;
    });
    console.log(`${`${sketch} ${input}, ${label}`.padEnd(34)} ${parts.join('  |  ')}`);
  }
}
