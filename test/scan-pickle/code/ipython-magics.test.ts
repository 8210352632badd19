import { describe, expect, it } from 'vitest';
import { blankMagics } from '../../../packages/scan-pickle/src/code/ipython-magics';

function python(cell: string): string {
  const result = blankMagics(cell);
  if (result.kind !== 'python') throw new Error(`expected Python, got ${result.magic}`);
  expect(result.source).toHaveLength(cell.length);
  return result.source;
}

describe('blankMagics', () => {
  it('blanks shell and line-magic lines with spaces, keeping every offset and line break', () => {
    const cell = '%pip install torch\n!wget -q https://example.invalid/m.pt \\\n  -O m.pt\nfiles = !ls\nimport torch\r\nmodel?\n??torch.load\n';
    expect(python(cell)).toBe(`${' '.repeat(18)}\n${' '.repeat(39)}\n${' '.repeat(9)}\n${' '.repeat(11)}\nimport torch\r\n${' '.repeat(6)}\n${' '.repeat(12)}\n`);
    expect(blankMagics(cell)).toMatchObject({ magicLines: 5 });
  });

  it('keeps the statement after %time and %timeit (with options)', () => {
    expect(python('%time m = torch.load(p)')).toBe('      m = torch.load(p)');
    expect(python('    %timeit -n 10 -r3 -q x = pickle.loads(b)')).toBe(`${' '.repeat(25)}x = pickle.loads(b)`);
  });

  it('keeps the body of Python cell magics and %%writefile *.py, and skips other languages', () => {
    expect(python('%%time\nx = pickle.loads(b)')).toBe('      \nx = pickle.loads(b)');
    expect(python('%%writefile "serve.py"\nimport pickle')).toBe(`${' '.repeat(22)}\nimport pickle`);
    expect(python('%%script python3\nimport pickle')).toBe(`${' '.repeat(16)}\nimport pickle`);
    expect(blankMagics('%%bash\npython -c "import pickle"')).toEqual({ kind: 'other-language', magic: '%%bash' });
    expect(blankMagics('%%writefile run.sh\npython train.py')).toEqual({ kind: 'other-language', magic: '%%writefile' });
    expect(blankMagics('%%script bash\nls')).toEqual({ kind: 'other-language', magic: '%%script' });
  });

  it('leaves % and ! alone inside triple-quoted strings and in ordinary Python', () => {
    const cell = 'doc = """\n% of rows\n!important\n"""\nratio = a % b\nok = x != y\n';
    expect(python(cell)).toBe(cell);
  });
});
