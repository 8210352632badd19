/**
 * Bounds the readers put on one file on top of the core's `Limits` (file size, decompression, depth,
 * time). A hostile file (one unclosed quote, a line of 10 GB, a million columns) hits one of these
 * and gets a UserError naming the file and row instead of eating the runner's memory.
 */
export interface ReaderLimits {
  /**
   * Longest CSV/TSV field, in bytes of the file (the tokenizer works on bytes; a character of UTF-8 text
   * is one to four of them). An unclosed quote usually shows up here first.
   */
  maxFieldChars: number;
  /** Longest row (all its fields, or one JSON line): bytes for CSV/TSV, characters for JSON Lines. */
  maxRecordChars: number;
  /** Most columns in a header or row. */
  maxColumns: number;
  /** Row numbers kept per problem kind and file (the count covers all of them). */
  maxProblemRows: number;
  /** Rows per batch handed to the consumer (fewer for tables over 256 columns wide: see batchRowsFor). */
  batchRows: number;
}

export const DEFAULT_READER_LIMITS: Readonly<ReaderLimits> = Object.freeze({
  maxFieldChars: 1024 * 1024,
  maxRecordChars: 16 * 1024 * 1024,
  maxColumns: 16_384,
  maxProblemRows: 100,
  batchRows: 8192,
});

/** Cells in one batch at most: a wide table gets fewer rows per batch, so a batch stays some tens of MB. */
const MAX_BATCH_CELLS = 1 << 21;

/** Rows per batch for a table `width` columns wide: `batchRows`, fewer for very wide tables. */
export function batchRowsFor(limits: ReaderLimits, width: number): number {
  return Math.max(1, Math.min(limits.batchRows, Math.floor(MAX_BATCH_CELLS / Math.max(1, width))));
}
