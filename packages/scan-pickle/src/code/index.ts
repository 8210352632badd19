export { CODE_RULES, CODE_RULE_IDS } from './code-rules';
export type { CodeScanOptions, CodeScanResult, CodeScanStats } from './code-findings';
export { scanPythonSource } from './python-source';
export { scanNotebook } from './notebook';
export { MAX_NOTEBOOK_JSON_DEPTH } from './notebook-json';
export { scanCodeFile, isCodeFile, CODE_FILE_LIMITS, type CodeFileOptions } from './code-file';
export { loadPythonParser, PYTHON_WASM_FILES, type PythonParserOptions, type WasmLocator } from './python-parser';
export { UNSAFE_LOADERS, type UnsafeLoader, type LoaderCheck } from './unsafe-loaders';
