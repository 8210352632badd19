import { createRequire } from 'node:module';
import { Language, Parser, type Tree } from 'web-tree-sitter';

/**
 * The two WebAssembly files the Python parser needs. A bundle copies both into dist/assets/ and passes a
 * `locateFile` that points there: `import.meta.url` is empty in a CommonJS bundle, so the default lookup
 * through node_modules only works when running from source (tests, dev).
 */
export const PYTHON_WASM_FILES = {
  /** The tree-sitter runtime, from the `web-tree-sitter` package. */
  runtime: 'web-tree-sitter.wasm',
  /** tree-sitter's Python grammar (ABI 15), from the `tree-sitter-python` package. */
  grammar: 'tree-sitter-python.wasm',
} as const;

/** Maps a wasm file name (one of PYTHON_WASM_FILES) to an absolute path. */
export type WasmLocator = (name: string) => string;

export interface PythonParserOptions {
  locateFile?: WasmLocator;
}

/** Parses Python with a time budget; one per process, shared by every scan. */
export interface PythonParser {
  /**
   * Returns null when the budget ran out before the parse finished. The caller owns the tree and must
   * `delete()` it: trees live in WebAssembly memory the garbage collector does not see.
   */
  parse(source: string, deadline: number): Tree | null;
}

function nodeModulesLocator(): WasmLocator {
  const base = import.meta.url;
  if (!base) {
    throw new Error(
      'cannot find the Python parser wasm files: this build has no import.meta.url; pass locateFile to ' +
        'loadPythonParser (see PYTHON_WASM_FILES)',
    );
  }
  const require = createRequire(base);
  return (name) => {
    const specifier = name === PYTHON_WASM_FILES.grammar ? `tree-sitter-python/${name}` : `web-tree-sitter/${name}`;
    try {
      return require.resolve(specifier);
    } catch (error) {
      throw new Error(
        `cannot find ${specifier} from ${base}: a bundle must ship ${Object.values(PYTHON_WASM_FILES).join(' and ')} ` +
          'and pass locateFile to the code scanner',
        { cause: error },
      );
    }
  };
}

async function instantiate(locateFile: WasmLocator): Promise<PythonParser> {
  await Parser.init({ locateFile: (name: string) => locateFile(name) });
  const language = await Language.load(locateFile(PYTHON_WASM_FILES.grammar));
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    parse(source, deadline) {
      // tree-sitter polls this while it parses; returning true abandons the parse.
      const tree = parser.parse(source, null, { progressCallback: () => Date.now() > deadline });
      if (!tree) parser.reset();
      return tree;
    },
  };
}

let loading: Promise<PythonParser> | undefined;

/**
 * Loads the parser once per process, on first use. The first caller's `locateFile` wins: a bundle should
 * call this (or pass `locateFile` in the scan options) before scanning. A failed load is not cached, so a
 * corrected locator can retry.
 */
export function loadPythonParser(options: PythonParserOptions = {}): Promise<PythonParser> {
  if (!loading) {
    const attempt = Promise.resolve()
      .then(() => instantiate(options.locateFile ?? nodeModulesLocator()))
      .catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
    loading = attempt;
  }
  return loading;
}
