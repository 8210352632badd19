/**
 * Globals a model file may import without a finding. This list is data, reviewed like code: every entry
 * says why importing AND calling it while unpickling cannot run code, touch files or the network, or
 * deserialize again. Anything not here is at least `high` in a model file (default-deny).
 *
 * Two kinds of entries:
 * - exact `module.name` strings;
 * - module prefixes with a name pattern, for families too large to list (torch.nn layers, scikit-learn
 *   estimators) whose members are classes whose construction and `__setstate__` only store data.
 *   A dotted name (`Outer.attr`), a dunder, or a name the dangerous list knows never matches a pattern.
 */

export interface SafeEntry {
  /** `module.name`, exactly as the unpickler imports it after Python 2 name fixing. */
  name: string;
  why: string;
}

export interface SafeFamily {
  /** Module, or module prefix ending in `.` (any submodule). */
  module: string;
  /** The attribute name inside the module. */
  name: RegExp;
  why: string;
}

const TORCH_REBUILD = 'torch._utils rebuilders only reassemble a tensor from a storage and sizes; torch.load\'s weights_only unpickler allows them';

/**
 * Classes that are safe only when the unpickler merely allocates them (NEWOBJ, copyreg.__newobj__ or
 * _reconstructor: `cls.__new__(cls)` and a __dict__ update), never when it calls them with arguments
 * (REDUCE, INST, OBJ), because their constructors do real work.
 */
export const SAFE_WHEN_ONLY_ALLOCATED: readonly SafeEntry[] = [
  ...['PartialState', 'AcceleratorState', 'GradientState'].map((n) => ({
    name: `accelerate.state.${n}`,
    why: 'Hugging Face training_args.bin holds the distributed state: restored from its __dict__ (device, process counts); its constructor (which may start process groups) is not run',
  })),
  ...['xgboost.core.Booster', 'lightgbm.basic.Booster'].map((name) => ({
    name,
    why: 'gradient-boosting models: __setstate__ hands the saved model bytes or text to the library\'s own parser; the constructor, which can read a model_file path, is not run',
  })),
  ...['XGBClassifier', 'XGBRegressor', 'XGBRanker', 'XGBRFClassifier', 'XGBRFRegressor'].map((n) => ({
    name: `xgboost.sklearn.${n}`,
    why: 'scikit-learn wrapper restored from its __dict__ (hyper-parameters and the Booster above)',
  })),
  ...['LGBMClassifier', 'LGBMRegressor', 'LGBMRanker', 'LGBMModel'].map((n) => ({
    name: `lightgbm.sklearn.${n}`,
    why: 'scikit-learn wrapper restored from its __dict__ (hyper-parameters and the Booster above)',
  })),
];

