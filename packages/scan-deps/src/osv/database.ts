import type { OsvVulnerability } from './osv-schema';

export interface DatabaseDescription {
  kind: 'offline' | 'online';
  /** The zip or directory path, or the API base URL. */
  location: string;
  /** Newest `modified` among the advisories (offline only): how fresh the database is. */
  modified?: string;
  /** Number of advisories the database holds (offline only). */
  advisories?: number;
}

export interface PackageQuery {
  /** Any spelling; databases normalize it (PEP 503). */
  name: string;
  version: string;
}

/**
 * Where advisories come from. `query` returns, per PEP 503 normalized package name, the advisories that
 * may concern it (all the offline database holds for the name; those the API reports for the queried
 * versions online); `matchVulnerabilities` then decides version by version.
 */
export interface VulnerabilityDatabase {
  /**
   * How many packages to ask about per `query` (default: all at once). The offline database parses every
   * record it returns: asking for a few packages at a time and matching them before the next lets those
   * records die young, which the garbage collector reclaims almost for free, instead of keeping them all
   * alive until the last match.
   */
  readonly packagesPerQuery?: number;
  describe(): DatabaseDescription;
  query(packages: readonly PackageQuery[]): Promise<Map<string, OsvVulnerability[]>>;
  close?(): void;
}
