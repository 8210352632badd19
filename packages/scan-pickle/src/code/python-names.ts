import type { Node } from 'web-tree-sitter';
import type { SyntaxIndex } from './syntax-index';

/** The value of an expression when the source states it literally (or through a name assigned once). */
export type Literal =
  | { kind: 'true' }
  | { kind: 'false' }
  | { kind: 'none' }
  | { kind: 'string'; value: string }
  | { kind: 'other' };

/** A dotted name an expression refers to, e.g. `pk.loads` -> `pickle.loads`. */
export interface ResolvedName {
  name: string;
  /**
   * True when no import bound the root name and we took a conventional module name at its word (`np` in a
   * notebook whose imports live in another file). Said in the finding's message.
   */
  assumed: boolean;
}

/**
 * Module names commonly used without an import in sight: notebooks importing in another notebook, star
 * imports from frameworks such as fastai that re-export torch and numpy, `%run setup.py`. Used only for a
 * root name that nothing in the file binds.
 */
const CONVENTIONAL_MODULES: Readonly<Record<string, string>> = {
  pickle: 'pickle',
  cPickle: 'cPickle',
  _pickle: '_pickle',
  dill: 'dill',
  cloudpickle: 'cloudpickle',
  jsonpickle: 'jsonpickle',
  joblib: 'joblib',
  torch: 'torch',
  numpy: 'numpy',
  np: 'numpy',
  pandas: 'pandas',
  pd: 'pandas',
  yaml: 'yaml',
  marshal: 'marshal',
  shelve: 'shelve',
  keras: 'keras',
  tensorflow: 'tensorflow',
  tf: 'tensorflow',
};

/** Longest attribute chain followed; deeper chains are generated code, not loaders. */
const MAX_ATTRIBUTE_SEGMENTS = 64;
/** How far resolution follows parentheses, getattr defaults and class bases. */
const MAX_RESOLVE_DEPTH = 8;

const PATTERN_CONTAINERS = new Set([
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'list_splat_pattern',
  'dictionary_splat_pattern',
  'parenthesized_expression',
  'tuple',
  'list',
  'as_pattern_target',
]);

function unwrapParentheses(node: Node): Node {
  let current = node;
  for (let i = 0; i < MAX_RESOLVE_DEPTH && current.type === 'parenthesized_expression'; i++) {
    const inner = current.namedChildren.find((c) => c.type !== 'comment');
    if (!inner) break;
    current = inner;
  }
  return current;
}

/** The text of a plain string literal (no f-string interpolation), else undefined. */
export function stringValue(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  let value = '';
  for (const child of node.namedChildren) {
    if (child.type === 'interpolation') return undefined;
    if (child.type === 'string_content') value += child.text;
  }
  return value;
}

function directLiteral(node: Node): Literal {
  const inner = unwrapParentheses(node);
  switch (inner.type) {
    case 'true':
      return { kind: 'true' };
    case 'false':
      return { kind: 'false' };
    case 'none':
      return { kind: 'none' };
    case 'string': {
      const value = stringValue(inner);
      return value === undefined ? { kind: 'other' } : { kind: 'string', value };
    }
    default:
      return { kind: 'other' };
  }
}

function sameLiteral(a: Literal, b: Literal): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== 'string' || (b.kind === 'string' && a.value === b.value);
}

/** Positional arguments of a call, in order, up to the first `*args` (after which positions are unknown). */
export function positionalArguments(call: Node): { args: Node[]; starred: boolean } {
  const list = call.childForFieldName('arguments');
  const args: Node[] = [];
  if (!list || list.type !== 'argument_list') return { args, starred: false };
  for (const child of list.namedChildren) {
    if (child.type === 'list_splat') return { args, starred: true };
    if (child.type === 'keyword_argument' || child.type === 'dictionary_splat' || child.type === 'comment') continue;
    args.push(child);
  }
  return { args, starred: false };
}

/**
 * What names mean in one Python program (a file, or all the cells of a notebook, which share one
 * namespace and may run in any order). Deliberately flow- and scope-insensitive: a name bound to `pickle`
 * anywhere counts everywhere, which over-reports in rare shadowing cases and never misses a renamed import.
 */
export class PythonNames {
  /** @param relevantWords name segments worth resolving (see LOADER_WORDS); others are skipped early. */
  constructor(private readonly relevantWords: ReadonlySet<string>) {}

  private readonly bound = new Map<string, Set<string>>();
  private readonly starModules = new Set<string>();
  private readonly defined = new Set<string>();
  private readonly constants = new Map<string, Literal | null>();
  private readonly classBases = new Map<string, Node[]>();
  private readonly classMethods = new Map<string, Set<string>>();

  /** First pass over each tree: imports, definitions, constants, class bases. */
  collect(index: SyntaxIndex): void {
    for (const node of index.nodes('import_statement', 'import_from_statement')) this.collectImport(node);
    this.collectDefinitions(index);
  }

