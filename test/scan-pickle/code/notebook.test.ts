import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_NOTEBOOK_JSON_DEPTH, scanNotebook } from '../../../packages/scan-pickle/src/code/index';

const FIXTURES = join(import.meta.dirname, '../../fixtures/scan-pickle/code');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

type Row = [ruleId: string, line: number, column: number, member: string, cellLine: number, evidence: string];

describe('scanNotebook on finetune.ipynb (written by nbformat)', () => {
  it('points each finding at the line of the .ipynb file, with the cell and the line within it', async () => {
    const result = await scanNotebook(fixture('finetune.ipynb'), 'notebooks/finetune.ipynb');
    const rows: Row[] = result.findings.map((f) => [
      f.ruleId,
      f.location.line ?? 0,
      f.location.column ?? 0,
      f.location.member ?? '',
      Number(f.properties?.cellLine),
      f.evidence ?? '',
    ]);
    expect(rows).toEqual<Row[]>([
      // Imports live in cell 3; the loads in later cells still resolve through them.
      ['AISEC-PKL-102', 67, 14, 'cell 4', 3, 'torch.load(weights_only missing)'],
      ['AISEC-PKL-110', 68, 14, 'cell 4', 4, 'transformers.AutoModel.from_pretrained(trust_remote_code=True)'],
      // `%%time` cell: the body is Python.
      ['AISEC-PKL-101', 88, 21, 'cell 5', 3, 'pickle.load()'],
      // `%time head = joblib.load(...)`: only the magic is blanked.
      ['AISEC-PKL-104', 98, 19, 'cell 6', 1, 'joblib.load()'],
      // `%%writefile serve.py`: Python that runs later.
      ['AISEC-PKL-103', 123, 17, 'cell 8', 5, 'torch.load(weights_only=False)'],
      // After the unclosed `def summary(model:`; `weights_only=True` on line 1 of the cell is not reported.
      ['AISEC-PKL-101', 136, 17, 'cell 9', 4, 'pickle.loads()'],
    ]);
    const first = result.findings[0];
    expect(first?.message).toMatch(/ \(cell 4, line 3\)$/);
    expect(first?.properties).toMatchObject({ cell: 4, cellLine: 3, cellColumn: 9, cellId: 'load' });
    // SARIF end columns are exclusive: the call's `)` is at column 70.
    expect(first?.location).toMatchObject({ endLine: 67, endColumn: 71 });
    expect(result.findings.every((f) => f.severity === 'medium')).toBe(true);
  });

  it('blanks magics, skips other-language cells and notes both, and notes the broken cell', async () => {
    const result = await scanNotebook(fixture('finetune.ipynb'), 'notebooks/finetune.ipynb');
    // setup (3 lines), `files = !ls`, `%%time`, `%time`, `%%writefile`.
    expect(result.stats).toEqual({ files: 1, cells: 7, unitsWithSyntaxErrors: 1, magicLines: 7 });
    expect(result.notes).toEqual([
      'notebooks/finetune.ipynb: not Python, not scanned: cell 7 (%%bash)',
      expect.stringMatching(/^notebooks\/finetune\.ipynb: Python syntax errors in cell 9 line 2; /),
    ]);
  });
});

describe('scanNotebook positions inside one-line JSON strings (compact.ipynb)', () => {
  it('maps through escapes (\\", \\t, \\\\u00e9) to the column in the file', async () => {
    const text = fixture('compact.ipynb');
    const result = await scanNotebook(text, 'compact.ipynb');
    // The oracle is a plain text search in the JSON file, independent of the parser and the offset map.
    const at = (needle: string, skip = 0) => text.indexOf(needle) + skip + 1;
    expect(result.findings.map((f) => [f.location.line, f.location.column, f.location.member, f.evidence])).toEqual([
      [1, at('yaml.load(open'), 'cell 2', 'yaml.load(Loader=yaml.FullLoader)'],
      [1, at('x = np.load', 4), 'cell 2', 'numpy.load(allow_pickle=True)'],
      [1, at('y = np.load', 4), 'cell 3', 'numpy.load(allow_pickle=True)'],
    ]);
    expect(result.findings.map((f) => [f.properties?.cellLine, f.properties?.cellColumn])).toEqual([
      [1, 7],
      [2, 17], // `sep = "\t";<tab>x = ` is 16 characters of Python
      [1, 28], // `label = "café \u00e9"; y = ` is 27 characters of Python
    ]);
  });
});

describe('scanNotebook on notebooks it should not, or cannot, read', () => {
  it('reads nbformat 3 worksheets', async () => {
    const result = await scanNotebook(fixture('legacy_v3.ipynb'), 'legacy_v3.ipynb');
    expect(result.findings.map((f) => [f.location.line, f.location.column, f.location.member, f.evidence])).toEqual([
      [24, 16, 'cell 1', 'cPickle.load()'],
    ]);
  });

  it('skips a notebook whose kernel is not Python, with a note', async () => {
    const result = await scanNotebook(fixture('r_kernel.ipynb'), 'r_kernel.ipynb');
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual(['r_kernel.ipynb: notebook kernel language is R, not Python: not scanned']);
  });

  it('turns a truncated notebook into one low finding at the place the JSON breaks', async () => {
    const text = fixture('malformed.ipynb');
    const result = await scanNotebook(text, 'malformed.ipynb');
    const lines = text.split('\n');
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      ruleId: 'AISEC-PKL-112',
      severity: 'low',
      // The file ends inside the string that starts at the last line's quote.
      evidence: 'notebook unreadable: not valid JSON (UnexpectedEndOfString)',
      location: { path: 'malformed.ipynb', line: lines.length, column: (lines.at(-1)?.indexOf('"') ?? 0) + 1 },
    });
    expect(result.notes[0]).toMatch(/^malformed\.ipynb: notebook not scanned: not valid JSON/);
  });

  it('refuses nesting deeper than its bound without recursing into it', async () => {
    const depth = MAX_NOTEBOOK_JSON_DEPTH + 1;
    const text = `{"cells": [], "metadata": {"x": ${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const result = await scanNotebook(text, 'deep.ipynb');
    expect(result.findings[0]).toMatchObject({
      ruleId: 'AISEC-PKL-112',
      evidence: `notebook unreadable: JSON nested deeper than ${MAX_NOTEBOOK_JSON_DEPTH} levels`,
    });
    const hostile = `{"cells": ${'['.repeat(200_000)}`;
    expect((await scanNotebook(hostile, 'hostile.ipynb')).findings[0]?.ruleId).toBe('AISEC-PKL-112');
  });

  it('says so when JSON is valid but not a notebook', async () => {
    const result = await scanNotebook('{"nbformat": 4}', 'empty.ipynb');
    expect(result.findings[0]?.evidence).toBe('notebook unreadable: no "cells" array (is this an nbformat 3 or 4 notebook?)');
  });

  it('keeps the last of duplicate "cells" keys, as Python json (and so Jupyter) does', async () => {
    const text = JSON.stringify({ cells: [] }).slice(0, -1) + ',"cells":[{"cell_type":"code","source":"import dill\\ndill.load(f)"}]}';
    const result = await scanNotebook(text, 'dup.ipynb');
    expect(result.findings.map((f) => f.evidence)).toEqual(['dill.load()']);
  });
});
