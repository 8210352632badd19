import { describe, expect, it } from 'vitest';
import { isPathLike, isUrl, nameFromUrl } from '../../../packages/scan-deps/src/parsers/direct-url';

describe('names behind direct URLs', () => {
  it.each([
    ['git+https://github.com/acme/fraud-features.git@7d1c0f8#egg=fraud_features', 'fraud_features', undefined],
    ['https://files.pythonhosted.org/packages/4f/1a/mlflow-2.5.0-py3-none-any.whl', 'mlflow', '2.5.0'],
    ['file:///tmp/wheels/torch-2.0.1%2Bcu118-cp310-cp310-linux_x86_64.whl', 'torch', '2.0.1+cu118'],
    ['./vendor/fraud_features-0.3.1-py3-none-any.whl', 'fraud_features', '0.3.1'],
    ['https://example.com/dist/scikit-learn-1.3.2.tar.gz', 'scikit-learn', '1.3.2'],
    // Repository names, for VCS URLs without #egg= (pip learns the name by building).
    ['git+https://github.com/huggingface/peft', 'peft', undefined],
    ['git+https://github.com/huggingface/transformers.git@main', 'transformers', undefined],
    ['git+ssh://git@github.com/openai/CLIP.git', 'CLIP', undefined],
    ['git+https://github.com/org/mono.git@v1#subdirectory=libs/feature_store', 'feature_store', undefined],
    ['https://example.com/archive/main.zip', undefined, undefined],
  ])('%s', (url, name, version) => {
    const got = nameFromUrl(url);
    expect(got.name).toBe(name);
    expect(got.version).toBe(version);
  });

  it('tells URLs and paths from requirement names', () => {
    expect(['git+https://x/y', 'https://x/y.whl', 'file:///x'].every(isUrl)).toBe(true);
    expect(isUrl('numpy>=1')).toBe(false);
    expect(['./pkg', '../pkg[extra]', '/abs/pkg', 'dist/x-1.0.whl', 'C:\\pkgs\\x'].every(isPathLike)).toBe(true);
    expect(['numpy', 'name @ https://x/y', 'zope.interface'].some(isPathLike)).toBe(false);
  });
});
