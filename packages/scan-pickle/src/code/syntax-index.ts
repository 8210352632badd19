import type { Node } from 'web-tree-sitter';

/** Every node type the scanner looks at, so one walk of the tree finds them all. */
const INDEXED_TYPES = [
  'import_statement',
  'import_from_statement',
  'assignment',
  'augmented_assignment',
  'for_statement',
  'for_in_clause',
  'function_definition',
  'class_definition',
  'parameters',
  'lambda_parameters',
  'as_pattern',
  'named_expression',
  'call',
  'argument_list',
  'pair',
] as const;

export type IndexedType = (typeof INDEXED_TYPES)[number];

/**
 * The nodes of one tree grouped by type, in document order. Walking the tree costs more than anything the
 * scanner does with the nodes (each walk crosses into WebAssembly), so it is walked once.
 */
export class SyntaxIndex {
  private readonly byType = new Map<string, Node[]>();
  private readonly superclassLists = new Set<number>();

  constructor(readonly root: Node) {
    for (const node of root.descendantsOfType([...INDEXED_TYPES])) {
      let list = this.byType.get(node.type);
      if (!list) this.byType.set(node.type, (list = []));
      list.push(node);
    }
    for (const cls of this.nodes('class_definition')) {
      const bases = cls.childForFieldName('superclasses');
      if (bases) this.superclassLists.add(bases.id);
    }
  }

  /**
   * Whether an argument_list is a class's base list. Asked here rather than through `node.parent`, which
   * tree-sitter answers by walking down from the root: quadratic on deeply nested code.
   */
  isSuperclassList(node: Node): boolean {
    return this.superclassLists.has(node.id);
  }

  nodes(...types: IndexedType[]): Node[] {
    if (types.length === 1) return this.byType.get(types[0] ?? '') ?? [];
    return types.flatMap((t) => this.byType.get(t) ?? []);
  }
}
