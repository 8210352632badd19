import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, DEFAULT_LIMITS, type GateContext, UserError, silentLogger } from '@aisec/core';
import { afterAll, describe, expect, it } from 'vitest';
import { isCodeFile, scanCodeFile } from '../../../packages/scan-pickle/src/code/index';

const FIXTURES = join(import.meta.dirname, '../../fixtures/scan-pickle/code');
const workspace = mkdtempSync(join(tmpdir(), 'aisec-code-file-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function context(limits: Partial<GateContext['limits']> = {}): GateContext {
  return { workspace, logger: silentLogger, limits: { ...DEFAULT_LIMITS, ...limits }, signal: new AbortController().signal };
}

describe('isCodeFile', () => {
  it('accepts Python sources and notebooks only', () => {
    expect(['a.py', 'B.PY', 'gui.pyw', 'nb/Analysis.ipynb'].map(isCodeFile)).toEqual([true, true, true, true]);
    expect(['model.pkl', 'a.pyc', 'types.pyi', 'notes.ipynb.bak', 'py'].map(isCodeFile)).toEqual([false, false, false, false, false]);
  });
});

describe('scanCodeFile', () => {
  it('scans a .py file and reports paths relative to the workspace', async () => {
    mkdirSync(join(workspace, 'src'), { recursive: true });
    copyFileSync(join(FIXTURES, 'finetune_unsafe.py'), join(workspace, 'src/train.py'));
    const result = await scanCodeFile(join(workspace, 'src/train.py'), context());
    expect(result.findings).toHaveLength(31);
    expect(new Set(result.findings.map((f) => f.location.path))).toEqual(new Set(['src/train.py']));
    expect(result.stats.files).toBe(1);
  });

  it('scans a notebook by its extension', async () => {
    copyFileSync(join(FIXTURES, 'finetune.ipynb'), join(workspace, 'Finetune.IPYNB'));
    const result = await scanCodeFile(join(workspace, 'Finetune.IPYNB'), context());
    expect(result.findings.map((f) => f.location.member)).toEqual(['cell 4', 'cell 4', 'cell 5', 'cell 6', 'cell 8', 'cell 9']);
  });

  it('decodes by the PEP 263 coding cookie, so columns after non-ASCII text stay right', async () => {
    // Bytes C3 A9 are two latin-1 characters ("Ã©") but one UTF-8 character ("é"): the column after them
    // tells which decoding was used.
    const line = 'nom = "\xc3\xa9"; obj = dill.loads(b)\n';
    writeFileSync(join(workspace, 'latin.py'), Buffer.from(`# -*- coding: latin-1 -*-\nimport dill\n${line}`, 'latin1'));
    writeFileSync(join(workspace, 'utf8.py'), Buffer.from(`# no cookie: UTF-8\nimport dill\n${line}`, 'latin1'));
    const at = async (name: string) =>
      (await scanCodeFile(join(workspace, name), context())).findings.map((f) => [f.location.line, f.location.column, f.evidence]);
    expect(await at('latin.py')).toEqual([[3, 19, 'dill.loads()']]);
    expect(await at('utf8.py')).toEqual([[3, 18, 'dill.loads()']]);
  });

  it('does not read a file over the size bound and says so with a low finding', async () => {
    writeFileSync(join(workspace, 'big.py'), `import pickle\n${'#'.repeat(2048)}\npickle.loads(b)\n`);
    const result = await scanCodeFile(join(workspace, 'big.py'), context(), { maxSourceBytes: 1024 });
    expect(result.findings).toEqual([
      expect.objectContaining({
        ruleId: 'AISEC-PKL-112',
        severity: 'low',
        evidence: 'file larger than 1024 bytes',
        location: { path: 'big.py' },
      }),
    ]);
    // ctx.limits.maxFileBytes bounds code too.
    const capped = await scanCodeFile(join(workspace, 'big.py'), context({ maxFileBytes: 100 }));
    expect(capped.findings[0]?.evidence).toBe('file larger than 100 bytes');
  });

  it('bounds notebooks separately, and uses ctx.limits.timePerFileMs as the parse budget', async () => {
    copyFileSync(join(FIXTURES, 'finetune.ipynb'), join(workspace, 'n.ipynb'));
    const tooBig = await scanCodeFile(join(workspace, 'n.ipynb'), context(), { maxNotebookBytes: 1000 });
    expect(tooBig.findings[0]?.evidence).toBe('file larger than 1000 bytes');
    const big = `import pickle\n${'x = f(x, 1) + y[2]\n'.repeat(100_000)}pickle.loads(b)\n`;
    writeFileSync(join(workspace, 'generated.py'), big);
    const slow = await scanCodeFile(join(workspace, 'generated.py'), context({ timePerFileMs: 1 }));
    expect(slow.findings[0]?.evidence).toBe('time budget exceeded');
  });

  it('stops with CancelledError when the context is cancelled', async () => {
    copyFileSync(join(FIXTURES, 'finetune.ipynb'), join(workspace, 'cancel.ipynb'));
    const controller = new AbortController();
    controller.abort();
    const ctx = { ...context(), signal: controller.signal };
    await expect(scanCodeFile(join(workspace, 'cancel.ipynb'), ctx)).rejects.toBeInstanceOf(CancelledError);
  });

  it('throws a UserError naming the file it cannot open', async () => {
    const error = await scanCodeFile(join(workspace, 'missing.py'), context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).format()).toMatch(/^missing\.py: cannot read missing\.py \(ENOENT\)\. check that/);
    mkdirSync(join(workspace, 'dir.py'));
    const dir = await scanCodeFile(join(workspace, 'dir.py'), context()).catch((e: unknown) => e);
    expect((dir as UserError).message).toBe('cannot read dir.py (EISDIR)');
    // A FIFO would block a reader until something writes to it: refused before opening.
    execFileSync('mkfifo', [join(workspace, 'pipe.py')]);
    const fifo = await scanCodeFile(join(workspace, 'pipe.py'), context()).catch((e: unknown) => e);
    expect((fifo as UserError).message).toBe('cannot read pipe.py (not a regular file)');
  });
});
