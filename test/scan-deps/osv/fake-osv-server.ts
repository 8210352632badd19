import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sharedMembers } from './shared-data';

/**
 * A stand-in for api.osv.dev on 127.0.0.1, serving the real advisories of the shared PyPI slice.
 * `/v1/querybatch` answers every advisory naming the queried package (the real API also filters by
 * version; the client's callers match versions themselves), in pages of `pageSize` with
 * `next_page_token`, as the real API pages large answers. Faults can be scripted per path.
 */
export interface FakeOsvServer {
  url: string;
  /** Requests seen, in order: `POST /v1/querybatch (3 queries)`, `GET /v1/vulns/ID`. */
  log: string[];
  /** Most GET /v1/vulns requests in flight at once. */
  maxInFlight: number;
  /** Statuses to answer before serving normally, consumed per request whose path starts with the key. */
  faults: Map<string, { status: number; retryAfter?: string }[]>;
  close(): Promise<void>;
}

export async function startFakeOsvServer(options: { pageSize?: number; delayMs?: number } = {}): Promise<FakeOsvServer> {
  const records = new Map<string, { id: string; text: string; packages: string[] }>();
  for (const text of sharedMembers().values()) {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) continue;
    const id = String(Reflect.get(parsed, 'id'));
    const affected: unknown = Reflect.get(parsed, 'affected');
    const packages = Array.isArray(affected) ? affected.map((a: unknown) => String(Reflect.get(Reflect.get(a as object, 'package') as object, 'name'))) : [];
    records.set(id, { id, text, packages });
  }
  const pageSize = options.pageSize ?? 1000;
  let inFlight = 0;
  const state: FakeOsvServer = { url: '', log: [], maxInFlight: 0, faults: new Map(), close: () => Promise.resolve() };

  const fault = (path: string): { status: number; retryAfter?: string } | undefined => {
    for (const [prefix, list] of state.faults) if (path.startsWith(prefix) && list.length > 0) return list.shift();
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? '/';
    const scripted = fault(path);
    if (scripted) {
      state.log.push(`${req.method} ${path} -> ${scripted.status}`);
      res.writeHead(scripted.status, scripted.retryAfter ? { 'retry-after': scripted.retryAfter } : {});
      res.end('{"code":13,"message":"scripted failure"}');
      return;
    }
    if (req.method === 'POST' && path === '/v1/querybatch') {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const queries: unknown = Reflect.get(body as object, 'queries');
      if (!Array.isArray(queries) || queries.length > 1000) {
        res.writeHead(400).end('{"code":3,"message":"Too many queries."}');
        return;
      }
      state.log.push(`POST /v1/querybatch (${queries.length} queries)`);
      const results = queries.map((q: unknown) => {
        const name = String(Reflect.get(Reflect.get(q as object, 'package') as object, 'name'));
        const token: unknown = Reflect.get(q as object, 'page_token');
        const ids = [...records.values()].filter((r) => r.packages.includes(name)).map((r) => r.id).sort();
        const start = typeof token === 'string' ? Number(token) : 0;
        const page = ids.slice(start, start + pageSize).map((id) => ({ id, modified: '2024-10-01T00:00:00Z' }));
        const next = start + pageSize < ids.length ? String(start + pageSize) : undefined;
        return page.length === 0 ? {} : { vulns: page, ...(next ? { next_page_token: next } : {}) };
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
      return;
    }
    const vuln = /^\/v1\/vulns\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && vuln) {
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      state.log.push(`GET ${path}`);
      await new Promise((r) => setTimeout(r, options.delayMs ?? 0));
      inFlight--;
      const record = records.get(decodeURIComponent(vuln[1] ?? ''));
      if (!record) res.writeHead(404).end('{"code":5,"message":"Bug not found."}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(record.text);
      return;
    }
    res.writeHead(404).end('{}');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Never keeps the test process alive, and stops by itself even if a test forgets to close it.
  server.unref();
  const stopTimer = setTimeout(() => server.close(), 60_000);
  stopTimer.unref();
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      clearTimeout(stopTimer);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
