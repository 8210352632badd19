import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assignFingerprints, buildReport } from '@aisec/core';
import { describe, expect, it } from 'vitest';
import { CODE_RULES, scanPythonSource } from '../../../packages/scan-pickle/src/code/index';

const FIXTURES = join(import.meta.dirname, '../../fixtures/scan-pickle/code');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

type Row = [ruleId: string, line: number, column: number, evidence: string];

const rows = (findings: Awaited<ReturnType<typeof scanPythonSource>>['findings']): Row[] =>
  findings.map((f) => [f.ruleId, f.location.line ?? 0, f.location.column ?? 0, f.evidence ?? '']);

describe('scanPythonSource on finetune_unsafe.py', () => {
  it('finds every unsafe load at its line and column, with aliases resolved', async () => {
    const result = await scanPythonSource(fixture('finetune_unsafe.py'), 'train/finetune_unsafe.py');
    expect(rows(result.findings)).toEqual<Row[]>([
      ['AISEC-PKL-101', 36, 16, 'pickle.load()'], // pk.load via `import pickle as pk`
      ['AISEC-PKL-101', 40, 12, 'pickle.loads()'], // `from pickle import loads`
      ['AISEC-PKL-101', 45, 17, 'cPickle.load()'],
      ['AISEC-PKL-101', 46, 18, '_pickle.Unpickler()'],
      ['AISEC-PKL-101', 47, 17, 'pickle.Unpickler()'],
      ['AISEC-PKL-102', 52, 13, 'torch.load(weights_only missing)'],
      ['AISEC-PKL-103', 53, 14, 'torch.load(weights_only=False)'], // `from torch import load as tl`
      ['AISEC-PKL-102', 54, 13, 'torch.serialization.load(weights_only hidden in **kwargs)'],
      ['AISEC-PKL-105', 59, 18, 'numpy.load(allow_pickle=True)'],
      ['AISEC-PKL-105', 60, 14, 'numpy.load(allow_pickle=True)'], // third positional argument
      ['AISEC-PKL-106', 61, 13, 'pandas.read_pickle()'],
      ['AISEC-PKL-104', 66, 12, 'joblib.load()'],
      ['AISEC-PKL-101', 71, 31, 'dill.loads (passed as a function)'],
      ['AISEC-PKL-101', 73, 14, 'cloudpickle.load()'],
      ['AISEC-PKL-107', 74, 10, 'shelve.open()'],
      ['AISEC-PKL-111', 76, 12, 'marshal.loads()'],
      ['AISEC-PKL-108', 83, 13, 'yaml.load(Loader missing)'],
      ['AISEC-PKL-108', 84, 15, 'yaml.load(Loader=yaml.Loader)'], // `from yaml import Loader as YamlLoader`
      ['AISEC-PKL-108', 85, 18, 'yaml.load(Loader=yaml.CLoader)'], // positional Loader
      ['AISEC-PKL-108', 86, 40, 'yaml.unsafe_load()'],
      ['AISEC-PKL-108', 86, 64, 'yaml.full_load()'],
      ['AISEC-PKL-109', 90, 5, 'tensorflow.keras.config.enable_unsafe_deserialization()'],
      ['AISEC-PKL-109', 91, 13, 'tensorflow.keras.models.load_model(safe_mode=False)'], // `from tensorflow import keras`
      ['AISEC-PKL-109', 92, 13, 'tensorflow.keras.models.load_model(safe_mode=False)'], // tf.keras
      ['AISEC-PKL-110', 97, 13, 'transformers.AutoModelForCausalLM.from_pretrained(trust_remote_code=True)'],
      ['AISEC-PKL-110', 98, 17, 'transformers.AutoTokenizer.from_pretrained(trust_remote_code=True)'], // TRUST = True
      ['AISEC-PKL-110', 99, 71, "transformers.pipeline({'trust_remote_code': True})"],
      ['AISEC-PKL-110', 100, 12, 'datasets.load_dataset(trust_remote_code=True)'],
      ['AISEC-PKL-110', 101, 16, 'torch.hub.load()'],
      ['AISEC-PKL-101', 106, 13, 'pickle.loads()'], // getattr(pk, "loads")
      ['AISEC-PKL-101', 107, 14, 'pickle.loads()'], // __import__("pickle").loads
    ]);
    expect(result.notes).toEqual([]);
    expect(result.stats).toMatchObject({ files: 1, unitsWithSyntaxErrors: 0 });
  });

  it('gives every finding medium severity, an end position, help naming the alternative, and a report the core accepts', async () => {
    const result = await scanPythonSource(fixture('finetune_unsafe.py'), 'train/finetune_unsafe.py');
    for (const f of result.findings) {
      expect(f.severity).toBe('medium');
      expect(f.location.path).toBe('train/finetune_unsafe.py');
      expect(f.location.endLine).toBeGreaterThanOrEqual(f.location.line ?? 0);
      expect(f.help?.length).toBeGreaterThan(20);
    }
    const torch = result.findings.find((f) => f.ruleId === 'AISEC-PKL-102');
    expect(torch?.help).toContain('weights_only=True');
    expect(torch?.location).toMatchObject({ line: 52, column: 13, endLine: 52, endColumn: 50 });
    expect(result.findings.find((f) => f.ruleId === 'AISEC-PKL-108')?.help).toContain('yaml.safe_load');
    expect(result.findings.find((f) => f.evidence?.endsWith('(safe_mode=False)'))?.help).toContain('safe_mode=True');
    expect(result.findings.find((f) => f.ruleId === 'AISEC-PKL-101')?.help).toContain('safetensors');
    const hidden = result.findings.find((f) => f.evidence?.includes('hidden in **kwargs'));
    expect(hidden?.message).toContain('**load_args');
    const report = buildReport({ gate: 'scan-pickle', version: '0', findings: assignFingerprints(result.findings) }, CODE_RULES);
    expect(new Set(report.findings.map((f) => f.fingerprint)).size).toBe(report.findings.length);
  });
});

