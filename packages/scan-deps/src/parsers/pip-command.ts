import { shellCommand } from './shell-words';

/** pip install options that take a value, which must not be read as a requirement. */
const VALUE_OPTIONS = new Set([
  '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '-t', '--target', '--prefix', '--root',
  '--upgrade-strategy', '--progress-bar', '--python-version', '--platform', '--implementation', '--abi',
  '--only-binary', '--no-binary', '--src', '--log', '--cache-dir', '--proxy', '--retries', '--timeout',
  '--trusted-host', '--report', '-C', '--config-settings', '--global-option', '--python', '--exists-action',
  '--cert', '--client-cert', '--keyring-provider', '--use-feature', '--use-deprecated', '--root-user-action',
]);
/** Options whose value names requirements: kept, as requirements-file lines. */
const FILE_OPTIONS = new Set(['-r', '--requirement', '-c', '--constraint', '-e', '--editable']);

export interface PipInstall {
  /** Requirements-file lines: `numpy==1.24`, `-r requirements.txt`, `-e git+...`. */
  lines: string[];
  /** Words that hold shell or Python interpolation (`$VERSION`, `{pkg}`): not knowable statically. */
  interpolated: string[];
  /** Unquoted version bounds the shell took as redirects: `numpy>=1.24` installs numpy, writes `=1.24`. */
  lostBounds: string[];
}

/** Is `word` the pip program: `pip`, `pip3`, `pip3.11`, `/usr/bin/pip`? */
function isPip(word: string): boolean {
  return /(^|\/)pip(\d+(\.\d+)?)?$/.test(word);
}

/**
 * The packages a shell command line asks pip to install: `pip install -U "torch==2.0" numpy`,
 * `python -m pip install -r req.txt`, `uv pip install ...`, possibly after `&&` or `;`.
 * Each requirement becomes its own requirements-file line; install-only options are dropped.
 */
export function pipInstallsOf(command: string): PipInstall[] {
  const installs: PipInstall[] = [];
  for (const segment of command.split(/&&|\|\||;|\|/)) {
    const { words, redirects } = shellCommand(segment);
    let start = -1;
    for (let i = 0; i + 1 < words.length; i++) {
      const w = words[i] ?? '';
      const next = words[i + 1] ?? '';
      if (isPip(w) && next === 'install') start = i + 2;
      else if (w === '-m' && isPip(next) && words[i + 2] === 'install') start = i + 3;
      if (start !== -1) break;
    }
    if (start === -1) continue;
    const install: PipInstall = { lines: [], interpolated: [], lostBounds: redirects.filter((r) => /^[<>][=\d.]/.test(r)) };
    for (let i = start; i < words.length; i++) {
      const word = words[i] ?? '';
      if (word.startsWith('#')) break;
      if (FILE_OPTIONS.has(word)) {
        const value = words[i + 1];
        i++;
        if (value !== undefined) install.lines.push(`${word} ${value}`);
        continue;
      }
      if (/^--(requirement|constraint|editable)=/.test(word)) {
        install.lines.push(word);
        continue;
      }
      if (VALUE_OPTIONS.has(word)) {
        i++;
        continue;
      }
      if (word.startsWith('-')) continue;
      if (/\$\w|\$\{|\{[^}]*\}/.test(word)) {
        install.interpolated.push(word);
        continue;
      }
      install.lines.push(word);
    }
    installs.push(install);
  }
  return installs;
}
