/**
 * An RFC 4180 tokenizer over the file's bytes (UTF-8 or latin-1, where the delimiter, the quote and
 * the line ends are single ASCII bytes, so a field boundary never splits a character): quoted fields
 * with `""` escapes and embedded newlines, CRLF/LF/CR line ends, any one-byte delimiter. It is lenient
 * where pandas is (a quote inside an unquoted field is kept as text; text after a closing quote is
 * appended) but says so, and it is bounded: a field, a record and the number of columns each have a
 * cap, so one unclosed quote cannot swallow a 10 GB file into memory.
 *
 * Fields are handed over as byte ranges of the buffer, so a field read as a number never becomes a
 * string and a repeated category can be looked up without one (see text-interner.ts). Working on bytes
 * rather than on decoded text was measured on the benchmark's 54 MB, 1.08M-row CSV: tokenizing and
 * typing went from 1.25 CPU-s (string state machine, one object per record) to a fraction of that.
 * A record that a chunk cuts is carried, bytes and all, to the next chunk and scanned again.
 */

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

export interface CsvTokenizerLimits {
  /** Longest field, in bytes. */
  maxFieldChars: number;
  /** Longest record, in bytes. */
  maxRecordChars: number;
  maxColumns: number;
}

/** A cap was hit; the reader adds the file and row. */
export class CsvLimitError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'CsvLimitError';
  }
}

/**
 * The record just tokenized: field k is `bytes[starts[k], ends[k])`, unless `unescaped[k]` holds its
 * text (a quoted field with `""` escapes or text after its closing quote). Reused from record to
 * record: copy what you keep.
 */
export class CsvRecordView {
  bytes: Buffer = Buffer.alloc(0);
  count = 0;
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** 1 where `unescaped[k]` holds the field's text. */
  escaped = new Uint8Array(64);
  unescaped: string[] = [];
  /** 1-based line where the record starts. */
  line = 1;
  /** A quote was out of place somewhere in the record. */
  badQuoting = false;
  /** The record held at least one quoted field (so a lone empty field is not a blank line). */
  quoted = false;

  constructor(private readonly latin1: boolean) {}

  /** The text of field k. */
  text(k: number): string {
    if (this.escaped[k] === 1) return this.unescaped[k] as string;
    return this.decode(this.starts[k] as number, this.ends[k] as number);
  }

  decode(start: number, end: number): string {
    return this.bytes.toString(this.latin1 ? 'latin1' : 'utf8', start, end);
  }

  texts(): string[] {
    return Array.from({ length: this.count }, (_, k) => this.text(k));
  }

  isEmpty(k: number): boolean {
    return this.escaped[k] !== 1 && this.starts[k] === this.ends[k];
  }

  grow(): void {
    const n = this.starts.length * 2;
    const starts = new Int32Array(n);
    starts.set(this.starts);
    const ends = new Int32Array(n);
    ends.set(this.ends);
    const escaped = new Uint8Array(n);
    escaped.set(this.escaped);
    this.starts = starts;
    this.ends = ends;
    this.escaped = escaped;
  }
}

/** Reads runs of rows the fast way, ahead of the general scan (see csv-plain-rows.ts). */
export interface PlainRowReader {
  /**
   * Reads the rows from `p` that it can, each a whole line with its LF before `end` (`buf[end - 1]`
   * is an LF); returns where it stopped (`p` itself when the row there is not for it) and sets
   * `lines` to the number of rows read.
   */
  read(buf: Buffer, p: number, end: number, line: number): number;
  lines: number;
}

export class CsvTokenizer {
  private readonly record: CsvRecordView;
  private readonly delim: number;
  /** Bytes 1 for the delimiter, the quote and the line ends: the unquoted scan's only stops. */
  private readonly stop = new Uint8Array(256);
  private carry: Buffer = Buffer.alloc(0);
  private currentLine = 1;
  /** Set when a scan runs out of input inside a quoted field (for the error's hint). */
  private inQuotes = false;
  /** Where the field a scan ran out of input in starts (an offset into the scanned buffer). */
  private pendingField = 0;
  /** The reader's decoder of plain rows (csv-plain-rows.ts), tried first at every record start. */
  plainRows: PlainRowReader | undefined;

  constructor(
    delimiter: string,
    private readonly limits: CsvTokenizerLimits,
    latin1 = false,
  ) {
    const code = delimiter.charCodeAt(0);
    if (delimiter.length !== 1 || code > 0x7f || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new Error(`unsupported CSV delimiter ${JSON.stringify(delimiter)}`);
    }
    this.delim = code;
    this.stop[code] = 1;
    this.stop[QUOTE] = 1;
    this.stop[LF] = 1;
    this.stop[CR] = 1;
    this.record = new CsvRecordView(latin1);
  }

