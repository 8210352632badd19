import { CODE_RULE_IDS } from './code-rules';

/**
 * How a call to a loader becomes a finding:
 * - `always`: the loader deserializes code-capable data whatever its arguments.
 * - `unless-true`: unsafe unless `keyword=True` is visible (torch.load's weights_only).
 * - `if-value`: unsafe only when the argument is given the unsafe literal (allow_pickle=True, safe_mode=False);
 *   a non-literal value or one hidden in `**kwargs` is not reported, because the default is safe.
 * - `yaml-loader`: unsafe unless the Loader (keyword or `position`) resolves to a safe loader class.
 * - `yaml-typ`: ruamel's `YAML(typ=...)`, unsafe for typ 'unsafe'.
 */
export type LoaderCheck =
  | { kind: 'always' }
  /** `whenMissing` says, for the message, what happens when the keyword is not given. */
  | { kind: 'unless-true'; keyword: string; whenMissing: string }
  | { kind: 'if-value'; keyword: string; position?: number; unsafe: 'true' | 'false' }
  | { kind: 'yaml-loader'; position: number }
  | { kind: 'yaml-typ' };

export interface UnsafeLoader {
  ruleId: string;
  check: LoaderCheck;
  /** Why loading is dangerous, one clause, used in the finding's message. */
  risk: string;
  /** The safer alternative for this loader, shown as the finding's help. */
  instead: string;
  /**
   * A function (not a class): reported when passed as a value too, e.g. `map(pickle.loads, blobs)`; for
   * `unless-true` loaders only when the same call does not bind the safe keyword (`partial(torch.load,
   * weights_only=True)`).
   */
  function: boolean;
}

const PICKLE_RISK = 'unpickles its input, which runs any callable the data names';
const PICKLE_INSTEAD =
  'Load tensors from safetensors and data from JSON/Parquet; if a pickle is unavoidable, load only files you ' +
  'produced, and subclass pickle.Unpickler with a find_class that allows only the classes you expect.';

function pickleFamily(modules: readonly string[], functions: readonly string[], classes: readonly string[]) {
  const entries: [string, UnsafeLoader][] = [];
  for (const module of modules) {
    for (const fn of functions) {
      entries.push([
        `${module}.${fn}`,
        { ruleId: CODE_RULE_IDS.pickleLoad, check: { kind: 'always' }, risk: PICKLE_RISK, instead: PICKLE_INSTEAD, function: true },
      ]);
    }
    for (const cls of classes) {
      entries.push([
        `${module}.${cls}`,
        { ruleId: CODE_RULE_IDS.pickleLoad, check: { kind: 'always' }, risk: PICKLE_RISK, instead: PICKLE_INSTEAD, function: false },
      ]);
    }
  }
  return entries;
}

const TORCH_LOAD: UnsafeLoader = {
  ruleId: CODE_RULE_IDS.torchLoadWeightsOnlyMissing,
  check: {
    kind: 'unless-true',
    keyword: 'weights_only',
    whenMissing:
      'without it, PyTorch before 2.6 (or with TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD set) runs any code a malicious checkpoint carries',
  },
  risk: 'unpickles the checkpoint with the full pickle module unless weights_only=True',
  instead: 'Pass weights_only=True, or save the weights as safetensors and load them with safetensors.torch.load_file.',
  function: true,
};

/** `position` of safe_mode: load_model(filepath, custom_objects, compile, safe_mode), deserialize_keras_object(config, custom_objects, safe_mode). */
/** torch.hub's download-and-load: torch.load on whatever the URL serves. */
const TORCH_LOAD_URL: UnsafeLoader = {
  ruleId: CODE_RULE_IDS.torchLoadWeightsOnlyMissing,
  check: {
    kind: 'unless-true',
    keyword: 'weights_only',
    whenMissing:
      'its own weights_only defaults to False (older PyTorch has no such argument and always unpickles fully), so ' +
      'whatever that URL serves runs code when loaded',
  },
  risk: 'downloads a checkpoint and unpickles it with torch.load unless weights_only=True',
  instead: 'Pass weights_only=True and check_hash=True, or download safetensors weights and load them with safetensors.torch.load_file.',
  function: true,
};

const KERAS_SAFE_MODE = (position: number): UnsafeLoader => ({
  ruleId: CODE_RULE_IDS.kerasUnsafeDeserialization,
  check: { kind: 'if-value', keyword: 'safe_mode', position, unsafe: 'false' },
  risk: 'deserializes Lambda layers as Python bytecode when safe_mode=False',
  instead: 'Keep safe_mode=True (the default) and replace Lambda layers with registered custom layers.',
  function: false,
});