  /**
   * Second pass, after every tree's imports are known: `loads = pickle.loads` makes `loads` an alias. Run
   * twice so that an alias of an alias resolves.
   */
  collectAliases(indexes: readonly SyntaxIndex[]): void {
    for (let pass = 0; pass < 2; pass++) {
      for (const index of indexes) {
        for (const assignment of index.nodes('assignment')) {
          const left = assignment.childForFieldName('left');
          const right = assignment.childForFieldName('right');
          if (!left || left.type !== 'identifier' || !right) continue;
          if (!this.worthResolving(right)) continue;
          for (const resolved of this.resolve(right)) if (!resolved.assumed) this.bind(left.text, resolved.name);
        }
      }
    }
  }

  /**
   * False when `node` cannot name anything relevant: its last name segment is neither a relevant word nor
   * a local alias. Cheap (one field lookup), so callers test it before `resolve`.
   */
  worthResolving(node: Node): boolean {
    const inner = unwrapParentheses(node);
    let leaf: string | undefined;
    if (inner.type === 'identifier') leaf = inner.text;
    else if (inner.type === 'attribute') leaf = inner.childForFieldName('attribute')?.text;
    else return inner.type === 'call';
    return leaf !== undefined && (this.relevantWords.has(leaf) || this.bound.has(leaf));
  }

  /** Every dotted name `node` may refer to; empty when it refers to nothing we can name. */
  resolve(node: Node, depth = 0): ResolvedName[] {
    if (depth > MAX_RESOLVE_DEPTH) return [];
    const segments: string[] = [];
    let current = unwrapParentheses(node);
    while (current.type === 'attribute') {
      if (segments.length >= MAX_ATTRIBUTE_SEGMENTS) return [];
      const attribute = current.childForFieldName('attribute');
      const object = current.childForFieldName('object');
      if (!attribute || !object) return [];
      segments.unshift(attribute.text);
      current = unwrapParentheses(object);
    }
    const bases = this.resolveBase(current, depth);
    if (segments.length === 0) return bases;
    const suffix = segments.join('.');
    return bases.map((b) => ({ name: `${b.name}.${suffix}`, assumed: b.assumed }));
  }

  /** The literal value of an argument, following a name assigned exactly one literal anywhere. */
  literal(node: Node): Literal {
    const inner = unwrapParentheses(node);
    if (inner.type === 'identifier') return this.constants.get(inner.text) ?? { kind: 'other' };
    return directLiteral(inner);
  }

  /**
   * For a name that is a parameter of the function it is used in, the literal of its default:
   * `def torch_load(path, weights_only=True): torch.load(path, weights_only=weights_only)`.
   */
  parameterDefault(node: Node): Literal | undefined {
    const inner = unwrapParentheses(node);
    if (inner.type !== 'identifier') return undefined;
    let scope = inner.parent;
    for (let i = 0; scope && scope.type !== 'function_definition' && scope.type !== 'lambda'; i++) {
      if (i > MAX_ATTRIBUTE_SEGMENTS) return undefined;
      scope = scope.parent;
    }
    const parameters = scope?.childForFieldName('parameters');
    for (const parameter of parameters?.namedChildren ?? []) {
      if (parameter.type !== 'default_parameter' && parameter.type !== 'typed_default_parameter') continue;
      if (parameter.childForFieldName('name')?.text !== inner.text) continue;
      const value = parameter.childForFieldName('value');
      return value ? directLiteral(value) : undefined;
    }
    return undefined;
  }

  /** Whether a class defined in this program (any class of that name) defines `method` in its body. */
  classDefines(name: string, method: string): boolean {
    return this.classMethods.get(name)?.has(method) ?? false;
  }

  /** Base-class expressions of a class defined in this program, e.g. `class L(yaml.SafeLoader)`. */
  basesOfClass(name: string): readonly Node[] {
    return this.classBases.get(name) ?? [];
  }

  private bind(local: string, qualified: string): void {
    let targets = this.bound.get(local);
    if (!targets) this.bound.set(local, (targets = new Set()));
    targets.add(qualified);
  }

  private resolveName(name: string): ResolvedName[] {
    const targets = this.bound.get(name);
    if (targets) return [...targets].map((t) => ({ name: t, assumed: false }));
    if (this.defined.has(name)) return [];
    const found: ResolvedName[] = [...this.starModules].map((m) => ({ name: `${m}.${name}`, assumed: false }));
    const conventional = CONVENTIONAL_MODULES[name];
    if (conventional !== undefined) found.push({ name: conventional, assumed: true });
    return found;
  }

