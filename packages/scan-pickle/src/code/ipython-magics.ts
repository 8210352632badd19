/**
 * IPython syntax in notebook cells (`%pip install`, `!wget`, `files = !ls`, `%%time`) is not Python, and a
 * Python parser would see it as errors that can swallow the real statements after it. We blank it with
 * spaces rather than delete it, so every remaining character keeps its line and column.
 */

/** Cell magics whose body is Python that runs in the kernel. */
const PYTHON_BODY_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug', 'memit', 'mprun', 'python', 'python3', 'ipython']);
/** Line magics followed by a Python statement that runs: `%time model = torch.load(path)`. */
const STATEMENT_LINE_MAGICS = new Set(['time', 'timeit', 'prun', 'memit', 'debug']);
/** `%%writefile train.py` writes Python that a later `!python train.py` or import runs: scan it too. */
const WRITEFILE_MAGICS = new Set(['writefile', 'file']);

export type MagicBlanking =
  | { kind: 'python'; source: string; magicLines: number }
  /** A cell magic whose body is another language (`%%bash`, `%%html`): nothing Python to scan. */
  | { kind: 'other-language'; magic: string };

const ASSIGN_FROM_SHELL = /^\s*[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[!%]/;
const HELP_QUERY = /^\s*(\?{1,2}[\w.]+|[\w.]+\?{1,2})\s*$/;
const TRIPLE_QUOTES = /"""|'''/g;

function blank(text: string): string {
  return text.replace(/[^\r\n]/g, ' ');
}

/** Width of `%time`/`%timeit -n 10 -r 3` before the statement, so only the magic is blanked. */
function statementMagicPrefix(line: string): number | undefined {
  const match = /^(\s*%(\w+))/.exec(line);
  if (!match?.[1] || !match[2] || !STATEMENT_LINE_MAGICS.has(match[2])) return undefined;
  let end = match[1].length;
  const option = /^\s+-[a-zA-Z](\s*\d+)?/;
  for (let rest = line.slice(end), m = option.exec(rest); m; rest = line.slice(end), m = option.exec(rest)) {
    end += m[0].length;
  }
  return end;
}

function cellMagic(firstLine: string): { name: string; args: string } | undefined {
  const match = /^%%(\w+)(.*)$/.exec(firstLine.trim());
  return match?.[1] === undefined ? undefined : { name: match[1], args: match[2]?.trim() ?? '' };
}

function bodyIsPython(magic: { name: string; args: string }): boolean {
  if (PYTHON_BODY_CELL_MAGICS.has(magic.name)) return true;
  if (WRITEFILE_MAGICS.has(magic.name)) {
    const target = magic.args.split(/\s+/).find((a) => !a.startsWith('-'));
    return !!target && /\.pyw?$/i.test(target.replace(/^["']|["']$/g, ''));
  }
  // `%%script python3`
  if (magic.name === 'script') return /^python\d*(\.\d+)?\b/.test(magic.args);
  return false;
}

export function blankMagics(cell: string): MagicBlanking {
  const lines = cell.split('\n');
  let magicLines = 0;
  let start = 0;
  const first = lines[0] ?? '';
  const magic = first.trimStart().startsWith('%%') ? cellMagic(first) : undefined;
  if (magic) {
    if (!bodyIsPython(magic)) return { kind: 'other-language', magic: `%%${magic.name}` };
    lines[0] = blank(first);
    magicLines++;
    start = 1;
  }
  let inTripleQuote = false;
  let continueBlanking = false;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (continueBlanking) {
      lines[i] = blank(line);
      continueBlanking = /\\\r?$/.test(line);
      continue;
    }
    if (!inTripleQuote) {
      const trimmed = line.trimStart();
      const prefix = statementMagicPrefix(line);
      if (prefix !== undefined) {
        lines[i] = blank(line.slice(0, prefix)) + line.slice(prefix);
        magicLines++;
        continue;
      }
      if (trimmed.startsWith('!') || trimmed.startsWith('%') || ASSIGN_FROM_SHELL.test(line) || HELP_QUERY.test(line)) {
        lines[i] = blank(line);
        magicLines++;
        continueBlanking = /\\\r?$/.test(line);
        continue;
      }
    }
    // An odd number of triple quotes opens or closes a multi-line string, where `%` and `!` are just text.
    if ((line.match(TRIPLE_QUOTES)?.length ?? 0) % 2 === 1) inTripleQuote = !inTripleQuote;
  }
  return { kind: 'python', source: lines.join('\n'), magicLines };
}
