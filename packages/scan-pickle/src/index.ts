export const GATE_NAME = 'scan-pickle';

// Model-file scanning (AISEC-PKL-001..099).
export { MODEL_RULES, RULE_IDS } from './rules';
export { scanModelFile, scanModelBytes, scanPickleBytes, type ModelScanResult, type ModelScanMetrics, type BytesScanOptions } from './scan-model-file';
export { scanModels, MODEL_SCAN_NOTES, MODEL_SCAN_VERSION, modelScanNotes, type ModelScanOptions } from './scan-models';
export { findModelFiles, isModelCandidate, type FoundModelFile } from './find-model-files';
export { classifyGlobal, type Verdict } from './classify-global';
export { SAFE_GLOBALS, SAFE_FAMILIES } from './safe-list';
export { PICKLE_BOUNDS, type PickleBounds } from './scan-bounds';
export type { ModelFormat } from './sniff-format';

// Code and notebook scanning (AISEC-PKL-1xx) is exported below by its own module.
export * from './code/index';
export * from './gate/index';
