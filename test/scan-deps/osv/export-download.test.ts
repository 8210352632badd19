import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UserError } from '@aisec/core';
import { fetchOsvExport, openOfflineDatabase } from '../../../packages/scan-deps/src/osv/index';
import { OSV_ZIP, testContext } from './shared-data';

const scratch = mkdtempSync(join(tmpdir(), 'aisec-osv-download-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const ctx = testContext();
const zipBytes = readFileSync(OSV_ZIP);
const lastModified = new Date('2024-10-10T00:00:00Z');

/** A loopback stand-in for the export bucket: serves the shared zip, honours If-Modified-Since, can fail. */
let server: Server | undefined;
let mode: 'ok' | 'fail' | 'html' = 'ok';
let requests: string[] = [];
async function start(): Promise<string> {
  requests = [];
  server = createServer((req, res) => {
    const since = req.headers['if-modified-since'];
    requests.push(since ? `GET ${req.url} if-modified-since` : `GET ${req.url}`);
    if (mode === 'fail') res.writeHead(503).end('unavailable');
    else if (mode === 'html') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>log in to the Wi-Fi</html>');
    else if (since && new Date(since) >= lastModified) res.writeHead(304).end();
    else res.writeHead(200, { 'content-type': 'application/zip', 'last-modified': lastModified.toUTCString() }).end(zipBytes);
  });
  server.unref();
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/PyPI/all.zip`;
}
afterEach(async () => {
  mode = 'ok';
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function userErrorOf(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('downloading and caching the OSV export', () => {
  it('downloads once, then uses the fresh copy, then revalidates with If-Modified-Since when old', async () => {
    const url = await start();
    const cacheDir = join(scratch, 'a');
    const first = await fetchOsvExport({ url, cacheDir, limits: ctx.limits });
    expect(first).toEqual({ path: join(cacheDir, 'osv', 'PyPI-all.zip'), status: 'downloaded' });
    expect(readFileSync(first.path).equals(zipBytes)).toBe(true);
    expect(await fetchOsvExport({ url, cacheDir, limits: ctx.limits })).toMatchObject({ status: 'fresh' });
    utimesSync(first.path, new Date('2024-10-11T00:00:00Z'), new Date('2024-10-11T00:00:00Z'));
    expect(await fetchOsvExport({ url, cacheDir, limits: ctx.limits })).toMatchObject({ status: 'revalidated' });
    expect(requests).toEqual(['GET /PyPI/all.zip', 'GET /PyPI/all.zip if-modified-since']);
    const db = await openOfflineDatabase(first.path, ctx, { indexCache: false });
    expect(db.describe().advisories).toBe(398);
    db.close();
  });

  it('falls back to the cached copy when the refresh fails, and says so', async () => {
    const url = await start();
    const cacheDir = join(scratch, 'b');
    await fetchOsvExport({ url, cacheDir, limits: ctx.limits });
    mode = 'fail';
    const warnings: string[] = [];
    const logger = { ...ctx.logger, warn: (m: string) => void warnings.push(m) };
    const result = await fetchOsvExport({ url, cacheDir, limits: ctx.limits, maxAgeMs: 0, logger });
    expect(result.status).toBe('stale');
    expect(warnings).toEqual([expect.stringMatching(/cannot refresh the OSV database .*HTTP 503.*using the copy from/)]);
  });

  it('with no copy, a failed download is a UserError that says the check did not run', async () => {
    const url = await start();
    mode = 'fail';
    const error = await userErrorOf(fetchOsvExport({ url, cacheDir: join(scratch, 'c'), limits: ctx.limits }));
    expect(error.message).toMatch(/cannot download the OSV database .*HTTP 503.*did not run/);
    expect(error.hint).toMatch(/--offline-db/);
  });

  it('refuses a body that is not a zip and leaves nothing behind', async () => {
    const url = await start();
    mode = 'html';
    const cacheDir = join(scratch, 'd');
    expect((await userErrorOf(fetchOsvExport({ url, cacheDir, limits: ctx.limits }))).message).toMatch(/is not a readable zip/);
    expect(readdirSync(join(cacheDir, 'osv'))).toEqual([]);
  });

  it('stops a download above the size limit', async () => {
    const url = await start();
    const cacheDir = join(scratch, 'e');
    const small = { ...ctx.limits, maxFileBytes: 100_000 };
    expect((await userErrorOf(fetchOsvExport({ url, cacheDir, limits: small }))).message).toMatch(/larger than the 100000-byte limit/);
    expect(existsSync(join(cacheDir, 'osv', 'PyPI-all.zip'))).toBe(false);
    expect(readdirSync(join(cacheDir, 'osv'))).toEqual([]);
  });
});
