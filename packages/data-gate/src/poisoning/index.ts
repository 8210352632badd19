export { type LabelShiftOptions, LABEL_SHIFT_DEFAULTS, checkLabelShift } from './label-shift';
export { type TriggerOptions, TRIGGER_DEFAULTS, checkTriggers } from './trigger-values';
export { SOURCE_MIN_RATIO, SOURCE_MIN_SHARE, SOURCE_NEW_MIN_SHARE, checkSourceConcentration } from './source-concentration';
export { TextInjectionScanner, checkTextInjection, hasControlCharacters, isFormulaLike, mixedScriptWord } from './text-injection';
export { LSH_BANDS, MINHASH_PERMUTATIONS, NEAR_DUPLICATE_THRESHOLD, checkNearDuplicates } from './near-duplicates';
export { LABEL_MODEL_DEFAULTS, LABEL_MODEL_FORMAT, LABEL_MODEL_LIMITS, LABEL_MODEL_VERSION, LabelModel, LabelModelBuilder, type LabelModelJson, type LabelModelOptions } from './label-model';
export { LABEL_FLIP_DEFAULTS, LabelFlipScanner, type LabelFlipOptions, type LabelFlipResult } from './label-flip';
export { POSTERIOR_DEFAULTS, LabelPosterior, type PosteriorOptions } from './label-posterior';
export { batchesOf, checkLabelFlips } from './label-flip-table';
