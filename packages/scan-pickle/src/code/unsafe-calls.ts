import type { PropertyValue } from '@aisec/core';
import type { Node, Point } from 'web-tree-sitter';
import { CODE_RULE_IDS } from './code-rules';
import { type Literal, type PythonNames, type ResolvedName, positionalArguments, stringValue } from './python-names';
import type { SyntaxIndex } from './syntax-index';
import { SAFE_YAML_LOADERS, UNSAFE_LOADERS, UNSAFE_YAML_LOADERS, type UnsafeLoader, YAML_MODULES } from './unsafe-loaders';

/** An unsafe load found in one parsed unit (a file, or one notebook cell), before it gets a file location. */
export interface CodeHit {
  ruleId: string;
  /** Stable across edits and renamed aliases: the resolved loader name and the argument at fault. */
  evidence: string;
  message: string;
  help: string;
  /** tree-sitter positions: 0-based rows, columns in UTF-16 code units. */
  start: Point;
  end: Point;
  properties: Record<string, PropertyValue>;
}

const MAX_TEXT_IN_MESSAGE = 80;

function shortText(node: Node): string {
  const text = node.text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_TEXT_IN_MESSAGE ? `${text.slice(0, MAX_TEXT_IN_MESSAGE - 1)}…` : text;
}

interface CallArguments {
  keywords: Map<string, Node>;
  /** Texts of `**kwargs` splats, which may carry any keyword we cannot see. */
  kwargs: string[];
}

function callArguments(call: Node): CallArguments {
  const keywords = new Map<string, Node>();
  const kwargs: string[] = [];
  const list = call.childForFieldName('arguments');
  if (list?.type === 'argument_list') {
    for (const child of list.namedChildren) {
      if (child.type === 'keyword_argument') {
        const name = child.childForFieldName('name');
        const value = child.childForFieldName('value');
        if (name && value) keywords.set(name.text, value);
      } else if (child.type === 'dictionary_splat') {
        kwargs.push(shortText(child));
      }
    }
  }
  return { keywords, kwargs };
}

function literalText(literal: Literal): string {
  switch (literal.kind) {
    case 'true':
      return 'True';
    case 'false':
      return 'False';
    case 'none':
      return 'None';
    case 'string':
      return `'${literal.value}'`;
    default:
      return '<expression>';
  }
}

type LoaderVerdict = { kind: 'safe' } | { kind: 'unsafe'; name: string } | { kind: 'unknown' };

/** Thrown when analysis runs past its deadline; the caller reports the file as not scanned. */
export class AnalysisDeadlineError extends Error {
  constructor() {
    super('analysis time budget exceeded');
    this.name = 'AnalysisDeadlineError';
  }
}

/** How many nodes are visited between clock checks. */
const DEADLINE_CHECK_INTERVAL = 256;

/** Finds unsafe loading in parsed Python, using one PythonNames for the whole program. */
export class UnsafeCallFinder {
  private visited = 0;

  /** @param deadline `Date.now()` value after which `find` throws AnalysisDeadlineError. */
  constructor(
    private readonly names: PythonNames,
    private readonly deadline: number = Number.POSITIVE_INFINITY,
  ) {}

  private tick(): void {
    if (++this.visited % DEADLINE_CHECK_INTERVAL === 0 && Date.now() > this.deadline) throw new AnalysisDeadlineError();
  }

  /** `source` is the text the tree was parsed from: a substring test spares walking every call's arguments. */
  find(index: SyntaxIndex, source: string): CodeHit[] {
    const hits: CodeHit[] = [];
    const remoteCode = source.includes('trust_remote_code');
    for (const call of index.nodes('call')) {
      this.tick();
      const loaderHit = this.checkLoaderCall(call);
      if (loaderHit) hits.push(loaderHit);
      const remote = remoteCode ? this.checkTrustRemoteCode(call) : undefined;
      if (remote) hits.push(remote);
    }
    for (const list of index.nodes('argument_list')) {
      this.tick();
      if (!index.isSuperclassList(list)) hits.push(...this.checkFunctionValues(list));
    }
    if (remoteCode) {
      for (const pair of index.nodes('pair')) {
        this.tick();
        const hit = this.checkTrustRemoteCodePair(pair);
        if (hit) hits.push(hit);
      }
    }
    return hits.sort((a, b) => a.start.row - b.start.row || a.start.column - b.start.column);
  }

  private loaderOf(node: Node): { resolved: ResolvedName; loader: UnsafeLoader } | undefined {
    if (!this.names.worthResolving(node)) return undefined;
    for (const resolved of this.names.resolve(node)) {
      const loader = UNSAFE_LOADERS.get(resolved.name);
      if (loader) return { resolved, loader };
    }
    return undefined;
  }

