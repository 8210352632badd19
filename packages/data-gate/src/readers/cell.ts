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

/** Where the classifiers leave the number of an Integer or Float cell. */
export const csvScratch = { number: Number.NaN };

// 10^k for k <= 22 is exact in a double: the fast path below divides by these.
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Scratch bytes for classifyCsvField: a number is ASCII, so its characters are its bytes. */
let scratch = Buffer.alloc(64);

/** classifyCsvBytes on a string (JSON Lines numbers, tests). */
export function classifyCsvField(text: string): CellKind {
  const n = text.length;
  if (n > scratch.length) scratch = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // Not latin-1: not a number (and not a float() word), so text unless empty.
    if (c > 0xff) return CellKind.Text;
    scratch[i] = c;
  }
  return classifyCsvBytes(scratch, 0, n);
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

/**
 * Classifies one CSV field, the bytes `buf[start, end)` of a UTF-8 or latin-1 file after unquoting
 * (empty is null), and leaves the number of an Integer or Float in `csvScratch.number`. The CSV
 * reader never decodes a numeric field: a number is ASCII in both encodings. A hot path (every cell
 * of every file goes through it), so it scans bytes instead of running a regular expression and
 * allocates nothing.
 */
export function classifyCsvBytes(buf: Buffer, start: number, end: number): CellKind {
  const n = end;
  if (n === start) return CellKind.Null;
  let i = start;
  let c = buf[i] as number;
  let sign = 1;
  // Digits are accumulated as an exact integer while there are at most 15 of them (< 2^53). Then an
  // integer is that value, and a decimal m.f is m / 10^k, which IEEE division rounds correctly: the
  // same double Number(text) gives, without the call (Clinger's fast path).
  if (c === 43 || c === 45) {
    if (end - start === 1) return CellKind.Text;
    if (c === 45) sign = -1;
    c = buf[++i] as number;
  }
  let m = 0;
  const digitsStart = i;
  while (c >= 48 && c <= 57) {
    m = m * 10 + (c - 48);
    if (++i === n) {
      csvScratch.number = i - digitsStart <= 15 ? sign * m : Number(ascii(buf, start, end));
      return CellKind.Integer;
    }
    c = buf[i] as number;
  }
  let mantissaDigits = i - digitsStart;
  if (c === 46) {
    i++;
    const fracStart = i;
    while (i < n && (c = buf[i] as number) >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      i++;
    }
    const k = i - fracStart;
    mantissaDigits += k;
    if (i === n) {
      if (mantissaDigits === 0) return CellKind.Text;
      csvScratch.number = mantissaDigits <= 15 ? sign * (m / (POW10[k] as number)) : Number(ascii(buf, start, end));
      return CellKind.Float;
    }
  }
  if (mantissaDigits > 0 && (c === 101 || c === 69)) {
    i++;
    if (i < n && ((c = buf[i] as number) === 43 || c === 45)) i++;
    const expStart = i;
    while (i < n && (c = buf[i] as number) >= 48 && c <= 57) i++;
    if (i === n && i > expStart) return float(ascii(buf, start, end));
    return CellKind.Text;
  }
  const first = buf[start];
  // Words only where they can be `inf`, `infinity` or `nan` (second letter n or a): `no`, `north`
  // and the like skip the regular expression.
  const second = (buf[i + 1] ?? 0) | 0x20;
  if (first === 32 || first === 9 || c === 32 || c === 9 || ((c === 105 || c === 73) && second === 0x6e) || ((c === 110 || c === 78) && second === 0x61)) {
    // Only ASCII can be a float() word: a non-ASCII byte makes the field text, whatever the encoding.
    const slice = ascii(buf, start, end);
    if (FLOAT.test(slice)) {
      csvScratch.number = parseFloatWord(slice);
      return CellKind.Float;
    }
  }
  return CellKind.Text;
}

function ascii(buf: Buffer, start: number, end: number): string {
  return buf.toString('latin1', start, end);
}
