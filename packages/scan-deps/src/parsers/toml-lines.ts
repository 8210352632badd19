import { LineIndex } from './line-index';

/** A key path into a TOML document: table keys as strings, array (and array-of-tables) indices as numbers. */
export type KeyPath = readonly (string | number)[];

function encode(path: KeyPath): string {
  return path.map((seg) => (typeof seg === 'number' ? `#${seg}` : `.${seg}`)).join('\u0000');
}

/**
 * Line numbers for a TOML document, which TOML parsers do not give. Scans the source once (after a real
 * parser accepted it) and records where every key, table header, array-of-tables element and array
 * element starts, under its full key path: `['package', 3]` is the fourth `[[package]]` header,
 * `['project', 'dependencies', 0]` the first string of that array, and
 * `['tool', 'poetry', 'dependencies', 'numpy']` the line that declares numpy, wherever the TOML puts it
 * (a `[tool.poetry.dependencies]` table, a dotted key, an inline table, or its own sub-table).
 * Strings are skipped whole, so `[` or `#` inside a multi-line string cannot mislead it.
 */
export class TomlLines {
  private readonly offsets = new Map<string, number>();
  private readonly index: LineIndex;
  private pos = 0;

  constructor(private readonly text: string) {
    this.index = new LineIndex(text);
    if (text.startsWith('\uFEFF')) this.pos = 1;
    this.scanDocument();
  }

  /** 1-based line where `path` is declared, if it is. */
  line(path: KeyPath): number | undefined {
    const offset = this.offsets.get(encode(path));
    return offset === undefined ? undefined : this.index.lineOf(offset);
  }

  /** The line of `path`, else of its nearest declared ancestor, else 1. */
  nearest(path: KeyPath): number {
    for (let n = path.length; n > 0; n--) {
      const line = this.line(path.slice(0, n));
      if (line !== undefined) return line;
    }
    return 1;
  }

  private record(path: KeyPath, offset: number): void {
    const key = encode(path);
    if (!this.offsets.has(key)) this.offsets.set(key, offset);
  }

  private peek(n = 0): string {
    return this.text[this.pos + n] ?? '';
  }

  private skipInline(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  /** Spaces, newlines and comments. */
  private skipTrivia(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '#') {
        const eol = this.text.indexOf('\n', this.pos);
        this.pos = eol === -1 ? this.text.length : eol + 1;
      } else return;
    }
  }

  private scanDocument(): void {
    const arrayTables = new Map<string, number>();
    let table: (string | number)[] = [];
    while (this.pos < this.text.length) {
      this.skipTrivia();
      if (this.pos >= this.text.length) break;
      const start = this.pos;
      if (this.peek() === '[') {
        const isArrayTable = this.peek(1) === '[';
        this.pos += isArrayTable ? 2 : 1;
        const keys = this.readKey();
        this.skipInline();
        this.pos += isArrayTable ? 2 : 1;
        table = this.resolveHeader(keys, isArrayTable, arrayTables);
        this.record(table, start);
      } else {
        const keys = this.readKey();
        this.skipInline();
        if (this.peek() === '=') this.pos++;
        this.skipInline();
        const path = [...table, ...keys];
        for (let n = table.length + 1; n <= path.length; n++) this.record(path.slice(0, n), start);
        this.readValue(path);
      }
      if (this.pos === start) this.pos++;
    }
  }

  /** `[a.b]` below the latest element of any array of tables on its way; `[[a.b]]` adds an element. */
  private resolveHeader(keys: string[], isArrayTable: boolean, arrayTables: Map<string, number>): (string | number)[] {
    const path: (string | number)[] = [];
    keys.forEach((key, i) => {
      path.push(key);
      const id = encode(path);
      if (isArrayTable && i === keys.length - 1) {
        const next = (arrayTables.get(id) ?? -1) + 1;
        arrayTables.set(id, next);
        path.push(next);
      } else {
        const current = arrayTables.get(id);
        if (current !== undefined) path.push(current);
      }
    });
    return path;
  }

  private readKey(): string[] {
    const keys: string[] = [];
    for (;;) {
      this.skipInline();
      const c = this.peek();
      if (c === '"') {
        const start = this.pos;
        this.skipString();
        const raw = this.text.slice(start, this.pos);
        try {
          keys.push(String(JSON.parse(raw)));
        } catch {
          keys.push(raw.slice(1, -1));
        }
      } else if (c === "'") {
        const start = this.pos;
        this.skipString();
        keys.push(this.text.slice(start + 1, this.pos - 1));
      } else {
        const m = /[A-Za-z0-9_-]+/y;
        m.lastIndex = this.pos;
        const bare = m.exec(this.text);
        if (!bare) return keys;
        keys.push(bare[0]);
        this.pos = m.lastIndex;
      }
      this.skipInline();
      if (this.peek() !== '.') return keys;
      this.pos++;
    }
  }

  private readValue(path: (string | number)[]): void {
    const c = this.peek();
    if (c === '"' || c === "'") this.skipString();
    else if (c === '[') {
      this.pos++;
      for (let i = 0; ; i++) {
        this.skipTrivia();
        if (this.peek() === ']' || this.pos >= this.text.length) break;
        const start = this.pos;
        this.record([...path, i], start);
        this.readValue([...path, i]);
        this.skipTrivia();
        if (this.peek() === ',') this.pos++;
        if (this.pos === start) this.pos++;
      }
      this.pos++;
    } else if (c === '{') {
      this.pos++;
      for (;;) {
        this.skipTrivia();
        if (this.peek() === '}' || this.pos >= this.text.length) break;
        const start = this.pos;
        const keys = this.readKey();
        this.skipInline();
        if (this.peek() === '=') this.pos++;
        this.skipInline();
        const sub = [...path, ...keys];
        for (let n = path.length + 1; n <= sub.length; n++) this.record(sub.slice(0, n), start);
        this.readValue(sub);
        this.skipTrivia();
        if (this.peek() === ',') this.pos++;
        if (this.pos === start) this.pos++;
      }
      this.pos++;
    } else {
      // Numbers, booleans, dates (which may hold a space: `1979-05-27 07:32:00`).
      while (this.pos < this.text.length && !',]}\n#'.includes(this.peek())) this.pos++;
    }
  }

  private skipString(): void {
    const quote = this.peek();
    const triple = this.text.startsWith(quote.repeat(3), this.pos);
    this.pos += triple ? 3 : 1;
    while (this.pos < this.text.length) {
      const c = this.peek();
      if (c === '\\' && quote === '"') {
        this.pos += 2;
      } else if (triple && this.text.startsWith(quote.repeat(3), this.pos)) {
        this.pos += 3;
        // A closing delimiter may carry one or two quotes of content before it: `""""`.
        if (this.peek() === quote) this.pos++;
        if (this.peek() === quote) this.pos++;
        return;
      } else if (!triple && (c === quote || c === '\n')) {
        this.pos++;
        return;
      } else this.pos++;
    }
  }
}
