import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GATES } from '../../packages/cli/src/gates';
import { assertValidReport, assertValidSarif } from '../helpers/schemas';
import { FakeGitHub } from './fake-github';
import { runBundle } from './run-bundle';

const root = resolve(import.meta.dirname, '../..');
const bundle = join(root, 'dist/aisec/index.js');
let github: FakeGitHub | undefined;
afterEach(async () => {
  await github?.stop();
  github = undefined;
});

function demo(): string {
  const ws = mkdtempSync(join(tmpdir(), 'aisec-umbrella-'));
  cpSync(join(root, 'examples/demo'), ws, { recursive: true });
  return ws;
}

describe('umbrella action (dist/aisec/index.js) on the demo project', () => {
  it('runs the gates .aisec.yml names that are built: one SARIF run and one check run per gate', async () => {
    github = await new FakeGitHub().start();
    const ws = demo();
    const run = await runBundle(bundle, { workspace: ws, apiUrl: github.url, inputs: { token: 't', 'sarif-file': 'aisec-results/aisec.sarif', 'report-file': 'aisec-results/<gate>.json' } });
    expect(github.violations).toEqual([]);
    const configured = ['scan-deps', 'scan-pickle', 'data-gate'];
    const built = configured.filter((g) => GATES.some((b) => b.gate.name === g));
    expect(built.length).toBeGreaterThan(0);
    const sarif = JSON.parse(readFileSync(join(ws, 'aisec-results/aisec.sarif'), 'utf8')) as { runs: { automationDetails: { id: string } }[] };
    assertValidSarif(sarif);
    expect(sarif.runs.map((r) => r.automationDetails.id)).toEqual(built.map((g) => `aisec/${g}/`));
    expect(github.byOperation('checks/create').map((c) => (c.body as { name: string }).name)).toEqual(built.map((g) => `aisec/${g}`));
    for (const gate of built) assertValidReport(JSON.parse(readFileSync(join(ws, `aisec-results/${gate}.json`), 'utf8')));
    expect((run.outputs.report ?? '').split('\n')).toEqual(built.map((g) => `aisec-results/${g}.json`));
    expect(run.outputs.passed).toBe('false');
    expect(run.status).toBe(1);
    for (const gate of configured.filter((g) => !built.includes(g))) expect(run.stdout).toContain(`gate '${gate}' is not built in this version; skipped`);
  });

  it('rejects a gate name that does not exist', async () => {
    const run = await runBundle(bundle, { workspace: demo(), inputs: { gates: 'scan-deps, scan-foo', 'check-run': 'false' } });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('::error::unknown gate scan-foo');
  });
});
