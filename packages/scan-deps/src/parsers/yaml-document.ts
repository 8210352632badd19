import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument } from 'yaml';
import { UserError } from '@aisec/core';

export interface YamlDocument {
  root: unknown;
  lineOf(node: unknown): number;
}

/**
 * Parses YAML keeping node positions (through the library's line counter), turning a syntax error
 * into a UserError at its line and column. Callers walk nodes rather than converting the whole
 * document to plain values, so aliases are never expanded (no "billion laughs").
 */
export function parseYamlDocument(text: string, file: string, regenerate: string): YamlDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = first.linePos?.[0];
    throw new UserError(`not valid YAML: ${(first.message.split('\n')[0] ?? first.code).replace(/ at line \d+, column \d+:?$/, '')}`, {
      file,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
      hint: regenerate,
    });
  }
  return {
    root: doc.contents,
    lineOf(node: unknown): number {
      const range = isNode(node) ? node.range : undefined;
      return range ? lineCounter.linePos(range[0]).line : 1;
    },
  };
}

/** The value node under `key` in a mapping node. */
export function mapValue(node: unknown, key: string): unknown {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isScalar(pair.key) && String(pair.key.value) === key) return pair.value;
  }
  return undefined;
}

/** The item nodes of a sequence node (empty for anything else). */
export function seqItems(node: unknown): unknown[] {
  return isSeq(node) ? node.items : [];
}

/** A scalar node's value as text: `pandas==2.1.4`, `3.10` (YAML reads some as numbers). */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const value: unknown = node.value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return node.source ?? String(value);
  return undefined;
}
