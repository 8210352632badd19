import { CellKind, classifyCsvBytes, csvScratch } from './cell';
import type { BatchBuilder } from './row-batch';
import { FNV_OFFSET, FNV_PRIME, type TextInterner } from './text-interner';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
// 10^k for k <= 22 is exact in a double.
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The common row, decoded in one pass from the bytes into a batch slot: no quotes, no CR, exactly as
 * many fields as the header, ending in LF within the chunk. Most rows of most files are like that,
 * and for them the general tokenizer's record view (ranges, flags, a call per record) was half of
 * reading. Anything else makes `decode` return -1, having changed nothing that matters, and the
 * tokenizer's general path reads the row instead, so both give the same cells by construction:
 * fields are cut at the same bytes and typed by the same classifyCsvBytes.
 */
export class PlainRowDecoder {
  private readonly stop = new Uint8Array(256);

  constructor(
    private readonly delimiter: number,
    private readonly width: number,
    private readonly maxFieldBytes: number,
    private readonly maxRecordBytes: number,
    private readonly interners: readonly TextInterner[],
  ) {
    this.stop[delimiter] = 1;
    this.stop[QUOTE] = 1;
    this.stop[LF] = 1;
    this.stop[CR] = 1;
  }

  /** Decodes the row at `p` into `slot` of `builder`; returns where the next row starts, or -1. */
  decode(buf: Buffer, p: number, n: number, builder: BatchBuilder, slot: number): number {
    const stop = this.stop;
    const width = this.width;
    const last = width - 1;
    const rowStart = p;
    // A blank line is skipped by the general path, not read as a row of one null.
    if (p < n && buf[p] === LF) return -1;
    const delimiter = this.delimiter;
    for (let c = 0; c < width; c++) {
      const end = c < last ? delimiter : LF;
      const start = p;
      const kinds = builder.kinds[c] as Uint8Array;
      const numbers = builder.numbers[c] as Float64Array;
      const texts = builder.texts[c] as (string | null)[];
      // The usual number, -?d+(.d*)? with at most 15 digits, parsed while it is scanned; exactly what
      // classifyCsvBytes gives for it (same digits, same division).
      let b = 0;
      let sign = 1;
      if (p < n && buf[p] === 0x2d) {
        sign = -1;
        p++;
      }
      let m = 0;
      const d0 = p;
      while (p < n && (b = buf[p] as number) >= 48 && b <= 57) {
        m = m * 10 + (b - 48);
        p++;
      }
      let digits = p - d0;
      let frac = -1;
      if (p < n && b === 0x2e) {
        const f0 = ++p;
        while (p < n && (b = buf[p] as number) >= 48 && b <= 57) {
          m = m * 10 + (b - 48);
          p++;
        }
        frac = p - f0;
        digits += frac;
      }
      if (p < n && b === end && digits > 0 && digits <= 15 && p - start <= this.maxFieldBytes) {
        kinds[slot] = frac < 0 ? CellKind.Integer : CellKind.Float;
        numbers[slot] = frac <= 0 ? sign * m : sign * (m / (POW10[frac] as number));
        texts[slot] = null;
        p++;
        continue;
      }
      // Anything else: find the field's end (hashing its bytes for the interner on the way), then type it.
      p = start;
      let h = FNV_OFFSET;
      while (p < n && stop[(b = buf[p] as number)] === 0) {
        h = Math.imul(h ^ b, FNV_PRIME);
        p++;
      }
      if (p === n) return -1; // the chunk ends inside the row
      if (b !== end || p - start > this.maxFieldBytes) return -1; // a quote, a CR, a ragged row, a huge field
      const kind = classifyCsvBytes(buf, start, p);
      kinds[slot] = kind;
      if (kind === CellKind.Text) {
        numbers[slot] = Number.NaN;
        texts[slot] = (this.interners[c] as TextInterner).internHashed(buf, start, p, h);
      } else {
        numbers[slot] = kind === CellKind.Null ? Number.NaN : csvScratch.number;
        texts[slot] = null;
      }
      p++;
    }
    return p - rowStart > this.maxRecordBytes ? -1 : p;
  }
}
