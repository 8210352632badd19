export { scanPickleGate, SCAN_PICKLE_VERSION, type ScanPickleOptions } from './gate';
export { scanPickleBinding, scanPickleSummary } from './binding';
export { SCAN_PICKLE_RULES } from './rules';
export { findScanTargets, type ScanTarget, type TargetKind, type TargetQuery, type TargetList } from './scan-targets';
export { bundledWasmLocator } from './wasm-assets';