  private resolveBase(node: Node, depth: number): ResolvedName[] {
    if (node.type === 'identifier') return this.resolveName(node.text);
    if (node.type !== 'call') return [];
    // Dynamic imports and getattr with literal names are resolved: they are how loaders get renamed to hide.
    const fn = node.childForFieldName('function');
    if (!fn) return [];
    const { args } = positionalArguments(node);
    const first = args[0];
    const fnNames = fn.type === 'identifier' && !this.bound.has(fn.text) && !this.defined.has(fn.text)
      ? [fn.text]
      : this.resolve(fn, depth + 1).map((r) => r.name);
    if (fnNames.includes('__import__') || fnNames.includes('importlib.import_module')) {
      const module = first ? stringValue(unwrapParentheses(first)) : undefined;
      if (!module) return [];
      const hasFromlist = args.length >= 4 || this.hasKeyword(node, 'fromlist');
      const name = fnNames.includes('__import__') && !hasFromlist ? (module.split('.')[0] ?? module) : module;
      return [{ name, assumed: false }];
    }
    if (fnNames.includes('getattr')) {
      const attribute = args[1] ? stringValue(unwrapParentheses(args[1])) : undefined;
      if (!first || attribute === undefined) return [];
      const found = this.resolve(first, depth + 1).map((r) => ({ name: `${r.name}.${attribute}`, assumed: r.assumed }));
      if (args[2]) found.push(...this.resolve(args[2], depth + 1));
      return found;
    }
    return [];
  }

  private hasKeyword(call: Node, keyword: string): boolean {
    const list = call.childForFieldName('arguments');
    return !!list?.namedChildren.some(
      (c) => c.type === 'keyword_argument' && c.childForFieldName('name')?.text === keyword,
    );
  }

  private collectImport(node: Node): void {
    if (node.type === 'import_statement') {
      for (const name of node.childrenForFieldName('name')) {
        if (name.type === 'aliased_import') {
          const dotted = name.childForFieldName('name');
          const alias = name.childForFieldName('alias');
          if (dotted && alias) this.bind(alias.text, dotted.text.replace(/\s+/g, ''));
        } else {
          // `import torch.serialization` binds `torch`; the rest is reached by attribute access.
          const dotted = name.text.replace(/\s+/g, '');
          const root = dotted.split('.')[0];
          if (root) this.bind(root, root);
        }
      }
      return;
    }
    const moduleNode = node.childForFieldName('module_name');
    if (!moduleNode) return;
    const module = moduleNode.text.replace(/\s+/g, '');
    if (node.namedChildren.some((c) => c.type === 'wildcard_import')) {
      this.starModules.add(module);
      return;
    }
    for (const name of node.childrenForFieldName('name')) {
      if (name.type === 'aliased_import') {
        const imported = name.childForFieldName('name');
        const alias = name.childForFieldName('alias');
        if (imported && alias) this.bind(alias.text, `${module}.${imported.text}`);
      } else {
        this.bind(name.text, `${module}.${name.text}`);
      }
    }
  }

  private define(name: string, value: Literal | null): void {
    this.defined.add(name);
    if (!this.constants.has(name)) {
      this.constants.set(name, value);
      return;
    }
    const previous = this.constants.get(name) ?? null;
    if (previous === null || value === null || !sameLiteral(previous, value)) this.constants.set(name, null);
  }

  private defineTargets(target: Node | null, value: Literal | null): void {
    if (!target) return;
    const stack: Node[] = [target];
    while (stack.length > 0) {
      const node = stack.pop();
      if (!node) break;
      if (node.type === 'identifier') this.define(node.text, value);
      else if (PATTERN_CONTAINERS.has(node.type)) stack.push(...node.namedChildren);
    }
  }

  private collectDefinitions(index: SyntaxIndex): void {
    const kinds = [
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
    ] as const;
    for (const node of index.nodes(...kinds)) {
      switch (node.type) {
        case 'assignment': {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          const literal = left?.type === 'identifier' && right ? directLiteral(right) : null;
          this.defineTargets(left, literal && literal.kind !== 'other' ? literal : null);
          break;
        }
        case 'augmented_assignment':
        case 'for_statement':
        case 'for_in_clause':
          this.defineTargets(node.childForFieldName('left'), null);
          break;
        case 'function_definition':
          this.defineTargets(node.childForFieldName('name'), null);
          break;
        case 'class_definition': {
          const name = node.childForFieldName('name');
          if (!name) break;
          this.define(name.text, null);
          const bases = node.childForFieldName('superclasses');
          if (bases) this.classBases.set(name.text, bases.namedChildren.filter((b) => b.type !== 'keyword_argument'));
          const methods = this.classMethods.get(name.text) ?? new Set<string>();
          for (const statement of node.childForFieldName('body')?.namedChildren ?? []) {
            const definition =
              statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
            if (definition?.type === 'function_definition') {
              const method = definition.childForFieldName('name');
              if (method) methods.add(method.text);
            }
          }
          this.classMethods.set(name.text, methods);
          break;
        }
        case 'parameters':
        case 'lambda_parameters':
          for (const parameter of node.namedChildren) {
            const name =
              parameter.type === 'identifier'
                ? parameter
                : (parameter.childForFieldName('name') ??
                  parameter.namedChildren.find((c) => c.type === 'identifier' || PATTERN_CONTAINERS.has(c.type)) ??
                  null);
            this.defineTargets(name, null);
          }
          break;
        case 'as_pattern':
          this.defineTargets(node.childForFieldName('alias'), null);
          break;
        case 'named_expression':
          this.defineTargets(node.childForFieldName('name'), null);
          break;
      }
    }
  }
}