  private hit(
    node: Node,
    ruleId: string,
    evidence: string,
    message: string,
    help: string,
    properties: Record<string, PropertyValue>,
  ): CodeHit {
    return { ruleId, evidence, message, help, start: node.startPosition, end: node.endPosition, properties };
  }

  private describe(fn: Node, resolved: ResolvedName): string {
    const text = shortText(fn);
    let described = text === resolved.name ? `\`${text}\`` : `\`${text}\` (${resolved.name})`;
    if (resolved.assumed) {
      const root = resolved.name.split('.')[0] ?? resolved.name;
      described += ` [no import of ${root} is visible here; taken to be the ${root} module]`;
    }
    return described;
  }

  private checkLoaderCall(call: Node): CodeHit | undefined {
    const fn = call.childForFieldName('function');
    if (!fn) return undefined;
    const match = this.loaderOf(fn);
    if (!match) return fn.type === 'identifier' ? this.checkUnpicklerSubclass(call, fn) : undefined;
    const { resolved, loader } = match;
    const name = resolved.name;
    const who = this.describe(fn, resolved);
    const properties: Record<string, PropertyValue> = { loader: name, importAssumed: resolved.assumed };
    const args = callArguments(call);
    const hidden = args.kwargs.length > 0 ? args.kwargs.join(', ') : undefined;
    const check = loader.check;
    switch (check.kind) {
      case 'always':
        return this.hit(call, loader.ruleId, `${name}()`, `${who} ${loader.risk}.`, loader.instead, properties);

      case 'unless-true': {
        const value = args.keywords.get(check.keyword);
        if (value) {
          const literal = this.names.literal(value);
          if (literal.kind === 'true') return undefined;
          // A wrapper whose own parameter defaults to True is the safe-by-default pattern: callers that pass
          // False call the wrapper, not torch.load, so reporting here would only flag the wrapper itself.
          if (literal.kind === 'other' && this.names.parameterDefault(value)?.kind === 'true') return undefined;
          if (literal.kind === 'false') {
            return this.hit(
              call,
              CODE_RULE_IDS.torchLoadWeightsOnlyDisabled,
              `${name}(${check.keyword}=False)`,
              `${who} is called with ${check.keyword}=False, which turns off the restricted unpickler on every ` +
                'PyTorch version: a malicious checkpoint runs code when loaded.',
              loader.instead,
              properties,
            );
          }
          const shown = literal.kind === 'other' ? `\`${shortText(value)}\`` : literalText(literal);
          const why =
            literal.kind === 'other'
              ? `${check.keyword} is set from ${shown}, which the scanner cannot evaluate`
              : `${check.keyword}=${shown} leaves the choice to the installed PyTorch`;
          return this.hit(
            call,
            loader.ruleId,
            `${name}(${check.keyword}=${literalText(literal)})`,
            `${who} ${loader.risk}; ${why}.`,
            loader.instead,
            properties,
          );
        }
        if (hidden) {
          return this.hit(
            call,
            loader.ruleId,
            `${name}(${check.keyword} hidden in **kwargs)`,
            `${who} ${loader.risk}; ${check.keyword} may be passed in ${hidden}, which the scanner cannot see: ` +
              `pass ${check.keyword}=True explicitly.`,
            loader.instead,
            properties,
          );
        }
        return this.hit(
          call,
          loader.ruleId,
          `${name}(${check.keyword} missing)`,
          `${who} ${loader.risk}: ${check.whenMissing}.`,
          loader.instead,
          properties,
        );
      }

      case 'if-value': {
        const unsafeText = check.unsafe === 'true' ? 'True' : 'False';
        const { args: positional, starred } = positionalArguments(call);
        const value =
          args.keywords.get(check.keyword) ??
          (check.position !== undefined && !starred ? positional[check.position] : undefined);
        if (!value || this.names.literal(value).kind !== check.unsafe) return undefined;
        return this.hit(
          call,
          loader.ruleId,
          `${name}(${check.keyword}=${unsafeText})`,
          `${who} ${loader.risk}.`,
          loader.instead,
          properties,
        );
      }

      case 'yaml-typ': {
        const typ = args.keywords.get('typ');
        if (!typ || !this.isUnsafeTyp(typ)) return undefined;
        return this.hit(call, loader.ruleId, `${name}(typ='unsafe')`, `${who} ${loader.risk}.`, loader.instead, properties);
      }

      case 'yaml-loader': {
        const { args: positional, starred } = positionalArguments(call);
        const loaderArg = args.keywords.get('Loader') ?? (starred ? undefined : positional[check.position]);
        if (!loaderArg) {
          if (starred || hidden) {
            return this.hit(
              call,
              loader.ruleId,
              `${name}(Loader hidden in arguments)`,
              `${who} ${loader.risk}; the Loader may be passed in ${hidden ?? '*args'}, which the scanner cannot ` +
                'see: pass Loader=yaml.SafeLoader explicitly or call yaml.safe_load.',
              loader.instead,
              properties,
            );
          }
          return this.hit(
            call,
            loader.ruleId,
            `${name}(Loader missing)`,
            `${who} has no Loader: PyYAML before 5.1 and ruamel.yaml's old API then use an unsafe loader (5.1-5.4 ` +
              'use FullLoader, which had code-execution bypasses; 6.0 raises TypeError).',
            loader.instead,
            properties,
          );
        }
        const verdict = this.classifyYamlLoader(loaderArg, 0);
        if (verdict.kind === 'safe') return undefined;
        if (verdict.kind === 'unsafe') {
          return this.hit(
            call,
            loader.ruleId,
            `${name}(Loader=${verdict.name})`,
            `${who} uses Loader ${verdict.name}, which builds arbitrary Python objects from !!python tags.`,
            loader.instead,
            { ...properties, yamlLoader: verdict.name },
          );
        }
        return this.hit(
          call,
          loader.ruleId,
          `${name}(Loader unresolved)`,
          `${who} uses Loader \`${shortText(loaderArg)}\`, which the scanner cannot resolve to SafeLoader or ` +
            'CSafeLoader.',
          loader.instead,
          properties,
        );
      }
    }
    return undefined;
  }

