/**
 * Mergeable, deterministic sketches for reference profiles: KLL for quantiles and ranks,
 * HyperLogLog for distinct counts, and the outlier fences a KLL sketch gives with their brackets.
 */
export { KllSketch, KLL_DEFAULT_K, KLL_MIN_K, KLL_MAX_K, normalizedRankError, type KllSketchJson, type KllSortedView } from './kll-sketch';
export { HyperLogLog, HLL_DEFAULT_PRECISION, HLL_MIN_PRECISION, HLL_MAX_PRECISION, HLL_HASH, hllStandardError, hashNumber64, hashString64, type HllHash, type HyperLogLogJson } from './hyperloglog';
export { iqrFences, madFences, quantileBracket, shareOutside, type Fences, type IqrFences, type MadFences } from './kll-fences';
