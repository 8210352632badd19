export { normalizeName } from './pep503';
export { parsePep508, Pep508Error, type Pep508Requirement } from './pep508';
export { formatForFileName } from './format';
export type { ParseOptions } from './options';
export { parseRequirements } from './requirements';
export { parseManifestFile, parseManifestText } from './parse-manifest';
export { parsePyproject } from './pyproject';
export { parsePoetryLock } from './poetry-lock';
export { parseUvLock } from './uv-lock';
export { parsePdmLock } from './pdm-lock';
export { parsePylock } from './pylock';
export { parsePipfileLock } from './pipfile-lock';
export { translatePoetryConstraint } from './poetry-constraint';
export { parseCondaEnvironment } from './conda-environment';
export { parseCondaSpec, type CondaSpec } from './conda-spec';
export { parseMlmodel, parsePythonEnv } from './mlflow';
export { parseNotebook } from './notebook';
export { parseProject, type ProjectDependencies, type ProjectOptions, type Superseded } from './project';
export {
  discoverManifests,
  type DiscoverOptions,
  type DiscoveredManifest,
  type Discovery,
} from '../discovery/discover';