export const SAFE_GLOBALS: readonly SafeEntry[] = [
  // ---- PyTorch: tensors, storages, parameters (what a state_dict is made of)
  ...[
    '_rebuild_tensor',
    '_rebuild_tensor_v2',
    '_rebuild_tensor_v3',
    '_rebuild_parameter',
    '_rebuild_parameter_with_state',
    '_rebuild_qtensor',
    '_rebuild_sparse_tensor',
    '_rebuild_sparse_csr_tensor',
    '_rebuild_nested_tensor',
    '_rebuild_meta_tensor_no_storage',
    '_rebuild_wrapper_subclass',
    '_rebuild_device_tensor_from_numpy',
    '_rebuild_xla_tensor',
    '_rebuild_mps_tensor',
  ].map((n) => ({ name: `torch._utils.${n}`, why: TORCH_REBUILD })),
  { name: 'torch._tensor._rebuild_from_type_v2', why: 'rebuilds a Tensor subclass from a tensor and a class; the class is imported (and classified) separately' },
  { name: 'torch._tensor._rebuild_from_type', why: 'older form of _rebuild_from_type_v2' },
  { name: 'torch.nn.parameter.Parameter', why: 'wraps a tensor as a parameter' },
  { name: 'torch.nn.parameter.Buffer', why: 'wraps a tensor as a buffer' },
  { name: 'torch.nn.parameter.UninitializedParameter', why: 'lazy-module placeholder, holds no code' },
  { name: 'torch.nn.parameter.UninitializedBuffer', why: 'lazy-module placeholder, holds no code' },
  { name: 'torch.Size', why: 'a tuple of ints' },
  { name: 'torch.device', why: 'a device name and index' },
  { name: 'torch.dtype', why: 'the dtype type' },
  { name: 'torch.layout', why: 'the layout type' },
  { name: 'torch.memory_format', why: 'the memory-format type' },
  { name: 'torch.serialization._get_layout', why: 'maps a layout name to a torch.layout constant' },
  { name: 'torch.storage.TypedStorage', why: 'storage type named in persistent ids; its data is read as raw bytes, not unpickled' },
  { name: 'torch.storage.UntypedStorage', why: 'as TypedStorage' },
  {
    name: 'torch.storage._load_from_bytes',
    why: 'how plain pickle stores a storage: a torch.save stream in bytes. The scanner decodes those bytes and scans them as a file of their own (nested payload), so what it loads is checked',
  },
  { name: 'torch.torch_version.TorchVersion', why: 'a version string saved in checkpoints' },
  { name: 'torch.return_types.max', why: 'a named tuple of tensors' },
  // ---- TorchScript archives: __torch__ names are TorchScript classes resolved by the TorchScript
  // loader, never Python imports; torch.jit._pickle builders only rebuild lists and tensors.
  ...['build_intlist', 'build_tensorlist', 'build_doublelist', 'build_boollist', 'build_tensor_from_id', 'restore_type_tag'].map((n) => ({
    name: `torch.jit._pickle.${n}`,
    why: 'TorchScript list/tensor rebuilder',
  })),
  // ---- numpy: arrays, dtypes, scalars, random generator state
  { name: 'numpy.core.multiarray._reconstruct', why: 'creates an empty ndarray that BUILD then fills with raw bytes' },
  { name: 'numpy._core.multiarray._reconstruct', why: 'numpy 2 name of the same' },
  { name: 'numpy.core.multiarray.scalar', why: 'builds a numpy scalar from a dtype and raw bytes' },
  { name: 'numpy._core.multiarray.scalar', why: 'numpy 2 name of the same' },
  { name: 'numpy.core.numeric._frombuffer', why: 'builds an array from a bytes buffer, dtype and shape' },
  { name: 'numpy._core.numeric._frombuffer', why: 'numpy 2 name of the same' },
  {
    name: 'numpy.core._ufunc_reconstruct',
    why: 'imports a ufunc by (module, name): the scanner resolves that import itself and classifies it like any other',
  },
  { name: 'numpy._core._ufunc_reconstruct', why: 'numpy 2 name of the same' },
  { name: 'numpy.ndarray', why: 'the array type (class or subclass marker)' },
  { name: 'numpy.dtype', why: 'builds a dtype from a type string' },
  { name: 'numpy.ma.core._mareconstruct', why: 'masked-array counterpart of _reconstruct' },
  { name: 'numpy.ma.core.MaskedArray', why: 'masked-array type' },
  { name: 'numpy.random._pickle.__randomstate_ctor', why: 'RandomState from a bit-generator name; state restored as data' },
  { name: 'numpy.random._pickle.__generator_ctor', why: 'Generator from a bit-generator name' },
  { name: 'numpy.random._pickle.__bit_generator_ctor', why: 'bit generator from its name (looked up in a fixed table)' },
  { name: 'numpy.random.__RandomState_ctor', why: 'numpy < 1.17 RandomState constructor' },
  { name: 'numpy.random.mtrand.RandomState', why: 'RandomState type; state restored as data' },
  { name: 'numpy.random._generator.Generator', why: 'Generator type' },
  { name: 'numpy.random.bit_generator.SeedSequence', why: 'seed sequence, integers only' },
  {
    name: 'dill._dill._create_array',
    why: 'dill\'s numpy array rebuilder: calls its first argument (an import classified on its own, numpy _reconstruct in practice) and restores the array state',
  },
  // ---- joblib's array wrapper: joblib reads the array bytes that follow it (the scanner skips them)
  { name: 'joblib.numpy_pickle.NumpyArrayWrapper', why: 'describes an array whose raw bytes follow inline; object arrays are an inline pickle that is scanned too' },
  { name: 'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper', why: 'vendored joblib in scikit-learn < 0.23' },
  // ---- the standard library's plain data types
  { name: 'collections.OrderedDict', why: 'a dict (every state_dict is one)' },
  { name: 'collections.defaultdict', why: 'a dict; its default factory is imported and classified separately, and only called on a missing key, never by the unpickler' },
  { name: 'collections.Counter', why: 'a dict of counts' },
  { name: 'collections.deque', why: 'a sequence' },
  { name: 'builtins.set', why: 'a set' },
  { name: 'builtins.frozenset', why: 'a frozenset' },
  { name: 'builtins.slice', why: 'three values' },
  { name: 'builtins.complex', why: 'a number' },
  { name: 'builtins.range', why: 'three integers' },
  { name: 'builtins.bytearray', why: 'bytes (the scanner carries its content on for nested-payload checks)' },
  { name: 'builtins.bytes', why: 'bytes' },
  { name: 'builtins.int', why: 'a number' },
  { name: 'builtins.float', why: 'a number' },
  { name: 'builtins.bool', why: 'a boolean' },
  { name: 'builtins.str', why: 'a string' },
  { name: 'builtins.list', why: 'a list' },
  { name: 'builtins.tuple', why: 'a tuple' },
  { name: 'builtins.dict', why: 'a dict' },
  { name: 'builtins.object', why: 'the base copyreg._reconstructor passes for plain classes' },
  { name: 'builtins.Ellipsis', why: 'a constant (slicing configs)' },
  { name: 'builtins.NotImplemented', why: 'a constant' },
  { name: 'copyreg._reconstructor', why: 'object.__new__(cls) plus base init; cls and base are imported and classified separately' },
  { name: 'copyreg.__newobj__', why: 'cls.__new__(cls, *args); cls is classified separately' },
  { name: 'copyreg.__newobj_ex__', why: 'as __newobj__ with keyword arguments' },
  { name: '_codecs.encode', why: 'protocol 2 writes bytes as _codecs.encode(str, "latin1"); text codecs only build bytes' },
  { name: 'codecs.encode', why: 'as _codecs.encode' },
  { name: 'datetime.datetime', why: 'a timestamp' },
  { name: 'datetime.date', why: 'a date' },
  { name: 'datetime.time', why: 'a time' },
  { name: 'datetime.timedelta', why: 'a duration' },
  { name: 'datetime.timezone', why: 'a UTC offset' },
  { name: 'decimal.Decimal', why: 'a number' },
  { name: 'fractions.Fraction', why: 'a number' },
  { name: 'uuid.UUID', why: 'an integer' },
  { name: 'argparse.Namespace', why: 'an attribute bag: training scripts save their arguments in checkpoints' },
  { name: 'pathlib.PosixPath', why: 'a path value (only building it runs; no file is touched)' },
  { name: 'pathlib.WindowsPath', why: 'as PosixPath' },
  { name: 'pathlib.PurePosixPath', why: 'as PosixPath' },
  { name: 'pathlib.PureWindowsPath', why: 'as PosixPath' },
  { name: 'pathlib.Path', why: 'as PosixPath' },
  { name: 'random.Random', why: 'Mersenne Twister state (RNG-state files)' },
  { name: '_random.Random', why: 'C implementation of random.Random' },
  { name: 'typing.Any', why: 'a typing constant (omegaconf metadata records key and element types)' },
  // ---- training-framework containers found in ordinary checkpoints
  ...['pytorch_lightning.utilities.parsing', 'lightning.fabric.utilities.data', 'lightning_fabric.utilities.data', 'lightning.pytorch.utilities.parsing'].map((m) => ({
    name: `${m}.AttributeDict`,
    why: 'Lightning hyper-parameters: a dict subclass with attribute access',
  })),
  ...['dictconfig.DictConfig', 'listconfig.ListConfig', 'base.ContainerMetadata', 'base.Metadata', 'nodes.AnyNode', 'nodes.StringNode', 'nodes.IntegerNode', 'nodes.FloatNode', 'nodes.BooleanNode', 'nodes.BytesNode', 'nodes.PathNode', 'nodes.EnumNode'].map((n) => ({
    name: `omegaconf.${n}`,
    why: 'Hydra/omegaconf config saved in Lightning and NeMo checkpoints: restored from a __dict__ of values; interpolations are strings resolved later, custom resolvers are never pickled',
  })),
];