  /** 1-based line the tokenizer has reached. */
  get line(): number {
    return this.currentLine;
  }

  /** Feeds one chunk of bytes; calls `onRecord` for every record it completes. */
  push(chunk: Buffer, onRecord: (record: CsvRecordView) => void): void {
    const carry = this.carry;
    if (carry.length === 0) {
      this.run(chunk, false, onRecord);
      return;
    }
    // The carried record usually ends at the chunk's first line end: join just that line to it rather
    // than copying the whole chunk behind it.
    const lf = chunk.indexOf(LF);
    if (lf === -1 || lf + 1 === chunk.length) {
      this.run(Buffer.concat([carry, chunk]), false, onRecord);
      return;
    }
    this.run(Buffer.concat([carry, chunk.subarray(0, lf + 1)]), false, onRecord);
    const rest = chunk.subarray(lf + 1);
    // Still open (a quoted field with a line break, a CR before that LF): carry on with the rest.
    this.run(this.carry.length > 0 ? Buffer.concat([this.carry, rest]) : rest, false, onRecord);
  }

  /** Ends the input: completes a last record without a line end. An open quote is bad quoting. */
  end(onRecord: (record: CsvRecordView) => void): void {
    if (this.carry.length > 0) this.run(this.carry, true, onRecord);
    this.carry = Buffer.alloc(0);
  }

  private run(buf: Buffer, final: boolean, onRecord: (record: CsvRecordView) => void): void {
    const n = buf.length;
    const rec = this.record;
    rec.bytes = buf;
    let p = 0;
    // Plain rows are read only up to the buffer's last LF, so their scans need no end check.
    let plainEnd = -1;
    while (p < n) {
      const plain = this.plainRows;
      if (plain !== undefined) {
        if (plainEnd < 0) plainEnd = buf.lastIndexOf(LF) + 1;
        if (p < plainEnd) {
          const next = plain.read(buf, p, plainEnd, this.currentLine);
          if (next > p) {
            this.currentLine += plain.lines;
            p = next;
            continue;
          }
        }
      }
      const line = this.currentLine;
      const next = this.scanRecord(buf, p, n, final);
      if (next < 0) {
        this.currentLine = line;
        this.carry = Buffer.from(buf.subarray(p));
        this.checkCarry(line, n - this.pendingField);
        rec.bytes = this.carry; // drop the chunk
        return;
      }
      if (next - p > this.limits.maxRecordChars) {
        throw new CsvLimitError(`a row longer than ${this.limits.maxRecordChars} bytes`, line, 'the file may not be CSV (or not this delimiter); raise maxRecordChars if rows are really that long');
      }
      rec.line = line;
      onRecord(rec);
      p = next;
    }
    this.carry = Buffer.alloc(0);
  }

  /** A record that has not ended within the caps' reach will never fit: stop now, in bounded memory. */
  private checkCarry(line: number, fieldSoFar: number): void {
    const size = this.carry.length;
    if (fieldSoFar > this.limits.maxFieldChars) {
      throw new CsvLimitError(
        `a field longer than ${this.limits.maxFieldChars} bytes`,
        line,
        this.inQuotes ? 'a quoted field that never closes swallows the rest of the file: look for an unbalanced " at that line' : 'raise the reader limit maxFieldChars if such fields are expected',
      );
    }
    if (size > this.limits.maxRecordChars) {
      throw new CsvLimitError(`a row longer than ${this.limits.maxRecordChars} bytes`, line, 'the file may not be CSV (or not this delimiter); raise maxRecordChars if rows are really that long');
    }
  }

