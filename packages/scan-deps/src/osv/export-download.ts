import { createWriteStream, mkdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { UserError, silentLogger, type Limits, type Logger } from '@aisec/core';
import { ZipArchive } from './zip-archive';

/** osv.dev's export of every PyPI advisory (PYSEC and GHSA), refreshed by osv.dev continuously. */
export const OSV_PYPI_EXPORT_URL = 'https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip';

export interface OsvExportDownloadOptions {
  /** Directory to keep the export in (the CLI's user cache directory); created when missing. */
  cacheDir: string;
  url?: string;
  /** A cached copy younger than this is used without asking the server. Default: 24 hours. */
  maxAgeMs?: number;
  limits: Limits;
  logger?: Logger;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export interface OsvExportFile {
  path: string;
  /** `fresh`: within maxAge; `revalidated`: the server said 304; `downloaded`; `stale`: the download failed and an older copy is used. */
  status: 'fresh' | 'revalidated' | 'downloaded' | 'stale';
}

function ageOf(path: string): { mtime: Date } | undefined {
  try {
    return { mtime: statSync(path).mtime };
  } catch {
    return undefined;
  }
}

/**
 * The PyPI OSV export in a local cache, downloaded once and refreshed when older than `maxAgeMs`
 * (conditionally, with If-Modified-Since). The body is streamed to a temporary file under the size
 * limit, checked to be a readable zip, and renamed into place, so a failed or partial download never
 * replaces a good copy. When the download fails and a copy exists, that copy is used and the logger
 * says how old it is; with no copy it is a UserError pointing to --offline-db.
 */
export async function fetchOsvExport(options: OsvExportDownloadOptions): Promise<OsvExportFile> {
  const url = options.url ?? OSV_PYPI_EXPORT_URL;
  const logger = options.logger ?? silentLogger;
  // `.../PyPI/all.zip` is kept as `PyPI-all.zip`, so exports of several ecosystems can share the directory.
  const path = join(options.cacheDir, 'osv', new URL(url).pathname.split('/').filter(Boolean).slice(-2).join('-') || 'all.zip');
  const cached = ageOf(path);
  const maxAge = options.maxAgeMs ?? 24 * 60 * 60 * 1000;
  if (cached && Date.now() - cached.mtime.getTime() < maxAge) return { path, status: 'fresh' };

  try {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const response = await fetchImpl(url, {
      headers: cached ? { 'if-modified-since': cached.mtime.toUTCString() } : {},
      signal: options.signal,
    });
    if (response.status === 304 && cached) {
      const now = new Date();
      utimesSync(path, now, now);
      return { path, status: 'revalidated' };
    }
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    await saveBody(response.body as WebReadableStream<Uint8Array>, path, options.limits, url);
    return { path, status: 'downloaded' };
  } catch (error) {
    if (error instanceof UserError) throw error;
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    if (cached) {
      logger.warn(`cannot refresh the OSV database from ${url} (${reason}); using the copy from ${cached.mtime.toISOString()}`);
      return { path, status: 'stale' };
    }
    throw new UserError(`cannot download the OSV database from ${url} (${reason}); the vulnerability check did not run`, {
      hint: 'Check network access, or download PyPI/all.zip yourself and pass it with --offline-db PATH',
      cause: error,
    });
  }
}

async function saveBody(body: WebReadableStream<Uint8Array>, path: string, limits: Limits, url: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.part`;
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > limits.maxFileBytes) {
        callback(new UserError(`the OSV database at ${url} is larger than the ${limits.maxFileBytes}-byte limit`, { hint: 'Raise the file size limit or pass a local copy with --offline-db PATH' }));
      } else {
        callback(null, chunk);
      }
    },
  });
  try {
    await pipeline(Readable.fromWeb(body), limit, createWriteStream(tmp));
    // Refuse to cache something that is not a zip (a captive portal's HTML page, a truncated body).
    ZipArchive.open(tmp, limits).close();
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    if (error instanceof UserError && error.file === tmp) {
      throw new UserError(`the download from ${url} is not a readable zip: ${error.message.replace(`${tmp} `, '')}`, {
        hint: 'Check the URL (it should be an OSV export such as PyPI/all.zip), or pass a local copy with --offline-db PATH',
        cause: error,
      });
    }
    throw error;
  }
}
