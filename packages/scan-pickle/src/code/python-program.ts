import { CancelledError } from '@aisec/core';
import type { Node, Point, Tree } from 'web-tree-sitter';
import { loadPythonParser, type WasmLocator } from './python-parser';
import { PythonNames } from './python-names';
import { SyntaxIndex } from './syntax-index';
import { AnalysisDeadlineError, type CodeHit, UnsafeCallFinder } from './unsafe-calls';
import { LOADER_WORDS } from './unsafe-loaders';

export interface ProgramOptions {
  locateFile?: WasmLocator;
  /** Budget for parsing and analyzing every unit of the program, in milliseconds. */
  parseTimeMs: number;
  signal?: AbortSignal;
}

export interface UnitAnalysis {
  hits: CodeHit[];
  /** Where the first syntax error is, when tree-sitter had to recover. */
  firstError?: Point;
}

export type ProgramAnalysis =
  | { kind: 'analyzed'; units: UnitAnalysis[] }
  /** The budget ran out at unit `unit`; nothing is reported for a half-analyzed program. */
  | { kind: 'timed-out'; unit: number };

/** The first ERROR or MISSING node, found by descending only into subtrees that contain one. */
function firstSyntaxError(root: Node): Point | undefined {
  if (!root.hasError) return undefined;
  let node = root;
  for (;;) {
    const children = node.children;
    const bad = children.find((c) => c.isError || c.isMissing);
    if (bad) return bad.startPosition;
    const next = children.find((c) => c.hasError);
    if (!next) return node.startPosition;
    node = next;
  }
}

/**
 * How many times a unit with a syntax error is parsed again from the line after the error. tree-sitter's
 * recovery can fold everything after an unclosed bracket into one ERROR node where no call is visible;
 * parsing the rest on its own (earlier lines blanked, so positions stay) finds the statements again.
 */
const MAX_RECOVERY_PARSES = 8;

function blankRowsThrough(source: string, row: number): string {
  let end = 0;
  for (let r = 0; r <= row; r++) {
    const next = source.indexOf('\n', end);
    if (next < 0) return source.replace(/[^\n]/g, ' ');
    end = next + 1;
  }
  return source.slice(0, end).replace(/[^\n]/g, ' ') + source.slice(end);
}

/**
 * Parses and analyzes the units of one Python program together: a file is one unit, a notebook has one per
 * code cell (parsed apart, so a broken cell does not swallow the next, but sharing one namespace, since
 * cells see each other's imports).
 */
export async function analyzeProgram(sources: readonly string[], options: ProgramOptions): Promise<ProgramAnalysis> {
  const parser = await loadPythonParser({ locateFile: options.locateFile });
  const deadline = Date.now() + options.parseTimeMs;
  const trees: Tree[] = [];
  try {
    /** Per unit: its tree, then the trees of recovery parses. */
    const unitRoots: Node[][] = [];
    const firstErrors: (Point | undefined)[] = [];
    for (const [index, source] of sources.entries()) {
      if (options.signal?.aborted) throw new CancelledError();
      const tree = parser.parse(source, deadline);
      if (!tree) return { kind: 'timed-out', unit: index };
      trees.push(tree);
      const roots = [tree.rootNode];
      const firstError = firstSyntaxError(tree.rootNode);
      let errorRow = firstError?.row;
      for (let attempt = 0; errorRow !== undefined && attempt < MAX_RECOVERY_PARSES; attempt++) {
        const retry = parser.parse(blankRowsThrough(source, errorRow), deadline);
        if (!retry) return { kind: 'timed-out', unit: index };
        trees.push(retry);
        roots.push(retry.rootNode);
        const next = firstSyntaxError(retry.rootNode)?.row;
        errorRow = next !== undefined && next > errorRow ? next : undefined;
      }
      unitRoots.push(roots);
      firstErrors.push(firstError);
    }
    const names = new PythonNames(LOADER_WORDS);
    const unitIndexes = unitRoots.map((roots) => roots.map((root) => new SyntaxIndex(root)));
    const allIndexes = unitIndexes.flat();
    for (const index of allIndexes) names.collect(index);
    names.collectAliases(allIndexes);
    const finder = new UnsafeCallFinder(names, deadline);
    const units: UnitAnalysis[] = [];
    for (const [index, indexes] of unitIndexes.entries()) {
      try {
        units.push({ hits: uniqueHits(indexes.flatMap((i) => finder.find(i, sources[index] ?? ''))), firstError: firstErrors[index] });
      } catch (error) {
        if (error instanceof AnalysisDeadlineError) return { kind: 'timed-out', unit: index };
        throw error;
      }
    }
    return { kind: 'analyzed', units };
  } finally {
    for (const tree of trees) tree.delete();
  }
}

/** Recovery parses see the same statements again: keep one hit per rule, place and evidence, in order. */
function uniqueHits(hits: CodeHit[]): CodeHit[] {
  const seen = new Set<string>();
  const unique = hits.filter((h) => {
    const key = `${h.ruleId}\0${h.start.row}:${h.start.column}\0${h.evidence}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => a.start.row - b.start.row || a.start.column - b.start.column);
}