const KERAS_ENABLE_UNSAFE: UnsafeLoader = {
  ruleId: CODE_RULE_IDS.kerasUnsafeDeserialization,
  check: { kind: 'always' },
  risk: 'turns off Keras safe mode for every later load in the process, so Lambda layers run as bytecode',
  instead: 'Remove the call and replace Lambda layers with registered custom layers passed through custom_objects.',
  function: false,
};

const NUMPY_LOAD = (position: number): UnsafeLoader => ({
  ruleId: CODE_RULE_IDS.numpyAllowPickle,
  check: { kind: 'if-value', keyword: 'allow_pickle', position, unsafe: 'true' },
  risk: 'unpickles object arrays when allow_pickle=True',
  instead: 'Keep allow_pickle=False (the default) and store numeric arrays; use JSON, Parquet or safetensors for the rest.',
  function: false,
});

const YAML_LOAD: UnsafeLoader = {
  ruleId: CODE_RULE_IDS.yamlUnsafeLoad,
  check: { kind: 'yaml-loader', position: 1 },
  risk: 'builds arbitrary Python objects from !!python tags unless the Loader is SafeLoader or CSafeLoader',
  instead: 'Use yaml.safe_load(...) or yaml.load(..., Loader=yaml.SafeLoader) (CSafeLoader for speed).',
  function: false,
};

const YAML_UNSAFE = (loaderClass: string): UnsafeLoader => ({
  ruleId: CODE_RULE_IDS.yamlUnsafeLoad,
  check: { kind: 'always' },
  risk: `loads with ${loaderClass}, which builds arbitrary Python objects from !!python tags`,
  instead: 'Use yaml.safe_load(...) or yaml.load(..., Loader=yaml.SafeLoader).',
  function: true,
});

const REMOTE_CODE_HUB: UnsafeLoader = {
  ruleId: CODE_RULE_IDS.remoteCode,
  check: { kind: 'always' },
  risk: "imports and runs the repository's hubconf.py (and unpickles its weights)",
  instead: "Pin the repository to a reviewed commit ('owner/repo:<sha>') or vendor the model code.",
  function: true,
};

const MLFLOW: UnsafeLoader = {
  ruleId: CODE_RULE_IDS.pickleLoad,
  check: { kind: 'always' },
  risk: "unpickles the model's artifact (pickle, cloudpickle or a full torch.save), which runs any callable it names",
  instead: 'Load models only from a registry you control, or log them in a non-pickle flavor (ONNX, safetensors weights).',
  function: true,
};

const ALWAYS = (ruleId: string, risk: string, instead: string, fn = true): UnsafeLoader => ({
  ruleId,
  check: { kind: 'always' },
  risk,
  instead,
  function: fn,
});

const JOBLIB = ALWAYS(
  CODE_RULE_IDS.joblibLoad,
  'decompresses and unpickles the file, which runs any callable the data names',
  'Load only files you produced and verified; for scikit-learn prefer skops.io.load with an explicit trusted list, or ONNX.',
);
const READ_PICKLE = ALWAYS(
  CODE_RULE_IDS.pandasReadPickle,
  'unpickles the file, which runs any callable the data names',
  'Store data frames as Parquet (to_parquet/read_parquet), Feather or CSV.',
);
const SHELVE = (fn: boolean) =>
  ALWAYS(
    CODE_RULE_IDS.shelveOpen,
    'unpickles every value read from the shelf file',
    'Use sqlite3 or a JSON file for key-value data that may come from elsewhere.',
    fn,
  );
const MARSHAL = ALWAYS(
  CODE_RULE_IDS.marshalLoad,
  'deserializes code objects and is documented as unsafe for untrusted data',
  'Exchange data as JSON or another inert format; never load marshal data from outside the process.',
);

/**
 * Every loader we know by its fully qualified name, after import aliases are resolved. This is data,
 * reviewed like code: each entry is a public API that deserializes something able to run code.
 *
 * Deliberately absent: `torch.jit.load` (TorchScript archives are unpickled by a restricted unpickler that
 * only rebuilds tensors and TorchScript classes, and the archive itself is checked by the model-file
 * analyzer), `pickle.Unpickler` as a base class (the documented way to restrict find_class), `json`,
 * `safetensors`, `onnx.load` and `h5py`.
 */
