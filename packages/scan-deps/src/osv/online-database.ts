import { CancelledError, UserError, silentLogger, type Logger } from '@aisec/core';
import { normalizeName, parseVersion } from '../pep440/index';
import type { DatabaseDescription, PackageQuery, VulnerabilityDatabase } from './database';
import { toOsvVulnerability, type OsvVulnerability } from './osv-schema';

export const DEFAULT_OSV_API = 'https://api.osv.dev';

export interface OnlineDatabaseOptions {
  /** API root, default https://api.osv.dev (a mirror or a test server). */
  baseUrl?: string;
  /** Queries per `/v1/querybatch` request; the API accepts at most 1000. */
  batchSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Attempts after the first for 5xx, 429 and network errors. */
  retries?: number;
  /** First backoff in milliseconds; doubles each attempt (a 429's Retry-After wins when given). */
  backoffMs?: number;
  /** Per-request time limit in milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
  /** Injected for tests that need to observe requests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** Pages of one query we follow before calling the answer unbounded (1000 ids a page upstream). */
const MAX_PAGES = 100;
/** Largest response body we read: querybatch answers and single advisories are far smaller. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}`);
  }
}

interface QueryBatchResult {
  ids: string[];
  nextPageToken?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Runs `fn` over `items` with at most `limit` promises pending. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * The OSV API (https://google.github.io/osv.dev/api/): `/v1/querybatch` for the ids affecting each
 * package version (batched, paged), then `/v1/vulns/{id}` for each distinct id (concurrency-limited).
 * Transient failures (5xx, 429, network) are retried with exponential backoff; when the API cannot be
 * reached at all the error says so and points to the offline database, so a failed check is never
 * mistaken for "no vulnerabilities".
 */
export class OnlineDatabase implements VulnerabilityDatabase {
  readonly baseUrl: string;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;
  private readonly signal: AbortSignal | undefined;
  private readonly logger: Logger;
  private readonly fetchImpl: typeof fetch;

  constructor(options: OnlineDatabaseOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_OSV_API).replace(/\/+$/, '');
    this.batchSize = Math.min(1000, Math.max(1, options.batchSize ?? 1000));
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.retries = Math.max(0, options.retries ?? 4);
    this.backoffMs = Math.max(0, options.backoffMs ?? 500);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.signal = options.signal;
    this.logger = options.logger ?? silentLogger;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  describe(): DatabaseDescription {
    return { kind: 'online', location: this.baseUrl };
  }

  async query(packages: readonly PackageQuery[]): Promise<Map<string, OsvVulnerability[]>> {
    const queries = new Map<string, { name: string; version: string }>();
    for (const pkg of packages) {
      const name = normalizeName(pkg.name);
      // The API compares released versions; a local build (`+cu117`) is asked about as its public release.
      const version = parseVersion(pkg.version)?.public ?? pkg.version.trim();
      queries.set(`${name}\u0000${version}`, { name, version });
    }
    const list = [...queries.values()];
    const idsByName = new Map<string, Set<string>>();
    for (const { name } of list) idsByName.set(name, idsByName.get(name) ?? new Set());

    const batches: { name: string; version: string }[][] = [];
    for (let i = 0; i < list.length; i += this.batchSize) batches.push(list.slice(i, i + this.batchSize));
    await mapLimit(batches, this.concurrency, async (batch) => {
      let pending = batch.map((q) => ({ ...q, pageToken: undefined as string | undefined, pages: 0 }));
      while (pending.length > 0) {
        const results = await this.queryBatch(pending);
        const again: typeof pending = [];
        pending.forEach((q, i) => {
          const result = results[i];
          if (!result) return;
          for (const id of result.ids) idsByName.get(q.name)?.add(id);
          if (result.nextPageToken) {
            if (q.pages + 1 >= MAX_PAGES) throw this.protocolError(`more than ${MAX_PAGES} pages of results for ${q.name} ${q.version}`);
            again.push({ ...q, pageToken: result.nextPageToken, pages: q.pages + 1 });
          }
        });
        pending = again;
      }
    });

    const allIds = [...new Set([...idsByName.values()].flatMap((ids) => [...ids]))].sort();
    this.logger.debug(`OSV API: ${list.length} package versions, ${allIds.length} advisories to fetch`);
    const records = new Map<string, OsvVulnerability>();
    let done = 0;
    await mapLimit(allIds, this.concurrency, async (id) => {
      records.set(id, await this.vulnerability(id));
      this.logger.progress('fetching OSV advisories', ++done, allIds.length);
    });

    const out = new Map<string, OsvVulnerability[]>();
    for (const [name, ids] of idsByName) {
      out.set(name, [...ids].sort().flatMap((id) => { const r = records.get(id); return r ? [r] : []; }));
    }
    return out;
  }