  /**
   * `class Loader(pickle.Unpickler)` is how find_class gets restricted; a subclass that does not override
   * find_class (nor inherit an override from a class defined here) restricts nothing.
   */
  private checkUnpicklerSubclass(call: Node, fn: Node): CodeHit | undefined {
    let current = fn.text;
    for (let depth = 0; depth < 8; depth++) {
      if (this.names.classDefines(current, 'find_class')) return undefined;
      const bases = this.names.basesOfClass(current);
      if (bases.length === 0) return undefined;
      for (const base of bases) {
        const loader = this.loaderOf(base);
        if (loader?.loader.ruleId === CODE_RULE_IDS.pickleLoad && loader.resolved.name.endsWith('Unpickler')) {
          const name = loader.resolved.name;
          return this.hit(
            call,
            CODE_RULE_IDS.pickleLoad,
            `${name} subclass without find_class`,
            `\`${fn.text}\` subclasses ${name} without overriding find_class, so it unpickles any callable the ` +
              'data names.',
            'Override find_class to allow only the (module, name) pairs you expect and raise UnpicklingError otherwise.',
            { loader: name, importAssumed: loader.resolved.assumed },
          );
        }
      }
      // Follow the first base defined here, e.g. class B(A), class A(pickle.Unpickler).
      const local = bases.find((b) => b.type === 'identifier' && this.names.basesOfClass(b.text).length > 0);
      if (!local) return undefined;
      current = local.text;
    }
    return undefined;
  }

  private isUnsafeTyp(typ: Node): boolean {
    const literal = this.names.literal(typ);
    if (literal.kind === 'string') return literal.value === 'unsafe';
    if (typ.type === 'list' || typ.type === 'tuple') {
      return typ.namedChildren.some((c) => stringValue(c) === 'unsafe');
    }
    return false;
  }

  private classifyYamlLoader(node: Node, depth: number): LoaderVerdict {
    if (depth > 4) return { kind: 'unknown' };
    let sawSafe = false;
    for (const { name } of this.names.resolve(node)) {
      const dot = name.lastIndexOf('.');
      const module = dot < 0 ? '' : name.slice(0, dot);
      const leaf = name.slice(dot + 1);
      if (!YAML_MODULES.some((m) => module === m || module.startsWith(`${m}.`))) continue;
      if (UNSAFE_YAML_LOADERS.has(leaf)) return { kind: 'unsafe', name };
      if (SAFE_YAML_LOADERS.has(leaf)) sawSafe = true;
    }
    // A class defined here is as safe as its bases, e.g. `class ConfigLoader(yaml.SafeLoader)`.
    if (node.type === 'identifier') {
      for (const base of this.names.basesOfClass(node.text)) {
        const verdict = this.classifyYamlLoader(base, depth + 1);
        if (verdict.kind === 'unsafe') return verdict;
        if (verdict.kind === 'safe') sawSafe = true;
      }
    }
    if (sawSafe) return { kind: 'safe' };
    // Last resort for loaders defined in another module: a class named *SafeLoader is taken at its word.
    const leafText = node.text.split('.').pop()?.trim() ?? '';
    return /^\w*SafeLoader$/.test(leafText) ? { kind: 'safe' } : { kind: 'unknown' };
  }

