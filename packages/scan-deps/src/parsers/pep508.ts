/**
 * PEP 508 dependency specifiers: `name [extras] (versionspec | @ url) [; marker]`.
 * We read the structure (name, extras, specifier, URL, marker) and check the specifier's shape; the
 * marker is kept as written for the matcher, never evaluated here.
 */
export interface Pep508Requirement {
  /** As written. */
  name: string;
  extras: string[];
  /** The version specifier with white space removed, e.g. `>=1.2,<2`; absent when there is none. */
  specifier?: string;
  url?: string;
  marker?: string;
}

export class Pep508Error extends Error {
  /** 1-based column in the requirement text where reading failed. */
  readonly column: number;
  constructor(message: string, column: number) {
    super(message);
    this.name = 'Pep508Error';
    this.column = column;
  }
}

const NAME = /[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/y;
const IDENTIFIER = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
/** One clause: an operator and a version (letters, digits, `.`, `*`, `+`, `!`, `-`, `_`). */
const CLAUSE = /^(~=|===|==|!=|<=|>=|<|>)\s*([A-Za-z0-9*+!._-]+)$/;

export function isValidSpecifier(specifier: string): boolean {
  return specifier.split(',').every((clause) => CLAUSE.test(clause.trim()));
}

/** Removes white space inside a specifier: `>= 1.2, < 2` becomes `>=1.2,<2`. */
export function compactSpecifier(specifier: string): string {
  return specifier
    .split(',')
    .map((clause) => clause.replace(/\s+/g, ''))
    .join(',');
}

export function parsePep508(text: string): Pep508Requirement {
  let pos = 0;
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos] ?? '')) pos++;
  };
  skipSpace();
  NAME.lastIndex = pos;
  const nameMatch = NAME.exec(text);
  if (!nameMatch) throw new Pep508Error('expected a package name', pos + 1);
  const name = nameMatch[0];
  pos = NAME.lastIndex;
  skipSpace();

  const extras: string[] = [];
  if (text[pos] === '[') {
    const close = text.indexOf(']', pos);
    if (close === -1) throw new Pep508Error("missing ']' after extras", pos + 1);
    for (const raw of text.slice(pos + 1, close).split(',')) {
      const extra = raw.trim();
      if (extra === '') continue;
      if (!IDENTIFIER.test(extra)) throw new Pep508Error(`'${extra}' is not a valid extra name`, pos + 2);
      extras.push(extra);
    }
    pos = close + 1;
    skipSpace();
  }

  const result: Pep508Requirement = { name, extras };
  if (text[pos] === '@') {
    pos++;
    skipSpace();
    const start = pos;
    while (pos < text.length && !/\s/.test(text[pos] ?? '')) pos++;
    let url = text.slice(start, pos);
    // PEP 508 wants white space before a marker's `;` after a URL; pip also reads `url;marker`.
    const semi = url.indexOf(';');
    if (semi !== -1 && text.slice(pos).trim() === '') {
      const marker = url.slice(semi + 1).trim();
      url = url.slice(0, semi);
      if (marker !== '') result.marker = marker;
    }
    if (url === '') throw new Pep508Error("expected a URL after '@'", start + 1);
    result.url = url;
    skipSpace();
  } else {
    let spec: string;
    const start = pos;
    if (text[pos] === '(') {
      const close = text.indexOf(')', pos);
      if (close === -1) throw new Pep508Error("missing ')' after the version specifier", pos + 1);
      spec = text.slice(pos + 1, close);
      pos = close + 1;
    } else {
      const semi = text.indexOf(';', pos);
      const end = semi === -1 ? text.length : semi;
      spec = text.slice(pos, end);
      pos = end;
    }
    spec = spec.trim();
    if (spec !== '') {
      if (!isValidSpecifier(spec)) {
        throw new Pep508Error(`'${spec}' is not a valid version specifier (expected e.g. '>=1.2,<2')`, start + 1);
      }
      result.specifier = compactSpecifier(spec);
    }
    skipSpace();
  }

  if (pos < text.length) {
    if (text[pos] !== ';') throw new Pep508Error(`unexpected '${text.slice(pos, pos + 20)}'`, pos + 1);
    const marker = text.slice(pos + 1).trim();
    if (marker === '') throw new Pep508Error("expected an environment marker after ';'", pos + 2);
    result.marker = marker;
  }
  return result;
}