export const UNSAFE_LOADERS: ReadonlyMap<string, UnsafeLoader> = new Map<string, UnsafeLoader>([
  ...pickleFamily(['pickle', 'cPickle', '_pickle', 'pickle5', 'six.moves.cPickle'], ['load', 'loads'], ['Unpickler']),
  ...pickleFamily(['pickle'], ['_load', '_loads'], ['_Unpickler']),
  ...pickleFamily(['dill', 'dill._dill'], ['load', 'loads', 'load_session', 'load_module'], ['Unpickler']),
  ...pickleFamily(['cloudpickle'], ['load', 'loads'], []),
  ...pickleFamily(['jsonpickle'], ['decode', 'loads'], ['Unpickler']),
  ...pickleFamily(['jsonpickle.unpickler'], ['decode'], ['Unpickler']),
  ...pickleFamily(['torch.package'], [], ['PackageImporter']),
  ...pickleFamily(['torch.package.package_importer'], [], ['PackageImporter']),
  ['torch.load', TORCH_LOAD],
  ['torch.serialization.load', TORCH_LOAD],
  ['torch.hub.load_state_dict_from_url', TORCH_LOAD_URL],
  ['torch.utils.model_zoo.load_url', TORCH_LOAD_URL],
  ['joblib.load', JOBLIB],
  ['joblib.numpy_pickle.load', JOBLIB],
  ['sklearn.externals.joblib.load', JOBLIB],
  ['numpy.load', NUMPY_LOAD(2)],
  ['numpy.lib.npyio.load', NUMPY_LOAD(2)],
  ['numpy.lib.format.read_array', NUMPY_LOAD(1)],
  ['pandas.read_pickle', READ_PICKLE],
  ['pandas.io.pickle.read_pickle', READ_PICKLE],
  ['shelve.open', SHELVE(true)],
  ['shelve.Shelf', SHELVE(false)],
  ['shelve.DbfilenameShelf', SHELVE(false)],
  ['marshal.load', MARSHAL],
  ['marshal.loads', MARSHAL],
  ['yaml.load', YAML_LOAD],
  ['yaml.load_all', YAML_LOAD],
  ['ruamel.yaml.load', YAML_LOAD],
  ['ruamel.yaml.load_all', YAML_LOAD],
  ['yaml.unsafe_load', YAML_UNSAFE('UnsafeLoader')],
  ['yaml.unsafe_load_all', YAML_UNSAFE('UnsafeLoader')],
  ['yaml.full_load', YAML_UNSAFE('FullLoader')],
  ['yaml.full_load_all', YAML_UNSAFE('FullLoader')],
  ['ruamel.yaml.unsafe_load', YAML_UNSAFE('UnsafeLoader')],
  [
    'ruamel.yaml.YAML',
    {
      ruleId: CODE_RULE_IDS.yamlUnsafeLoad,
      check: { kind: 'yaml-typ' },
      risk: "builds arbitrary Python objects when typ='unsafe'",
      instead: "Use YAML(typ='safe') (or the default round-trip loader).",
      function: false,
    },
  ],
  ...['keras', 'tensorflow.keras', 'tf_keras'].flatMap((k): [string, UnsafeLoader][] => [
    [`${k}.models.load_model`, KERAS_SAFE_MODE(3)],
    [`${k}.saving.load_model`, KERAS_SAFE_MODE(3)],
    [`${k}.saving.deserialize_keras_object`, KERAS_SAFE_MODE(2)],
    [`${k}.config.enable_unsafe_deserialization`, KERAS_ENABLE_UNSAFE],
  ]),
  ['keras.src.saving.serialization_lib.enable_unsafe_deserialization', KERAS_ENABLE_UNSAFE],
  ['torch.hub.load', REMOTE_CODE_HUB],
  ...['pyfunc', 'sklearn', 'pytorch'].map((flavor): [string, UnsafeLoader] => [`mlflow.${flavor}.load_model`, MLFLOW]),
]);

/** Loader classes of PyYAML and ruamel.yaml that only build plain data. */
export const SAFE_YAML_LOADERS = new Set(['SafeLoader', 'CSafeLoader', 'BaseLoader', 'CBaseLoader', 'RoundTripLoader']);
/** Loader classes that construct arbitrary Python objects (FullLoader had bypasses: CVE-2020-1747, CVE-2020-14343). */
export const UNSAFE_YAML_LOADERS = new Set(['Loader', 'CLoader', 'UnsafeLoader', 'CUnsafeLoader', 'FullLoader', 'CFullLoader']);
export const YAML_MODULES = ['yaml', 'ruamel.yaml'];

/**
 * Every name segment that can lead to a loader: loader names, their modules, YAML loader classes. A call
 * whose last name segment is none of these (and no local alias) cannot be a loader, so it is not resolved:
 * resolving every call of a large file through web-tree-sitter's node API costs more than parsing it.
 */
export const LOADER_WORDS: ReadonlySet<string> = new Set([
  ...[...UNSAFE_LOADERS.keys()].flatMap((name) => name.split('.')),
  ...SAFE_YAML_LOADERS,
  ...UNSAFE_YAML_LOADERS,
  ...YAML_MODULES.flatMap((m) => m.split('.')),
  'getattr',
  '__import__',
  'import_module',
  'importlib',
]);
