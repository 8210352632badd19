import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  isValidVersion,
  normalizeName,
  normalizeVersion,
  SpecifierSet,
} from '../../../packages/scan-deps/src/pep440/index';

// pypa/packaging's own test vectors, extracted as data (see /work/shared/data/osv/README.md).
const vectorsPath = new URL('../../../../shared/data/osv/pep440-vectors.json', import.meta.url);
interface Vectors {
  version_order: string[];
  invalid: string[];
  normalize: [string, string][];
  specifier_contains: [string, string, boolean, boolean | null, string, boolean][];
}
function isVectors(value: unknown): value is Vectors {
  if (typeof value !== 'object' || value === null) return false;
  const keys = ['version_order', 'invalid', 'normalize', 'specifier_contains'];
  return keys.every((k) => Array.isArray(Reflect.get(value, k)));
}
const parsed: unknown = JSON.parse(readFileSync(vectorsPath, 'utf8'));
if (!isVectors(parsed)) throw new Error(`${vectorsPath.pathname} is not the PEP 440 vector file`);
const vectors = parsed;

describe('PEP 440 vectors from pypa/packaging', () => {
  it('has the documented number of rows', () => {
    expect(vectors.version_order).toHaveLength(92);
    expect(vectors.invalid).toHaveLength(20);
    expect(vectors.normalize).toHaveLength(102);
    expect(vectors.specifier_contains).toHaveLength(411);
  });

  it('orders all 92 versions strictly ascending, pairwise', () => {
    const wrong: string[] = [];
    const order = vectors.version_order;
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j < order.length; j++) {
        const got = compareVersions(order[i]!, order[j]!);
        if (got !== Math.sign(i - j)) wrong.push(`${order[i]} vs ${order[j]}: ${got}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('rejects the 20 invalid versions', () => {
    expect(vectors.invalid.filter((v) => isValidVersion(v))).toEqual([]);
  });

  it('normalizes the 102 versions as packaging does', () => {
    const wrong = vectors.normalize.filter(([input, canonical]) => normalizeVersion(input) !== canonical);
    expect(wrong).toEqual([]);
  });

  it('decides all 411 specifier_contains rows as packaging does', () => {
    const wrong: string[] = [];
    for (const [spec, version, expected, prereleases] of vectors.specifier_contains) {
      const set = new SpecifierSet(spec, prereleases === null ? {} : { prereleases });
      const got = set.contains(version);
      if (got !== expected) wrong.push(`${spec} contains ${version} (prereleases=${prereleases}): got ${got}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('PEP 503 names', () => {
  it('folds case and runs of -_. to one dash', () => {
    expect(normalizeName('Pillow')).toBe('pillow');
    expect(normalizeName('PyYAML')).toBe('pyyaml');
    expect(normalizeName('scikit_learn')).toBe('scikit-learn');
    expect(normalizeName('zope.interface')).toBe('zope-interface');
    expect(normalizeName('Foo-_.Bar')).toBe('foo-bar');
    expect(normalizeName('tensorflow-gpu')).toBe('tensorflow-gpu');
  });
});

describe('specifier parsing and local versions', () => {
  it('rejects specifiers PEP 440 forbids', () => {
    for (const bad of ['~=1', '<1.*', '>=1.0+local', '=1.0', '==1.0.*.1', '~=1.0.*', 'foo']) {
      expect([bad, SpecifierSet.tryParse(bad)]).toEqual([bad, null]);
    }
    expect(SpecifierSet.tryParse('>= 1.0 , < 2')).not.toBeNull();
  });

  it('matches CUDA builds by their public version unless the spec names a local segment', () => {
    expect(new SpecifierSet('==1.13.1').contains('1.13.1+cu117')).toBe(true);
    expect(new SpecifierSet('==1.13.1+cu117').contains('1.13.1+cu117')).toBe(true);
    expect(new SpecifierSet('==1.13.1+cu118').contains('1.13.1+cu117')).toBe(false);
    expect(new SpecifierSet('<1.13.1').contains('1.13.1+cu117')).toBe(false);
    expect(new SpecifierSet('>=1.13.1,<1.14').contains('1.13.1+cu117')).toBe(true);
    expect(new SpecifierSet('!=1.13.*').contains('1.13.1+cu117')).toBe(false);
  });

  it('filters candidates as packaging does: pre-releases only when no final release matches', () => {
    expect(new SpecifierSet('>=1.0').filter(['0.9', '1.0', '2.0a1', '1.5'])).toEqual(['1.0', '1.5']);
    expect(new SpecifierSet('>=1.0').filter(['0.9', '2.0a1', '2.0b1'])).toEqual(['2.0a1', '2.0b1']);
    expect(new SpecifierSet('>=1.0').filter(['2.0a1', '1.5'], { prereleases: true })).toEqual(['2.0a1', '1.5']);
    expect(new SpecifierSet('>=1.0').filter(['2.0a1'], { prereleases: false })).toEqual([]);
    expect(new SpecifierSet('>=2.0a1').filter(['2.0a1', '1.5', '2.0'])).toEqual(['2.0a1', '2.0']);
  });

  it('reports a single pin', () => {
    expect(new SpecifierSet('==2.3.1').pinnedVersion).toBe('2.3.1');
    expect(new SpecifierSet('==2.*').pinnedVersion).toBeUndefined();
    expect(new SpecifierSet('>=2').pinnedVersion).toBeUndefined();
  });
});
