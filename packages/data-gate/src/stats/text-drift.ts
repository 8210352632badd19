import { ks2samp, type KsResult } from './ks-test';
import { charLength } from './profile';

/**
 * Drift signals for free text: KS on the length in characters, and the out-of-vocabulary rate of the
 * batch against the reference's vocabulary.
 */
export const TOKENIZER_DESCRIPTION = `replace ',' and '"' by space, split on whitespace`;

export function tokenize(text: string): string[] {
  return text
    .replace(/[,"]/g, ' ')
    .split(/\s+/)
    .filter((t) => t.length > 0);
}

export function lengthKs(ref: readonly string[], cur: readonly string[]): KsResult {
  return ks2samp(ref.map(charLength), cur.map(charLength));
}

/** Share of the batch's tokens (with repetition) that never occur in the reference. */
export function oovRate(ref: readonly string[], cur: readonly string[]): number {
  const vocabulary = new Set<string>();
  for (const text of ref) for (const token of tokenize(text)) vocabulary.add(token);
  let total = 0;
  let unseen = 0;
  for (const text of cur) {
    for (const token of tokenize(text)) {
      total++;
      if (!vocabulary.has(token)) unseen++;
    }
  }
  return total === 0 ? 0 : unseen / total;
}