const TORCH_DTYPES = [
  'float', 'float16', 'float32', 'float64', 'double', 'half', 'bfloat16', 'complex32', 'complex64', 'complex128', 'cfloat',
  'cdouble', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64', 'int', 'long', 'short', 'bool',
  'qint8', 'quint8', 'qint32', 'quint4x2', 'quint2x4', 'float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz',
  'strided', 'sparse_coo', 'sparse_csr', 'sparse_csc', 'sparse_bsr', 'sparse_bsc', '_mkldnn',
  'contiguous_format', 'channels_last', 'channels_last_3d', 'preserve_format',
  'per_tensor_affine', 'per_channel_affine', 'per_tensor_symmetric', 'per_channel_symmetric', 'per_channel_affine_float_qparams',
];

/** numpy ufuncs that only compute (FunctionTransformer(np.log1p) pickles the ufunc by name). */
const NUMPY_UFUNCS = [
  'add', 'subtract', 'multiply', 'divide', 'true_divide', 'floor_divide', 'negative', 'positive', 'power', 'float_power',
  'remainder', 'mod', 'fmod', 'divmod', 'absolute', 'abs', 'fabs', 'rint', 'sign', 'heaviside', 'conjugate', 'conj', 'exp',
  'exp2', 'log', 'log2', 'log10', 'expm1', 'log1p', 'sqrt', 'square', 'cbrt', 'reciprocal', 'sin', 'cos', 'tan', 'arcsin',
  'arccos', 'arctan', 'arctan2', 'hypot', 'sinh', 'cosh', 'tanh', 'arcsinh', 'arccosh', 'arctanh', 'deg2rad', 'rad2deg',
  'degrees', 'radians', 'greater', 'greater_equal', 'less', 'less_equal', 'not_equal', 'equal', 'logical_and', 'logical_or',
  'logical_xor', 'logical_not', 'maximum', 'minimum', 'fmax', 'fmin', 'isfinite', 'isinf', 'isnan', 'signbit', 'copysign',
  'nextafter', 'spacing', 'modf', 'ldexp', 'frexp', 'floor', 'ceil', 'trunc', 'bitwise_and', 'bitwise_or', 'bitwise_xor',
  'invert', 'left_shift', 'right_shift', 'logaddexp', 'logaddexp2', 'clip',
];

