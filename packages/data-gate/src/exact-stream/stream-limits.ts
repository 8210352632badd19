/**
 * Bounds of the streaming exact mode beyond its memory budget: distinct values counted per column
 * before it is followed as free text, and reference tokens counted per free-text column (the trigger
 * search's own bound, and past it no out-of-vocabulary rate).
 */
export const STREAM_LIMITS = { maxCategories: 100_000, maxVocabulary: 500_000 } as const;
