import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertValidReport, assertValidSarif } from '../helpers/schemas';
import { FakeGitHub } from './fake-github';
import { E2E_NODE, runBundle } from './run-bundle';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist');
const FIXTURES = join(ROOT, 'test/fixtures/scan-pickle');
const MODELS = join(FIXTURES, 'models');

/** Model files placed in the workspace: [path in the workspace, fixture]. Benign ones are real library output. */
const MODEL_FILES: [string, string][] = [
  ['models/state-dict.pt', 'benign/state-dict.pt'],
  ['models/classifier.joblib', 'benign/joblib-zlib.joblib'],
  ['models/embeddings.npy', 'benign/array.npy'],
  ['models/suspect/finetuned.pt', 'malicious/torch-zip-payload.pt'],
  ['models/suspect/tokenizer.pkl', 'malicious/nested-base64.pkl'],
  ['models/suspect/pipeline.joblib', 'malicious/joblib-gzip.joblib'],
  // A zip holding a torch zip, under a name that says nothing: found by its bytes.
  ['models/suspect/bundle.bin', 'malicious/zip-in-zip.zip'],
];

/** [rule, severity, path, member, line, evidence] of every finding the tree must produce, no more. */
const EXPECTED: [string, string, string, string | undefined, number | undefined, string][] = [
  ['AISEC-PKL-001', 'critical', 'models/suspect/bundle.bin', 'inner/model.pt/archive/data.pkl', undefined, 'os.system'],
  ['AISEC-PKL-001', 'critical', 'models/suspect/finetuned.pt', 'archive/data.pkl', undefined, 'os.system'],
  ['AISEC-PKL-001', 'critical', 'models/suspect/pipeline.joblib', undefined, undefined, 'gzip > os.system'],
  ['AISEC-PKL-001', 'critical', 'models/suspect/tokenizer.pkl', undefined, undefined, 'pickle.loads'],
  ['AISEC-PKL-001', 'critical', 'models/suspect/tokenizer.pkl', undefined, undefined, 'pickle.loads(base64.b64decode) > os.system'],
  ['AISEC-PKL-002', 'high', 'models/suspect/tokenizer.pkl', undefined, undefined, 'base64.b64decode'],
  // Lines 29 and 30 of the .ipynb file are the two lines of code cell 3.
  ['AISEC-PKL-104', 'medium', 'notebooks/evaluate.ipynb', 'cell 3', 29, 'joblib.load()'],
  ['AISEC-PKL-105', 'medium', 'notebooks/evaluate.ipynb', 'cell 3', 30, 'numpy.load(allow_pickle=True)'],
  ['AISEC-PKL-102', 'medium', 'src/train.py', undefined, 9, 'torch.load(weights_only missing)'],
  ['AISEC-PKL-101', 'medium', 'src/train.py', undefined, 14, 'pickle.load()'],
];

function fixtureTree(): string {
  const ws = mkdtempSync(join(tmpdir(), 'aisec-scan-pickle-e2e-'));
  cpSync(join(FIXTURES, 'e2e'), ws, { recursive: true });
  for (const [dest, source] of MODEL_FILES) {
    mkdirSync(join(ws, dest, '..'), { recursive: true });
    cpSync(join(MODELS, source), join(ws, dest));
  }
  return ws;
}

/** dist/ copied where no node_modules can be found above it: the wasm files must come from dist/assets/. */
function isolatedDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aisec-dist-'));
  cpSync(DIST, join(dir, 'dist'), { recursive: true });
  return join(dir, 'dist');
}

interface SarifResult {
  ruleId: string;
  level: string;
  locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } }; logicalLocations?: { name: string; fullyQualifiedName: string; kind: string }[] }[];
  partialFingerprints?: Record<string, string>;
}

interface CheckAnnotation {
  path: string;
  start_line: number;
  annotation_level: string;
  message: string;
}

let github: FakeGitHub | undefined;
afterEach(async () => {
  await github?.stop();
  github = undefined;
});