/** numpy array functions estimators take as parameters (FunctionTransformer(np.mean), aggregations). */
const NUMPY_FUNCTIONS = [
  'mean', 'median', 'average', 'sum', 'prod', 'std', 'var', 'min', 'max', 'amin', 'amax', 'ptp', 'percentile', 'quantile',
  'nanmean', 'nanmedian', 'nansum', 'nanstd', 'nanvar', 'nanmin', 'nanmax', 'nanpercentile', 'nanquantile', 'argmax',
  'argmin', 'cumsum', 'cumprod', 'round', 'around', 'sort', 'argsort', 'unique', 'ravel', 'transpose', 'identity', 'asarray',
  'array', 'nan_to_num', 'diff', 'dot', 'matmul', 'outer', 'inner', 'einsum', 'tanh', 'where', 'all', 'any', 'count_nonzero',
];

const NUMPY_SCALARS = [
  'bool_', 'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'intc', 'uintc', 'int_', 'uint',
  'longlong', 'ulonglong', 'float16', 'float32', 'float64', 'longdouble', 'half', 'single', 'double', 'complex64',
  'complex128', 'clongdouble', 'str_', 'bytes_', 'void', 'datetime64', 'timedelta64', 'object_', 'generic', 'number',
  'integer', 'floating', 'complexfloating',
];

