export type { OsvVulnerability, OsvAffected, OsvRange, OsvEvent, OsvSeverity, OsvReference } from './osv-schema';
export { parseOsvJson, toOsvVulnerability } from './osv-schema';
export { rangeAffects, affectedEntryCovers } from './osv-range';
export { advisoryAffects, affectedEntriesFor } from './affected-entries';
export { matchVulnerabilities, type VulnerabilityMatch } from './match';
export { deserializationTag, type DeserializationTag } from './deserialization';
export type { VulnerabilityDatabase, DatabaseDescription, PackageQuery } from './database';
export { OfflineDatabase, openOfflineDatabase, type OfflineDatabaseOptions } from './offline-database';
export { smallestFix } from '../fixes';
