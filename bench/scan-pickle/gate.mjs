// Benchmark of the whole scan-pickle gate as users run it (by hand, not in CI):
//   /usr/bin/python3 bench/scan-pickle/generate.py   # the model files, once (see run.mjs)
//   npm run build && node bench/scan-pickle/gate.mjs [models-dir]
// Runs the committed CLI bundle (`aisec scan-pickle DIR --json`) in a fresh process on one tree holding the
// mixed model directory and a generated code tree (Python files and notebooks written here), and prints the
// files and bytes per format the report counts, wall time and throughput, and the ratio to the baseline: a
// fresh process that merely reads every byte of the same tree, measured in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cache = join(repo, '.cache/bench/scan-pickle');
const models = resolve(process.argv[2] ?? join(cache, 'mixed'));
const cli = join(repo, 'dist/cli/index.js');
if (!existsSync(models)) {
  console.error(`no model directory at ${models}: run /usr/bin/python3 bench/scan-pickle/generate.py first`);
  process.exit(2);
}
if (!existsSync(cli)) {
  console.error('no dist/cli/index.js: run npm run build first');
  process.exit(2);
}

// A training-code tree: 400 Python modules of about 500 lines and 80 notebooks of 40 cells, each with the
// loads real projects write (some unsafe), deterministic so runs compare.
const tree = join(cache, 'gate-tree');
rmSync(tree, { recursive: true, force: true });
mkdirSync(join(tree, 'src'), { recursive: true });
mkdirSync(join(tree, 'notebooks'));
const block = (i) => `
import torch
import numpy as np
import yaml as _yaml


class Trainer${i}(object):
    """Trains stage ${i}."""

    def __init__(self, config_path, device="cpu"):
        with open(config_path) as fh:
            self.config = _yaml.safe_load(fh)
        self.device = device
        self.losses = [0.0] * ${i % 7 + 3}

    def restore(self, path):
        state = torch.load(path, map_location=self.device${i % 3 === 0 ? '' : ', weights_only=True'})
        return {k: v for k, v in state.items() if not k.startswith("_")}

    def features(self, path):
        return np.load(path${i % 5 === 0 ? ', allow_pickle=True' : ''})

    def step(self, batch):
        total = 0.0
        for j, x in enumerate(batch):
            total += float(x) * (j + ${i})
        self.losses.append(total / max(len(batch), 1))
        return total
`;
let pyFiles = 0;
for (let f = 0; f < 400; f++) {
  const body = Array.from({ length: 16 }, (_, k) => block(f * 16 + k)).join('\n');
  writeFileSync(join(tree, 'src', `stage_${f}.py`), `"""Generated training module ${f}."""\n${body}`);
  pyFiles++;
}
for (let n = 0; n < 80; n++) {
  const cells = Array.from({ length: 40 }, (_, c) => ({
    cell_type: 'code',
    execution_count: c + 1,
    id: `c${n}-${c}`,
    metadata: {},
    outputs: [{ output_type: 'stream', name: 'stdout', text: [`epoch ${c}: loss ${(1 / (c + 1)).toFixed(4)}\n`.repeat(40)] }],
    source: (c === 0 ? '%pip install -q torch\n!nvidia-smi\n' : '') + block(n * 40 + c).trim(),
  }));
  writeFileSync(join(tree, 'notebooks', `explore_${n}.ipynb`), JSON.stringify({ cells, metadata: { kernelspec: { name: 'python3', language: 'python' } }, nbformat: 4, nbformat_minor: 5 }, null, 1));
}

// Three paths in one process, as `aisec scan-pickle src notebooks models` would be typed.
const paths = [join(tree, 'src'), join(tree, 'notebooks'), models];
function walk(d) {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.isFile() ? [join(d, e.name)] : []));
}
const files = paths.flatMap(walk);
const bytes = files.reduce((a, f) => a + statSync(f).size, 0);

const out = join(cache, 'gate-report.json');
let t = performance.now();
const scan = spawnSync(process.execPath, [cli, 'scan-pickle', ...paths, '--json', out, '--quiet'], { cwd: tree, encoding: 'utf8', maxBuffer: 1 << 28 });
const scanMs = performance.now() - t;
if (scan.status !== 0 && scan.status !== 1) {
  console.error(scan.stderr);
  process.exit(1);
}
const listFile = join(cache, 'gate-files.json');
writeFileSync(listFile, JSON.stringify(files));
t = performance.now();
const read = spawnSync(process.execPath, ['-e', `const fs=require('fs');const b=Buffer.allocUnsafe(1<<24);for(const f of JSON.parse(fs.readFileSync(${JSON.stringify(listFile)},'utf8'))){const fd=fs.openSync(f,'r');while(fs.readSync(fd,b,0,b.length,null)>0);fs.closeSync(fd)}`], { encoding: 'utf8' });
const readMs = performance.now() - t;
if (read.status !== 0) throw new Error(read.stderr);

const report = JSON.parse(readFileSync(out, 'utf8'));
const m = report.metrics;
const formats = Object.entries(m).filter(([k]) => k.startsWith('files.format.')).map(([k, v]) => `${k.slice(13)} ${v}`).join(', ');
console.log(`tree: ${files.length} files (${pyFiles} .py, 80 .ipynb, ${files.length - pyFiles - 80} in ${models}), ${(bytes / 1e9).toFixed(2)} GB`);
console.log(`report: ${m['files.scanned']} files scanned (${formats}); ${report.findings.length} findings, ${m['files.flagged']} files flagged; ${m['code.cells']} cells, ${(m['model.opcodes'] / 1e6).toFixed(2)} M opcodes`);
console.log(`timings (ms): ${JSON.stringify(report.timings)}`);
console.log(`aisec scan-pickle: ${(scanMs / 1000).toFixed(2)} s, ${(bytes / 1e6 / (scanMs / 1000)).toFixed(0)} MB/s; reading every byte: ${(readMs / 1000).toFixed(2)} s; ratio scan/read ${(scanMs / readMs).toFixed(3)}`);
