import type { Rule } from '@aisec/core';

/**
 * Rules for unsafe loading found in Python source and notebooks. They report a risk in code, not a payload
 * in a file, so they default to `medium`: visible in annotations and SARIF without failing the default
 * `fail-on: high`. Ids start at 101 so the model-file analyzer keeps 001-099 for payload findings.
 */
export const CODE_RULE_IDS = {
  pickleLoad: 'AISEC-PKL-101',
  torchLoadWeightsOnlyMissing: 'AISEC-PKL-102',
  torchLoadWeightsOnlyDisabled: 'AISEC-PKL-103',
  joblibLoad: 'AISEC-PKL-104',
  numpyAllowPickle: 'AISEC-PKL-105',
  pandasReadPickle: 'AISEC-PKL-106',
  shelveOpen: 'AISEC-PKL-107',
  yamlUnsafeLoad: 'AISEC-PKL-108',
  kerasUnsafeDeserialization: 'AISEC-PKL-109',
  remoteCode: 'AISEC-PKL-110',
  marshalLoad: 'AISEC-PKL-111',
  codeFileNotScanned: 'AISEC-PKL-112',
} as const;

const TAGS = ['security', 'deserialization', 'code'];

export const CODE_RULES: readonly Rule[] = [
  {
    id: CODE_RULE_IDS.pickleLoad,
    name: 'PickleLoadInCode',
    shortDescription: 'Code unpickles data (pickle, cPickle, dill, cloudpickle, jsonpickle, torch.package, MLflow model loaders)',
    fullDescription:
      'The code calls a pickle-based loader. Unpickling calls whatever callables the data names, so a crafted ' +
      'file or byte string runs arbitrary code in this process the moment it is loaded.',
    help:
      'Load data with a format that cannot carry code: **safetensors** for tensors, JSON, Parquet or NumPy ' +
      '`.npy` (with `allow_pickle=False`) for data. If a pickle is unavoidable, load only files you produced, ' +
      'verify their signature first, and use a `pickle.Unpickler` subclass whose `find_class` allows only the ' +
      'classes you expect.',
    helpUri: 'https://docs.python.org/3/library/pickle.html#restricting-globals',
    defaultSeverity: 'medium',
    tags: TAGS,
  },
  {
    id: CODE_RULE_IDS.torchLoadWeightsOnlyMissing,
    name: 'TorchLoadWithoutWeightsOnly',
    shortDescription: 'torch.load (or torch.hub.load_state_dict_from_url) without weights_only=True',
    fullDescription:
      'torch.load is called without weights_only=True. Before PyTorch 2.6, and on any version where ' +
      'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD is set, it unpickles the checkpoint with the full pickle module, so a ' +
      'malicious checkpoint runs code when loaded. torch.hub.load_state_dict_from_url defaults to ' +
      'weights_only=False and loads whatever its URL serves.',
    help:
      'Pass `weights_only=True` (it restricts unpickling to tensors and plain containers), or store weights as ' +
      '**safetensors** and load them with `safetensors.torch.load_file`.',
    helpUri: 'https://pytorch.org/docs/stable/generated/torch.load.html',
    defaultSeverity: 'medium',
    tags: TAGS,
  },
  {
    id: CODE_RULE_IDS.torchLoadWeightsOnlyDisabled,
    name: 'TorchLoadWeightsOnlyDisabled',
    shortDescription: 'torch.load with weights_only=False',
    fullDescription:
      'torch.load is called with weights_only=False, which turns off the restricted unpickler on every PyTorch ' +
      'version: a malicious checkpoint runs code when loaded. Unlike a missing argument, this does not depend on ' +
      'the installed PyTorch.',
    help:
      'Remove `weights_only=False` and load with `weights_only=True`; if the checkpoint holds objects beyond ' +
      'tensors, allow exactly those with `torch.serialization.add_safe_globals`, or convert the weights to ' +
      '**safetensors**.',
    helpUri: 'https://pytorch.org/docs/stable/notes/serialization.html#weights-only',
    defaultSeverity: 'medium',
    tags: TAGS,
  },
  {
    id: CODE_RULE_IDS.joblibLoad,
    name: 'JoblibLoadInCode',
    shortDescription: 'joblib.load unpickles its file',
    fullDescription:
      'joblib.load decompresses and unpickles the file with the full pickle machinery: a crafted .joblib/.pkl ' +
      'file runs code when loaded.',
    help:
      'Load only files you produced and verified. For scikit-learn models prefer `skops.io.load` with an explicit ' +
      '`trusted` list, or export the model to ONNX.',
    helpUri: 'https://joblib.readthedocs.io/en/stable/persistence.html',
    defaultSeverity: 'medium',
    tags: TAGS,
  },
  {
    id: CODE_RULE_IDS.numpyAllowPickle,
    name: 'NumpyLoadAllowPickle',
    shortDescription: 'numpy.load with allow_pickle=True',
    fullDescription:
      'numpy.load with allow_pickle=True unpickles object arrays in .npy/.npz files, so a crafted array file ' +
      'runs code when loaded.',
    help:
      'Keep the default `allow_pickle=False` and store numeric arrays; for ragged or object data use JSON, ' +
      'Parquet or safetensors.',
    helpUri: 'https://numpy.org/doc/stable/reference/generated/numpy.load.html',
    defaultSeverity: 'medium',
    tags: TAGS,
  },
  {
    id: CODE_RULE_IDS.pandasReadPickle,
    name: 'PandasReadPickle',
    shortDescription: 'pandas.read_pickle unpickles its file',
    fullDescription: 'pandas.read_pickle is pickle.load with decompression: a crafted file runs code when loaded.',
    help: 'Store data frames as Parquet (`to_parquet`/`read_parquet`), Feather or CSV instead of pickles.',
    helpUri: 'https://pandas.pydata.org/docs/reference/api/pandas.read_pickle.html',
    defaultSeverity: 'medium',
    tags: TAGS,
  },
  {
    id: CODE_RULE_IDS.shelveOpen,
    name: 'ShelveOpen',
    shortDescription: 'shelve.open unpickles stored values',
    fullDescription:
      'A shelf stores its values as pickles: reading a shelf file someone else wrote runs whatever code its ' +
      'pickles name.',
    help: 'Use sqlite3 or a JSON file for persistent key-value data that may come from elsewhere.',
    helpUri: 'https://docs.python.org/3/library/shelve.html',
    defaultSeverity: 'medium',
    tags: TAGS,
  },
  {
    id: CODE_RULE_IDS.yamlUnsafeLoad,
    name: 'YamlLoadWithoutSafeLoader',
    shortDescription: 'YAML loaded without a safe loader',
    fullDescription:
      'yaml.load without SafeLoader/CSafeLoader, yaml.unsafe_load, yaml.full_load, or a loader such as ' +
      'yaml.Loader/UnsafeLoader/FullLoader builds arbitrary Python objects from tags like !!python/object/apply, ' +
      'so a crafted YAML file (a config, a model card) runs code when loaded.',
    help: 'Use `yaml.safe_load(...)` or `yaml.load(..., Loader=yaml.SafeLoader)` (`CSafeLoader` for speed).',
    helpUri: 'https://pyyaml.org/wiki/PyYAMLDocumentation',
    defaultSeverity: 'medium',
    tags: TAGS,
  },
  {
    id: CODE_RULE_IDS.kerasUnsafeDeserialization,
    name: 'KerasUnsafeDeserialization',
    shortDescription: 'Keras model loaded with safe_mode=False',
    fullDescription:
      'Keras loads with safe_mode=False (or after keras.config.enable_unsafe_deserialization()) deserialize ' +
      'Lambda layers as Python bytecode, so a crafted .keras file runs code when loaded.',
    help:
      'Keep the default `safe_mode=True`; replace Lambda layers with registered custom layers ' +
      '(`@keras.saving.register_keras_serializable`) passed through `custom_objects`.',
    helpUri: 'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/',
    defaultSeverity: 'medium',
    tags: TAGS,
  },
  {
    id: CODE_RULE_IDS.remoteCode,
    name: 'RemoteCodeExecutionEnabled',
    shortDescription: 'trust_remote_code=True or torch.hub.load runs code from a model repository',
    fullDescription:
      'trust_remote_code=True lets transformers, datasets and similar loaders import and run Python files from ' +
      'the model or dataset repository; torch.hub.load runs the repository\'s hubconf.py. Whoever can push to ' +
      'that repository runs code in this process.',
    help:
      'Drop `trust_remote_code=True` for models the library supports natively. Otherwise pin `revision=` to a ' +
      'reviewed commit hash (not a branch), or vendor the model code into your repository.',
    helpUri: 'https://huggingface.co/docs/transformers/models#custom-models',
    defaultSeverity: 'medium',
    tags: TAGS,
  },
  {
    id: CODE_RULE_IDS.marshalLoad,
    name: 'MarshalLoad',
    shortDescription: 'marshal.load(s) reads code objects',
    fullDescription:
      'marshal deserializes Python code objects and is documented as unsafe for untrusted data; what it loads is ' +
      'typically executed next, and malformed input can crash the interpreter.',
    help: 'Do not load marshal data from outside the process; exchange data as JSON or another inert format.',
    helpUri: 'https://docs.python.org/3/library/marshal.html',
    defaultSeverity: 'medium',
    tags: TAGS,
  },
  {
    id: CODE_RULE_IDS.codeFileNotScanned,
    name: 'CodeFileNotScanned',
    shortDescription: 'A Python file or notebook could not be scanned',
    fullDescription:
      'The file was too large, took longer than the time budget to parse, or is a notebook that is not valid ' +
      'JSON, so unsafe loading in it would go unseen.',
    help:
      'Fix the notebook JSON (open and re-save it in Jupyter), split very large generated files, or raise the ' +
      'limit if the file is legitimately large.',
    defaultSeverity: 'low',
    tags: ['security', 'coverage', 'code'],
  },
];
