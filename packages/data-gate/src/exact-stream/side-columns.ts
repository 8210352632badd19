import { CellKind, type ColumnChunk } from '../readers/index';
import { charLength, tokenize } from '../stats/index';
import { ExternalSorter } from '../spill/external-sort';
import type { MemoryBudget } from '../spill/memory-budget';
import type { SortedColumn } from '../spill/sorted-column';
import type { SpillDir } from '../spill/spill-dir';

/**
 * What the streaming exact gate keeps of one column of one side while the rows pass: its numbers in
 * an external sort (the drift tests and quantile-fitted outliers need every value), its category
 * counts in first-seen order (keys as `categoryKeyAt` makes them, numbers by value until a key is
 * needed), and for free text the lengths (spilled) and the vocabulary. Counts stop at a bound: a
 * column with more distinct values is free text for the gate, and its counts go no further.
 */
export type CategoryKey = string | number | boolean;

/** Counts one more `key`; false, counting nothing, when the key is new and `max` keys are counted already. */
function countKey(counts: Map<CategoryKey, number>, key: CategoryKey, max: number): boolean {
  const c = counts.get(key);
  if (c !== undefined) counts.set(key, c + 1);
  else if (counts.size < max) counts.set(key, 1);
  else return false;
  return true;
}

/** The counts keyed as categoryKeyAt keys them (numbers and booleans by their String()), in first-seen order. */
function stringKeyed(counts: Map<CategoryKey, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, c] of counts) {
    const key = String(k);
    out.set(key, (out.get(key) ?? 0) + c);
  }
  return out;
}

export interface SideLimits {
  /** Distinct category keys counted per column before it counts as free text. */
  maxCategories: number;
  /**
   * Distinct reference tokens counted per free-text column (rows holding each, for the trigger search;
   * the keys are the vocabulary of the out-of-vocabulary rate, complete only below the bound).
   */
  maxVocabulary: number;
  /** Values one column's run buffer may hold. */
  maxRun: number;
}

export class SideColumn {
  /** Integer/Float non-NaN values (what numbersOf keeps), while the column may still be numeric. */
  numbers: ExternalSorter | undefined;
  counts: Map<CategoryKey, number> | undefined = new Map();
  nonNull = 0;
  /** Lengths of Text cells, from the point the column turned out to be free text (or always, for the batch's text columns). */
  lengths: ExternalSorter | undefined;
  texts = 0;
  /** Reference rows holding each token, for free text (new tokens past maxVocabulary are not counted). */
  tokenCounts: Map<string, number> | undefined;
  vocabularyOverflow = false;

  constructor(
    readonly name: string,
    private readonly dir: SpillDir,
    private readonly budget: MemoryBudget,
    private readonly limits: SideLimits,
    keepNumbers: boolean,
  ) {
    if (keepNumbers) this.numbers = new ExternalSorter(dir, budget, limits.maxRun);
  }

  get countsOverflowed(): boolean {
    return this.counts === undefined;
  }

  /** Category counts keyed as categoryKeyAt keys them, in first-seen order. */
  categoryCounts(): Map<string, number> | undefined {
    return this.counts && stringKeyed(this.counts);
  }

  private count(key: CategoryKey): void {
    if (this.counts && !countKey(this.counts, key, this.limits.maxCategories)) this.overflow();
  }

  /** Too many distinct values to count: from here on the column is followed as free text. */
  private overflow(): void {
    const counts = this.counts;
    this.counts = undefined;
    this.startText();
    if (counts) for (const [k, c] of counts) if (typeof k === 'string') this.addText(k, c);
  }

  private startText(): void {
    if (!this.lengths) this.lengths = new ExternalSorter(this.dir, this.budget, this.limits.maxRun);
    this.tokenCounts ??= new Map();
  }

  /** `times` text cells holding `text`. */
  private addText(text: string, times = 1): void {
    const length = charLength(text);
    for (let i = 0; i < times; i++) (this.lengths as ExternalSorter).push(length);
    this.texts += times;
    const tokens = this.tokenCounts as Map<string, number>;
    for (const t of new Set(tokenize(text))) {
      const c = tokens.get(t);
      if (c !== undefined) tokens.set(t, c + times);
      else if (tokens.size < this.limits.maxVocabulary) tokens.set(t, times);
      else this.vocabularyOverflow = true;
    }
  }

