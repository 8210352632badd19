export { normalizeName } from './name';
export { parseVersion, isValidVersion, normalizeVersion, compareVersions, publicVersionKey, type ParsedVersion } from './version';
export { Specifier, type SpecifierOperator } from './specifier';
export { SpecifierSet, InvalidSpecifierError } from './specifier-set';
