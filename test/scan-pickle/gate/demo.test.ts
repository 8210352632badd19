import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aisec } from '../../cli/run-cli';
import { MODELS } from './workspace';

const DEMO = resolve(import.meta.dirname, '../../../examples/demo');

interface JsonReport {
  findings: { ruleId: string; severity: string; location: { path: string; member?: string; line?: number }; evidence?: string }[];
}

describe('the demo project: models/ and notebooks/ for scan-pickle', () => {
  it('the demo models are the committed fixtures, byte for byte', () => {
    expect(readFileSync(join(DEMO, 'models/classifier.pt')).equals(readFileSync(join(MODELS, 'benign/state-dict.pt')))).toBe(true);
    expect(readFileSync(join(DEMO, 'models/classifier-finetuned.pt')).equals(readFileSync(join(MODELS, 'malicious/torch-zip-payload.pt')))).toBe(true);
  });

  it('`aisec all examples/demo` shows the payload, fails on it, and shows the notebook loads without failing on them', () => {
    const out = mkdtempSync(join(tmpdir(), 'aisec-demo-pickle-'));
    const r = aisec(['all', 'examples/demo', '--json', join(out, 'demo.json')], { env: { XDG_CACHE_HOME: out } });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('aisec scan-pickle FAILED');
    expect(r.stdout).toContain('models/classifier-finetuned.pt › archive/data.pkl');
    const report = JSON.parse(readFileSync(join(out, 'demo-scan-pickle.json'), 'utf8')) as JsonReport;
    const rows = report.findings.map((f) => [f.ruleId, f.severity, f.location.path, f.location.member, f.location.line, f.evidence]);
    // Lines 33 and 35 of train.ipynb are cell 3's `torch.load(...)` and `pickle.load(fh)`.
    expect(rows).toEqual([
      ['AISEC-PKL-001', 'critical', 'models/classifier-finetuned.pt', 'archive/data.pkl', undefined, 'os.system'],
      ['AISEC-PKL-102', 'medium', 'notebooks/train.ipynb', 'cell 3', 33, 'torch.load(weights_only missing)'],
      ['AISEC-PKL-101', 'medium', 'notebooks/train.ipynb', 'cell 3', 35, 'pickle.load()'],
    ]);
    const lines = readFileSync(join(DEMO, 'notebooks/train.ipynb'), 'utf8').split('\n');
    expect(lines[32]).toContain('torch.load(\\"models/classifier-finetuned.pt\\"');
    expect(lines[34]).toContain('pickle.load(fh)');
  });
});
