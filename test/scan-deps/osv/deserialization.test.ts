import { describe, expect, it } from 'vitest';
import { deserializationTag, matchVulnerabilities, toOsvVulnerability } from '../../../packages/scan-deps/src/osv/index';
import { sharedAdvisories } from './shared-data';

describe('unsafe-deserialization tag on the 398 real advisories', () => {
  const all = [...sharedAdvisories().values()];
  const tagged = all.filter((a) => deserializationTag(a)).map((a) => a.id).sort();

  it('tags exactly the 12 advisories about loading untrusted serialized data', () => {
    expect(tagged).toEqual([
      'PYSEC-2018-49', // pyyaml: yaml.load() executes arbitrary code (before 5.1)
      'PYSEC-2019-108', // numpy: numpy.load uses pickle unsafely (disputed)
      'PYSEC-2020-107', // scikit-learn: joblib.load unserializes and executes commands (disputed)
      'PYSEC-2020-176', // pyyaml 5.1-5.1.2: class deserialization, Popen
      'PYSEC-2020-73', // pandas: read_pickle executes commands (disputed)
      'PYSEC-2020-96', // pyyaml: full_load / FullLoader code execution (CVE-2020-1747)
      'PYSEC-2021-142', // pyyaml: full_load code execution (CVE-2020-14343)
      'PYSEC-2021-300', // tensorflow/keras: model_from_yaml uses yaml.unsafe_load
      'PYSEC-2024-82', // mindsdb: deserialization of an uploaded model runs code
      'PYSEC-2024-83',
      'PYSEC-2024-84',
      'PYSEC-2024-85',
    ]);
  });

  it('leaves out advisories that only mention pickle or a Deserialize op', () => {
    const ids = new Set(tagged);
    expect(ids.has('PYSEC-2020-108')).toBe(false); // libsvm crash on a crafted model "introduced via pickle, json..."
    expect(ids.has('PYSEC-2021-407')).toBe(false); // TensorFlow DeserializeSparse shape inference null pointer
  });

  it('tags by CWE-502 when the advisory lists it (GitHub advisories do)', () => {
    const ghsa = toOsvVulnerability({ id: 'GHSA-test', summary: 'Keras model loading', database_specific: { cwe_ids: ['CWE-502'] } }, 't');
    expect(deserializationTag(ghsa)).toEqual({ reason: 'CWE-502' });
  });

  it('recognises torch.load, safe_mode and trust_remote_code wording', () => {
    const texts = [
      'torch.load with weights_only=True can still lead to remote code execution',
      'Keras Model.load_model bypasses safe_mode=True, allowing arbitrary code execution',
      'A model with trust_remote_code executes code from the hub',
    ];
    for (const details of texts) expect([details, deserializationTag(toOsvVulnerability({ id: 'X', details }, 't')) !== undefined]).toEqual([details, true]);
  });

  it('carries the tag onto the match (PyYAML 5.3 is hit by two tagged advisories)', () => {
    const pyyaml = all.filter((a) => a.affected.some((e) => e.package?.name === 'pyyaml'));
    const matches = matchVulnerabilities({ name: 'PyYAML', version: '5.3' }, pyyaml);
    expect(matches.map((m) => [m.id, m.deserialization !== undefined])).toEqual([
      ['PYSEC-2020-96', true],
      ['PYSEC-2021-142', true],
    ]);
  });
});
