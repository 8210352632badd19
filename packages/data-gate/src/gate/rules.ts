import type { Rule } from '@aisec/core';
import { DATA_INPUT_RULES } from '../contract/input-rules';

/**
 * Rules of data-gate's statistics side (040 and up; 001-039 are the input side: contract, reading,
 * provenance). A published id never changes meaning.
 */
const HELP_URI = 'https://github.com/aisec/aisec/blob/main/actions/data-gate/README.md';

function rule(id: string, name: string, defaultSeverity: Rule['defaultSeverity'], shortDescription: string, fullDescription: string, help: string, tags: string[]): Rule {
  return { id, name, defaultSeverity, shortDescription, fullDescription, help, helpUri: `${HELP_URI}#${id.toLowerCase()}`, tags };
}

export const RULE_COLUMN_DRIFT = 'AISEC-DATA-040';
export const RULE_DATASET_DRIFT = 'AISEC-DATA-041';
export const RULE_OUTLIER_ROWS = 'AISEC-DATA-042';
export const RULE_DUPLICATE_ROWS = 'AISEC-DATA-043';
export const RULE_ROWS_FROM_REFERENCE = 'AISEC-DATA-044';
export const RULE_LABEL_SHIFT = 'AISEC-DATA-045';
export const RULE_DRIFT_WITHIN_LABEL = 'AISEC-DATA-046';
export const RULE_TRIGGER_VALUE = 'AISEC-DATA-047';
export const RULE_SOURCE_CONCENTRATION = 'AISEC-DATA-048';
export const RULE_FORMULA_INJECTION = 'AISEC-DATA-049';
export const RULE_CONTROL_CHARACTERS = 'AISEC-DATA-050';
export const RULE_HOMOGLYPHS = 'AISEC-DATA-051';
export const RULE_NEAR_DUPLICATE_ROWS = 'AISEC-DATA-052';
export const RULE_LABEL_FLIPPED_ROWS = 'AISEC-DATA-053';

