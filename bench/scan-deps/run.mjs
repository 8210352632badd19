// Benchmark of scan-deps offline (run by hand, not in CI):
//   node bench/scan-deps/run.mjs [runs] [--all-vulnerable] [--against <git ref>]
// Builds into .cache/bench/scan-deps/ a PyPI-sized OSV export (the 398 real advisories of the shared slice
// cloned 43 times under new ids and package names: ~17,000 records, like osv.dev's PyPI/all.zip) and a
// 500-package poetry.lock, then times, each in a fresh process with a cold index cache: the gate checking the
// lock against the export, and merely decompressing every member of the same zip (the baseline). Prints the
// median of `runs` (default 5) of each, their ratio, peak memory, and a warm-cache run for reference.
// With `--against <ref>`, the library as committed at that ref is bundled too and its cold runs alternate
// with the working tree's in the same loop: an A/B in one time window, which a shared machine needs.
// CPU times are printed for the whole process and for its main thread alone (Linux): with the helper thread
// that inflates part of the export, the main thread's time is the one that a second free core leaves.
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/bundle-options.mjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

const here = fileURLToPath(import.meta.url);
const repo = resolve(dirname(here), '../..');
const cache = join(repo, '.cache/bench/scan-deps');
const lib = join(cache, 'scan-deps-lib.cjs');
const exportZip = join(cache, 'PyPI-all-large.zip');
const project = join(cache, 'project');
const SHARED = resolve(repo, '../shared/data/osv/pypi-osv.zip');
const COPIES = 43;
const PACKAGES = 500;

/** Members of a zip (no ZIP64, as the shared slice and our own writer produce), inflated. */
function* zipMembers(buffer) {
  let eocd = buffer.length - 22;
  while (eocd >= 0 && buffer.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip');
  const count = buffer.readUInt16LE(eocd + 10);
  let at = buffer.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = buffer.readUInt16LE(at + 10);
    const size = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extra = buffer.readUInt16LE(at + 30);
    const comment = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const raw = buffer.subarray(start, start + size);
    yield [name, method === 8 ? inflateRawSync(raw) : raw];
    at += 46 + nameLength + extra + comment;
  }
}

