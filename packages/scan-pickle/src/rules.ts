import type { Rule } from '@aisec/core';

/**
 * Rules for model files, AISEC-PKL-001..099 (the code scanner owns AISEC-PKL-1xx). A published id never
 * changes meaning; add a new one instead.
 */
const HELP_URI = 'https://github.com/aisec/aisec/blob/main/actions/scan-pickle/README.md';

const SAFER =
  'Prefer formats that cannot carry code: safetensors for weights, `torch.load(..., weights_only=True)` for PyTorch checkpoints, ' +
  'skops or ONNX for scikit-learn models. Never load this file outside a sandbox until it is explained.';

function rule(id: string, name: string, severity: Rule['defaultSeverity'], short: string, full: string, help: string, tags: string[]): Rule {
  return { id, name, shortDescription: short, fullDescription: full, help: `${help}\n\n${SAFER}`, helpUri: HELP_URI, defaultSeverity: severity, tags: ['security', 'ml-model', ...tags] };
}

export const RULE_IDS = {
  dangerousImport: 'AISEC-PKL-001',
  unknownImport: 'AISEC-PKL-002',
  dynamicImport: 'AISEC-PKL-003',
  nestedUnreadable: 'AISEC-PKL-004',
  malformed: 'AISEC-PKL-005',
  limit: 'AISEC-PKL-006',
  archiveTampered: 'AISEC-PKL-007',
  compressionNotChecked: 'AISEC-PKL-008',
  codeObject: 'AISEC-PKL-009',
  kerasLambda: 'AISEC-PKL-020',
  kerasForeign: 'AISEC-PKL-021',
  safetensorsHeader: 'AISEC-PKL-022',
  ggufTemplate: 'AISEC-PKL-023',
  onnxExternalData: 'AISEC-PKL-024',
  notChecked: 'AISEC-PKL-025',
  tfUnsafeOp: 'AISEC-PKL-026',
} as const;

