export { normalizeName } from './pep503';
export { parsePep508, Pep508Error, type Pep508Requirement } from './pep508';
export { formatForFileName } from './format';
export type { ParseOptions } from './options';
export { parseRequirements } from './requirements';
export { parseManifestFile } from './parse-manifest';
