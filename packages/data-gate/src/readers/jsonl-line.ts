import { CellKind, classifyCsvField, csvScratch } from './cell';

/**
 * One JSON Lines row: a flat JSON object whose values keep JSON's types. Written by hand rather than
 * with JSON.parse because the type rule needs the literal: `5.0` is a float in JSON Lines (Python
 * reads it as one) although JSON.parse returns the integer 5. Nested objects and arrays are kept as
 * their JSON text (a `string` cell), within the depth limit. Strict JSON otherwise.
 */
export interface JsonFields {
  keys: string[];
  kinds: CellKind[];
  numbers: number[];
  texts: (string | null)[];
}

export class JsonLineError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
    this.name = 'JsonLineError';
  }
}


function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Length of the JSON number literal at s[i] (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`), 0 if none. */
function jsonNumberLength(s: string, i: number): number {
  const n = s.length;
  const start = i;
  const digits = (): number => {
    const from = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      i++;
    }
    return i - from;
  };
  if (s.charCodeAt(i) === 0x2d) i++;
  if (s.charCodeAt(i) === 0x30) i++;
  else if (digits() === 0) return 0;
  if (s.charCodeAt(i) === 0x2e) {
    i++;
    if (digits() === 0) return 0;
  }
  const e = s.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = s.charCodeAt(i);
    if (sign === 0x2b || sign === 0x2d) i++;
    if (digits() === 0) return 0;
  }
  return i - start;
}

/**
 * Parses `s` into `out` (cleared first); throws JsonLineError with a 1-based column. `hint` holds
 * the previous row's keys (undefined where a key needs escaping): a key that matches its hint is
 * reused rather than sliced, so the caller can map it to a column with a pointer comparison.
 */
export function parseJsonObjectLine(s: string, out: JsonFields, maxDepth: number, hint?: readonly (string | undefined)[]): void {
  out.keys.length = 0;
  out.kinds.length = 0;
  out.numbers.length = 0;
  out.texts.length = 0;
  const n = s.length;
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonLineError(what, i + 1);
  };
  const ws = (): void => {
    while (i < n && isWs(s.charCodeAt(i))) i++;
  };
  const readString = (): string => {
    // s[i] is the opening quote
    const start = i + 1;
    let j = start;
    let escaped = false;
    for (;;) {
      if (j >= n) return fail('unterminated string');
      const c = s.charCodeAt(j);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        j += 2;
        continue;
      }
      if (c < 0x20) return fail('control character inside a string');
      j++;
    }
    i = j + 1;
    if (!escaped) return s.slice(start, j);
    try {
      return JSON.parse(s.slice(start - 1, j + 1)) as string;
    } catch {
      return fail('bad escape in a string');
    }
  };
  /** Skips a nested object or array starting at s[i], returning its raw JSON text. */
  const readNested = (): string => {
    const start = i;
    let depth = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        readString();
        continue;
      }
      if (c === 0x7b || c === 0x5b) {
        depth++;
        // +1: the row object itself is one level.
        if (depth + 1 > maxDepth) fail(`nested deeper than ${maxDepth} levels`);
      } else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) {
          i++;
          const text = s.slice(start, i);
          try {
            JSON.parse(text);
          } catch (error) {
            i = start;
            fail(`bad nested value (${(error as Error).message})`);
          }
          return text;
        }
      }
      i++;
    }
    return fail('unterminated nested value');
  };

  ws();
  if (s.charCodeAt(i) !== 0x7b) fail(i >= n ? 'empty line' : 'a JSON Lines row must be an object ({...})');
  i++;
  ws();
  if (s.charCodeAt(i) === 0x7d) {
    i++;
  } else {
    for (;;) {
      if (s.charCodeAt(i) !== 0x22) fail('expected a quoted key');
      const h = hint?.[out.keys.length];
      let key: string;
      if (h !== undefined && s.charCodeAt(i + 1 + h.length) === 0x22 && s.startsWith(h, i + 1)) {
        key = h;
        i += h.length + 2;
      } else {
        key = readString();
      }
      ws();
      if (s.charCodeAt(i) !== 0x3a) fail("expected ':' after a key");
      i++;
      ws();
      const c = s.charCodeAt(i);
      let kind: CellKind;
      let num = Number.NaN;
      let text: string | null;
      if (c === 0x22) {
        kind = CellKind.Text;
        text = readString();
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        const len = jsonNumberLength(s, i);
        const next = s.charCodeAt(i + len);
        if (len === 0 || (next >= 0x30 && next <= 0x39) || next === 0x2e || next === 0x65 || next === 0x45 || next === 0x2b || next === 0x2d) {
          fail(`bad number ${JSON.stringify(s.slice(i, i + Math.max(len + 1, 1)))}`);
        }
        text = s.slice(i, i + len);
        i += len;
        // JSON's integer literals are `-?\d+`, exactly the CSV integer rule, so the CSV classifier
        // (with its exact fast path) gives the kind and the value.
        kind = classifyCsvField(text);
        num = csvScratch.number;
      } else if (s.startsWith('true', i)) {
        i += 4;
        kind = CellKind.Boolean;
        num = 1;
        text = 'true';
      } else if (s.startsWith('false', i)) {
        i += 5;
        kind = CellKind.Boolean;
        num = 0;
        text = 'false';
      } else if (s.startsWith('null', i)) {
        i += 4;
        kind = CellKind.Null;
        text = null;
      } else if (c === 0x7b || c === 0x5b) {
        kind = CellKind.Text;
        text = readNested();
      } else {
        return fail(i >= n ? 'line ends inside the object' : 'expected a value');
      }
      out.keys.push(key);
      out.kinds.push(kind);
      out.numbers.push(num);
      out.texts.push(text);
      ws();
      const sep = s.charCodeAt(i);
      i++;
      if (sep === 0x2c) {
        ws();
        continue;
      }
      if (sep === 0x7d) break;
      i--;
      fail(i >= n ? "line ends inside the object (missing '}')" : "expected ',' or '}'");
    }
  }
  ws();
  if (i < n) fail('text after the closing }');
}
