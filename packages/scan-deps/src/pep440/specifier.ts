import { compareVersions, formatVersion, isPostRelease, parseVersion, type ParsedVersion } from './version';

const OPERATORS = ['~=', '==', '!=', '<=', '>=', '<', '>', '==='] as const;
export type SpecifierOperator = (typeof OPERATORS)[number];

// The version grammar each operator accepts, as pypa/packaging's Specifier regex: wildcards only after
// `==`/`!=`, local versions only with `==`/`!=`/`===`, and `~=` needs at least two release numbers.
const PRE = String.raw`(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?`;
const POST = String.raw`(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?`;
const DEV = String.raw`(?:[-_.]?dev[-_.]?[0-9]*)?`;
const LOCAL = String.raw`(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?`;
const EPOCH_RELEASE = String.raw`v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*`;
const VERSION_FOR: Record<Exclude<SpecifierOperator, '==='>, RegExp> = {
  '==': new RegExp(String.raw`^${EPOCH_RELEASE}(?:\.\*|${PRE}${POST}${DEV}${LOCAL})$`, 'i'),
  '!=': new RegExp(String.raw`^${EPOCH_RELEASE}(?:\.\*|${PRE}${POST}${DEV}${LOCAL})$`, 'i'),
  '~=': new RegExp(String.raw`^v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+${PRE}${POST}${DEV}$`, 'i'),
  '<=': new RegExp(String.raw`^${EPOCH_RELEASE}${PRE}${POST}${DEV}$`, 'i'),
  '>=': new RegExp(String.raw`^${EPOCH_RELEASE}${PRE}${POST}${DEV}$`, 'i'),
  '<': new RegExp(String.raw`^${EPOCH_RELEASE}${PRE}${POST}${DEV}$`, 'i'),
  '>': new RegExp(String.raw`^${EPOCH_RELEASE}${PRE}${POST}${DEV}$`, 'i'),
};
const OPERATOR = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*(.*?)\s*$/s;

/**
 * One PEP 440 version specifier (`>=1.2`, `==1.*`, `~=2.2.post3`), with pypa/packaging's (26.x) semantics,
 * which every row of the shared specifier vectors checks.
 */
export class Specifier {
  readonly operator: SpecifierOperator;
  readonly version: string;
  private readonly wildcard: boolean;
  /** The parsed spec version; null only for `===` with a non-PEP 440 string. */
  private readonly parsed: ParsedVersion | null;

  private constructor(operator: SpecifierOperator, version: string) {
    this.operator = operator;
    this.version = version;
    this.wildcard = version.endsWith('.*');
    this.parsed = parseVersion(this.wildcard ? version.slice(0, -2) : version);
  }

  /** The specifier, or null when the text is not a valid PEP 440 specifier. */
  static parse(text: string): Specifier | null {
    const m = OPERATOR.exec(text);
    if (!m) return null;
    const operator = OPERATORS.find((op) => op === m[1]);
    const version = m[2] ?? '';
    if (!operator) return null;
    if (operator === '===') return /^[^\s;)]+$/.test(version) ? new Specifier(operator, version) : null;
    if (!VERSION_FOR[operator].test(version)) return null;
    const spec = new Specifier(operator, version);
    return spec.parsed ? spec : null;
  }

  /**
   * Whether the specifier names a pre-release itself (`>=1.0a1`), which makes the set admit pre-releases.
   * `!=` never does, nor does a wildcard; `===` does only when its string parses as a pre-release.
   */
  get impliesPrereleases(): boolean {
    if (this.operator === '!=' || this.wildcard) return false;
    return this.parsed?.is_prerelease ?? false;
  }

  /**
   * Whether `version` (text as written) satisfies this specifier, pre-release policy aside (the set
   * applies it). An invalid version only ever matches `===` by string.
   */
  matches(version: string): boolean {
    if (this.operator === '===') return version.trim().toLowerCase() === this.version.toLowerCase();
    const prospective = parseVersion(version);
    const spec = this.parsed;
    if (!prospective || !spec) return false;
    switch (this.operator) {
      case '==':
        return this.equal(prospective, spec);
      case '!=':
        return !this.equal(prospective, spec);
      case '~=':
        return this.compatible(prospective, spec);
      case '<=':
        return compareVersions(prospective.public, this.version) <= 0;
      case '>=':
        return compareVersions(prospective.public, this.version) >= 0;
      case '<':
        return this.lessThan(prospective, spec);
      case '>':
        return this.greaterThan(prospective, spec);
      default:
        return false;
    }
  }

  private equal(prospective: ParsedVersion, spec: ParsedVersion): boolean {
    if (this.wildcard) return prefixMatches(prospective, spec);
    // Without a local segment in the spec, the candidate's local segment is ignored (`==1.13.1` matches `1.13.1+cu117`).
    const candidate = spec.local ? formatVersion(prospective, ALL) : prospective.public;
    return compareVersions(candidate, formatVersion(spec, ALL)) === 0;
  }

  /** `~=V.N` is `>=V.N, ==V.*`: the last release number may grow, suffixes of the spec are dropped for the prefix. */
  private compatible(prospective: ParsedVersion, spec: ParsedVersion): boolean {
    if (compareVersions(prospective.public, this.version) < 0) return false;
    const prefix: ParsedVersion = { ...spec, release: spec.release.slice(0, -1) };
    return prefixMatches(prospective, prefix);
  }

  /** `<V` excludes pre-releases of V itself unless V is one (`<3.1` does not admit `3.1.dev0`). */
  private lessThan(prospective: ParsedVersion, spec: ParsedVersion): boolean {
    if (compareVersions(formatVersion(prospective, ALL), this.version) >= 0) return false;
    if (!spec.is_prerelease && prospective.is_prerelease) {
      // The release a pre-release leads to: `2.0a1.post1` is a pre-release of 2.0, `1.0.post1.dev0` of 1.0.post1.
      const hasPre = prospective.pre !== null && prospective.pre.length > 0;
      const leadsTo = formatVersion(prospective, { post: !hasPre });
      if (compareVersions(leadsTo, this.version) === 0) return false;
    }
    return true;
  }

  /**
   * `>V` excludes post-releases of V unless V is one (`>1.0` does not admit `1.0.post1`), and local
   * versions of V (`>1.0` does not admit `1.0+local`).
   */
  private greaterThan(prospective: ParsedVersion, spec: ParsedVersion): boolean {
    if (compareVersions(formatVersion(prospective, ALL), this.version) <= 0) return false;
    if (!isPostRelease(spec) && isPostRelease(prospective)) {
      const same = formatVersion(prospective, { pre: true });
      if (compareVersions(same, this.version) === 0) return false;
    }
    if (prospective.local && compareVersions(prospective.public, this.version) === 0) return false;
    return true;
  }

  toString(): string {
    return `${this.operator}${this.version}`;
  }
}

const ALL = { pre: true, post: true, dev: true, local: true } as const;

/**
 * Prefix match of `==V.*`: same epoch, and the candidate's release (zero-padded to the spec's length)
 * starts with the spec's release. Pre, post, dev and local parts of the candidate do not matter.
 */
function prefixMatches(prospective: ParsedVersion, spec: ParsedVersion): boolean {
  if (prospective.epoch !== spec.epoch) return false;
  for (let i = 0; i < spec.release.length; i++) {
    if ((prospective.release[i] ?? 0) !== spec.release[i]) return false;
  }
  return true;
}
