import { CellKind } from '../readers/index';
import type { PairwiseJson } from './pairwise-comoments';

/** The label model's options, limits and plain-JSON form (what a profile stores), and the keys of its cells. */
export const LABEL_MODEL_FORMAT = 'aisec-label-model';
export const LABEL_MODEL_VERSION = 1;

export interface LabelModelOptions {
  /** The label column (classification: at most `maxLabels` distinct values). */
  labelColumn: string;
  /** Columns never used as features; default the columns named like ids (id, *_id, key, uuid). */
  exclude?: readonly string[];
  /** Past this many distinct labels the label is not a class and the check is skipped. */
  maxLabels?: number;
  /** A non-numeric column with more distinct values than this is free text or an id: not a feature. */
  maxCategories?: number;
  /** Feature columns tracked (the first ones seen); the rest are left out with a note. */
  maxFeatures?: number;
  /** Reference rows kept for calibration (thresholds and the reference's own suspect rate). */
  sampleSize?: number;
  /** Numeric columns modelled with their correlations (the first ones seen); further ones get a variance only. */
  maxCorrelated?: number;
}

export const LABEL_MODEL_DEFAULTS = { maxLabels: 64, maxCategories: 64, maxFeatures: 256, sampleSize: 20_000, maxCorrelated: 32 } as const;

/**
 * The most any option may be, in the builder and in a model read from a file (a hostile profile must
 * not make the scanner allocate labels² tables of billions): the correlated block is addressed by the
 * bits of an int32, hence 32.
 */
export const LABEL_MODEL_LIMITS = { maxLabels: 1000, maxCategories: 10_000, maxFeatures: 4096, sampleSize: 1_000_000, maxCorrelated: 32 } as const;

export type OptionName = keyof typeof LABEL_MODEL_LIMITS;
export const OPTION_NAMES = Object.keys(LABEL_MODEL_LIMITS) as OptionName[];

/** Per-label Welford moments of one column's number cells. */
export interface NumericStats {
  count: number[];
  mean: number[];
  m2: number[];
}

/** Per-label counts of one column's category keys (numbers keyed as `String(value)`). */
export interface CategoryStats {
  /** Set once more than `maxCategories` keys were seen: the counts are then dropped. */
  overflow: boolean;
  keys: string[];
  /** counts[k][l]: rows with key k and label l. */
  counts: number[][];
}

export interface ColumnStats {
  name: string;
  /** Non-null cells that were numbers (Integer/Float), and that were text or booleans. */
  numberCells: number;
  otherCells: number;
  numeric: NumericStats;
  categories: CategoryStats;
}

/** One sampled reference row: its hash key, its label and its cells, aligned to `columns` (null where absent). */
export interface SampleRow {
  key: number;
  label: string;
  cells: (number | string | null)[];
}

/** The plain-JSON form (`toJSON`), as a profile would store it. */
export interface LabelModelJson {
  format: typeof LABEL_MODEL_FORMAT;
  version: typeof LABEL_MODEL_VERSION;
  labelColumn: string;
  exclude: string[];
  options: { maxLabels: number; maxCategories: number; maxFeatures: number; sampleSize: number; maxCorrelated: number };
  rows: number;
  unlabeledRows: number;
  labelOverflow: boolean;
  featureOverflow: boolean;
  labels: string[];
  labelCounts: number[];
  columns: ColumnStats[];
  /** Per-label pairwise co-moments of the correlated numeric columns. */
  correlation: PairwiseJson;
  sample: SampleRow[];
}

/**
 * Numbers the moments take: finite and below 1e150 in magnitude, so that squares and sums of squares
 * of millions of them stay finite (a hostile 1e300 would make every variance infinite).
 */
export function usable(v: number): boolean {
  return Number.isFinite(v) && Math.abs(v) < 1e150;
}

export function labelKeyOf(kind: number | undefined, number: number, text: string | null | undefined): string | null {
  switch (kind) {
    case CellKind.Integer:
    case CellKind.Float:
      return String(number);
    case CellKind.Boolean:
      return number === 1 ? 'true' : 'false';
    case CellKind.Text:
      return text ?? '';
    default:
      return null;
  }
}

export function emptyColumn(name: string, labels: number): ColumnStats {
  return {
    name,
    numberCells: 0,
    otherCells: 0,
    numeric: { count: Array.from({ length: labels }, (): number => 0), mean: Array.from({ length: labels }, (): number => 0), m2: Array.from({ length: labels }, (): number => 0) },
    categories: { overflow: false, keys: [], counts: [] },
  };
}
