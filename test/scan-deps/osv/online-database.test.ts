import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '@aisec/core';
import { createOnlineDatabase, matchVulnerabilities } from '../../../packages/scan-deps/src/osv/index';
import { startFakeOsvServer, type FakeOsvServer } from './fake-osv-server';

let server: FakeOsvServer | undefined;
afterEach(async () => {
  await server?.close();
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

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('online OSV database against a fake API serving the real slice', () => {
  it('queries in a batch, follows pages, fetches each advisory once, and the matches are the real ones', async () => {
    server = await startFakeOsvServer({ pageSize: 20 });
    const db = createOnlineDatabase({ baseUrl: server.url, backoffMs: 1 });
    expect(db.describe()).toEqual({ kind: 'online', location: server.url });
    const result = await db.query([
      { name: 'Pillow', version: '9.0.0' },
      { name: 'pillow', version: '9.0.0' },
      { name: 'urllib3', version: '1.26.5' },
      { name: 'torch', version: '1.13.0+cu117' },
      { name: 'left-pad', version: '1.0.0' },
    ]);
    expect(result.get('pillow')).toHaveLength(51);
    expect(result.get('urllib3')).toHaveLength(11);
    expect(result.get('left-pad')).toEqual([]);
    // pillow has 51 advisories: pages of 20 need two follow-up querybatch calls for it alone.
    expect(server.log.filter((l) => l.startsWith('POST'))).toEqual([
      'POST /v1/querybatch (4 queries)',
      'POST /v1/querybatch (1 queries)',
      'POST /v1/querybatch (1 queries)',
    ]);
    expect(server.log.filter((l) => l.startsWith('GET'))).toHaveLength(51 + 11 + 1);
    expect(matchVulnerabilities({ name: 'pillow', version: '9.0.0' }, result.get('pillow') ?? []).map((m) => m.id).sort()).toEqual([
      'PYSEC-2022-168', 'PYSEC-2022-42979', 'PYSEC-2023-175', 'PYSEC-2023-227',
    ]);
    expect(matchVulnerabilities({ name: 'torch', version: '1.13.0+cu117' }, result.get('torch') ?? []).map((m) => m.id)).toEqual(['PYSEC-2022-43015']);
  });

  it('splits more than 1000 queries into batches of 1000', async () => {
    server = await startFakeOsvServer();
    const db = createOnlineDatabase({ baseUrl: server.url, concurrency: 2 });
    const packages = Array.from({ length: 2500 }, (_, i) => ({ name: `pkg-${i}`, version: '1.0' }));
    const result = await db.query(packages);
    expect(result.size).toBe(2500);
    expect(server.log.sort()).toEqual(['POST /v1/querybatch (1000 queries)', 'POST /v1/querybatch (1000 queries)', 'POST /v1/querybatch (500 queries)']);
  });

  it('keeps advisory fetches within the concurrency limit', async () => {
    server = await startFakeOsvServer({ delayMs: 15 });
    const db = createOnlineDatabase({ baseUrl: server.url, concurrency: 3 });
    await db.query([{ name: 'pillow', version: '9.0.0' }]);
    expect(server.maxInFlight).toBeLessThanOrEqual(3);
    expect(server.maxInFlight).toBeGreaterThan(1);
  });

  it('retries 5xx and 429 (honouring Retry-After) and then succeeds', async () => {
    server = await startFakeOsvServer();
    server.faults.set('/v1/querybatch', [{ status: 503 }, { status: 502 }]);
    server.faults.set('/v1/vulns/PYSEC-2023-192', [{ status: 429, retryAfter: '0' }]);
    const db = createOnlineDatabase({ baseUrl: server.url, backoffMs: 5 });
    const result = await db.query([{ name: 'urllib3', version: '1.26.5' }]);
    expect(result.get('urllib3')).toHaveLength(11);
    expect(server.log.filter((l) => l.includes('->'))).toEqual([
      'POST /v1/querybatch -> 503',
      'POST /v1/querybatch -> 502',
      'GET /v1/vulns/PYSEC-2023-192 -> 429',
    ]);
  });

  it('gives up after the retries with a UserError that says the check did not run', async () => {
    server = await startFakeOsvServer();
    server.faults.set('/v1/querybatch', Array.from({ length: 10 }, () => ({ status: 500 })));
    const db = createOnlineDatabase({ baseUrl: server.url, retries: 2, backoffMs: 1 });
    const error = await userErrorOf(db.query([{ name: 'pillow', version: '9.0.0' }]));
    expect(error.message).toMatch(/answered 500 for \/v1\/querybatch/);
    expect(error.hint).toMatch(/did not run.*--offline-db/);
    expect(server.log).toHaveLength(3);
  });

  it('does not retry a 400', async () => {
    server = await startFakeOsvServer();
    server.faults.set('/v1/querybatch', [{ status: 400 }]);
    const db = createOnlineDatabase({ baseUrl: server.url, backoffMs: 1 });
    expect((await userErrorOf(db.query([{ name: 'pillow', version: '9.0.0' }]))).message).toMatch(/answered 400/);
    expect(server.log).toEqual(['POST /v1/querybatch -> 400']);
  });

  it('an unreachable API is a UserError suggesting --offline-db', async () => {
    const port = await closedPort();
    const db = createOnlineDatabase({ baseUrl: `http://127.0.0.1:${port}`, retries: 1, backoffMs: 1 });
    const error = await userErrorOf(db.query([{ name: 'pillow', version: '9.0.0' }]));
    expect(error.message).toMatch(new RegExp(`cannot reach the OSV API at http://127\\.0\\.0\\.1:${port}.*did not run`));
    expect(error.hint).toMatch(/--offline-db/);
  });
});
