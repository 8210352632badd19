import type { Rule } from '@aisec/core';

/**
 * Rules of data-gate's input side: schema and contract (001-019), reading (015-029) and provenance
 * (030-039). Statistics use 040 and up. A published id never changes meaning.
 */
const HELP_URI = 'https://github.com/aisec/aisec/blob/main/actions/data-gate/README.md';

function rule(
  id: string,
  name: string,
  defaultSeverity: Rule['defaultSeverity'],
  shortDescription: string,
  fullDescription: string,
  help: string,
  tags: string[],
): Rule {
  return { id, name, defaultSeverity, shortDescription, fullDescription, help, helpUri: `${HELP_URI}#${id.toLowerCase()}`, tags };
}

export const RULE_COLUMN_MISSING = 'AISEC-DATA-001';
export const RULE_COLUMN_ADDED = 'AISEC-DATA-002';
export const RULE_TYPE_CONFUSION = 'AISEC-DATA-003';
export const RULE_NULL_NOT_ALLOWED = 'AISEC-DATA-004';
export const RULE_OUT_OF_RANGE = 'AISEC-DATA-005';
export const RULE_CATEGORY_NOT_ALLOWED = 'AISEC-DATA-006';
export const RULE_NOT_UNIQUE = 'AISEC-DATA-007';
export const RULE_PATTERN_MISMATCH = 'AISEC-DATA-008';
export const RULE_ROW_SCHEMA = 'AISEC-DATA-009';
export const RULE_COLUMN_ORDER = 'AISEC-DATA-010';
export const RULE_RAGGED_ROWS = 'AISEC-DATA-015';
export const RULE_BAD_QUOTING = 'AISEC-DATA-016';
export const RULE_INVALID_ENCODING = 'AISEC-DATA-017';
export const RULE_EMPTY_DATA = 'AISEC-DATA-018';
export const RULE_ALL_NULL_COLUMN = 'AISEC-DATA-019';
export const RULE_BAD_JSON_LINE = 'AISEC-DATA-020';
export const RULE_SHARD_COLUMNS = 'AISEC-DATA-021';
export const RULE_DUPLICATE_COLUMN = 'AISEC-DATA-022';
export const RULE_HASH_MISMATCH = 'AISEC-DATA-030';
export const RULE_TRACKED_FILE_MISSING = 'AISEC-DATA-031';
export const RULE_UNTRACKED_FILE = 'AISEC-DATA-032';
export const RULE_DVC_DIR_MISMATCH = 'AISEC-DATA-033';

