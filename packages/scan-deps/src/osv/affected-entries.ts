import { normalizeName } from '../pep440/index';
import { affectedEntryCovers } from './osv-range';
import { isPyPiEcosystem, type OsvAffected, type OsvVulnerability } from './osv-schema';

/** The `affected[]` entries of a PyPI advisory that name `name` (compared PEP 503 normalized). */
export function affectedEntriesFor(advisory: OsvVulnerability, name: string): OsvAffected[] {
  const wanted = normalizeName(name);
  return advisory.affected.filter(
    (entry) => entry.package !== undefined && isPyPiEcosystem(entry.package.ecosystem) && normalizeName(entry.package.name) === wanted,
  );
}

/** Whether one advisory affects `name` at `version`. Withdrawn advisories affect nothing. */
export function advisoryAffects(advisory: OsvVulnerability, name: string, version: string): boolean {
  if (advisory.withdrawn) return false;
  return affectedEntriesFor(advisory, name).some((entry) => affectedEntryCovers(entry, version));
}