describe('scanPythonSource on inference_safe.py', () => {
  it('reports none of the safe twins', async () => {
    const result = await scanPythonSource(fixture('inference_safe.py'), 'serve/inference_safe.py');
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual([]);
  });
});

describe('scanPythonSource edge cases', () => {
  const scan = async (source: string) => (await scanPythonSource(source, 'snippet.py')).findings;

  it('keeps evidence (and so fingerprints) the same whatever the alias is called', async () => {
    const [a] = await scan('import pickle as a\na.loads(x)\n');
    const [b] = await scan('import pickle as serializer\n\n\nobj = serializer.loads(x)\n');
    expect(a?.evidence).toBe('pickle.loads()');
    expect(b?.evidence).toBe(a?.evidence);
    const [fa] = assignFingerprints([a!]);
    const [fb] = assignFingerprints([{ ...b!, location: { ...b!.location, path: 'snippet.py' } }]);
    expect(fa?.fingerprint).toBe(fb?.fingerprint);
  });

  it('says when it assumed a module for a name nothing imports, and does not when the name is local', async () => {
    const [assumed] = await scan('state = torch.load("ckpt.pt")\n');
    expect(assumed?.evidence).toBe('torch.load(weights_only missing)');
    expect(assumed?.message).toContain('no import of torch is visible here');
    expect(assumed?.properties?.importAssumed).toBe(true);
    expect(await scan('def run(torch):\n    return torch.load("x")\n')).toEqual([]);
    expect(await scan('np = Namespace()\nnp.load("x", allow_pickle=True)\n')).toEqual([]);
  });

  it('resolves star imports, module aliases of submodules and assigned aliases', async () => {
    expect((await scan('from torch import *\nload("x")\n')).map((f) => f.evidence)).toEqual([
      'torch.load(weights_only missing)',
    ]);
    expect((await scan('import torch.serialization as ser\nser.load("x")\n')).map((f) => f.evidence)).toEqual([
      'torch.serialization.load(weights_only missing)',
    ]);
    expect((await scan('import joblib\nrestore = joblib.load\nmodel = restore("m.joblib")\n')).map((f) => [f.location.line, f.evidence])).toEqual([
      [3, 'joblib.load()'],
    ]);
    expect((await scan('import importlib\nm = importlib.import_module("dill")\nm.load(f)\n')).map((f) => f.evidence)).toEqual([
      'dill.load()',
    ]);
  });

  it('tells a weights_only it cannot evaluate from one it can', async () => {
    const findings = await scan(
      'import torch\nSAFE = True\nSAFE = False\ntorch.load(p, weights_only=args.safe)\ntorch.load(p, weights_only=SAFE)\ntorch.load(p, weights_only=None)\n',
    );
    expect(findings.map((f) => f.evidence)).toEqual([
      'torch.load(weights_only=<expression>)',
      'torch.load(weights_only=<expression>)', // SAFE is assigned twice: not a constant
      'torch.load(weights_only=None)',
    ]);
    expect(findings[0]?.message).toContain('`args.safe`, which the scanner cannot evaluate');
  });

  it('accepts a wrapper whose weights_only parameter defaults to True, not one defaulting to False', async () => {
    const findings = await scan(
      [
        'import torch',
        'def torch_load(*args, weights_only=True, **kwargs):',
        '    return torch.load(*args, weights_only=weights_only, **kwargs)',
        'def unsafe_load(path, weights_only: bool = False):',
        '    return torch.load(path, weights_only=weights_only)',
      ].join('\n'),
    );
    expect(findings.map((f) => [f.location.line, f.evidence])).toEqual([[5, 'torch.load(weights_only=<expression>)']]);
  });

  it('reports torch.hub downloads loaded without weights_only=True, and MLflow model loaders', async () => {
    const findings = await scan(
      [
        'import mlflow',
        'from torch.hub import load_state_dict_from_url',
        'from torch.utils import model_zoo',
        'sd = load_state_dict_from_url(URL, check_hash=True)',
        'sd = load_state_dict_from_url(URL, weights_only=True)',
        'sd = model_zoo.load_url(URL)',
        'model = mlflow.pyfunc.load_model("models:/churn/Production")',
      ].join('\n'),
    );
    expect(findings.map((f) => [f.location.line, f.evidence])).toEqual([
      [4, 'torch.hub.load_state_dict_from_url(weights_only missing)'],
      [6, 'torch.utils.model_zoo.load_url(weights_only missing)'],
      [7, 'mlflow.pyfunc.load_model()'],
    ]);
    expect(findings[0]?.message).toContain('its own weights_only defaults to False');
  });

  it('reads YAML loaders through local subclasses, getattr fallbacks and try/except imports', async () => {
    const source = [
      'import yaml',
      'try:',
      '    from yaml import CLoader as FastLoader',
      'except ImportError:',
      '    from yaml import Loader as FastLoader',
      'class EnvLoader(yaml.FullLoader):',
      '    pass',
      'yaml.load(s, Loader=FastLoader)',
      'yaml.load(s, Loader=EnvLoader)',
      'yaml.load(s, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))',
      'yaml.load(s, Loader=loaders.pick())',
      'yaml.load(s, Loader=myproject.StrictSafeLoader)',
      'yaml.load(s, **opts)',
      'from ruamel.yaml import YAML',
      'YAML(typ="unsafe").load(s)',
      'YAML(typ="safe").load(s)',
      'YAML().load(s)',
    ].join('\n');
    expect((await scan(source)).map((f) => [f.location.line, f.evidence])).toEqual([
      [8, 'yaml.load(Loader=yaml.CLoader)'],
      [9, 'yaml.load(Loader=yaml.FullLoader)'],
      [11, 'yaml.load(Loader unresolved)'],
      [13, 'yaml.load(Loader hidden in arguments)'],
      [15, "ruamel.yaml.YAML(typ='unsafe')"],
    ]);
  });

  it('says whether trust_remote_code runs code pinned to a commit', async () => {
    const [pinned, branch] = await scan(
      [
        'from transformers import AutoModel',
        'REV = "0123456789abcdef0123456789abcdef01234567"',
        'AutoModel.from_pretrained(n, trust_remote_code=True, revision=REV)',
        'AutoModel.from_pretrained(n, trust_remote_code=True, revision="main")',
      ].join('\n'),
    );
    expect(pinned?.message).toContain('at the pinned commit 0123456789ab');
    expect(pinned?.properties?.revisionPinned).toBe(true);
    expect(branch?.message).toContain('no commit hash pinned');
    expect(branch?.evidence).toBe(pinned?.evidence);
  });

  it('reports trust_remote_code only for a True it can see', async () => {
    const findings = await scan(
      [
        'from transformers import AutoModel',
        'AutoModel.from_pretrained(n, trust_remote_code=cfg.trust_remote_code)',
        'AutoModel.from_pretrained(n, trust_remote_code=False)',
        'AutoModel.from_pretrained(n, **dict(trust_remote_code=True))',
        'kwargs = {"trust_remote_code": True}',
      ].join('\n'),
    );
    expect(findings.map((f) => [f.location.line, f.location.column, f.evidence])).toEqual([
      [4, 32, 'dict(trust_remote_code=True)'],
      [5, 11, "dict({'trust_remote_code': True})"],
    ]);
  });

  it('reads safe_mode by keyword or position, and keeps the default', async () => {
    const findings = await scan(
      [
        'from keras.saving import load_model, deserialize_keras_object',
        'load_model("m.keras", None, True, False)',
        'load_model("m.keras", None, False)',
        'deserialize_keras_object(cfg, None, False)',
        'deserialize_keras_object(cfg, safe_mode=True)',
      ].join('\n'),
    );
    expect(findings.map((f) => [f.location.line, f.evidence])).toEqual([
      [2, 'keras.saving.load_model(safe_mode=False)'],
      [4, 'keras.saving.deserialize_keras_object(safe_mode=False)'],
    ]);
  });

  it('reports an Unpickler subclass that restricts nothing, not one that overrides find_class', async () => {
    const findings = await scan(
      [
        'import pickle',
        'class Plain(pickle.Unpickler):',
        '    pass',
        'class Restricted(pickle.Unpickler):',
        '    @staticmethod',
        '    def find_class(module, name):',
        '        raise pickle.UnpicklingError(name)',
        'class Derived(Restricted):',
        '    pass',
        'class Chained(Plain):',
        '    pass',
        'a = Plain(f).load()',
        'b = Restricted(f).load()',
        'c = Derived(f).load()',
        'd = Chained(f).load()',
      ].join('\n'),
    );
    expect(findings.map((f) => [f.location.line, f.location.column, f.evidence])).toEqual([
      [12, 5, 'pickle.Unpickler subclass without find_class'],
      [15, 5, 'pickle.Unpickler subclass without find_class'],
    ]);
  });

  it('reports torch.load passed on as a function unless the safe keyword is bound with it', async () => {
    const findings = await scan(
      [
        'import functools, torch',
        'states = list(map(torch.load, paths))',
        'safe = functools.partial(torch.load, weights_only=True)',
        'unsafe = functools.partial(torch.load, map_location="cpu")',
      ].join('\n'),
    );
    expect(findings.map((f) => [f.location.line, f.location.column, f.evidence])).toEqual([
      [2, 19, 'torch.load (passed as a function)'],
      [4, 28, 'torch.load (passed as a function)'],
    ]);
  });

  it('does not report a loader used as a base class or an isinstance argument', async () => {
    expect(
      await scan('import pickle\nclass Safe(pickle.Unpickler):\n    pass\nisinstance(u, pickle.Unpickler)\nsorted(xs, key=len)\n'),
    ).toEqual([]);
  });

  it('counts columns in UTF-16 units, as SARIF does', async () => {
    const [f] = await scan('import pickle\nlabel = "modèle 😀"; obj = pickle.loads(blob)\n');
    // `label = "modèle 😀"; obj = ` is 27 UTF-16 units (the emoji is two; in UTF-8 bytes it would be 31).
    expect(f?.location).toMatchObject({ line: 2, column: 28 });
  });

  it('reads Python 2 (print statements, `except E, e`) and a latin-1 coding cookie without errors', async () => {
    const py2 = await scanPythonSource(fixture('legacy_py2.py'), 'legacy_py2.py');
    expect(rows(py2.findings)).toEqual<Row[]>([
      ['AISEC-PKL-101', 11, 13, 'cPickle.load()'],
      ['AISEC-PKL-101', 23, 12, 'cPickle.loads()'],
    ]);
    expect(py2.stats.unitsWithSyntaxErrors).toBe(0);
    expect(py2.notes).toEqual([]);
  });

  it('finds loads after an unclosed bracket by parsing the rest again, and notes the syntax error', async () => {
    const result = await scanPythonSource(fixture('half_edited.py'), 'half_edited.py');
    expect(rows(result.findings)).toEqual<Row[]>([
      ['AISEC-PKL-104', 15, 12, 'joblib.load()'],
      ['AISEC-PKL-102', 16, 13, 'torch.load(weights_only missing)'],
    ]);
    expect(result.stats.unitsWithSyntaxErrors).toBe(1);
    expect(result.notes).toEqual([
      expect.stringMatching(/^half_edited\.py: Python syntax errors from line 12, column 5 .*may be missed$/),
    ]);
  });

  it('stays linear on deeply nested code (30,000 nested calls analyze well within the budget)', async () => {
    const depth = 30_000;
    const source = `import pickle\nx = ${'f('.repeat(depth)}${')'.repeat(depth)}\npickle.loads(b)\n`;
    const result = await scanPythonSource(source, 'deep.py', { parseTimeMs: 10_000 });
    expect(result.findings.map((f) => [f.location.line, f.evidence])).toEqual([[3, 'pickle.loads()']]);
  });

  it('lists at most 1000 findings per file and says how many more there are', async () => {
    const depth = 1500;
    const source = `import pickle\nx = ${'pickle.loads('.repeat(depth)}b${')'.repeat(depth)}\n`;
    const result = await scanPythonSource(source, 'flood.py');
    expect(result.findings).toHaveLength(1000);
    expect(result.notes).toEqual(['flood.py: 500 more unsafe loads not listed (only the first 1000 are reported per file)']);
  });

  it('gives up on a parse that exceeds its time budget with a low finding, not a hang', async () => {
    const huge = 'import pickle\n' + 'value = compute(value, 1) + other[2] * 3\n'.repeat(200_000) + 'pickle.loads(b)\n';
    const result = await scanPythonSource(huge, 'generated.py', { parseTimeMs: 5 });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ ruleId: 'AISEC-PKL-112', severity: 'low', evidence: 'time budget exceeded' });
    // The parser is reusable after a cancelled parse.
    expect((await scanPythonSource('import pickle\npickle.loads(b)\n', 'after.py')).findings).toHaveLength(1);
  });
});
