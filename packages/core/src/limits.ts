/**
 * Bounds on untrusted input. Generous enough for real models and datasets, small enough that a
 * hostile file cannot exhaust the runner. Hitting one is a finding or a UserError, never a hang.
 */
export interface Limits {
  /** Largest single file read, in bytes. */
  maxFileBytes: number;
  /** Most bytes any one decompression may produce. */
  maxDecompressedBytes: number;
  /** Largest allowed ratio of decompressed to compressed bytes (zip bombs). */
  maxDecompressionRatio: number;
  /** Deepest nesting (archives in archives, payloads in payloads, JSON depth). */
  maxDepth: number;
  /** Most entries read from one archive. */
  maxEntries: number;
  /** Wall-clock budget per file, in milliseconds. */
  timePerFileMs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFileBytes: 20 * 1024 ** 3,
  maxDecompressedBytes: 4 * 1024 ** 3,
  maxDecompressionRatio: 1000,
  maxDepth: 16,
  maxEntries: 100_000,
  timePerFileMs: 60_000,
});
