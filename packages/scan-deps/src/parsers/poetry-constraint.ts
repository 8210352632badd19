/**
 * Poetry's version constraints in PEP 440 terms (poetry-core's `parse_constraint`):
 *   `^1.2.3` -> `>=1.2.3,<2.0.0`   `^0.2.3` -> `>=0.2.3,<0.3.0`   `^0.0.3` -> `>=0.0.3,<0.0.4`   `^0` -> `>=0,<1`
 *   `~1.2.3` -> `>=1.2.3,<1.3.0`   `~1.2` -> `>=1.2,<1.3`         `~1` -> `>=1,<2`
 *   `1.2.3` -> `==1.2.3`           `1.2.*` -> `==1.2.*`          `*` or `` -> no constraint
 * Clauses are separated by `,` or white space; `||` separates alternatives, which PEP 440 cannot
 * express: those come back as `alternatives` and the caller treats the dependency as a range.
 */
export interface TranslatedConstraint {
  /** PEP 440 specifier, e.g. `>=1.2.3,<2.0.0`; empty when the constraint allows any version. */
  specifier: string;
  /** More than one when the constraint has `||`; then `specifier` is empty. */
  alternatives: string[];
}

export class PoetryConstraintError extends Error {}

const OPERATOR = /^(===|==|!=|<=|>=|~=|<|>|=|\^|~)?\s*(.*)$/;
const VERSION = /^v?(\d+(?:\.\d+)*)((?:[-_.]?[A-Za-z]+[-_.]?\d*)*(?:\+[A-Za-z0-9.]+)?)$/;

function release(version: string): number[] {
  const m = VERSION.exec(version);
  if (!m?.[1]) throw new PoetryConstraintError(`'${version}' is not a version`);
  return m[1].split('.').map(Number);
}

function clause(text: string): string[] {
  const m = OPERATOR.exec(text.trim());
  const op = m?.[1] ?? '';
  const version = (m?.[2] ?? '').trim();
  if (version === '*' || (op === '' && version === '')) return [];
  if (version === '') throw new PoetryConstraintError(`'${text}' has an operator but no version`);
  if (op === '^') {
    const parts = release(version);
    const [major = 0, minor, patch] = parts;
    let upper: number[];
    // poetry-core Version.next_breaking()
    if (major > 0 || minor === undefined) upper = [major + 1];
    else if (minor > 0 || patch === undefined) upper = [0, minor + 1];
    else upper = [0, 0, patch + 1];
    while (upper.length < Math.min(parts.length, 3)) upper.push(0);
    return [`>=${version}`, `<${upper.join('.')}`];
  }
  if (op === '~') {
    const parts = release(version);
    const [major = 0, minor = 0] = parts;
    const upper = parts.length === 1 ? [major + 1] : [major, minor + 1];
    while (upper.length < Math.min(parts.length, 3)) upper.push(0);
    return [`>=${version}`, `<${upper.join('.')}`];
  }
  if (op === '' || op === '=') return [`==${version}`];
  return [`${op}${version}`];
}

function conjunction(text: string): string {
  // `>= 1.2, < 2` and `>=1.2 <2` are both accepted: glue operators to their versions first.
  const glued = text.replace(/(===|==|!=|<=|>=|~=|<|>|\^|~|=)\s+/g, '$1');
  return glued
    .split(/[\s,]+/)
    .filter((part) => part !== '')
    .flatMap(clause)
    .join(',');
}

export function translatePoetryConstraint(constraint: string): TranslatedConstraint {
  const alternatives = constraint.split(/\s*\|\|?\s*/).map(conjunction);
  if (alternatives.length === 1) return { specifier: alternatives[0] ?? '', alternatives: [] };
  // Any alternative that admits everything makes the whole constraint admit everything.
  if (alternatives.some((a) => a === '')) return { specifier: '', alternatives: [] };
  return { specifier: '', alternatives };
}

function pythonVersionClauses(specifier: string): string {
  return specifier
    .split(',')
    .map((c) => {
      const m = /^(===|==|!=|<=|>=|~=|<|>)(.*)$/.exec(c);
      return m ? `python_version ${m[1]} "${m[2]}"` : '';
    })
    .filter((c) => c !== '')
    .join(' and ');
}

/** `python = "^3.8"` as a PEP 508 marker: `python_version >= "3.8" and python_version < "4.0"`. */
export function pythonMarker(constraint: string): string | undefined {
  const { specifier, alternatives } = translatePoetryConstraint(constraint);
  if (alternatives.length > 0) return alternatives.map((a) => `(${pythonVersionClauses(a)})`).join(' or ');
  return specifier === '' ? undefined : pythonVersionClauses(specifier);
}
