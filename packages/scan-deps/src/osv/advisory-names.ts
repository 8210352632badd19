import { normalizeName } from '../pep440/index';
import { isPyPiEcosystem, parseOsvJson } from './osv-schema';

export interface AdvisoryHeader {
  id: string;
  modified: string;
  /** PEP 503 normalized names of the PyPI packages in `affected[]`. */
  packages: string[];
}

// OSV package objects are flat ({"ecosystem", "name", "purl"}), so `[^{}]*` spans exactly one of them.
const PACKAGE_OBJECT = /^"package"\s*:\s*\{([^{}]*)\}$/;
const NAME = /"name"\s*:\s*"([^"\\]*)"/;
const ECOSYSTEM = /"ecosystem"\s*:\s*"([^"\\]*)"/;
const ID = /^"id"\s*:\s*"([^"\\]+)"$/;
const MODIFIED = /^"modified"\s*:\s*"([^"\\]*)"$/;

const PACKAGE_KEY = Buffer.from('"package"');
const ID_KEY = Buffer.from('"id"');
const MODIFIED_KEY = Buffer.from('"modified"');
const QUOTE = 0x22;
const CLOSE_BRACE = 0x7d;

/**
 * Where a match of a `"key" : <value>` pattern starting at `at` would have to end: just after the second
 * `"` following the key for a string value (the pattern's `\s*:\s*` holds no quote), or after the first `}`
 * for a flat object (its body holds none). -1 when the data ends first.
 */
function stringValueEnd(data: Buffer, at: number, key: Buffer): number {
  const open = data.indexOf(QUOTE, at + key.length);
  const close = open < 0 ? -1 : data.indexOf(QUOTE, open + 1);
  return close < 0 ? -1 : close + 1;
}

function objectValueEnd(data: Buffer, at: number): number {
  const close = data.indexOf(CLOSE_BRACE, at);
  return close < 0 ? -1 : close + 1;
}

/**
 * The matches of `pattern` (anchored on both ends) at each occurrence of `key` in `data`, left to right and
 * not overlapping, as a global regular expression over the decoded text would find them: only the bytes a
 * match can span are decoded, so the 60 MB of a full export are searched with `Buffer.indexOf` (memchr)
 * instead of being turned into strings.
 */
function* matchesAt(data: Buffer, key: Buffer, end: (at: number) => number, pattern: RegExp): Generator<RegExpExecArray> {
  let from = 0;
  for (;;) {
    const at = data.indexOf(key, from);
    if (at < 0) return;
    const stop = end(at);
    const match = stop < 0 ? null : pattern.exec(data.toString('utf8', at, stop));
    if (match) {
      yield match;
      from = stop;
    } else {
      from = at + 1;
    }
  }
}

function first(data: Buffer, key: Buffer, pattern: RegExp): string | undefined {
  for (const match of matchesAt(data, key, (at) => stringValueEnd(data, at, key), pattern)) return match[1];
  return undefined;
}

/**
 * The id, `modified` and PyPI package names of one OSV record (its bytes, UTF-8), read with regular
 * expressions around the keys rather than a full JSON parse: indexing a 17,000-record export only needs
 * these. Falls back to JSON.parse when the text is not in the plain shape the expressions expect (escapes,
 * nested objects).
 */
export function readAdvisoryHeader(data: Buffer, source: string): AdvisoryHeader {
  const id = first(data, ID_KEY, ID);
  const modified = first(data, MODIFIED_KEY, MODIFIED);
  const packages = new Set<string>();
  let plain = id !== undefined;
  for (const match of matchesAt(data, PACKAGE_KEY, (at) => objectValueEnd(data, at), PACKAGE_OBJECT)) {
    const body = match[1] ?? '';
    const name = NAME.exec(body)?.[1];
    const ecosystem = ECOSYSTEM.exec(body)?.[1];
    if (name === undefined || ecosystem === undefined) {
      plain = false;
      break;
    }
    if (isPyPiEcosystem(ecosystem)) packages.add(normalizeName(name));
  }
  // A nested object inside "package", or a `"package"` key the expression missed, needs the real parser.
  if (plain && packages.size === 0 && data.includes(PACKAGE_KEY)) plain = false;
  if (plain && id !== undefined) return { id, modified: modified ?? '', packages: [...packages] };
  const record = parseOsvJson(data.toString('utf8'), source);
  const names = record.affected.flatMap((a) => (a.package && isPyPiEcosystem(a.package.ecosystem) ? [normalizeName(a.package.name)] : []));
  return { id: record.id, modified: record.modified, packages: [...new Set(names)] };
}
