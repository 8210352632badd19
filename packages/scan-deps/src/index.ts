export * from './dependency';
export * from './pep440/index';
export * from './osv/index';
export * from './cvss/index';
// parsers/ has its own normalizeName (the same PEP 503 rule); pep440's is the one exported above.
export {
  parsePep508,
  Pep508Error,
  type Pep508Requirement,
  formatForFileName,
  type ParseOptions,
  parseRequirements,
  parseManifestFile,
  parseManifestText,
  parsePyproject,
  parsePoetryLock,
  parseUvLock,
  parsePdmLock,
  parsePylock,
  parsePipfileLock,
  translatePoetryConstraint,
  parseCondaEnvironment,
  parseCondaSpec,
  type CondaSpec,
  parseMlmodel,
  parsePythonEnv,
  parseNotebook,
  parseProject,
  type ProjectDependencies,
  type ProjectOptions,
  type Superseded,
  discoverManifests,
  type DiscoverOptions,
  type DiscoveredManifest,
  type Discovery,
} from './parsers/index';
export { DEPENDENCY_RULES, RULE_IDS } from './rules';
export { chooseDatabase, type DatabaseChoice } from './choose-database';
export { lockDriftFindings } from './lock-drift';
export { resolveWithPip, parsePipReport, requirementLine, type PipResolveOptions, type PipResolution } from './pip-resolve';
export { resolveUnpinned, type UnpinnedResolution } from './resolve-unpinned';
export { packageFixes, vulnerabilityFindings, uncheckedFinding } from './vulnerability-findings';
export { scanDepsGate, DATABASE_NOTE_PREFIX, type ScanDepsOptions } from './gate';
export { scanDepsBinding, scanDepsSummary, defaultCacheDir } from './binding';