  /**
   * Tokenizes the record at `p` into `this.record`; returns where the next record starts, or -1 when
   * the record does not end before `n` (and `final` is false): the caller carries it over.
   */
  private scanRecord(buf: Buffer, p: number, n: number, final: boolean): number {
    const rec = this.record;
    const delim = this.delim;
    const stop = this.stop;
    const maxField = this.limits.maxFieldChars;
    let count = 0;
    rec.badQuoting = false;
    rec.quoted = false;
    this.inQuotes = false;
    for (;;) {
      if (count >= this.limits.maxColumns) {
        throw new CsvLimitError(`more than ${this.limits.maxColumns} columns`, this.currentLine, 'check the delimiter, or raise the reader limit maxColumns');
      }
      if (count === rec.starts.length) rec.grow();
      this.pendingField = p;
      if (p < n && buf[p] === QUOTE) {
        rec.quoted = true;
        const end = this.scanQuoted(buf, p, n, final, count);
        if (end < 0) {
          rec.count = count;
          return -1;
        }
        p = end;
      } else {
        let j = p;
        while (j < n && stop[buf[j] as number] === 0) j++;
        // A quote inside an unquoted field is text (pandas keeps it) but the row is flagged.
        while (j < n && buf[j] === QUOTE) {
          rec.badQuoting = true;
          j++;
          while (j < n && stop[buf[j] as number] === 0) j++;
        }
        if (j === n && !final) {
          rec.count = count + 1;
          return -1;
        }
        if (j - p > maxField) throw this.fieldTooLong();
        rec.starts[count] = p;
        rec.ends[count] = j;
        rec.escaped[count] = 0;
        p = j;
      }
      count++;
      if (p >= n) {
        // Only reachable when final: the last record has no line end.
        rec.count = count;
        return n;
      }
      const c = buf[p];
      if (c === delim) {
        p++;
        if (p === n && !final) {
          this.pendingField = n;
          rec.count = count;
          return -1;
        }
        continue;
      }
      // A line end (the scans stop only at the delimiter, a line end or the end of input).
      if (c === CR) {
        if (p + 1 === n && !final) {
          rec.count = count;
          return -1; // CRLF split by the chunk: wait for the next byte
        }
        if (buf[p + 1] === LF) p++;
      }
      this.currentLine++;
      rec.count = count;
      return p + 1;
    }
  }

  /** Scans the quoted field at `p` into slot k; returns the position after it (at a stop byte), or -1. */
  private scanQuoted(buf: Buffer, p: number, n: number, final: boolean, k: number): number {
    const rec = this.record;
    let q = p + 1;
    let pieces: string | undefined;
    let lines = 0;
    for (;;) {
      const j = buf.indexOf(QUOTE, q);
      if (j === -1 || (j + 1 === n && !final)) {
        if (!final) {
          this.inQuotes = true;
          return -1;
        }
        if (j === -1) {
          // Never closed: the field runs to the end of the input, as pandas reads it.
          rec.badQuoting = true;
          lines += countLines(buf, q, n);
          this.setQuoted(k, pieces, q, n, undefined);
          this.currentLine += lines;
          return n;
        }
      }
      if (j + 1 < n && buf[j + 1] === QUOTE) {
        // `""` is one quote: the field's text must be built.
        lines += countLines(buf, q, j);
        pieces = (pieces ?? '') + rec.decode(q, j + 1);
        q = j + 2;
        continue;
      }
      lines += countLines(buf, q, j);
      if (j - p - 1 > this.limits.maxFieldChars) throw this.fieldTooLong();
      let e = j + 1;
      let tail: string | undefined;
      if (e < n && buf[e] !== this.delim && buf[e] !== LF && buf[e] !== CR) {
        // `"abc"def`: keep the text after the quote, as pandas does, and flag the row.
        rec.badQuoting = true;
        let t = e;
        while (t < n && buf[t] !== this.delim && buf[t] !== LF && buf[t] !== CR) t++;
        if (t === n && !final) return -1;
        tail = rec.decode(e, t);
        e = t;
      }
      this.setQuoted(k, pieces, q, j, tail);
      this.currentLine += lines;
      return e;
    }
  }

  private setQuoted(k: number, pieces: string | undefined, from: number, to: number, tail: string | undefined): void {
    const rec = this.record;
    if (pieces === undefined && tail === undefined) {
      rec.starts[k] = from;
      rec.ends[k] = to;
      rec.escaped[k] = 0;
      return;
    }
    const text = (pieces ?? '') + rec.decode(from, to) + (tail ?? '');
    if (text.length > this.limits.maxFieldChars) throw this.fieldTooLong();
    rec.unescaped[k] = text;
    rec.escaped[k] = 1;
  }

  private fieldTooLong(): CsvLimitError {
    return new CsvLimitError(`a field longer than ${this.limits.maxFieldChars} bytes`, this.currentLine, 'raise the reader limit maxFieldChars if such fields are expected');
  }
}

/** Newlines inside a quoted field, `buf[from, to)` (a CRLF counts once, through its LF). */
function countLines(buf: Buffer, from: number, to: number): number {
  let lines = 0;
  for (let i = from; i < to; i++) if (buf[i] === LF) lines++;
  return lines;
}