export const MODEL_RULES: readonly Rule[] = [
  rule(
    RULE_IDS.dangerousImport,
    'PickleDangerousImport',
    'critical',
    'A pickle imports something that runs code, touches files or the network, imports dynamically or deserializes again',
    'Unpickling this file imports (and usually calls) an object known to execute commands, evaluate code, open files or sockets, import modules by name, or load another serialized payload. Loading the model runs it.',
    'The evidence names the object as the unpickler resolves it, including names built at run time (`STACK_GLOBAL` from the memo, `getattr` chains, `importlib.import_module`), the opcode offset, and the archive member. Treat the file as malicious.',
    ['pickle', 'code-execution'],
  ),
  rule(
    RULE_IDS.unknownImport,
    'PickleImportOutsideSafeList',
    'high',
    'A pickle imports a global that is not on the safe list',
    'Unpickling imports every global a pickle names, which runs that module\'s code and may call the object. The scanner allows only a reviewed list of what models need (tensors, storages, numpy arrays, torch.nn layers, scikit-learn estimators, plain containers); anything else is reported.',
    'If the global is your own class (a full-model `torch.save` of a custom `nn.Module`), save the `state_dict()` instead and rebuild the model in code; otherwise find out why the file imports it.',
    ['pickle'],
  ),
  rule(
    RULE_IDS.dynamicImport,
    'PickleUnresolvedImport',
    'critical',
    'A pickle builds an import the scanner cannot resolve statically',
    'The module or attribute name is computed while unpickling (a `STACK_GLOBAL` on a call result, `getattr` with a computed name, an extension code never registered, attributes set on a class): a well-formed model never needs this, and it is how scanners are evaded.',
    'Treat the file as malicious unless the producer can explain the construction.',
    ['pickle', 'evasion'],
  ),
  rule(
    RULE_IDS.nestedUnreadable,
    'NestedPayloadNotChecked',
    'high',
    'A payload embedded in the model could not be decoded and checked',
    'Bytes handed to a loader inside the pickle (pickle.loads, torch.load, marshal.loads...) could not be decoded or were of a format the scanner does not read, so what they run is unknown.',
    'What was not read cannot be called safe. Re-export the model without embedded serialized payloads.',
    ['pickle', 'nested'],
  ),
  rule(
    RULE_IDS.malformed,
    'PickleMalformed',
    'high',
    'A pickle stream is malformed or truncated',
    'The unpickler runs every opcode before the faulty one, so anything imported or called earlier still runs when the file is loaded; a scanner that stops at the error misses it, and a truncated model is at best broken.',
    'Re-export the model. If the file was produced by a normal save, it was damaged in transit.',
    ['pickle', 'integrity'],
  ),
  rule(
    RULE_IDS.limit,
    'ScanLimitReached',
    'high',
    'The scanner hit a bound (size, decompression, entries, depth, memo, opcodes or time) before reading all of a model file',
    'Hostile files are built to exhaust scanners. The part not read cannot be called safe.',
    'If the file is legitimate and simply large, raise the matching limit (`max-file-bytes`, `max-decompressed-bytes`, `max-entries`, `max-depth`, `time-per-file-ms`).',
    ['limits'],
  ),
  rule(
    RULE_IDS.archiveTampered,
    'ModelArchiveTampered',
    'high',
    'A model archive has structure no normal writer produces',
    'CRC mismatches, local-header names that differ from the central directory, duplicate entries, encryption flags or data outside any entry: loaders such as torch.load ignore these while other tools and scanners trip over them, which is how payloads are hidden.',
    'Re-export the model with the framework\'s own save function.',
    ['archive', 'evasion'],
  ),
  rule(
    RULE_IDS.compressionNotChecked,
    'CompressedPayloadNotChecked',
    'high',
    'A model file is compressed in a way the scanner cannot decompress',
    'joblib and other loaders decompress transparently before unpickling, so the payload sits inside the compressed stream. The scanner could not decompress it, so it was not checked.',
    'Re-save with zlib or gzip compression (joblib `compress=("zlib", 3)`), or without compression.',
    ['compression'],
  ),
  rule(
    RULE_IDS.codeObject,
    'SerializedCodeObject',
    'critical',
    'A model file carries executable Python code (code objects, by-value functions, marshal data)',
    'dill and cloudpickle serialize functions by value as code objects (`types.CodeType`, `dill._dill._create_code`, `cloudpickle._make_function`), and `marshal.loads` turns bytes into code. Whatever that code does runs when it is called, and models call their functions.',
    'Define the function in code that is imported, not in the model file; for Keras, avoid Lambda layers.',
    ['pickle', 'code-execution'],
  ),
  rule(
    RULE_IDS.kerasLambda,
    'KerasLambdaLayer',
    'critical',
    'A Keras model holds a Lambda layer with serialized Python code',
    'Lambda layers store Python bytecode (or a function reference) that runs when the model is built; Keras loads them when `safe_mode=False`.',
    'Replace the Lambda layer with a registered custom layer whose code ships with your project.',
    ['keras', 'code-execution'],
  ),
  rule(
    RULE_IDS.kerasForeign,
    'KerasForeignModule',
    'high',
    'A Keras model config names a module or class outside Keras',
    'Keras v3 imports the `module` named in each config entry to find `class_name`; a module outside keras runs its import-time code and may be anything.',
    'Register custom objects explicitly and check that every module named is one you ship.',
    ['keras'],
  ),
  rule(
    RULE_IDS.safetensorsHeader,
    'SafetensorsHeaderInvalid',
    'high',
    'A safetensors header is invalid (offsets, overlaps, sizes or dtype)',
    'Readers trust the header to slice the file; out-of-range, overlapping or mis-sized tensors are memory-safety and integrity problems and are never written by the reference implementation.',
    'Re-export with the safetensors library.',
    ['safetensors', 'integrity'],
  ),
  rule(
    RULE_IDS.ggufTemplate,
    'GgufTemplateInjection',
    'critical',
    'A GGUF chat template reaches outside the Jinja sandbox',
    'Chat templates are Jinja code run by the inference server on every request; templates that walk `__class__`, `__globals__`, `__subclasses__`, `__builtins__` or import modules escape naive renderers and run commands.',
    'Use the template from the model\'s original publisher and render templates with a sandboxed environment.',
    ['gguf', 'template-injection'],
  ),
  rule(
    RULE_IDS.onnxExternalData,
    'OnnxExternalDataEscape',
    'high',
    'An ONNX model points its external data outside the model directory',
    'Tensors stored as external data name a file by relative path; an absolute path or `..` makes the runtime read arbitrary files.',
    'Keep external data files beside the model and name them with plain relative paths.',
    ['onnx', 'path-traversal'],
  ),
  rule(
    RULE_IDS.notChecked,
    'ModelFormatNotChecked',
    'info',
    'A model format the scanner does not check',
    'Some formats (TensorFlow SavedModel graphs, Keras .h5) can carry code or file operations the scanner does not read. This note says so rather than staying silent.',
    'Check these files with the framework\'s own tools, or convert them to a format that cannot carry code.',
    ['coverage'],
  ),
  rule(
    RULE_IDS.tfUnsafeOp,
    'TensorFlowUnsafeOp',
    'critical',
    'A TensorFlow graph reads or writes files or calls Python',
    'SavedModel graphs run their ops when the model is served or called: ReadFile, WriteFile and MatchingFiles reach the file system, and PyFunc ops call Python code. Ordinary models do not contain them (the saver\'s SaveV2/RestoreV2 are not reported).',
    'Rebuild the model without these ops; serve it with TensorFlow Serving under a read-only file system.',
    ['tensorflow', 'code-execution'],
  ),
];
