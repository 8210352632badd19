import { describe, expect, it } from 'vitest';
import { pipInstallsOf } from '../../../packages/scan-deps/src/parsers/pip-command';
import { shellCommand, shellWords } from '../../../packages/scan-deps/src/parsers/shell-words';

describe('shell words', () => {
  it('splits like shlex: quotes, escapes, empty strings', () => {
    expect(shellWords(`pip install "torch==2.0.1" 'numpy>=1,<2' a\\ b ""`)).toEqual(['pip', 'install', 'torch==2.0.1', 'numpy>=1,<2', 'a b', '']);
  });
  it('reads unquoted redirects as the shell does', () => {
    expect(shellCommand('pip install numpy>=1.24 pandas 2>&1 >/dev/null')).toEqual({
      words: ['pip', 'install', 'numpy', 'pandas'],
      redirects: ['>=1.24', '>1', '>/dev/null'],
    });
  });
});

describe('pip install command lines', () => {
  it.each([
    ['pip install numpy==1.24.3 pandas', ['numpy==1.24.3', 'pandas']],
    ['pip -q install numpy', ['numpy']],
    ['pip --disable-pip-version-check --log /tmp/pip.log install numpy', ['numpy']],
    ['python -m pip install -U "transformers[torch]>=4.30"', ['transformers[torch]>=4.30']],
    ['/usr/bin/python3.11 -m pip install --upgrade pip', ['pip']],
    ['{sys.executable} -m pip install -r requirements.txt -c constraints.txt', ['-r requirements.txt', '-c constraints.txt']],
    ['uv pip install --system "torch==2.1.0" --index-url https://download.pytorch.org/whl/cu118', ['torch==2.1.0']],
    ['pip3 install -e git+https://github.com/org/repo.git#egg=repo --no-deps', ['-e git+https://github.com/org/repo.git#egg=repo']],
    ['pip install --requirement=reqs.txt -t ./vendor six', ['--requirement=reqs.txt', 'six']],
    ['cd /content && pip install accelerate==0.21.0 # pin for colab', ['accelerate==0.21.0']],
    ['pip install -qr requirements.txt comet_ml', ['-r requirements.txt', 'comet_ml']],
    ['pip install -Uqrreqs.txt -qi https://example.com/simple six', ['-r reqs.txt', 'six']],
    ['echo pip install nothing', []],
    ['pip list', []],
  ])('%s', (command, lines) => {
    expect(pipInstallsOf(command).flatMap((i) => i.lines)).toEqual(lines);
  });

  it('reads conda installs as conda specs and flags interpolation', () => {
    expect(pipInstallsOf('conda install -y -c pytorch -c nvidia pytorch=2.1.0 pytorch-cuda=11.8')).toEqual([
      { installer: 'conda', lines: ['pytorch=2.1.0', 'pytorch-cuda=11.8'], interpolated: [], lostBounds: [] },
    ]);
    expect(pipInstallsOf('pip install $PKG torch=={version}')[0]?.interpolated).toEqual(['$PKG', 'torch=={version}']);
  });
});
