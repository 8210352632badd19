import { join } from 'node:path';
import type { GateContext } from '@aisec/core';
import type { VulnerabilityDatabase } from './osv/database';
import { fetchOsvExport, OSV_PYPI_EXPORT_URL } from './osv/export-download';
import { openOfflineDatabase } from './osv/offline-database';
import { createOnlineDatabase, DEFAULT_OSV_API } from './osv/online-database';

export interface DatabaseChoice {
  /** A zip or directory OSV export: no network at all. */
  offlineDb?: string;
  /** Download osv.dev's PyPI export once into `cacheDir` and use it offline. */
  downloadDb?: boolean;
  /** The OSV API root for online mode. */
  osvApiUrl?: string;
  /** Where the downloaded export and the offline name index are kept; absent: temp directory for the index. */
  cacheDir?: string;
  /** Where `downloadDb` fetches from (tests point it at a loopback server). */
  exportUrl?: string;
  /** Injected for tests that observe requests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * Which advisory database a run uses, in order of precedence: a local export (`offline-db`), osv.dev's
 * PyPI export downloaded once and cached (`download-db`), else the OSV API. The offline name index is
 * kept in the cache directory rather than beside the export, so scanning a repository never writes
 * into it. `packages` names what the run is about to query, so that an offline index built cold keeps
 * those records from its pass instead of inflating them again.
 */
export async function chooseDatabase(choice: DatabaseChoice, ctx: GateContext, packages: readonly string[] = []): Promise<VulnerabilityDatabase> {
  const indexCache = choice.cacheDir !== undefined ? join(choice.cacheDir, 'index') : undefined;
  const offline = indexCache !== undefined ? { indexCache, packages } : { packages };
  if (choice.offlineDb !== undefined) {
    return openOfflineDatabase(choice.offlineDb, ctx, offline);
  }
  if (choice.downloadDb) {
    const cacheDir = choice.cacheDir;
    if (cacheDir === undefined) throw new Error('download-db needs a cache directory; toOptions always sets one');
    ctx.logger.info(`OSV database: ${choice.exportUrl ?? OSV_PYPI_EXPORT_URL} (cached in ${cacheDir})`);
    const file = await fetchOsvExport({
      cacheDir,
      limits: ctx.limits,
      logger: ctx.logger,
      signal: ctx.signal,
      ...(choice.exportUrl !== undefined ? { url: choice.exportUrl } : {}),
      ...(choice.fetch !== undefined ? { fetch: choice.fetch } : {}),
    });
    ctx.logger.info(`OSV database ${file.path}: ${file.status}`);
    return openOfflineDatabase(file.path, ctx, offline);
  }
  return createOnlineDatabase({
    baseUrl: choice.osvApiUrl ?? DEFAULT_OSV_API,
    signal: ctx.signal,
    logger: ctx.logger,
    ...(choice.fetch !== undefined ? { fetch: choice.fetch } : {}),
  });
}