export const SAFE_FAMILIES: readonly SafeFamily[] = [
  {
    module: 'torch',
    name: new RegExp(`^(?:${TORCH_DTYPES.join('|')})$`),
    why: 'dtype, layout, memory-format and quantization-scheme constants',
  },
  { module: 'torch', name: /^(?:[A-Z][A-Za-z0-9]*)?Storage$/, why: 'legacy typed storage classes named in persistent ids (FloatStorage...): data is raw bytes' },
  { module: 'torch', name: /^(?:[A-Z][A-Za-z0-9]*)?Tensor$/, why: 'legacy tensor type names (FloatTensor...)' },
  {
    module: 'torch.nn.modules.',
    name: /^[A-Z][A-Za-z0-9_]*$/,
    why: 'torch.nn layer classes in full-model pickles: instances are rebuilt from their __dict__ (parameters, buffers, hyper-parameters); their constructors are not called',
  },
  {
    module: 'torch.optim.',
    name: /^[A-Z][A-Za-z0-9]*$/,
    why: 'optimizers and LR schedulers saved as objects instead of state_dicts: restored from their __dict__ (hyper-parameters and state tensors); a schedule function they hold is imported and classified on its own',
  },
  { module: 'torch.cuda.amp.grad_scaler', name: /^GradScaler$/, why: 'mixed-precision loss scaler: a scale and counters' },
  { module: 'torch.amp.grad_scaler', name: /^GradScaler$/, why: 'mixed-precision loss scaler: a scale and counters' },
  { module: 'torch.nn.functional', name: /^[a-z][a-z0-9_]*$/, why: 'activation functions stored as layer attributes (TransformerEncoderLayer.activation); referenced, not called, while loading' },
  { module: 'torch.nn.modules.activation', name: /^[a-z][a-z0-9_]*$/, why: 'same functions reached through the activation module' },
  { module: '__torch__.', name: /^[A-Za-z_][A-Za-z0-9_]*$/, why: 'TorchScript class names, resolved by the TorchScript loader from the archive, never by Python import' },
  { module: 'numpy', name: new RegExp(`^(?:${NUMPY_SCALARS.join('|')})$`), why: 'numpy scalar types (dtype=np.float64 in estimator parameters)' },
  ...['numpy', 'numpy.core._multiarray_umath', 'numpy._core._multiarray_umath', 'numpy.core.umath', 'numpy._core.umath'].map((module) => ({
    module,
    name: new RegExp(`^(?:${NUMPY_UFUNCS.join('|')})$`),
    why: 'arithmetic ufuncs, referenced by estimators (FunctionTransformer(np.log1p)); they compute, never touch files',
  })),
  ...['numpy', 'numpy.core.fromnumeric', 'numpy._core.fromnumeric', 'numpy.lib.function_base', 'numpy.lib._function_base_impl', 'numpy.lib.nanfunctions', 'numpy.lib._nanfunctions_impl'].map((module) => ({
    module,
    name: new RegExp(`^(?:${NUMPY_FUNCTIONS.join('|')})$`),
    why: 'array computations passed as estimator parameters; they compute on arrays, never touch files',
  })),
  { module: 'numpy.dtypes', name: /^[A-Z][A-Za-z0-9]*DType$/, why: 'numpy 2 dtype classes' },
  { module: 'numpy.random._', name: /^(?:MT19937|PCG64|PCG64DXSM|Philox|SFC64)$/, why: 'bit generators: integer state only' },
  {
    module: 'scipy.sparse.',
    name: /^(?:csr|csc|coo|bsr|dia|dok|lil)_(?:matrix|array)$/,
    why: 'sparse matrices (vectorizer outputs, some estimators): arrays of data, indices and pointers',
  },
  ...['pandas.core.', 'pandas._libs.'].map((module) => ({
    module,
    name: /^(?:_?[A-Z][A-Za-z0-9_]*|__pyx_unpickle_[A-Za-z0-9_]+|_unpickle_[a-z_]+|_new_[A-Za-z]+)$/,
    why: 'pandas data structures (DataFrame, Series, Index, blocks, extension arrays, dtypes, timestamps) and the helpers their pickles call; pandas.io (files, SQL, HDF5) is not included',
  })),
  ...['transformers.training_args', 'transformers.training_args_seq2seq', 'transformers.trainer_utils', 'transformers.debug_utils', 'transformers.trainer_pt_utils', 'accelerate.utils.dataclasses'].map((module) => ({
    module,
    name: /^[A-Z][A-Za-z0-9]*$/,
    why: 'training_args.bin in Hugging Face repositories: TrainingArguments dataclasses and their enums (IntervalStrategy, SchedulerType, OptimizerNames, DistributedType), restored from plain values',
  })),
  ...['sklearn.metrics.', 'sklearn.feature_selection.', 'sklearn.preprocessing.'].map((module) => ({
    module,
    name: /^[a-z][a-z0-9_]*$/,
    why: 'scoring, feature-scoring and transform functions estimators hold as parameters (SelectKBest(f_classif), make_scorer(f1_score)): computations on arrays. Data loaders (sklearn.datasets) are not in these packages',
  })),
  {
    module: 'sklearn.',
    // Classes, plus the two Cython helpers their pickles call: __pyx_unpickle_<Cls>(type, checksum, state)
    // restores an extension type's fields after a layout checksum; newObj(cls) is cls.__new__(cls).
    name: /^(?:_?[A-Z][A-Za-z0-9_]*|__pyx_unpickle_[A-Za-z0-9_]+|newObj)$/,
    why: 'scikit-learn estimators, transformers, pipelines, trees and losses: classes restored from their __dict__ by BaseEstimator.__setstate__; any function they hold (FunctionTransformer) is a separate import, classified on its own',
  },
];