export const DATA_INPUT_RULES: readonly Rule[] = Object.freeze([
  rule(RULE_COLUMN_MISSING, 'DataColumnMissing', 'high', 'A column the contract or the reference expects is missing',
    'A column declared in the data contract (or present in the trusted reference) is absent from the incoming data: it was dropped or renamed upstream.',
    'A pipeline that silently drops or renames a feature trains on the wrong inputs. Restore the column, or, if the change is intended, update the contract (`aisec data-gate infer`) in the same pull request. The finding names a likely new name when a added column of the same type looks like a rename.',
    ['data', 'schema']),
  rule(RULE_COLUMN_ADDED, 'DataColumnAdded', 'medium', 'The data has a column the contract does not declare',
    'The incoming data has a column that is neither in the data contract nor in the trusted reference.',
    'Unexpected columns can carry leaked labels, identifiers or injected content (such as a source URL). Declare the column in the contract if it is intended, or drop it before training.',
    ['data', 'schema']),
  rule(RULE_TYPE_CONFUSION, 'DataColumnTypeConfusion', 'high', 'Values of the wrong type in a typed column',
    'A column declared (or inferred from the reference) as integer, number or boolean holds values of another type, such as the text "unknown" in an integer column.',
    'Type confusion changes how a loader parses the whole column (pandas reads it as text) and can hide injected rows. The finding lists the first rows: fix the producer, or map such values to empty (null) before the gate.',
    ['data', 'schema']),
  rule(RULE_NULL_NOT_ALLOWED, 'DataNullNotAllowed', 'medium', 'Nulls in a column the contract declares not nullable',
    'A column whose contract says `nullable: false` has empty (null) values.', 'Fill or drop the rows upstream, or make the column nullable in the contract.', ['data', 'contract']),
  rule(RULE_OUT_OF_RANGE, 'DataValueOutOfRange', 'medium', 'Values outside the contract range',
    'Numeric values fall below the contract minimum or above its maximum.', 'Out-of-range values are often unit errors or injected extremes. Check the listed rows; widen the range in the contract only if the new values are legitimate.', ['data', 'contract']),
  rule(RULE_CATEGORY_NOT_ALLOWED, 'DataCategoryNotAllowed', 'medium', 'Categories the contract does not allow',
    'A categorical column holds values outside the contract list of allowed categories.', 'A new category can be a legitimate change or an injected trigger value. Check the listed rows and values; add the category to the contract if it is intended.', ['data', 'contract']),
  rule(RULE_NOT_UNIQUE, 'DataValueNotUnique', 'medium', 'Repeated values in a column the contract declares unique',
    'A column with `unique: true` in the contract (an id, a key) repeats values.', 'Repeated keys point at duplicated or replayed rows. De-duplicate upstream.', ['data', 'contract']),
  rule(RULE_PATTERN_MISMATCH, 'DataPatternMismatch', 'medium', 'Text that does not match the contract pattern',
    'Text values do not match the regular expression the contract declares for the column.', 'Check the listed rows; fix the producer or the pattern.', ['data', 'contract']),
  rule(RULE_ROW_SCHEMA, 'DataRowSchemaViolation', 'medium', 'Rows that fail the contract row JSON Schema',
    'Rows (as JSON objects of column to value) fail the JSON Schema the contract gives under `rowSchema`.', 'The message gives the first failing keyword; fix the rows or the schema.', ['data', 'contract']),
  rule(RULE_COLUMN_ORDER, 'DataColumnOrderChanged', 'low', 'Columns are in a different order',
    'The data has the contract columns in a different order.', 'Loaders that index columns by position read the wrong feature. Read by name, or restore the order.', ['data', 'schema']),
  rule(RULE_RAGGED_ROWS, 'DataRaggedRows', 'medium', 'Rows with a different number of fields than the header',
    'CSV rows have fewer or more fields than the header. Short rows are read with nulls, extra fields are dropped.', 'Usually an unquoted delimiter inside a field, or a truncated write. Quote fields that contain the delimiter (RFC 4180).', ['data', 'format']),
  rule(RULE_BAD_QUOTING, 'DataBadQuoting', 'medium', 'Misplaced quotes in CSV rows',
    'A quote character appears inside an unquoted field, after a closing quote, or is never closed.', 'Fields containing quotes must be quoted and their quotes doubled (RFC 4180). An unclosed quote merges the rest of the file into one field.', ['data', 'format']),
  rule(RULE_INVALID_ENCODING, 'DataInvalidEncoding', 'medium', 'Bytes that are not valid in the file encoding',
    'Rows contain bytes that are not valid UTF-8 (or UTF-16): mixed encodings, typically latin-1 text in a UTF-8 file.', 'Re-encode the file as UTF-8, or read it with the latin1 encoding if it is latin-1 throughout.', ['data', 'format']),
  rule(RULE_EMPTY_DATA, 'DataEmpty', 'medium', 'A data file with no rows',
    'A data file is empty or has a header but no data rows.', 'An empty batch usually means an upstream step failed. Check the producer.', ['data', 'format']),
  rule(RULE_ALL_NULL_COLUMN, 'DataAllNullColumn', 'medium', 'A column with no values at all',
    'Every value of a column is null (empty).', 'A feature that is always missing is usually a broken join or extraction. Fix the producer or drop the column.', ['data', 'format']),
  rule(RULE_BAD_JSON_LINE, 'DataMalformedJsonLine', 'high', 'JSON Lines rows that are not one JSON object',
    'Lines of a JSON Lines file do not parse as one JSON object; they are skipped.', 'Each line must be one complete JSON object. The finding gives the first error and rows.', ['data', 'format']),
  rule(RULE_SHARD_COLUMNS, 'DataShardColumnsDiffer', 'high', 'Files of one dataset folder have different columns',
    'A file of a dataset folder has columns that differ from the first file of the folder.', 'Shards of one table must share their columns. A shard with other columns may come from another source.', ['data', 'schema']),
  rule(RULE_DUPLICATE_COLUMN, 'DataDuplicateColumnName', 'medium', 'The same column name twice in a header',
    'A header names the same column more than once; the later one is read as `name.1`.', 'Rename the columns so each is unique.', ['data', 'format']),
  rule(RULE_HASH_MISMATCH, 'DataFileHashMismatch', 'critical', 'A data file does not match its recorded hash',
    'The sha256 (manifest) or md5 (DVC) of a data file differs from the recorded one: the file changed after it was recorded.', 'Treat the data as tampered until shown otherwise. If the change is intended, regenerate the manifest (or `dvc add`/`dvc commit`) in a reviewed change.', ['data', 'provenance', 'supply-chain']),
  rule(RULE_TRACKED_FILE_MISSING, 'DataTrackedFileMissing', 'critical', 'A file listed in the manifest is missing',
    'A file recorded in a sha256 manifest or DVC directory is not present.', 'The dataset is incomplete or was swapped. Restore the file (`dvc pull`) or update the manifest in a reviewed change.', ['data', 'provenance', 'supply-chain']),
  rule(RULE_UNTRACKED_FILE, 'DataUntrackedFile', 'high', 'A data file that no manifest records',
    'A file is present in a tracked dataset folder but not recorded in its manifest or DVC directory listing.', 'Files added outside the recorded provenance can be injected data. Remove the file or record it in a reviewed change.', ['data', 'provenance', 'supply-chain']),
  rule(RULE_DVC_DIR_MISMATCH, 'DataDvcDirectoryHashMismatch', 'critical', 'A DVC-tracked directory does not match its .dvc file',
    'The directory hash DVC would compute (md5 of the sorted {md5, relpath} listing, plus `.dir`), its size or its file count differ from the `.dvc` file.', 'The folder changed since `dvc add`: `dvc status` reports it modified. Review the change, then `dvc add` again or restore with `dvc checkout`.', ['data', 'provenance', 'supply-chain']),
]);
