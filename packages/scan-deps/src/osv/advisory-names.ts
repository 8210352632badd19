import { normalizeName } from '../pep440/index';
import { isPyPiEcosystem, parseOsvJson } from './osv-schema';

export interface AdvisoryHeader {
  id: string;
  modified: string;
  /** PEP 503 normalized names of the PyPI packages in `affected[]`. */
  packages: string[];
}

// OSV package objects are flat ({"ecosystem", "name", "purl"}): their body holds no brace.
const NAME = /"name"\s*:\s*"([^"\\]*)"/;
const ECOSYSTEM = /"ecosystem"\s*:\s*"([^"\\]*)"/;

/** A JSON key as its bytes with quotes, and the same without the opening quote (what is searched for). */
interface Key {
  quoted: Buffer;
  tail: Buffer;
}
const jsonKey = (name: string): Key => ({ quoted: Buffer.from(`"${name}"`), tail: Buffer.from(`${name}"`) });
const PACKAGE_KEY = jsonKey('package');
const ID_KEY = jsonKey('id');
const MODIFIED_KEY = jsonKey('modified');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** ASCII white space, as `\s` matches it. */
function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || (byte !== undefined && byte >= 0x09 && byte <= 0x0d);
}

/**
 * Where the next `"key"` starts at or after `from`, or -1. Searched for as `key"` with the quote before it
 * checked: `Buffer.indexOf` skips ahead on a needle's first byte, and JSON has a quote every few bytes, so
 * the needle starting with one was scanned at half the speed (97 -> 36 ms for `modified` over a 60 MB export).
 */
function keyIndex(data: Buffer, key: Key, from: number): number {
  for (let at = data.indexOf(key.tail, from + 1); at >= 0; at = data.indexOf(key.tail, at + 1)) {
    if (data[at - 1] === QUOTE) return at - 1;
  }
  return -1;
}

/** Where the value of the key at `at` starts (`"key" : value`), or -1 when no colon follows the key. */
function valueAt(data: Buffer, at: number, key: Key): number {
  let p = at + key.quoted.length;
  while (isSpace(data[p])) p++;
  if (data[p] !== COLON) return -1;
  p++;
  while (isSpace(data[p])) p++;
  return p < data.length ? p : -1;
}

/** The string value of the key at `at` when it is a plain string (no escapes), else undefined. */
function plainStringAt(data: Buffer, at: number, key: Key): string | undefined {
  const open = valueAt(data, at, key);
  if (open < 0 || data[open] !== QUOTE) return undefined;
  const close = data.indexOf(QUOTE, open + 1);
  if (close < 0) return undefined;
  for (let p = open + 1; p < close; p++) if (data[p] === BACKSLASH) return undefined;
  return data.toString('utf8', open + 1, close);
}

/**
 * The first plain string value of `key` in the record, found with `Buffer.indexOf` (memchr-fast) and
 * decoding only the value: a full export is 60 MB of JSON, and turning it all into strings to run regular
 * expressions over it cost more than inflating it.
 */
function firstPlainString(data: Buffer, key: Key, nonEmpty: boolean): string | undefined {
  for (let at = keyIndex(data, key, 0); at >= 0; at = keyIndex(data, key, at + 1)) {
    const value = plainStringAt(data, at, key);
    if (value !== undefined && (!nonEmpty || value !== '')) return value;
  }
  return undefined;
}

/** The bodies of the flat `"package": {...}` objects, left to right; null when one is not flat. */
function packageBodies(data: Buffer): string[] | null {
  const bodies: string[] = [];
  let at = keyIndex(data, PACKAGE_KEY, 0);
  while (at >= 0) {
    const open = valueAt(data, at, PACKAGE_KEY);
    if (open >= 0 && data[open] === OPEN_BRACE) {
      const close = data.indexOf(CLOSE_BRACE, open + 1);
      const nested = data.indexOf(OPEN_BRACE, open + 1);
      if (close < 0 || (nested >= 0 && nested < close)) return null;
      bodies.push(data.toString('utf8', open + 1, close));
      at = keyIndex(data, PACKAGE_KEY, close + 1);
    } else {
      at = keyIndex(data, PACKAGE_KEY, at + 1);
    }
  }
  return bodies;
}

/**
 * The id, `modified` and PyPI package names of one OSV record (its bytes, UTF-8), read with regular
 * expressions around the keys rather than a full JSON parse: indexing a 17,000-record export only needs
 * these. Falls back to JSON.parse when the text is not in the plain shape the expressions expect (escapes,
 * nested objects).
 */
export function readAdvisoryHeader(data: Buffer, source: string): AdvisoryHeader {
  const id = firstPlainString(data, ID_KEY, true);
  const modified = firstPlainString(data, MODIFIED_KEY, false);
  const packages = new Set<string>();
  const bodies = id === undefined ? null : packageBodies(data);
  let plain = bodies !== null;
  for (const body of bodies ?? []) {
    const name = NAME.exec(body)?.[1];
    const ecosystem = ECOSYSTEM.exec(body)?.[1];
    if (name === undefined || ecosystem === undefined) {
      plain = false;
      break;
    }
    if (isPyPiEcosystem(ecosystem)) packages.add(normalizeName(name));
  }
  // A nested object inside "package", or a `"package"` key in another shape, needs the real parser.
  if (plain && packages.size === 0 && keyIndex(data, PACKAGE_KEY, 0) >= 0) plain = false;
  if (plain && id !== undefined) return { id, modified: modified ?? '', packages: [...packages] };
  const record = parseOsvJson(data.toString('utf8'), source);
  const names = record.affected.flatMap((a) => (a.package && isPyPiEcosystem(a.package.ecosystem) ? [normalizeName(a.package.name)] : []));
  return { id: record.id, modified: record.modified, packages: [...new Set(names)] };
}