describe('scan-pickle action bundle end to end', () => {
  it('fails on the payloads, shows code findings, and reports them through every channel', async () => {
    github = await new FakeGitHub().start();
    const ws = fixtureTree();
    const run = await runBundle(join(isolatedDist(), 'scan-pickle/index.js'), { workspace: ws, apiUrl: github.url, inputs: { token: 'ghs_test' } });
    expect(run.stderr).toBe('');
    expect(github.violations).toEqual([]);
    expect(run.status).toBe(1);
    expect(run.outputs).toMatchObject({
      findings: String(EXPECTED.length),
      'max-severity': 'critical',
      passed: 'false',
      report: 'aisec-results/scan-pickle.json',
      sarif: 'aisec-results/scan-pickle.sarif',
    });

    const report = JSON.parse(readFileSync(join(ws, 'aisec-results/scan-pickle.json'), 'utf8')) as {
      findings: { ruleId: string; severity: string; location: { path: string; member?: string; line?: number }; evidence?: string }[];
      metrics: Record<string, number>;
      notes: string[];
    };
    assertValidReport(report);
    const got = report.findings.map((f) => [f.ruleId, f.severity, f.location.path, f.location.member, f.location.line, f.evidence]);
    const key = (row: unknown[]) => JSON.stringify(row);
    expect(got.map(key).sort()).toEqual(EXPECTED.map(key).sort());
    expect(report.metrics).toMatchObject({
      'files.scanned': 9,
      'files.flagged': 6,
      'files.format.zip': 3,
      'files.format.zlib': 1,
      'files.format.gzip': 1,
      'files.format.npy': 1,
      'files.format.pickle': 1,
      'files.format.python': 1,
      'files.format.notebook': 1,
      'code.files': 2,
      'code.cells': 2,
      'code.magic-lines': 1,
      'model.nested-payloads': 1,
    });
    expect(report.notes.some((n) => n.startsWith('Code and notebooks:'))).toBe(true);

    // SARIF: physical location is the file, the archive member a logical location.
    const sarif = JSON.parse(readFileSync(join(ws, 'aisec-results/scan-pickle.sarif'), 'utf8')) as { runs: { results: SarifResult[]; tool: { driver: { rules: { id: string }[] } } }[] };
    assertValidSarif(sarif);
    const results = sarif.runs[0]!.results;
    expect(results).toHaveLength(EXPECTED.length);
    const nested = results.find((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'models/suspect/bundle.bin')!;
    expect(nested.level).toBe('error');
    expect(nested.locations[0]!.logicalLocations).toEqual([{ name: 'data.pkl', fullyQualifiedName: 'models/suspect/bundle.bin!inner/model.pt/archive/data.pkl', kind: 'member' }]);
    const cell = results.find((r) => r.ruleId === 'AISEC-PKL-104')!;
    expect(cell.level).toBe('warning');
    expect(cell.locations[0]!.physicalLocation).toMatchObject({ artifactLocation: { uri: 'notebooks/evaluate.ipynb' }, region: { startLine: 29 } });
    expect(sarif.runs[0]!.tool.driver.rules.map((r) => r.id).sort()).toEqual([...new Set(EXPECTED.map(([rule]) => rule))].sort());

    // Workflow-command annotations: most severe first, code findings on their lines.
    const logged = run.annotations.filter((a) => a.properties.file);
    expect(logged[0]!.level).toBe('error');
    expect(logged.find((a) => a.properties.file === 'src/train.py' && a.properties.line === '9')?.level).toBe('warning');
    expect(logged.find((a) => a.properties.file === 'models/suspect/finetuned.pt')?.message).toContain('[in models/suspect/finetuned.pt › archive/data.pkl]');

    // The check run carries every finding; the payloads fail it.
    const created = github.byOperation('checks/create')[0]!.body as { name: string; output: { annotations: CheckAnnotation[] } };
    expect(created.name).toBe('aisec/scan-pickle');
    const annotations = [
      ...created.output.annotations,
      ...github.byOperation('checks/update').flatMap((u) => (u.body as { output?: { annotations?: CheckAnnotation[] } }).output?.annotations ?? []),
    ];
    expect(annotations).toHaveLength(EXPECTED.length);
    expect(annotations.find((a) => a.path === 'notebooks/evaluate.ipynb' && a.start_line === 30)?.annotation_level).toBe('warning');
    expect(annotations.filter((a) => a.annotation_level === 'failure').map((a) => a.path).sort()).toEqual(EXPECTED.filter(([, s]) => s !== 'medium').map(([, , p]) => p).sort());
    expect((github.byOperation('checks/update').at(-1)!.body as { conclusion: string }).conclusion).toBe('failure');

    expect(run.summary).toContain('## aisec/scan-pickle: ❌ failed');
    expect(run.summary).toContain('**Scanned:** 9 files (gzip 1, notebook 1, npy 1, pickle 1, python 1, zip 3, zlib 1), 6 flagged.');
    expect(run.summary).toContain('| models/suspect/bundle.bin | critical | 1 | AISEC-PKL-001 |');
    expect(run.summary).toContain('| src/train.py | medium | 2 | AISEC-PKL-101, AISEC-PKL-102 |');
  });

  it('passes an ordinary project: real model files and code findings below fail-on', async () => {
    const ws = fixtureTree();
    const run = await runBundle(join(DIST, 'scan-pickle/index.js'), { workspace: ws, inputs: { paths: 'models/state-dict.pt\nmodels/classifier.joblib\nmodels/embeddings.npy\nsrc', 'check-run': 'false' } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.outputs).toMatchObject({ findings: '2', 'max-severity': 'medium', passed: 'true' });
    expect(run.summary).toContain('## aisec/scan-pickle: ✅ passed');
  });

  it('fail-on medium and scan-code false: the inputs reach the gate', async () => {
    const strict = await runBundle(join(DIST, 'scan-pickle/index.js'), { workspace: fixtureTree(), inputs: { paths: 'src', 'fail-on': 'medium', 'check-run': 'false' } });
    expect(strict.status).toBe(1);
    expect(strict.outputs.findings).toBe('2');
    const modelsOnly = await runBundle(join(DIST, 'scan-pickle/index.js'), { workspace: fixtureTree(), inputs: { 'scan-code': 'false', exclude: 'models/suspect/**', 'check-run': 'false' } });
    expect(modelsOnly.status).toBe(0);
    expect(modelsOnly.outputs.findings).toBe('0');
  });
});

describe('the Python parser wasm from every bundle that carries scan-pickle, with no node_modules in reach', () => {
  const py = (ws: string) => writeFileSync(join(ws, 'load.py'), 'import joblib as jl\nmodel = jl.load("m.joblib")\n');

  it('dist/scan-pickle/index.js and the umbrella dist/aisec/index.js', async () => {
    const dist = isolatedDist();
    for (const [bundle, inputs] of [
      ['scan-pickle/index.js', { 'check-run': 'false' }],
      ['aisec/index.js', { gates: 'scan-pickle', 'check-run': 'false' }],
    ] as const) {
      const ws = mkdtempSync(join(tmpdir(), 'aisec-wasm-'));
      py(ws);
      const run = await runBundle(join(dist, bundle), { workspace: ws, inputs });
      expect(run.stderr, bundle).toBe('');
      expect(run.status, bundle).toBe(0);
      expect(run.annotations.map((a) => `${a.properties.file}:${a.properties.line} ${a.level}`), bundle).toEqual(['load.py:2 warning']);
    }
  });

  it('dist/cli/index.js', () => {
    const dist = isolatedDist();
    const ws = mkdtempSync(join(tmpdir(), 'aisec-wasm-'));
    py(ws);
    const r = spawnSync(E2E_NODE, [join(dist, 'cli/index.js'), 'scan-pickle', 'load.py', '--json', 'out.json'], { cwd: ws, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: ws, NO_COLOR: '1' }, timeout: 60_000 });
    // stderr carries only progress lines: no error, no failed wasm lookup.
    expect(r.stderr).not.toMatch(/error|cannot find|wasm/i);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('load.py:2');
    const report = JSON.parse(readFileSync(join(ws, 'out.json'), 'utf8')) as { findings: { ruleId: string; location: { line: number } }[] };
    expect(report.findings.map((f) => [f.ruleId, f.location.line])).toEqual([['AISEC-PKL-104', 2]]);
  });
});
