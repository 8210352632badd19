/**
 * The package name (and version, when the file name carries one) behind a direct URL, a VCS URL or a
 * local path: from `#egg=NAME`, a wheel file name (`NAME-VER-...whl`) or an sdist (`NAME-VER.tar.gz`).
 */
export function nameFromUrl(url: string): { name?: string; version?: string } {
  const egg = /[#&]egg=([^&]+)/.exec(url)?.[1];
  if (egg !== undefined) {
    const name = decodeURIComponent(egg).replace(/\[.*$/, '');
    if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return { name };
  }
  const file = decodeURIComponent(url.replace(/[#?].*$/, '').split(/[\\/]/).pop() ?? '');
  const wheel = /^([A-Za-z0-9_.]+?)-([^-]+)(?:-[^-]+)?-[^-]+-[^-]+-[^-]+\.whl$/.exec(file);
  if (wheel?.[1] !== undefined) return { name: wheel[1], version: wheel[2] };
  const sdist = /^([A-Za-z0-9][A-Za-z0-9._-]*?)-(\d[^-]*)\.(?:tar\.gz|tgz|zip|tar\.bz2|tbz|tar\.xz|txz|tar)$/i.exec(file);
  if (sdist?.[1] !== undefined) return { name: sdist[1], version: sdist[2] };
  return vcsRepositoryName(url);
}

/**
 * `pip install git+https://github.com/huggingface/peft` works without `#egg=` (pip builds the project
 * to learn its name), and notebooks are full of such lines. Without building, the best name is the
 * repository's (or its `subdirectory=`'s) last path segment: right for peft, transformers, CLIP,
 * bitsandbytes, whisper... Such dependencies are `url` kind, listed and never matched by version, so
 * a wrong guess cannot produce a false finding.
 */
function vcsRepositoryName(url: string): { name?: string } {
  if (!/^(git|hg|svn|bzr)\+/.test(url)) return {};
  const sub = /[#&]subdirectory=([^&]+)/.exec(url)?.[1];
  const path = sub ?? url.replace(/[#?].*$/, '').replace(/@[^/]*$/, '');
  const last = decodeURIComponent(path.replace(/\/+$/, '').split('/').pop() ?? '').replace(/\.git$/, '');
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(last) ? { name: last } : {};
}

/** A URL pip would fetch (`https://`, `file:`, `git+ssh://`...), as opposed to a PEP 508 requirement. */
export function isUrl(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) || /^(git|hg|svn|bzr)\+/.test(text) || text.startsWith('file:');
}

/** What pip treats as a local path or archive rather than a name: `./pkg`, `/abs`, `dist/x-1.0.whl`. */
export function isPathLike(text: string): boolean {
  const bare = text.replace(/\[[^\]]*\]$/, '');
  return (
    bare.startsWith('.') ||
    bare.startsWith('/') ||
    bare.startsWith('~') ||
    /^[A-Za-z]:[\\/]/.test(bare) ||
    /\.(whl|zip|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar)$/i.test(bare) ||
    ((bare.includes('/') || bare.includes('\\')) && !bare.includes('@'))
  );
}
