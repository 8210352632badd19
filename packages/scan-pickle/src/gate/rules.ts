import { ruleCatalog, type Rule } from '@aisec/core';
import { CODE_RULES } from '../code/index';
import { MODEL_RULES } from '../rules';

/**
 * Every rule the scan-pickle gate can report: model files (AISEC-PKL-001..099, payloads and formats) and
 * code and notebooks (AISEC-PKL-1xx, unsafe loading). Built through ruleCatalog so that two halves can
 * never claim the same id.
 */
export const SCAN_PICKLE_RULES: readonly Rule[] = [...ruleCatalog([...MODEL_RULES, ...CODE_RULES]).values()];
