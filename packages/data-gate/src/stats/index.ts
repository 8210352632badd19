/**
 * data-gate's statistics engine: pure functions over Float64Array columns (nulls dropped, or NaN where
 * stated) and count vectors, so they run the same on columns read in full, on spilled sorted columns
 * and on merged profiles. Each reproduces SciPy 1.10 / NumPy 1.24 (or Evidently) to the tolerance in
 * ../shared/data/data-gate/README.md.
 */
export { NeumaierSum, neumaierSum } from './sum';
export { moments, std, mean, stdFromMoments, dropNulls, type Moments } from './moments';
export { MomentsAccumulator, type MomentsState } from './moments-accumulator';
export { quantileSorted, quantilesSorted, medianSorted } from './quantile';
export { sortedCopy, isSorted } from './sorted';
export { averageRanks, type Ranking } from './ranks';
export { gammaP, gammaQ, chi2Sf } from './special/incomplete-gamma';
export { betaIncomplete, studentTSf } from './special/incomplete-beta';
export { erfc, normalCdf, normalSf } from './special/normal';
export { logGamma } from './special/log-gamma';
export { kolmogorovSf } from './kolmogorov';
export { smirnovSf } from './smirnov';
export { kolmogn, kstwoSf } from './kolmogn';
export {
  ks2samp,
  ks2sampSorted,
  ksStatistic,
  ksAsympPvalue,
  ksExactPvalue,
  ksKolmogorovLimitPvalue,
  KS_MAX_AUTO_N,
  type KsResult,
  type KsMethod,
  type KsOptions,
} from './ks-test';
export { chi2Contingency, chisquareEvidently, type ChiSquareResult } from './chi-square';
export {
  binEvidentlyNumeric,
  binCategories,
  binSturges,
  binRefDeciles,
  sturgesEdges,
  histogramCounts,
  countValues,
  countDistinct,
  DECILE_LEVELS,
  EVIDENTLY_MAX_CATEGORIES,
  type BinnedCounts,
} from './binning';
export { psi, klDivergence, jensenShannon, percents, zeroFill } from './divergence';
export { wasserstein1, wasserstein1Sorted, normalizedWasserstein, energyDistance } from './wasserstein';
export { andersonKsamp, type AndersonKsampResult } from './anderson-ksamp';
export { cramerVonMises2samp, type CramerVonMisesResult } from './cramer-von-mises';
export { mannWhitneyU, type MannWhitneyResult } from './mann-whitney';
export { tTestInd, type TTestResult } from './t-test';
export { proportionsZTest, lInfinity, totalVariation, type ZTestResult } from './proportions';
export {
  evidentlyDefaultTest,
  evidentlyNumericDrift,
  evidentlyCategoricalDrift,
  evidentlyCategoricalDriftFromCounts,
  evidentlyNumericDriftSorted,
  datasetDrift,
  DEFAULT_DATASET_DRIFT_SHARE,
  type EvidentlyTest,
  type EvidentlyChoice,
  type EvidentlyColumnDrift,
  type DatasetDrift,
} from './evidently-default';
export {
  numericDriftDecision,
  categoricalDriftDecision,
  DRIFT_DEFAULTS,
  type DriftDecision,
  type DriftDecisionOptions,
} from './drift-decision';
export { numericColumnDrift, categoricalColumnDrift, type ColumnDrift, type TestFigure } from './column-drift';
export {
  fitOutlierParams,
  zScoreOutliers,
  iqrOutliers,
  madOutliers,
  DEFAULT_ZSCORE_THRESHOLD,
  DEFAULT_IQR_FACTOR,
  DEFAULT_MAD_THRESHOLD,
  type OutlierParams,
} from './outliers';
export { rowHash, RowHasher, rowKeyHex, ROW_HASH_VERSION, type Cell } from './row-hash';
export { duplicatesWithin, rowsFoundIn } from './duplicates';
export {
  numericProfile,
  categoricalProfile,
  textLengthStats,
  charLength,
  PROFILE_QUANTILES,
  type NumericProfile,
  type CategoricalProfile,
} from './profile';
export { tokenize, lengthKs, oovRate, TOKENIZER_DESCRIPTION } from './text-drift';