  private async queryBatch(batch: { name: string; version: string; pageToken?: string }[]): Promise<QueryBatchResult[]> {
    const body = {
      queries: batch.map((q) => ({
        package: { name: q.name, ecosystem: 'PyPI' },
        version: q.version,
        ...(q.pageToken ? { page_token: q.pageToken } : {}),
      })),
    };
    const json = await this.request('/v1/querybatch', JSON.stringify(body));
    const results = isRecord(json) ? json.results : undefined;
    if (!Array.isArray(results) || results.length !== batch.length) {
      throw this.protocolError(`/v1/querybatch answered ${Array.isArray(results) ? results.length : 'no'} results for ${batch.length} queries`);
    }
    return results.map((result: unknown) => {
      const vulns = isRecord(result) && Array.isArray(result.vulns) ? result.vulns : [];
      const ids = vulns.flatMap((v: unknown) => (isRecord(v) && typeof v.id === 'string' ? [v.id] : []));
      const token = isRecord(result) && typeof result.next_page_token === 'string' && result.next_page_token ? result.next_page_token : undefined;
      return token ? { ids, nextPageToken: token } : { ids };
    });
  }

  private async vulnerability(id: string): Promise<OsvVulnerability> {
    const json = await this.request(`/v1/vulns/${encodeURIComponent(id)}`);
    return toOsvVulnerability(json, `${this.baseUrl}/v1/vulns/${id}`);
  }

  private protocolError(problem: string): UserError {
    return new UserError(`the OSV API at ${this.baseUrl} gave an unexpected answer: ${problem}`, {
      hint: 'Check the OSV API URL, or scan with --offline-db PATH (the PyPI all.zip export)',
    });
  }

  /** One JSON request (POST when there is a body) with retries; throws UserError when it finally fails. */
  private async request(path: string, body?: string): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (this.signal?.aborted) throw new CancelledError();
      try {
        return await this.attempt(url, body);
      } catch (error) {
        lastError = error;
        const retryable = !(error instanceof HttpStatusError) || error.status === 429 || error.status >= 500;
        if (!retryable || attempt === this.retries || error instanceof CancelledError) break;
        const wait = (error instanceof HttpStatusError ? error.retryAfterMs : undefined) ?? this.backoffMs * 2 ** attempt;
        this.logger.debug(`OSV API ${path}: ${error instanceof Error ? error.message : String(error)}; retrying in ${Math.round(wait)} ms`);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    if (lastError instanceof CancelledError || lastError instanceof UserError) throw lastError;
    if (lastError instanceof HttpStatusError) {
      const excerpt = lastError.body.replace(/\s+/g, ' ').slice(0, 200);
      throw new UserError(`the OSV API at ${this.baseUrl} answered ${lastError.status} for ${path}${excerpt ? `: ${excerpt}` : ''}`, {
        hint: lastError.status >= 500 || lastError.status === 429
          ? `The vulnerability check did not run. Retry later, or scan offline with --offline-db PATH (the PyPI all.zip export)`
          : 'The vulnerability check did not run. Check the OSV API URL',
        cause: lastError,
      });
    }
    const reason = lastError instanceof Error ? (lastError.cause instanceof Error ? lastError.cause.message : lastError.message) : String(lastError);
    throw new UserError(`cannot reach the OSV API at ${this.baseUrl} (${reason}); the vulnerability check did not run`, {
      hint: 'Check network access to the API, or scan offline with --offline-db PATH (download https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip)',
      cause: lastError,
    });
  }

  private async attempt(url: string, body: string | undefined): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([this.signal, timeout]) : timeout;
    const response = await this.fetchImpl(
      url,
      body === undefined
        ? { method: 'GET', signal, headers: { accept: 'application/json' } }
        : { method: 'POST', body, signal, headers: { accept: 'application/json', 'content-type': 'application/json' } },
    );
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > MAX_RESPONSE_BYTES) throw this.protocolError(`a ${declared}-byte response, above the ${MAX_RESPONSE_BYTES}-byte limit`);
    const text = await response.text();
    if (text.length > MAX_RESPONSE_BYTES) throw this.protocolError(`a response above the ${MAX_RESPONSE_BYTES}-byte limit`);
    if (!response.ok) throw new HttpStatusError(response.status, text, parseRetryAfter(response.headers.get('retry-after')));
    try {
      return JSON.parse(text);
    } catch {
      throw this.protocolError(`${url} did not answer JSON`);
    }
  }
}

export function createOnlineDatabase(options: OnlineDatabaseOptions = {}): OnlineDatabase {
  return new OnlineDatabase(options);
}
