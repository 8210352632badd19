import { CellKind, classifyCsvBytes, csvScratch } from './cell';
import type { BatchBuilder } from './row-batch';
import { MEDIUM_BYTES, SHORT_BYTES, type TextInterner } from './text-interner';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const MINUS = 0x2d;
const DOT = 0x2e;
// 10^k for k <= 22 is exact in a double.
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
// What a field's first byte says (PlainRowDecoder.textStart): maybe a number, text, or text unless
// the second byte (lower-cased) is `a` / `n`.
const TEXT = 1;
const TEXT_UNLESS_A = 2;
const TEXT_UNLESS_N = 3;

/**
 * Whether plain rows can be cut by this delimiter. The decoder reads a number while it scans it, so a
 * delimiter that can be part of a number (`-`, `.`, a digit) would be read as one.
 */
export function plainRowsFit(delimiter: number): boolean {
  return delimiter !== MINUS && delimiter !== DOT && !(delimiter >= 0x30 && delimiter <= 0x39);
}

/**
 * The common row, decoded in one pass from the bytes into a batch slot: exactly as many fields as the
 * header, ending in LF or CRLF, no quotes but around a whole field (with no quote or line end inside). Most rows of most files are like that, and for them the
 * general tokenizer's record view (ranges, flags, a call per record) was half of reading. A row that
 * is not plain stops `read`, having left its slot as it was, and the tokenizer's general path reads
 * it instead, so both give the same cells by construction: fields are cut at the same bytes and typed
 * by the same classifyCsvBytes (or, for the usual number, by the same digits and the same division).
 *
 * `read` is given runs of whole lines (the chunk up to its last LF), so every scan stops at an LF at
 * the latest and no loop checks for the end of the buffer.
 */
export class PlainRowDecoder {
  /** Rows read by the last `read`. */
  lines = 0;
  private readonly stop = new Uint8Array(256);
  /** Where the content of a quoted field stops: its closing quote, or a line end (left to the general path). */
  private readonly quotedStop = new Uint8Array(256);
  /**
   * What a field's first byte says of its kind, so classifyCsvBytes need not look: 0 maybe a number;
   * TEXT for a letter that cannot start `inf`, `infinity` or `nan`, or a non-ASCII byte; TEXT_UNLESS_A
   * and TEXT_UNLESS_N for `n` and `i`. Only 0 tries the number path.
   */
  private readonly textStart = new Uint8Array(256);

  constructor(
    private readonly delimiter: number,
    private readonly width: number,
    private readonly maxFieldBytes: number,
    private readonly maxRecordBytes: number,
    private readonly interners: readonly TextInterner[],
    private readonly builder: BatchBuilder,
  ) {
    this.stop[delimiter] = 1;
    this.stop[QUOTE] = 1;
    this.stop[LF] = 1;
    this.stop[CR] = 1;
    this.quotedStop[QUOTE] = 1;
    this.quotedStop[LF] = 1;
    this.quotedStop[CR] = 1;
    for (let b = 0x41; b <= 0x7a; b++) if (b <= 0x5a || b >= 0x61) this.textStart[b] = TEXT;
    for (let b = 0x80; b <= 0xff; b++) this.textStart[b] = TEXT;
    // `n`/`N` and `i`/`I` start text unless `a` or `n` follows (`nan`, `inf`, `infinity`), or a blank
    // (classifyCsvBytes's other way to a float() word is a leading blank, which is not a textStart).
    this.textStart[0x4e] = this.textStart[0x6e] = TEXT_UNLESS_A;
    this.textStart[0x49] = this.textStart[0x69] = TEXT_UNLESS_N;
    this.textStart[delimiter] = 0;
  }