  /** The reference vocabulary for the out-of-vocabulary rate, when it is complete. */
  get vocabulary(): ReadonlyMap<string, number> | undefined {
    return this.vocabularyOverflow ? undefined : this.tokenCounts;
  }

  /** Turns a column that stayed countable but is free text into lengths and vocabulary from its counts. */
  textFromCounts(): void {
    const counts = this.counts;
    if (!counts || this.lengths) return;
    this.startText();
    for (const [k, c] of counts) if (typeof k === 'string') this.addText(k, c);
  }

  /** A reference cell. */
  pushReference(chunk: ColumnChunk, i: number): void {
    const kind = chunk.kinds[i];
    if (kind === CellKind.Integer || kind === CellKind.Float) {
      const v = chunk.numbers[i] as number;
      this.nonNull++;
      if (!Number.isNaN(v)) this.numbers?.push(v);
      this.count(v);
    } else if (kind === CellKind.Text) {
      this.nonNull++;
      this.dropNumbers();
      const t = chunk.texts[i] ?? '';
      if (this.counts) this.count(t);
      else this.addText(t);
    } else if (kind === CellKind.Boolean) {
      this.nonNull++;
      this.dropNumbers();
      this.count(chunk.numbers[i] === 1);
    }
  }

  /** The column is not numeric: its spilled numbers are of no use. */
  dropNumbers(): void {
    if (!this.numbers) return;
    this.numbers.discard();
    this.numbers = undefined;
  }

  /** Sorted numbers, once the side has been read. */
  sortedNumbers(): SortedColumn | undefined {
    const n = this.numbers;
    this.numbers = undefined;
    return n?.finish();
  }

  sortedLengths(): SortedColumn | undefined {
    const l = this.lengths;
    this.lengths = undefined;
    return l?.finish();
  }
}

/** Batch columns: numbers for numeric columns, counts for categorical ones, lengths and tokens for text. */
export class BatchColumn {
  numbers: ExternalSorter | undefined;
  counts: Map<CategoryKey, number> | undefined;
  countsOverflowed = false;
  lengths: ExternalSorter | undefined;
  texts = 0;
  /** Tokens of the batch's text cells, and those the reference's vocabulary lacks (out-of-vocabulary rate). */
  tokens = 0;
  unseenTokens = 0;

  constructor(
    readonly name: string,
    readonly role: 'numeric' | 'categorical' | 'text' | 'counted',
    dir: SpillDir,
    budget: MemoryBudget,
    private readonly limits: SideLimits,
    private readonly vocabulary: ReadonlyMap<string, number> | undefined,
    counted: boolean,
  ) {
    if (role === 'numeric') this.numbers = new ExternalSorter(dir, budget, limits.maxRun);
    if (role === 'text') this.lengths = new ExternalSorter(dir, budget, limits.maxRun);
    if (role === 'categorical' || role === 'counted' || counted) this.counts = new Map();
  }

  sortedNumbers(): SortedColumn | undefined {
    const n = this.numbers;
    this.numbers = undefined;
    return n?.finish();
  }

  sortedLengths(): SortedColumn | undefined {
    const l = this.lengths;
    this.lengths = undefined;
    return l?.finish();
  }

  categoryCounts(): Map<string, number> | undefined {
    return this.counts && stringKeyed(this.counts);
  }

  private count(key: CategoryKey): void {
    if (this.counts && !countKey(this.counts, key, this.limits.maxCategories)) {
      this.counts = undefined;
      this.countsOverflowed = true;
    }
  }

  push(chunk: ColumnChunk, i: number): void {
    const kind = chunk.kinds[i];
    if (kind === CellKind.Null || kind === undefined) return;
    if (kind === CellKind.Integer || kind === CellKind.Float) {
      const v = chunk.numbers[i] as number;
      if (!Number.isNaN(v)) this.numbers?.push(v);
      this.count(v);
    } else if (kind === CellKind.Boolean) {
      this.count(chunk.numbers[i] === 1);
    } else {
      const t = chunk.texts[i] ?? '';
      this.count(t);
      if (this.lengths) {
        this.lengths.push(charLength(t));
        this.texts++;
        if (this.vocabulary) {
          for (const token of tokenize(t)) {
            this.tokens++;
            if (!this.vocabulary.has(token)) this.unseenTokens++;
          }
        }
      }
    }
  }
}
