import * as jsonc from 'jsonc-parser';

/**
 * Reads the parts of an .ipynb file the scanner needs, keeping where each source character sits in the JSON
 * text, so a finding in a cell points at the line of the notebook file that GitHub shows.
 */

/**
 * Deepest JSON nesting read. Real notebooks stay far below it (outputs embedding JSON reach a few dozen
 * levels); it exists so a hostile file cannot exhaust the stack of jsonc-parser's recursive descent.
 * ctx.limits.maxDepth (16) is sized for archives and payloads and would reject real notebooks.
 */
export const MAX_NOTEBOOK_JSON_DEPTH = 256;

export interface NotebookCell {
  /** 1-based position among all cells, as notebook front ends number them. */
  number: number;
  /** nbformat 4.5 cell id, when present. */
  id?: string;
  source: string;
  /** For each UTF-16 unit of `source` (and one past the end), its offset in the JSON text. */
  offsets: number[];
}

export type NotebookRead =
  | { kind: 'notebook'; cells: NotebookCell[]; language?: string; skippedCells: string[] }
  | { kind: 'invalid'; reason: string; offset?: number };

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };

/** Decodes one JSON string literal node, recording the JSON offset each decoded character came from. */
function decodeWithOffsets(text: string, node: jsonc.Node): { value: string; offsets: number[] } {
  const base = node.offset + 1;
  const raw = text.slice(base, node.offset + node.length - 1);
  const parts: string[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < raw.length; ) {
    const c = raw.charAt(i);
    if (c === '\\') {
      const e = raw.charAt(i + 1);
      if (e === 'u') {
        parts.push(String.fromCharCode(Number.parseInt(raw.slice(i + 2, i + 6), 16)));
        offsets.push(base + i);
        i += 6;
      } else {
        parts.push(ESCAPES[e] ?? e);
        offsets.push(base + i);
        i += 2;
      }
    } else {
      parts.push(c);
      offsets.push(base + i);
      i++;
    }
  }
  const value = parts.join('');
  // jsonc-parser decoded the same literal; if we disagree, keep its value and point at the literal's start.
  if (value !== node.value) {
    const expected = String(node.value);
    return { value: expected, offsets: Array.from({ length: expected.length }, () => node.offset) };
  }
  return { value, offsets };
}

/** The last property with this key: Python's json module keeps the last of duplicate keys, as Jupyter does. */
function property(object: jsonc.Node | undefined, key: string): jsonc.Node | undefined {
  if (object?.type !== 'object') return undefined;
  let found: jsonc.Node | undefined;
  for (const prop of object.children ?? []) {
    const [name, value] = prop.children ?? [];
    if (name?.value === key && value) found = value;
  }
  return found;
}

function stringProperty(object: jsonc.Node | undefined, ...path: string[]): string | undefined {
  let node = object;
  for (const key of path) node = property(node, key);
  return node?.type === 'string' ? String(node.value) : undefined;
}

/** True when brackets outside strings nest deeper than `limit`: a linear pass, no recursion. */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

function cellSource(text: string, source: jsonc.Node | undefined): { source: string; offsets: number[] } | undefined {
  if (source?.type === 'string') {
    const decoded = decodeWithOffsets(text, source);
    return { source: decoded.value, offsets: [...decoded.offsets, source.offset + source.length - 1] };
  }
  if (source?.type !== 'array') return undefined;
  const parts: string[] = [];
  const offsets: number[] = [];
  let end = source.offset + source.length - 1;
  for (const item of source.children ?? []) {
    if (item.type !== 'string') return undefined;
    const decoded = decodeWithOffsets(text, item);
    parts.push(decoded.value);
    offsets.push(...decoded.offsets);
    end = item.offset + item.length - 1;
  }
  offsets.push(end);
  return { source: parts.join(''), offsets };
}

export function readNotebook(text: string): NotebookRead {
  if (nestsDeeperThan(text, MAX_NOTEBOOK_JSON_DEPTH)) {
    return { kind: 'invalid', reason: `JSON nested deeper than ${MAX_NOTEBOOK_JSON_DEPTH} levels` };
  }
  const errors: jsonc.ParseError[] = [];
  const root = jsonc.parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  if (first) {
    return { kind: 'invalid', reason: `not valid JSON (${jsonc.printParseErrorCode(first.error)})`, offset: first.offset };
  }
  if (root?.type !== 'object') return { kind: 'invalid', reason: 'the top level is not a JSON object' };

  const language =
    stringProperty(root, 'metadata', 'kernelspec', 'language') ?? stringProperty(root, 'metadata', 'language_info', 'name');

  // nbformat 4 keeps cells at the top; nbformat 3 inside worksheets, with the code in `input`.
  let cellNodes: jsonc.Node[];
  let sourceKey: string;
  const cells = property(root, 'cells');
  const worksheets = property(root, 'worksheets');
  if (cells?.type === 'array') {
    cellNodes = cells.children ?? [];
    sourceKey = 'source';
  } else if (worksheets?.type === 'array') {
    cellNodes = (worksheets.children ?? []).flatMap((w) => {
      const inner = property(w, 'cells');
      return inner?.type === 'array' ? (inner.children ?? []) : [];
    });
    sourceKey = 'input';
  } else {
    return { kind: 'invalid', reason: 'no "cells" array (is this an nbformat 3 or 4 notebook?)' };
  }

  const read: NotebookCell[] = [];
  const skippedCells: string[] = [];
  for (const [index, cell] of cellNodes.entries()) {
    const number = index + 1;
    if (stringProperty(cell, 'cell_type') !== 'code') continue;
    const source = cellSource(text, property(cell, sourceKey));
    if (!source) {
      skippedCells.push(`cell ${number} has no string source`);
      continue;
    }
    read.push({ number, id: stringProperty(cell, 'id'), ...source });
  }
  return { kind: 'notebook', cells: read, language, skippedCells };
}

/** Offsets of line starts, for turning a text offset into a 1-based line and column. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column (UTF-16 units) of `offset`, by binary search in `starts`. */
export function positionOf(starts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}
