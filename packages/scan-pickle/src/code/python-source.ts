import {
  type CodeScanOptions,
  type CodeScanResult,
  capFindings,
  emptyStats,
  findingFromHit,
  notScannedFinding,
  parseBudget,
} from './code-findings';
import { analyzeProgram } from './python-program';

/**
 * Scans one Python source text. `path` is the workspace-relative path findings point at. Source with
 * syntax errors (Python 2, a half-edited file) is still scanned as far as tree-sitter recovers, and a note
 * says so.
 */
export async function scanPythonSource(
  source: string,
  path: string,
  options: CodeScanOptions = {},
): Promise<CodeScanResult> {
  const budget = parseBudget(options);
  const stats = emptyStats();
  const analysis = await analyzeProgram([source], {
    locateFile: options.locateFile,
    parseTimeMs: budget,
    signal: options.signal,
  });
  if (analysis.kind === 'timed-out') {
    return {
      findings: [
        notScannedFinding(
          path,
          'time budget exceeded',
          `Parsing and analysis did not finish within ${budget} ms, so this file was not scanned for unsafe loading.`,
        ),
      ],
      notes: [`${path}: not scanned: parsing and analysis took longer than ${budget} ms`],
      stats,
    };
  }
  stats.files = 1;
  const notes: string[] = [];
  const unit = analysis.units[0];
  if (!unit) return { findings: [], notes, stats };
  if (unit.firstError) {
    stats.unitsWithSyntaxErrors = 1;
    notes.push(
      `${path}: Python syntax errors from line ${unit.firstError.row + 1}, column ${unit.firstError.column + 1} ` +
        '(Python 2 or an unfinished edit?); scanned what the parser recovered, so a load inside the broken ' +
        'statement may be missed',
    );
  }
  const findings = unit.hits.map((hit) =>
    findingFromHit(hit, {
      path,
      line: hit.start.row + 1,
      column: hit.start.column + 1,
      endLine: hit.end.row + 1,
      endColumn: hit.end.column + 1,
    }),
  );
  return capFindings({ findings, notes, stats }, path);
}
