/**
 * One cell as the readers hand it over. CSV text is typed per cell the way the shared references read
 * CSV (`^[+-]?\d+$` is an integer, anything Python's float() accepts is a number, the rest is text);
 * JSON Lines keeps JSON's own types. Only an empty CSV field and a JSON `null` are null: `NA`, `null`
 * and `nan` as text are not null tokens.
 */
export type Cell = null | number | string | boolean;

/** What a cell held, kept next to its value so a column's type can be inferred in one pass. */
export const CellKind = {
  Null: 0,
  Integer: 1,
  Float: 2,
  Text: 3,
  Boolean: 4,
} as const;
export type CellKind = (typeof CellKind)[keyof typeof CellKind];

// Python float() grammar without underscores (pandas does not accept them either), with the
// surrounding white space float() strips.
const FLOAT = /^[ \t]*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)[ \t]*$/i;

/**
 * Classifies one CSV field (after unquoting; `''` is null) and leaves the number, for Integer and
 * Float, in `csvScratch.number`. A hot path (every cell of every file goes through it), so it scans
 * characters instead of running a regular expression and allocates nothing.
 */
export const csvScratch = { number: Number.NaN };

// 10^k for k <= 22 is exact in a double: the fast path below divides by these.
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

export function classifyCsvField(text: string): CellKind {
  return classifyCsvRange(text, 0, text.length);
}

/** classifyCsvField on `source.slice(start, end)`, without making that string unless it must. */
export function classifyCsvRange(source: string, start: number, end: number): CellKind {
  const n = end;
  if (n === start) return CellKind.Null;
  const text = source;
  let i = start;
  let c = text.charCodeAt(i);
  let sign = 1;
  if (c === 43 || c === 45) {
    if (end - start === 1) return CellKind.Text;
    if (c === 45) sign = -1;
    c = text.charCodeAt(++i);
  }
  // Digits are accumulated as an exact integer while there are at most 15 of them (< 2^53). Then an
  // integer is that value, and a decimal m.f is m / 10^k, which IEEE division rounds correctly: the
  // same double Number(text) gives, without the call (Clinger's fast path).
  let m = 0;
  const digitsStart = i;
  while (c >= 48 && c <= 57) {
    m = m * 10 + (c - 48);
    if (++i === n) {
      csvScratch.number = i - digitsStart <= 15 ? sign * m : Number(text.slice(start, end));
      return CellKind.Integer;
    }
    c = text.charCodeAt(i);
  }
  let mantissaDigits = i - digitsStart;
  if (c === 46) {
    i++;
    const fracStart = i;
    while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      i++;
    }
    const k = i - fracStart;
    mantissaDigits += k;
    if (i === n) {
      if (mantissaDigits === 0) return CellKind.Text;
      csvScratch.number = mantissaDigits <= 15 ? sign * (m / (POW10[k] as number)) : Number(text.slice(start, end));
      return CellKind.Float;
    }
  }
  if (mantissaDigits > 0 && (c === 101 || c === 69)) {
    i++;
    if (i < n && ((c = text.charCodeAt(i)) === 43 || c === 45)) i++;
    const expStart = i;
    while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57) i++;
    if (i === n && i > expStart) return float(text.slice(start, end));
    return CellKind.Text;
  }
  // Rare forms: surrounding white space, inf, infinity, nan (any case). float() accepts them; a padded
  // integer (" 5") fails the integer rule `^[+-]?\d+$`, so it counts as a float, as in the references.
  const first = text.charCodeAt(start);
  if (first === 32 || first === 9 || c === 105 || c === 73 || c === 110 || c === 78 || c === 32 || c === 9) {
    const slice = text.slice(start, end);
    if (FLOAT.test(slice)) {
      csvScratch.number = parseFloatWord(slice);
      return CellKind.Float;
    }
  }
  return CellKind.Text;
}

function float(text: string): CellKind {
  csvScratch.number = Number(text);
  return CellKind.Float;
}

function parseFloatWord(text: string): number {
  const t = text.trim().toLowerCase();
  const sign = t.startsWith('-') ? -1 : 1;
  const body = t.replace(/^[+-]/, '');
  if (body === 'inf' || body === 'infinity') return sign * Number.POSITIVE_INFINITY;
  if (body === 'nan') return Number.NaN;
  return Number(t);
}
