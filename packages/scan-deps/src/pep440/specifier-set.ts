import { Specifier } from './specifier';
import { parseVersion } from './version';

export class InvalidSpecifierError extends Error {
  constructor(readonly specifier: string) {
    super(`'${specifier}' is not a valid PEP 440 specifier`);
    this.name = 'InvalidSpecifierError';
  }
}

/**
 * A comma-separated set of specifiers, all of which must hold. Pre-releases follow pypa/packaging 26:
 * with `prereleases` unset, a candidate is judged on the specifiers alone (a lone pre-release is kept
 * when nothing better matched, which for a single candidate means it is kept); with `prereleases: false`
 * pre-releases never match; `true` admits them.
 */
export class SpecifierSet {
  readonly specifiers: readonly Specifier[];
  readonly prereleases: boolean | undefined;

  constructor(text: string, options: { prereleases?: boolean } = {}) {
    const specs: Specifier[] = [];
    for (const part of text.split(',')) {
      if (part.trim() === '') continue;
      const spec = Specifier.parse(part);
      if (!spec) throw new InvalidSpecifierError(part.trim());
      specs.push(spec);
    }
    this.specifiers = specs;
    this.prereleases = options.prereleases;
  }

  /** Null instead of an exception when `text` is not a valid specifier set. */
  static tryParse(text: string, options: { prereleases?: boolean } = {}): SpecifierSet | null {
    try {
      return new SpecifierSet(text, options);
    } catch (error) {
      if (error instanceof InvalidSpecifierError) return null;
      throw error;
    }
  }

  /** Whether pre-releases are admitted without asking: set explicitly, or named by one of the specifiers. */
  get admitsPrereleases(): boolean | undefined {
    if (this.prereleases !== undefined) return this.prereleases;
    return this.specifiers.some((s) => s.impliesPrereleases) ? true : undefined;
  }

  contains(version: string, options: { prereleases?: boolean } = {}): boolean {
    const prereleases = options.prereleases ?? this.admitsPrereleases;
    const parsed = parseVersion(version);
    if (prereleases === false && parsed?.is_prerelease) return false;
    return this.specifiers.every((s) => s.matches(version));
  }

  /**
   * The versions the set admits, in their order, as packaging's `SpecifierSet.filter`: with pre-releases
   * neither allowed nor forbidden, they are kept only when no final release matched (PEP 440's rule for
   * choosing among candidates).
   */
  filter(versions: readonly string[], options: { prereleases?: boolean } = {}): string[] {
    const prereleases = options.prereleases ?? this.admitsPrereleases;
    const matching = versions.filter((v) => this.contains(v, { prereleases: prereleases ?? true }));
    if (prereleases !== undefined) return matching;
    const finals = matching.filter((v) => !parseVersion(v)?.is_prerelease);
    return finals.length > 0 ? finals : matching;
  }

  /** Exactly one version is admitted (`==1.2.3` or `===1.2.3`): what a manifest pin means. */
  get pinnedVersion(): string | undefined {
    const only = this.specifiers.length === 1 ? this.specifiers[0] : undefined;
    if (!only || only.version.endsWith('.*')) return undefined;
    return only.operator === '==' || only.operator === '===' ? only.version : undefined;
  }

  toString(): string {
    return this.specifiers.map(String).join(',');
  }
}