  private calleeName(fn: Node): string {
    const resolved = this.names.resolve(fn).find((r) => !r.assumed);
    return resolved ? resolved.name : shortText(fn).replace(/\s+/g, '');
  }

  private checkTrustRemoteCode(call: Node): CodeHit | undefined {
    const fn = call.childForFieldName('function');
    const { keywords } = callArguments(call);
    const value = keywords.get('trust_remote_code');
    if (!fn || !value || this.names.literal(value).kind !== 'true') return undefined;
    const callee = this.calleeName(fn);
    // A full commit hash pins the code that runs; still reported (it runs), but the reviewer knows what to read.
    const revisionNode = keywords.get('code_revision') ?? keywords.get('revision');
    const revision = revisionNode ? this.names.literal(revisionNode) : undefined;
    const pinned = revision?.kind === 'string' && /^[0-9a-f]{40}$/.test(revision.value) ? revision.value : undefined;
    return this.hit(
      call,
      CODE_RULE_IDS.remoteCode,
      `${callee}(trust_remote_code=True)`,
      `\`${shortText(fn)}\` is called with trust_remote_code=True, which imports and runs Python files from the ` +
        (pinned
          ? `repository at the pinned commit ${pinned.slice(0, 12)}: review that commit's code.`
          : 'model or dataset repository (no commit hash pinned with revision=).'),
      'Drop trust_remote_code=True for models the library supports natively; otherwise pin revision= to a reviewed commit hash or vendor the model code.',
      { callee, revisionPinned: pinned !== undefined },
    );
  }

  private checkTrustRemoteCodePair(pair: Node): CodeHit | undefined {
    const key = pair.childForFieldName('key');
    const value = pair.childForFieldName('value');
    if (!key || !value || stringValue(key) !== 'trust_remote_code' || this.names.literal(value).kind !== 'true') {
      return undefined;
    }
    // Name the call the dict is handed to (model_kwargs=..., **{...}) so the evidence says where it goes.
    let callee = 'dict';
    for (let up = pair.parent, i = 0; up && i < 6; up = up.parent, i++) {
      if (up.type === 'call') {
        const fn = up.childForFieldName('function');
        if (fn) callee = this.calleeName(fn);
        break;
      }
    }
    return this.hit(
      pair,
      CODE_RULE_IDS.remoteCode,
      `${callee}({'trust_remote_code': True})`,
      'A keyword dict sets trust_remote_code=True, which imports and runs Python files from the model or dataset ' +
        'repository.',
      'Drop trust_remote_code=True for models the library supports natively; otherwise pin revision= to a reviewed commit hash or vendor the model code.',
      { callee },
    );
  }

  /** `map(pickle.loads, blobs)`, `executor.submit(joblib.load, path)`: a loader handed over to be called. */
  private checkFunctionValues(list: Node): CodeHit[] {
    const hits: CodeHit[] = [];
    for (const child of list.namedChildren) {
      const value = child.type === 'keyword_argument' ? child.childForFieldName('value') : child;
      if (!value || (value.type !== 'identifier' && value.type !== 'attribute')) continue;
      const match = this.loaderOf(value);
      if (!match || !match.loader.function) continue;
      const { resolved, loader } = match;
      const check = loader.check;
      let risk = loader.risk;
      if (check.kind === 'unless-true') {
        // `partial(torch.load, weights_only=True)` binds the safe argument along with the function.
        const bound = list.namedChildren.find(
          (c) => c.type === 'keyword_argument' && c.childForFieldName('name')?.text === check.keyword,
        );
        const boundValue = bound?.childForFieldName('value');
        if (boundValue && this.names.literal(boundValue).kind === 'true') continue;
        risk = `${loader.risk}, and a function passed on is called without it`;
      } else if (check.kind !== 'always') {
        continue;
      }
      hits.push(
        this.hit(
          value,
          loader.ruleId,
          `${resolved.name} (passed as a function)`,
          `${this.describe(value, resolved)} is passed to be called later; it ${risk}.`,
          loader.instead,
          { loader: resolved.name, importAssumed: resolved.assumed },
        ),
      );
    }
    return hits;
  }
}
