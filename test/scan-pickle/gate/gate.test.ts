import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atLeast, CancelledError, executeGate, emptyConfig, silentLogger, UserError, type Finding } from '@aisec/core';
import { CODE_RULES, MODEL_RULES, SCAN_PICKLE_RULES, scanPickleBinding, scanPickleGate, type ScanPickleOptions } from '@aisec/scan-pickle';
import { CODE, contextFor, MODELS, SHARED_MODELS, workspaceWith, writeIn } from './workspace';

const manifest = JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8')) as Record<string, { rules: string[] }>;

function options(ws: string, extra: Partial<ScanPickleOptions> = {}): ScanPickleOptions {
  return { paths: [ws], scanModels: true, scanCode: true, exclude: [], ...extra };
}

function byPath(findings: Finding[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of findings) out.set(f.location.path, [...(out.get(f.location.path) ?? []), f]);
  return out;
}

describe('scan-pickle gate: model files', () => {
  it('flags every malicious fixture at high or above with its rules, and no benign fixture or shared real model', async () => {
    const ws = workspaceWith({ malicious: join(MODELS, 'malicious'), benign: join(MODELS, 'benign'), shared: SHARED_MODELS });
    const report = await scanPickleGate.run(options(ws), contextFor(ws));
    const files = byPath(report.findings);
    const entries = Object.entries(manifest);
    const missed = entries
      .filter(([file]) => file.startsWith('malicious/'))
      .filter(([file, { rules }]) => {
        const found = files.get(file) ?? [];
        return !found.some((f) => atLeast(f.severity, 'high')) || rules.some((r) => !found.some((f) => f.ruleId === r));
      });
    expect(missed.map(([file]) => file)).toEqual([]);
    const falseAlarms = entries.filter(([file]) => file.startsWith('benign/')).filter(([file]) => (files.get(file) ?? []).some((f) => atLeast(f.severity, 'high')));
    expect(falseAlarms.map(([file]) => file)).toEqual([]);
    // The shared models (ONNX graphs, .npy arrays) are ordinary files: nothing at all to say about them.
    expect([...files.keys()].filter((p) => p.startsWith('shared/'))).toEqual([]);
    const sharedModels = readdirSync(SHARED_MODELS).filter((n) => /\.(onnx|npy)$/.test(n)).length;
    expect(report.metrics['files.format.onnx']).toBeGreaterThanOrEqual(2);
    expect(report.metrics['files.format.npy']).toBeGreaterThanOrEqual(sharedModels - 2);
    expect(report.metrics['files.format.zip']).toBeGreaterThan(5);
    expect(report.metrics['files.scanned']).toBe(Object.keys(manifest).length + sharedModels);
    expect(report.metrics['files.flagged']).toBe(Object.keys(manifest).filter((k) => k.startsWith('malicious/')).length);
    expect(report.metrics['model.opcodes']).toBeGreaterThan(1000);
    expect(report.metrics['code.files']).toBe(0);
    // Archive members are locations, not part of the path.
    const zip = files.get('malicious/torch-zip-payload.pt')!.find((f) => f.ruleId === 'AISEC-PKL-001')!;
    expect(zip.location.member).toMatch(/data\.pkl$/);
    expect(zip.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(report.notes.some((n) => n.startsWith('TensorFlow SavedModel'))).toBe(true);
    for (const rule of report.rules) expect(SCAN_PICKLE_RULES).toContain(rule);
  });

  it('decides the format from bytes whatever the extension, and tries a named file with none', async () => {
    const ws = workspaceWith({
      'weights/readme-not-really.txt': join(MODELS, 'malicious/torch-zip-payload.pt'),
      'cache/blob': join(MODELS, 'malicious/posix-system-p2.pkl'),
      'named/protocol0': join(MODELS, 'malicious/global-reduce-p0.pkl'),
      'notes.txt': join(CODE, 'finetune_unsafe.py'),
    });
    const walked = await scanPickleGate.run(options(ws), contextFor(ws));
    expect([...byPath(walked.findings).keys()].sort()).toEqual(['cache/blob', 'weights/readme-not-really.txt']);
    // A protocol 0 pickle has no magic bytes: found by walking only with a model extension, scanned when named.
    const named = await scanPickleGate.run(options(ws, { paths: [join(ws, 'named/protocol0')] }), contextFor(ws));
    expect(named.findings.map((f) => [f.location.path, f.ruleId])).toContainEqual(['named/protocol0', 'AISEC-PKL-001']);
    // A named file in no model format is not silently passed.
    writeIn(ws, 'docs/notes.md', '# not a model\n');
    const text = await scanPickleGate.run(options(ws, { paths: [join(ws, 'docs/notes.md')] }), contextFor(ws));
    expect(text.findings).toEqual([]);
    expect(text.metrics['files.format.unknown']).toBe(1);
    expect(text.notes).toContain('Not in any format the scanner reads, so not checked: docs/notes.md.');
  });
});

describe('scan-pickle gate: code and notebooks', () => {
  it('reports unsafe loading in .py and .ipynb as medium, at the right line, with the cell as member', async () => {
    const ws = workspaceWith({ 'train/finetune_unsafe.py': join(CODE, 'finetune_unsafe.py'), 'nb/finetune.ipynb': join(CODE, 'finetune.ipynb'), 'train/inference_safe.py': join(CODE, 'inference_safe.py') });
    const report = await scanPickleGate.run(options(ws), contextFor(ws));
    const files = byPath(report.findings);
    expect(files.has('train/inference_safe.py')).toBe(false);
    const py = files.get('train/finetune_unsafe.py')!;
    const load = py.find((f) => f.evidence === 'pickle.load()')!;
    // `return pk.load(fh)` in load_features, line 36 of the fixture.
    expect(load.location).toMatchObject({ path: 'train/finetune_unsafe.py', line: 36 });
    expect(load.severity).toBe('medium');
    const nb = files.get('nb/finetune.ipynb')!;
    const torchLoad = nb.find((f) => f.ruleId === 'AISEC-PKL-102')!;
    expect(torchLoad.location.member).toBe('cell 4');
    const nbLines = readFileSync(join(ws, 'nb/finetune.ipynb'), 'utf8').split('\n');
    expect(nbLines[torchLoad.location.line! - 1]).toContain('torch.load(');
    for (const f of [...py, ...nb]) expect(CODE_RULES.map((r) => r.id)).toContain(f.ruleId);
    // Code findings are a risk, not a payload: the default policy (fail-on high) passes them.
    expect(report.findings.every((f) => !atLeast(f.severity, 'high'))).toBe(true);
    expect(report.metrics).toMatchObject({ 'code.files': 3, 'files.format.python': 2, 'files.format.notebook': 1, 'files.flagged': 2 });
    expect(report.metrics['code.cells']).toBeGreaterThan(5);
    expect(report.metrics['code.magic-lines']).toBeGreaterThan(3);
  });
});

describe('scan-pickle gate: options, bounds and errors', () => {
  const tree = () =>
    workspaceWith({
      'models/payload.pkl': join(MODELS, 'malicious/posix-system-p2.pkl'),
      'models/state-dict.pt': join(MODELS, 'benign/state-dict.pt'),
      'vendor/old/payload.pkl': join(MODELS, 'malicious/inst-opcode.pkl'),
      'src/train.py': join(CODE, 'finetune_unsafe.py'),
    });

  it('scan-models, scan-code and exclude choose what is scanned, and the report says so', async () => {
    const ws = tree();
    const noCode = await scanPickleGate.run(options(ws, { scanCode: false }), contextFor(ws));
    expect(new Set(noCode.findings.map((f) => f.location.path))).toEqual(new Set(['models/payload.pkl', 'vendor/old/payload.pkl']));
    expect(noCode.notes).toContain('Python files and notebooks were not scanned (scan-code is false).');
    const noModels = await scanPickleGate.run(options(ws, { scanModels: false }), contextFor(ws));
    expect(new Set(noModels.findings.map((f) => f.location.path))).toEqual(new Set(['src/train.py']));
    const excluded = await scanPickleGate.run(options(ws, { exclude: ['vendor/**'] }), contextFor(ws));
    expect(excluded.findings.some((f) => f.location.path.startsWith('vendor/'))).toBe(false);
    expect(excluded.metrics['files.excluded']).toBe(1);
    // A glob without a slash matches names at any depth, as in .gitignore.
    const byName = await scanPickleGate.run(options(ws, { exclude: ['payload.pkl'] }), contextFor(ws));
    expect(byName.findings.some((f) => f.location.path.endsWith('payload.pkl'))).toBe(false);
    expect(byName.metrics['files.excluded']).toBe(2);
    // A file the user names is scanned even when a glob matches it.
    const named = await scanPickleGate.run(options(ws, { paths: [join(ws, 'vendor/old/payload.pkl')], exclude: ['vendor/**'] }), contextFor(ws));
    expect(named.findings.map((f) => f.location.path)).toContain('vendor/old/payload.pkl');
  });

  it('a bound hit is a high finding: max-file-bytes through the binding, and max-entries on the walk', async () => {
    const ws = tree();
    const exec = await executeGate(scanPickleBinding, { workspace: ws, config: emptyConfig(), values: { 'max-file-bytes': 100, 'scan-code': false }, source: 'flag', logger: silentLogger });
    const big = exec.report.findings.find((f) => f.location.path === 'models/state-dict.pt')!;
    expect(big).toMatchObject({ ruleId: 'AISEC-PKL-006', severity: 'high' });
    expect(exec.outcome.passed).toBe(false);
    // max-depth reaches the archive reader: the torch zip inside the zip is one level too deep to open.
    const nested = workspaceWith({ 'bundle.zip': join(MODELS, 'malicious/zip-in-zip.zip') });
    const shallow = await executeGate(scanPickleBinding, { workspace: nested, config: emptyConfig(), values: { 'max-depth': 1 }, source: 'flag', logger: silentLogger });
    expect(shallow.report.findings.map((f) => [f.ruleId, f.location.member])).toEqual([['AISEC-PKL-006', 'inner/model.pt/archive/data.pkl']]);
    const capped = await scanPickleGate.run(options(ws, { limits: { maxEntries: 2 } }), contextFor(ws));
    expect(capped.metrics['files.scanned']).toBe(2);
    expect(capped.findings).toContainEqual(expect.objectContaining({ ruleId: 'AISEC-PKL-006', severity: 'high', evidence: 'walk: more than 2 files' }));
  });

  it('fails only on model payloads by default; fail-on medium also fails on code findings', async () => {
    const ws = workspaceWith({ 'src/train.py': join(CODE, 'finetune_unsafe.py'), 'models/state-dict.pt': join(MODELS, 'benign/state-dict.pt') });
    const base = { workspace: ws, config: emptyConfig(), source: 'flag' as const, logger: silentLogger };
    const byDefault = await executeGate(scanPickleBinding, { ...base, values: {} });
    expect(byDefault.report.findings.length).toBeGreaterThan(10);
    expect(byDefault.outcome.passed).toBe(true);
    const strict = await executeGate(scanPickleBinding, { ...base, values: { 'fail-on': 'medium' } });
    expect(strict.outcome.passed).toBe(false);
  });

  it('a missing path is a UserError naming it; an aborted scan throws CancelledError', async () => {
    const ws = tree();
    await expect(scanPickleGate.run(options(ws, { paths: [join(ws, 'nope.pt')] }), contextFor(ws))).rejects.toThrow(UserError);
    await expect(scanPickleGate.run(options(ws, { paths: [join(ws, 'nope.pt')] }), contextFor(ws))).rejects.toThrow(/nope\.pt/);
    const controller = new AbortController();
    controller.abort();
    await expect(scanPickleGate.run(options(ws), contextFor(ws, { signal: controller.signal }))).rejects.toThrow(CancelledError);
  });

  it('reports progress over the files it scans', async () => {
    const ws = tree();
    const seen: [number, number | undefined][] = [];
    const logger = { ...silentLogger, progress: (_label: string, done: number, total?: number) => void seen.push([done, total]) };
    await scanPickleGate.run(options(ws), contextFor(ws, { logger }));
    expect(seen.at(-1)).toEqual([4, 4]);
    expect(seen[0]).toEqual([0, 4]);
  });

  it('declares every model and code rule once', () => {
    expect(SCAN_PICKLE_RULES.map((r) => r.id)).toEqual([...MODEL_RULES, ...CODE_RULES].map((r) => r.id));
    expect(new Set(SCAN_PICKLE_RULES.map((r) => r.id)).size).toBe(SCAN_PICKLE_RULES.length);
  });
});

describe('scan-pickle binding', () => {
  it('maps kebab-case options to the gate and finds no bundled assets when run from source', () => {
    const o = scanPickleBinding.toOptions({ paths: ['/w'], 'scan-code': false, 'scan-models': true, exclude: ['a/**'], 'max-depth': 3, 'time-per-file-ms': 500 }, { workspace: '/w' });
    expect(o).toEqual({ paths: ['/w'], scanModels: true, scanCode: false, exclude: ['a/**'], limits: { maxDepth: 3, timePerFileMs: 500 } });
  });

  it('writes a summary table of flagged files, most severe first', async () => {
    const ws = workspaceWith({ 'src/train.py': join(CODE, 'finetune_unsafe.py'), 'models/payload.pkl': join(MODELS, 'malicious/posix-system-p2.pkl') });
    const report = await scanPickleGate.run(options(ws), contextFor(ws));
    const summary = scanPickleBinding.summary!(report);
    expect(summary).toMatch(/^\*\*Scanned:\*\* 2 files \(.*pickle 1.*python 1.*\), 2 flagged\./);
    const rows = summary.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| file'));
    expect(rows[0]).toMatch(/^\| models\/payload\.pkl \| critical \| \d+ \| AISEC-PKL-001/);
    expect(rows[1]).toMatch(/^\| src\/train\.py \| medium \|/);
  });
});
