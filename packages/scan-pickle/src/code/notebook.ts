import type { Finding } from '@aisec/core';
import {
  type CodeScanOptions,
  type CodeScanResult,
  capFindings,
  emptyStats,
  findingFromHit,
  notScannedFinding,
  parseBudget,
} from './code-findings';
import { blankMagics } from './ipython-magics';
import { type NotebookCell, lineStarts, positionOf, readNotebook } from './notebook-json';
import { analyzeProgram } from './python-program';

const PYTHON_LANGUAGES = new Set(['python', 'python2', 'python3', 'ipython', 'ipython3']);

/**
 * Scans the code cells of a Jupyter notebook (nbformat 3 or 4 JSON text). Findings point at the line and
 * column of the notebook file where the call's characters are, with `location.member` = `cell N`; the line
 * within the cell is in the message and in `properties.cellLine`.
 *
 * A notebook that is not valid JSON gets one `low` AISEC-PKL-112 finding rather than an error: the rest of
 * the scan goes on, and the report still says this file was not checked.
 */
export async function scanNotebook(text: string, path: string, options: CodeScanOptions = {}): Promise<CodeScanResult> {
  const stats = emptyStats();
  const notes: string[] = [];
  const notebook = readNotebook(text);
  if (notebook.kind === 'invalid') {
    const at = notebook.offset === undefined ? undefined : positionOf(lineStarts(text), notebook.offset);
    const where = at ? ` at line ${at.line}, column ${at.column}` : '';
    return {
      findings: [
        notScannedFinding(
          path,
          `notebook unreadable: ${notebook.reason}`,
          `This notebook could not be read: ${notebook.reason}${where}; its code cells were not scanned for ` +
            'unsafe loading.',
          at ?? {},
        ),
      ],
      notes: [`${path}: notebook not scanned: ${notebook.reason}${where}`],
      stats,
    };
  }
  if (notebook.language && !PYTHON_LANGUAGES.has(notebook.language.toLowerCase())) {
    notes.push(`${path}: notebook kernel language is ${notebook.language}, not Python: not scanned`);
    return { findings: [], notes, stats };
  }
  if (notebook.skippedCells.length > 0) notes.push(`${path}: ${notebook.skippedCells.join('; ')}`);

  const pythonCells: { cell: NotebookCell; source: string }[] = [];
  const otherLanguage: string[] = [];
  for (const cell of notebook.cells) {
    const blanked = blankMagics(cell.source);
    if (blanked.kind === 'other-language') {
      otherLanguage.push(`cell ${cell.number} (${blanked.magic})`);
      continue;
    }
    stats.magicLines += blanked.magicLines;
    pythonCells.push({ cell, source: blanked.source });
  }
  if (otherLanguage.length > 0) {
    notes.push(`${path}: not Python, not scanned: ${otherLanguage.join(', ')}`);
  }

  const budget = parseBudget(options);
  const analysis = await analyzeProgram(
    pythonCells.map((c) => c.source),
    { locateFile: options.locateFile, parseTimeMs: budget, signal: options.signal },
  );
  if (analysis.kind === 'timed-out') {
    const cell = pythonCells[analysis.unit]?.cell.number;
    return {
      findings: [
        notScannedFinding(
          path,
          'time budget exceeded',
          `Parsing and analyzing this notebook's cells did not finish within ${budget} ms (stopped at cell ${cell}), so it was ` +
            'not scanned for unsafe loading.',
        ),
      ],
      notes: [...notes, `${path}: not scanned: parsing and analysis took longer than ${budget} ms`],
      stats,
    };
  }

  stats.files = 1;
  stats.cells = pythonCells.length;
  const jsonLines = lineStarts(text);
  const findings: Finding[] = [];
  const broken: string[] = [];
  for (const [index, unit] of analysis.units.entries()) {
    const entry = pythonCells[index];
    if (!entry) continue;
    const { cell, source } = entry;
    const cellLines = lineStarts(source);
    const jsonOffset = (row: number, column: number) =>
      cell.offsets[Math.min((cellLines[row] ?? 0) + column, cell.offsets.length - 1)] ?? 0;
    if (unit.firstError) {
      stats.unitsWithSyntaxErrors++;
      broken.push(`cell ${cell.number} line ${unit.firstError.row + 1}`);
    }
    for (const hit of unit.hits) {
      const start = positionOf(jsonLines, jsonOffset(hit.start.row, hit.start.column));
      // The end is exclusive: map the last character and step past it.
      const endOffset = (cellLines[hit.end.row] ?? 0) + hit.end.column;
      const lastChar = positionOf(jsonLines, cell.offsets[Math.max(endOffset - 1, 0)] ?? 0);
      findings.push(
        findingFromHit(
          hit,
          {
            path,
            line: start.line,
            column: start.column,
            endLine: lastChar.line,
            endColumn: lastChar.column + 1,
            member: `cell ${cell.number}`,
          },
          ` (cell ${cell.number}, line ${hit.start.row + 1})`,
          {
            cell: cell.number,
            cellLine: hit.start.row + 1,
            cellColumn: hit.start.column + 1,
            ...(cell.id === undefined ? {} : { cellId: cell.id }),
          },
        ),
      );
    }
  }
  if (broken.length > 0) {
    notes.push(
      `${path}: Python syntax errors in ${broken.join(', ')}; scanned what the parser recovered, so a load ` +
        'inside a broken statement may be missed',
    );
  }
  return capFindings({ findings, notes, stats }, path);
}
