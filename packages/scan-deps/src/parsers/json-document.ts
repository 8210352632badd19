import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { UserError } from '@aisec/core';
import { LineIndex } from './line-index';

export interface JsonDocument {
  root: Node;
  lines: LineIndex;
}

/**
 * Parses JSON into a syntax tree that keeps every value's offset (so dependencies get their line),
 * turning a syntax error into a UserError at its line and column.
 */
export function parseJsonDocument(text: string, file: string, regenerate: string): JsonDocument {
  const lines = new LineIndex(text);
  const errors: ParseError[] = [];
  let root: Node | undefined;
  try {
    root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch (error) {
    // The parser recurses per nesting level: a hostile file nested thousands deep overflows the stack.
    if (!(error instanceof RangeError)) throw error;
    throw new UserError('nests JSON too deeply to be a real file of its kind', { file, hint: regenerate, cause: error });
  }
  const first = errors[0];
  if (first !== undefined || root === undefined) {
    const offset = first?.offset ?? 0;
    throw new UserError(`not valid JSON: ${first ? printParseErrorCode(first.error) : 'empty document'}`, {
      file,
      line: lines.lineOf(offset),
      column: lines.columnOf(offset),
      hint: regenerate,
    });
  }
  return { root, lines };
}

/** The value node of `key` in an object node. */
export function propertyNode(object: Node | undefined, key: string): Node | undefined {
  if (object?.type !== 'object') return undefined;
  for (const property of object.children ?? []) {
    if (property.children?.[0]?.value === key) return property.children[1];
  }
  return undefined;
}

/** `[key node, value node]` for each property of an object node. */
export function propertiesOf(object: Node | undefined): [Node, Node][] {
  if (object?.type !== 'object') return [];
  return (object.children ?? []).flatMap((p) => {
    const [key, value] = p.children ?? [];
    return key !== undefined && value !== undefined ? [[key, value] as [Node, Node]] : [];
  });
}

export function nodeValue(node: Node | undefined): unknown {
  return node === undefined ? undefined : (getNodeValue(node) as unknown);
}
