import type { Limits } from '@aisec/core';

/**
 * The bounds one model-file scan runs under: the shared `Limits` from the runner plus the pickle-specific
 * ones below. Each is generous for real models (a 7B-parameter state_dict pickle has ~10^5 opcodes and
 * ~10^4 memo entries) and small enough that a hostile file cannot exhaust the runner.
 */
export interface ScanBounds extends Limits {
  /** Opcodes walked in one pickle. */
  maxOpcodes: number;
  /** Memo entries in one pickle. */
  maxMemo: number;
  /** Longest newline-terminated argument (GLOBAL names, protocol 0 numbers). */
  maxLine: number;
  /** Pickles walked back to back in one stream (legacy torch files have 5). */
  maxStackedPickles: number;
  /** Largest pickle or JSON member read into memory (deflated zip members, configs). */
  maxInMemoryBytes: number;
}

export const PICKLE_BOUNDS = Object.freeze({
  maxOpcodes: 50_000_000,
  maxMemo: 10_000_000,
  maxLine: 64 * 1024,
  maxStackedPickles: 64,
  maxInMemoryBytes: 512 * 1024 * 1024,
});

export type PickleBounds = { -readonly [K in keyof typeof PICKLE_BOUNDS]: number };

export function scanBounds(limits: Limits, overrides: Partial<PickleBounds> = {}): ScanBounds {
  return {
    ...limits,
    ...PICKLE_BOUNDS,
    ...overrides,
    maxInMemoryBytes: Math.min(overrides.maxInMemoryBytes ?? PICKLE_BOUNDS.maxInMemoryBytes, limits.maxDecompressedBytes),
  };
}