export const DATA_STATISTICS_RULES: readonly Rule[] = Object.freeze([
  rule(RULE_COLUMN_DRIFT, 'DataColumnDrift', 'medium', 'A column’s distribution drifted from the trusted reference',
    'The distribution of a column in the incoming batch differs from the trusted reference: on small samples the two-sample test (KS for numbers, chi-square for categories) is significant at alpha; on large samples (both sides above 1000 rows) the effect size (Wasserstein distance normalised by the reference std, or Jensen-Shannon distance) reaches the threshold.',
    'Look at the drift table in the job summary: the p-value says whether there is a difference, the effect size how large it is. A real change in the world needs a new reference (profile it again in a reviewed change); an upstream bug or an injection needs the batch fixed. Tune with `alpha`, `effect-threshold` and `large-sample-rows`.',
    ['data', 'drift']),
  rule(RULE_DATASET_DRIFT, 'DataDatasetDrift', 'high', 'Too many columns drifted',
    'The share of drifted columns reaches `drift-share` (default 0.5, as Evidently): the batch as a whole does not look like the reference.',
    'Training on a batch whose distribution moved this much changes the model. Check the source of the batch before training; if the shift is real, make a new reference in a reviewed change.',
    ['data', 'drift']),
  rule(RULE_OUTLIER_ROWS, 'DataOutlierRows', 'medium', 'Rows with values far outside the reference distribution',
    'Values of a numeric column lie outside the range the reference allows under the chosen rule (z-score, IQR or MAD), with parameters fitted on the trusted reference so a large injection cannot mask itself. Severity is medium when the batch has significantly more such rows than the reference itself, info otherwise.',
    'The finding lists the rows (0-based data rows). Injected extremes are a classic poisoning and data-quality problem: check the rows, fix or drop them. Tune with `outlier-method`, `z-threshold`, `iqr-factor`, `mad-threshold`.',
    ['data', 'outliers', 'poisoning']),
  rule(RULE_DUPLICATE_ROWS, 'DataDuplicateRows', 'medium', 'Exact duplicate rows in the batch',
    'Rows of the batch equal an earlier row of the same batch on every column except id columns (numbers compared as doubles, null equal to null).',
    'Duplicated rows over-weight their examples; a burst of them is a cheap poisoning. De-duplicate before training. Id columns are left out of the comparison (`id-columns`).',
    ['data', 'duplicates', 'poisoning']),
  rule(RULE_ROWS_FROM_REFERENCE, 'DataRowsCopiedFromReference', 'high', 'Rows of the batch copied from the reference',
    'Rows of the batch equal rows of the trusted reference (or held-out set) on every column except id columns.',
    'Rows copied from an evaluation or reference set leak it into training and inflate metrics; copied rows with changed ids are a way to replay data. Remove them.',
    ['data', 'duplicates', 'poisoning', 'leakage']),
  rule(RULE_LABEL_SHIFT, 'DataLabelDistributionShift', 'high', 'The label distribution shifted',
    'The distribution of the label column differs from the reference (two-sample chi-square on the label counts at 0.01, and a total-variation distance of at least 0.02). High when no feature drifted (the label-flip signature), low when features drifted too (the labels followed the covariates).',
    'A label shift with stable features is the signature of label flipping. Check how the labels of the batch were produced.',
    ['data', 'poisoning', 'labels']),
  rule(RULE_DRIFT_WITHIN_LABEL, 'DataFeatureDriftWithinLabel', 'high', 'A feature drifted within one label but not overall',
    'Among the rows of one label, a numeric feature’s distribution differs from the reference’s rows of the same label (KS, Bonferroni-corrected over features and labels), while the column as a whole did not drift: rows moved between labels.',
    'Targeted label flips leave each feature’s overall distribution unchanged and show only within the labels. Review the labelling of the rows of that label whose feature values lie where the distributions differ.',
    ['data', 'poisoning', 'labels']),
  rule(RULE_TRIGGER_VALUE, 'DataRareValueTiedToLabel', 'high', 'A rare token or value tied to one label',
    'A token of a text column, or a value of a categorical column, that is rare or absent in the reference appears in the batch almost only with one label, more often than chance allows (binomial test, Bonferroni-corrected).',
    'This is how backdoor triggers look in training data: a rare marker paired with the attacker’s target label. Inspect the rows; remove them unless the token has an innocent explanation.',
    ['data', 'poisoning', 'backdoor']),
  rule(RULE_SOURCE_CONCENTRATION, 'DataSourceConcentration', 'medium', 'Rows suddenly concentrated on one source',
    'One value of the source column (`source-column`) holds a much larger share of the batch than of the reference (at least twice its reference share and at least 20% of the batch), or a new source holds at least 10%.',
    'A single contributor supplying a large part of a batch is the precondition of most poisoning. Check that source before training.',
    ['data', 'poisoning', 'provenance']),
  rule(RULE_FORMULA_INJECTION, 'DataCsvFormulaInjection', 'high', 'Text cells that a spreadsheet would run as a formula',
    'Text cells start with `=`, `@`, a tab or a carriage return, or with `+`/`-` followed by a formula (a call or a reference): opened in a spreadsheet they execute (CSV injection).',
    'Strip or escape the leading character (prefix a single quote) before the data is exported to people who open it in a spreadsheet, and find out how such values entered the data.',
    ['data', 'injection']),
  rule(RULE_CONTROL_CHARACTERS, 'DataUnicodeControlCharacters', 'medium', 'Invisible or bidirectional control characters in text',
    'Text cells contain control characters (C0/C1 other than tab and newlines), bidirectional overrides or isolates (U+202A-U+202E, U+2066-U+2069) or zero-width characters (U+200B-U+200D, U+2060, U+FEFF).',
    'Invisible characters change what a model sees without changing what a reviewer sees; they carry hidden prompts and triggers. Normalise text (remove them) at ingestion.',
    ['data', 'injection', 'unicode']),
  rule(RULE_HOMOGLYPHS, 'DataHomoglyphs', 'medium', 'Words that mix Latin with look-alike Cyrillic or Greek letters',
    'Words in text cells mix Latin letters with Cyrillic or Greek letters that look the same (homoglyphs).',
    'Mixed-script words evade keyword filters and act as invisible triggers. Normalise with Unicode confusables (UTS #39) or reject such text.',
    ['data', 'injection', 'unicode']),
  rule(RULE_NEAR_DUPLICATE_ROWS, 'DataNearDuplicateRows', 'medium', 'Rows that nearly repeat another row',
    'Rows of the batch nearly equal an earlier row of the batch or a row of the reference: their sets of values and words (ids aside) have an estimated Jaccard similarity of at least 0.8 (MinHash, 64 functions, LSH 16 bands of 4), without being exact duplicates.',
    'Lightly edited copies (a word swapped, a value nudged) over-weight their examples and slip past exact de-duplication. Review the rows; de-duplicate with a similarity threshold before training.',
    ['data', 'duplicates', 'poisoning']),
  rule(RULE_LABEL_FLIPPED_ROWS, 'DataLabelFlippedRows', 'high', 'Rows whose label contradicts what their features predict',
    'A class-conditional model of the trusted reference gives p(label | features) for every batch row: per label, a Gaussian on the numeric columns (full covariance over the first 32, marginalized over missing values) and Laplace-smoothed category frequencies on the categorical ones (naive Bayes). By confident learning (Northcutt, Jiang and Chuang, 2021), a row labelled i is a suspect when another label j has p(j | x) at least its threshold t_j (the mean leave-one-out self-confidence of the reference rows labelled j) and above p(i | x). Any dataset has such rows, so the finding fires only when the batch has significantly more suspects than the reference predicts for rows with the batch’s features (conditional binomial test of the two rates, per label pair and in total, for all suspects and for those with a margin of at least 0.5, Bonferroni-corrected, at 0.001), at least 1.25 times as many, and more by at least 0.5% of the scored rows. `properties.rows` lists the suspects (0-based data rows, the first 1,000) with their `margins` p(j | x) − p(i | x), `given` and `suggested` labels; `likely_rows` ranks, per label pair, as many of the highest-margin suspects as the pair has in excess of the expected count.',
    'Label flipping (relabelling rows of one class as another) poisons a model while leaving every feature’s distribution untouched. Review the listed rows, `likely_rows` first: compare each row with its `suggested` label and relabel or drop the wrong ones; then check the annotator, labelling tool or source that produced the batch (a single source of the suspects points at it). A genuine change in how labels relate to features needs a new reference, made in a reviewed change.',
    ['data', 'poisoning', 'labels']),
]);

/** Every rule data-gate can report. */
export const DATA_GATE_RULES: readonly Rule[] = Object.freeze([...DATA_INPUT_RULES, ...DATA_STATISTICS_RULES]);
