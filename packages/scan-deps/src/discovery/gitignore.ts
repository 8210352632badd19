import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** The largest .gitignore read; a real one is a few KiB. */
const MAX_GITIGNORE_BYTES = 1024 * 1024;

interface Layer {
  base: string;
  rules: Ignore;
}

/**
 * `.gitignore` files as git applies them: each one's patterns are relative to its own folder, and a
 * deeper file overrides a shallower one (including `!` re-includes). Built up as the walk descends.
 */
export class GitignoreStack {
  private constructor(private readonly layers: readonly Layer[]) {}

  static empty(): GitignoreStack {
    return new GitignoreStack([]);
  }

  /** This stack plus the `.gitignore` in `dir`, if there is one. */
  async enter(dir: string): Promise<GitignoreStack> {
    let text: string;
    try {
      const buffer = await readFile(join(dir, '.gitignore'));
      if (buffer.length > MAX_GITIGNORE_BYTES) return this;
      text = buffer.toString('utf8');
    } catch {
      return this;
    }
    return new GitignoreStack([...this.layers, { base: dir, rules: ignore().add(text) }]);
  }

  ignores(absPath: string, isDirectory: boolean): boolean {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      if (layer === undefined) continue;
      const rel = relative(layer.base, absPath).split(sep).join('/');
      if (rel === '' || rel.startsWith('..')) continue;
      const result = layer.rules.test(isDirectory ? `${rel}/` : rel);
      if (result.ignored) return true;
      if (result.unignored) return false;
    }
    return false;
  }
}
