import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aisec, ROOT } from './run-cli';

const MODELS = join(ROOT, 'test/fixtures/scan-pickle/models');
const manifest = JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8')) as Record<string, { rules: string[] }>;

function project(): string {
  const ws = mkdtempSync(join(tmpdir(), 'aisec-cli-pickle-'));
  cpSync(join(ROOT, 'test/fixtures/scan-pickle/e2e'), ws, { recursive: true });
  mkdirSync(join(ws, 'models'));
  cpSync(join(MODELS, 'benign/state-dict.pt'), join(ws, 'models/state-dict.pt'));
  cpSync(join(MODELS, 'malicious/torch-zip-payload.pt'), join(ws, 'models/finetuned.pt'));
  return ws;
}

interface JsonReport {
  findings: { ruleId: string; severity: string; location: { path: string; member?: string; line?: number } }[];
}

describe('aisec scan-pickle', () => {
  it('has --help naming its options', () => {
    const r = aisec(['scan-pickle', '--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--scan-models', '--scan-code', '--exclude', '--max-file-bytes', '--max-decompressed-bytes', '--max-entries', '--max-depth', '--time-per-file-ms', '--json']) expect(r.stdout).toContain(flag);
  });

  it('exits 1 on a payload; --json findings carry location.path, location.member and the rule', () => {
    const ws = project();
    const r = aisec(['scan-pickle', 'models', 'src', 'notebooks', '--json', 'out/report.json'], { cwd: ws });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('models/finetuned.pt › archive/data.pkl');
    const report = JSON.parse(readFileSync(join(ws, 'out/report.json'), 'utf8')) as JsonReport;
    expect(report.findings).toContainEqual(expect.objectContaining({ ruleId: 'AISEC-PKL-001', severity: 'critical', location: { path: 'models/finetuned.pt', member: 'archive/data.pkl' } }));
    expect(report.findings).toContainEqual(expect.objectContaining({ ruleId: 'AISEC-PKL-102', severity: 'medium', location: expect.objectContaining({ path: 'src/train.py', line: 9 }) }));
    expect(report.findings.filter((f) => f.location.path === 'models/state-dict.pt')).toEqual([]);
  });

  it('code findings show without failing; --fail-on medium fails on them; --no-scan-code leaves them out', () => {
    const ws = project();
    const shown = aisec(['scan-pickle', 'src', 'notebooks'], { cwd: ws });
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain('src/train.py:9');
    expect(shown.stdout).toContain('notebooks/evaluate.ipynb › cell 3:29');
    expect(aisec(['scan-pickle', 'src', '--fail-on', 'medium'], { cwd: ws }).status).toBe(1);
    const noCode = aisec(['scan-pickle', '.', '--no-scan-code', '--exclude', 'models/finetuned.pt', '--json', 'r.json'], { cwd: ws });
    expect(noCode.status).toBe(0);
    expect((JSON.parse(readFileSync(join(ws, 'r.json'), 'utf8')) as JsonReport).findings).toEqual([]);
  });

  it('exits 2 naming the path that does not exist or the option value that is wrong', () => {
    const ws = project();
    const missing = aisec(['scan-pickle', 'models/nope.pt'], { cwd: ws });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('models/nope.pt');
    const bad = aisec(['scan-pickle', '.', '--max-depth', 'deep'], { cwd: ws });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--max-depth');
  });

  // The interface the issue sets: file by file, 1 for a payload and 0 for an ordinary model.
  it('exits 1 for every malicious fixture and 0 for every benign one, file by file', async () => {
    const status = (file: string) =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = execFile(process.execPath, [join(ROOT, 'packages/cli/bin/aisec.cjs'), 'scan-pickle', join(MODELS, file), '--quiet'], { cwd: MODELS, timeout: 60_000 }, (_error, _stdout, stderr) =>
          done({ code: child.exitCode, stderr }),
        );
      });
    const files = Object.keys(manifest);
    const wrong: string[] = [];
    // Four processes at a time: each run is a fresh `aisec` as a user would type it.
    for (let i = 0; i < files.length; i += 4) {
      const batch = files.slice(i, i + 4);
      const results = await Promise.all(batch.map(status));
      results.forEach((r, j) => {
        const file = batch[j]!;
        const want = file.startsWith('malicious/') ? 1 : 0;
        if (r.code !== want) wrong.push(`${file}: exit ${r.code}, want ${want} ${r.stderr}`);
      });
    }
    expect(files.length).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  }, 120_000);
});