function writeZip(path, files) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const [name, text] of files) {
    const data = Buffer.from(text);
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(8, 8);
    header.writeUInt32LE(crc32(data) >>> 0, 14);
    header.writeUInt32LE(packed.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc32(data) >>> 0, 16);
    entry.writeUInt32LE(packed.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    parts.push(header, nameBytes, packed);
    central.push(entry, nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(path, Buffer.concat([...parts, directory, end]));
}

/** The export: every real record, then COPIES-1 clones under `<ID>-C<k>` ids and `<name>-clone<k>` names. */
function generateExport() {
  const records = [...zipMembers(readFileSync(SHARED))].map(([, data]) => JSON.parse(data.toString('utf8')));
  const files = [];
  const names = new Set();
  for (let k = 0; k < COPIES; k++) {
    for (const original of records) {
      const d = structuredClone(original);
      if (k > 0) {
        d.id = `${d.id}-C${k}`;
        d.aliases = (d.aliases ?? []).map((a) => `${a}-C${k}`);
        for (const a of d.affected) a.package.name = `${a.package.name}-clone${k}`;
      }
      for (const a of d.affected) names.add(a.package.name);
      files.push([`${d.id}.json`, JSON.stringify(d, null, 2)]);
    }
  }
  writeZip(exportZip, files);
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A poetry.lock of 500 packages: 200 that the export has advisories for (every fourth name of the export)
 * and 300 it does not know, as in a real project. Of the 200, every tenth is pinned at 1.0.0 (affected by
 * most of its advisories) and the rest at 999.0 (past every fix: all its advisories are still read and
 * evaluated, none matches); with `allVulnerable` all 200 are at 1.0.0, a worst case of ~3,000 findings.
 */
function generateLock(names, allVulnerable) {
  const inDb = names.filter((_, i) => i % 4 === 0).slice(0, 200);
  const lines = ['# This file is automatically @generated by Poetry 2.0.1 and should not be changed by hand.', ''];
  const all = [
    ...inDb.map((n, i) => [n, allVulnerable || i % 10 === 0 ? '1.0.0' : '999.0']),
    ...Array.from({ length: PACKAGES - inDb.length }, (_, i) => [`bench-package-${i}`, `2.${i % 10}.0`]),
  ];
  for (const [name, version] of all) {
    lines.push('[[package]]', `name = "${name}"`, `version = "${version}"`, 'description = ""', 'optional = false', 'python-versions = ">=3.9"', 'groups = ["main"]', 'files = []', '');
  }
  lines.push('[metadata]', 'lock-version = "2.1"', 'python-versions = ">=3.10"', 'content-hash = "0000000000000000000000000000000000000000000000000000000000000000"', '');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'poetry.lock'), lines.join('\n'));
}

async function child(kind, indexDir) {
  const started = performance.now();
  let detail;
  let loadMs = 0;
  if (kind === 'unzip') {
    let bytes = 0;
    let members = 0;
    for (const [, data] of zipMembers(readFileSync(exportZip))) {
      bytes += data.length;
      members++;
    }
    detail = `${members} members, ${(bytes / 1e6).toFixed(1)} MB inflated`;
  } else {
    // Loaded with require, as node loads an action's CommonJS bundle (dist/package.json: commonjs): an ESM
    // import() of it would first run cjs-module-lexer over the whole bundle (~50 ms) to find its exports.
    const { scanDepsGate, DEFAULT_LIMITS, silentLogger } = createRequire(import.meta.url)(process.argv[5] || lib);
    const loaded = performance.now();
    loadMs = loaded - started;
    const report = await scanDepsGate.run(
      { paths: [project], includeDev: true, offlineDb: exportZip, cacheDir: indexDir },
      { workspace: project, logger: silentLogger, limits: { ...DEFAULT_LIMITS }, signal: new AbortController().signal },
    );
    detail = `${report.findings.length} findings, ${report.metrics['dependencies.checked']} checked, timings ${JSON.stringify(report.timings)}`;
  }
  const ms = performance.now() - started;
  const usage = process.resourceUsage();
  // CPU time (process start included) next to wall time: on a shared machine it says what the work cost.
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  process.stdout.write(JSON.stringify({ ms, loadMs, cpuMs, mainCpuMs: mainThreadCpuMs(), maxRssMb: usage.maxRSS / 1024, detail }));
}

/** CPU time of the main thread alone (Linux schedstat: nanoseconds on CPU), NaN elsewhere. */
function mainThreadCpuMs() {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/**
 * The library as committed at `ref`, bundled like the working tree's: the ref's packages/ are extracted
 * under the cache and @aisec/* resolved there; third-party packages come from this checkout's node_modules.
 */
async function bundleRef(ref) {
  const sha = execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], { cwd: repo, encoding: 'utf8' }).trim();
  const tree = join(cache, `ref-${sha}`);
  const out = join(cache, `scan-deps-lib-${sha}.cjs`);
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  const archive = spawnSync('git', ['archive', sha, 'packages/core', 'packages/scan-deps'], { cwd: repo, maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${sha}: ${archive.stderr}`);
  const untar = spawnSync('tar', ['-x', '-C', tree], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`tar: ${untar.stderr}`);
  const entry = join(tree, 'entry.ts');
  writeFileSync(entry, "export { scanDepsGate } from '@aisec/scan-deps';\nexport { DEFAULT_LIMITS, silentLogger } from '@aisec/core';\n");
  await build({
    ...bundleOptions(entry, out),
    metafile: false,
    logLevel: 'error',
    alias: { '@aisec/core': join(tree, 'packages/core/src/index.ts'), '@aisec/scan-deps': join(tree, 'packages/scan-deps/src/index.ts') },
    nodePaths: [join(repo, 'node_modules')],
  });
  return { label: sha, lib: out };
}

function measure(kind, indexDir, library = '') {
  // Pinned to two cores where taskset exists, as the target says.
  const cpus = existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', ['-c', '0,1', process.execPath]] : [process.execPath, []];
  const r = spawnSync(cpus[0], [...cpus[1], here, '--child', kind, indexDir ?? '', library], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${kind} run failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4]);
} else {
  const allVulnerable = process.argv.includes('--all-vulnerable');
  const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5);
  const againstAt = process.argv.indexOf('--against');
  const againstRef = againstAt > 0 ? process.argv[againstAt + 1] : undefined;
  if (againstAt > 0 && !againstRef) throw new Error('--against needs a git ref');
  mkdirSync(cache, { recursive: true });
  // The library and the core bundled from source like a shipped bundle, so the bench measures the working tree.
  const entry = join(cache, 'entry.ts');
  writeFileSync(entry, "export { scanDepsGate } from '@aisec/scan-deps';\nexport { DEFAULT_LIMITS, silentLogger } from '@aisec/core';\n");
  await build({ ...bundleOptions(entry, lib), metafile: false, logLevel: 'error' });
  const against = againstRef !== undefined ? await bundleRef(againstRef) : undefined;
  const t = performance.now();
  const names = existsSync(exportZip) && existsSync(join(cache, 'names.json')) ? JSON.parse(readFileSync(join(cache, 'names.json'), 'utf8')) : generateExport();
  writeFileSync(join(cache, 'names.json'), JSON.stringify(names));
  generateLock(names, allVulnerable);
  console.log(`inputs ready in ${((performance.now() - t) / 1000).toFixed(1)} s (${allVulnerable ? 'all 200 known packages vulnerable' : '20 of 200 known packages vulnerable'})`);
  console.log(`export: ${(statSync(exportZip).size / 1e6).toFixed(1)} MB; lockfile: ${PACKAGES} packages; ${runs} runs each, cold index cache, fresh process, 2 cores`);
  const gate = [];
  const unzip = [];
  const other = [];
  let last;
  for (let i = 0; i < runs; i++) {
    if (against) {
      const otherDir = mkdtempSync(join(tmpdir(), 'aisec-bench-osv-'));
      other.push(measure('gate', otherDir, against.lib));
      rmSync(otherDir, { recursive: true, force: true });
    }
    const indexDir = mkdtempSync(join(tmpdir(), 'aisec-bench-osv-'));
    last = measure('gate', indexDir);
    gate.push(last);
    unzip.push(measure('unzip'));
    if (i < runs - 1) rmSync(indexDir, { recursive: true, force: true });
    else {
      const warm = measure('gate', indexDir);
      console.log(`warm index cache: ${warm.ms.toFixed(0)} ms, ${warm.maxRssMb.toFixed(0)} MB peak (${warm.detail})`);
      rmSync(indexDir, { recursive: true, force: true });
    }
  }
  const g = median(gate.map((r) => r.ms));
  const u = median(unzip.map((r) => r.ms));
  const work = median(gate.map((r) => r.ms - r.loadMs));
  console.log(`gate (cold): median ${g.toFixed(0)} ms of [${gate.map((r) => r.ms.toFixed(0)).join(', ')}] including ${median(gate.map((r) => r.loadMs)).toFixed(0)} ms loading the module, peak RSS ${Math.max(...gate.map((r) => r.maxRssMb)).toFixed(0)} MB (${last.detail})`);
  console.log(`decompress only: median ${u.toFixed(0)} ms of [${unzip.map((r) => r.ms.toFixed(0)).join(', ')}], peak RSS ${Math.max(...unzip.map((r) => r.maxRssMb)).toFixed(0)} MB (${unzip[0].detail})`);
  console.log(`CPU time (user+sys, process start included): gate median ${median(gate.map((r) => r.cpuMs)).toFixed(0)} ms, decompress median ${median(unzip.map((r) => r.cpuMs)).toFixed(0)} ms; main thread alone: gate ${median(gate.map((r) => r.mainCpuMs)).toFixed(0)} ms, decompress ${median(unzip.map((r) => r.mainCpuMs)).toFixed(0)} ms`);
  if (against) {
    const o = median(other.map((r) => r.ms));
    console.log(
      `against ${againstRef} (${against.label}), alternating in the same loop: gate (cold) median ${o.toFixed(0)} ms of [${other.map((r) => r.ms.toFixed(0)).join(', ')}], ratio ${(o / u).toFixed(2)}, ` +
        `CPU ${median(other.map((r) => r.cpuMs)).toFixed(0)} ms (main thread ${median(other.map((r) => r.mainCpuMs)).toFixed(0)} ms), peak RSS ${Math.max(...other.map((r) => r.maxRssMb)).toFixed(0)} MB; ` +
        `working tree: ${g.toFixed(0)} ms, CPU ${median(gate.map((r) => r.cpuMs)).toFixed(0)} ms (main thread ${median(gate.map((r) => r.mainCpuMs)).toFixed(0)} ms)`,
    );
  }
  console.log(`ratio gate/decompress: ${(g / u).toFixed(2)} (${(work / u).toFixed(2)} without module loading; target <= 3); target time < 5000 ms: ${g < 5000 ? 'met' : 'missed'}; memory < 300 MB: ${Math.max(...gate.map((r) => r.maxRssMb)) < 300 ? 'met' : 'missed'}`);
}