  /**
   * Decodes the plain rows from `p` into the builder until it is full or a row is not plain;
   * `buf[end - 1]` is an LF. Sets `lines` to the rows read (the first is data row `row`, at line
   * `line`) and returns where the next row starts.
   */
  read(buf: Buffer, p: number, end: number, line: number, row: number): number {
    const builder = this.builder;
    builder.prepare();
    const cap = builder.capacity;
    const { kinds, numbers, codes, texts, rows, lines } = builder;
    const { stop, quotedStop, textStart, interners, width, delimiter, maxFieldBytes, maxRecordBytes } = this;
    const last = width - 1;
    let slot = builder.count;
    let done = 0;
    let rowStart = p;
    rows: while (p < end && slot < cap) {
      rowStart = p;
      // A blank line is skipped by the general path, not read as a row of one null.
      if (buf[p] === LF || buf[p] === CR) break;
      let at = slot;
      for (let c = 0; c < width; c++, at += cap) {
        const sep = c < last ? delimiter : LF;
        const start = p;
        let b = buf[p] as number;
        if (textStart[b] === 0) {
          // The usual number, -?d+(.d*)? with at most 15 digits, parsed while it is scanned; exactly
          // what classifyCsvBytes gives for it (same digits, same division).
          let sign = 1;
          if (b === MINUS) {
            sign = -1;
            b = buf[++p] as number;
          }
          let m = 0;
          const d0 = p;
          while (b >= 48 && b <= 57) {
            m = m * 10 + (b - 48);
            b = buf[++p] as number;
          }
          let digits = p - d0;
          let frac = -1;
          if (b === DOT) {
            const f0 = ++p;
            b = buf[p] as number;
            while (b >= 48 && b <= 57) {
              m = m * 10 + (b - 48);
              b = buf[++p] as number;
            }
            frac = p - f0;
            digits += frac;
          }
          if (digits > 0 && digits <= 15 && p - start <= maxFieldBytes) {
            if (b === sep) {
              kinds[at] = frac < 0 ? CellKind.Integer : CellKind.Float;
              numbers[at] = frac <= 0 ? sign * m : sign * (m / (POW10[frac] as number));
              p++;
              continue;
            }
            if (b === CR && sep === LF && buf[p + 1] === LF) {
              kinds[at] = frac < 0 ? CellKind.Integer : CellKind.Float;
              numbers[at] = frac <= 0 ? sign * m : sign * (m / (POW10[frac] as number));
              p += 2;
              continue;
            }
          }
          p = start;
          b = buf[p] as number;
        }
        // Anything else: find the field's end (packing its last bytes for the interner on the way), then
        // type it. A quoted field without quotes or line ends inside is its content, as the tokenizer
        // cuts it; anything trickier (a "" escape, text after the closing quote) is the general path's.
        let from = start;
        let ends = stop;
        if (b === QUOTE) {
          from = ++p;
          b = buf[p] as number;
          ends = quotedStop;
        }
        let w0 = 0;
        let w1 = 0;
        while (ends[b] === 0) {
          w1 = (w1 << 8) | (w0 >>> 24);
          w0 = (w0 << 8) | b;
          b = buf[++p] as number;
        }
        const to = p;
        if (from !== start) {
          if (b !== QUOTE) {
            this.clear(slot, c);
            break rows;
          }
          b = buf[++p] as number;
        }
        // CRLF ends a row as LF does.
        if (b === CR && sep === LF && buf[p + 1] === LF) b = buf[++p] as number;
        if (b !== sep || to - from > maxFieldBytes) {
          // A quote, a CR, a ragged row, a huge field: undo this row's cells for the general path.
          this.clear(slot, c);
          break rows;
        }
        // (An empty field starts with the delimiter, the line end or the closing quote: none is a textStart.)
        const lead = textStart[buf[from] as number] as number;
        const kind =
          lead === TEXT ||
          (lead === TEXT_UNLESS_A && ((buf[from + 1] as number) | 0x20) !== 0x61) ||
          (lead === TEXT_UNLESS_N && ((buf[from + 1] as number) | 0x20) !== 0x6e)
            ? CellKind.Text
            : classifyCsvBytes(buf, from, to);
        if (kind === CellKind.Text) {
          kinds[at] = kind;
          const interner = interners[c] as TextInterner;
          const id = to - from <= SHORT_BYTES ? interner.idOfShort(buf, from, to, w0, w1) : to - from <= MEDIUM_BYTES ? interner.idOfMedium(buf, from, to, w0, w1) : interner.idOf(buf, from, to);
          if (id >= 0) {
            codes[at] = id;
            (texts[c] as (string | null)[])[slot] = interner.values[id] as string;
          } else {
            (texts[c] as (string | null)[])[slot] = interner.decode(buf, from, to);
          }
        } else if (kind !== CellKind.Null) {
          kinds[at] = kind;
          numbers[at] = csvScratch.number;
        }
        p++;
      }
      if (p - rowStart > maxRecordBytes) {
        this.clear(slot, width);
        break;
      }
      rows[slot] = row + done;
      lines[slot] = line + done;
      slot++;
      done++;
      rowStart = p;
    }
    builder.count = slot;
    this.lines = done;
    return rowStart;
  }

  /** Puts the first `upTo` cells of `slot` back to null (fresh storage's state). */
  private clear(slot: number, upTo: number): void {
    const builder = this.builder;
    const cap = builder.capacity;
    for (let c = 0, at = slot; c < upTo; c++, at += cap) {
      builder.kinds[at] = CellKind.Null;
      builder.numbers[at] = Number.NaN;
      builder.codes[at] = -1;
      (builder.texts[c] as (string | null)[])[slot] = null;
    }
  }
}
