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

/** conda/mamba options that take a value. */
const CONDA_VALUE_OPTIONS = new Set(['-c', '--channel', '-n', '--name', '-p', '--prefix', '--file', '--override-channels', '--repodata-fn', '--solver']);

export interface PipInstall {
  /** `pip` lines are requirements-file lines; `conda` lines are conda package specs. */
  installer: 'pip' | 'conda';
  /** Requirements-file lines: `numpy==1.24`, `-r requirements.txt`, `-e git+...`. */
  lines: string[];
  /** Words that hold shell or Python interpolation (`$VERSION`, `{pkg}`): not knowable statically. */
  interpolated: string[];
  /** Unquoted version bounds the shell took as redirects: `numpy>=1.24` installs numpy, writes `=1.24`. */
  lostBounds: string[];
}

/** Words that run the next word as the command. */
const PREFIXES = new Set(['sudo', 'time', 'exec', 'env', 'nohup', 'command']);

/** A Python interpreter: `python`, `python3.11`, `/usr/bin/python3`, IPython's `{sys.executable}`. */
function isPython(word: string): boolean {
  return /(^|\/)python(\d+(\.\d+)?)?$/.test(word) || word === '{sys.executable}' || word === '$(which python)';
}

/** Is `word` conda or one of its drop-in replacements? */
function isConda(word: string): boolean {
  return /(^|\/)(conda|mamba|micromamba)$/.test(word);
}

/** Is `word` the pip program: `pip`, `pip3`, `pip3.11`, `/usr/bin/pip`? */
function isPip(word: string): boolean {
  return /(^|\/)pip(\d+(\.\d+)?)?$/.test(word);
}

/**
 * The packages a shell command line asks pip (or conda) to install: `pip install -U "torch==2.0" numpy`,
 * `pip -q install x`, `python -m pip install -r req.txt`, `uv pip install ...`, `conda install -c
 * pytorch pytorch=2.1`, possibly after `&&` or `;`.
 * Each requirement becomes its own requirements-file line; install-only options are dropped.
 */
export function pipInstallsOf(command: string): PipInstall[] {
  const installs: PipInstall[] = [];
  for (const segment of command.split(/&&|\|\||;|\|/)) {
    const { words, redirects } = shellCommand(segment);
    // The program is the command word (after `VAR=value` assignments and `sudo`-like prefixes):
    // `pip [general options] install`, `python [-X] -m pip install`, `uv pip install`, `conda install`.
    let at = 0;
    while (at < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[at] ?? '') || PREFIXES.has(words[at] ?? ''))) at++;
    const program = words[at] ?? '';
    if (isPython(program)) {
      at++;
      while (at < words.length && words[at] !== '-m' && (words[at] ?? '').startsWith('-')) at++;
      at = words[at] === '-m' ? at + 1 : words.length;
    } else if (/(^|\/)uv$/.test(program) && words[at + 1] === 'pip') at++;
    let start = -1;
    let installer: PipInstall['installer'] = 'pip';
    const w = words[at] ?? '';
    if (isPip(w) || isConda(w)) {
      let j = at + 1;
      while (j < words.length && (words[j] ?? '').startsWith('-')) j += VALUE_OPTIONS.has(words[j] ?? '') ? 2 : 1;
      if (words[j] === 'install') {
        start = j + 1;
        installer = isConda(w) ? 'conda' : 'pip';
      }
    }
    if (start === -1) continue;
    const install: PipInstall = {
      installer,
      lines: [],
      interpolated: [],
      lostBounds: redirects.filter((r) => /^[<>][=\d.]/.test(r)),
    };
    if (installer === 'conda') {
      for (let i = start; i < words.length; i++) {
        const word = words[i] ?? '';
        if (word.startsWith('#')) break;
        if (CONDA_VALUE_OPTIONS.has(word)) i++;
        else if (/\$\w|\$\{|\{[^}]*\}/.test(word)) install.interpolated.push(word);
        else if (!word.startsWith('-')) install.lines.push(word);
      }
      installs.push(install);
      continue;
    }
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
      // A cluster of short options, as optparse reads it: `-qr req.txt`, `-Ur req.txt`, `-qrreq.txt`.
      // Flags until the first option that takes a value, which takes the rest of the cluster or the next word.
      if (/^-[A-Za-z]{2,}/.test(word)) {
        for (let k = 1; k < word.length; k++) {
          const option = `-${word[k] ?? ''}`;
          if (!FILE_OPTIONS.has(option) && !VALUE_OPTIONS.has(option)) continue;
          let value = word.slice(k + 1);
          if (value === '') {
            value = words[i + 1] ?? '';
            i++;
          }
          if (FILE_OPTIONS.has(option) && value !== '') install.lines.push(`${option} ${value}`);
          break;
        }
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
