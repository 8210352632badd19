import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * A fake GitHub REST API on 127.0.0.1. Every request is matched against GitHub's own OpenAPI
 * description (@octokit/openapi) and its JSON body validated against the operation's request schema,
 * so a request GitHub would reject fails the test here too. Calls are recorded for assertions.
 */
interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  params: string[];
  operationId: string;
  bodySchema?: object;
}

export interface RecordedCall {
  operationId: string;
  method: string;
  path: string;
  params: Record<string, string>;
  body: unknown;
  status: number;
}

type Handler = (call: RecordedCall, state: FakeGitHub) => { status: number; body: unknown };

interface OpenApi {
  paths: Record<string, Record<string, { operationId: string; requestBody?: { content?: Record<string, { schema: object }> } }>>;
  components: object;
}

let cached: { operations: Operation[]; ajv: Ajv; validators: Map<string, ValidateFunction> } | undefined;

function loadDescription() {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const doc = JSON.parse(readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8')) as OpenApi;
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    const params: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_, name: string) => {
      params.push(name);
      return '([^/]+)';
    });
    for (const [method, op] of Object.entries(methods)) {
      if (!op?.operationId) continue;
      operations.push({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`),
        params,
        operationId: op.operationId,
        ...(op.requestBody?.content?.['application/json']?.schema ? { bodySchema: op.requestBody.content['application/json'].schema } : {}),
      });
    }
  }
  // OpenAPI 3.0 schemas: `nullable` is understood by ajv; examples and x-* keys are not keywords.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ components: doc.components }, 'github');
  cached = { operations, ajv, validators: new Map() };
  return cached;
}

export interface FakeGitHubOptions {
  /** Status to answer for an operation id instead of handling it (e.g. `{ 'checks/create': 403 }`). */
  failures?: Record<string, number>;
}

export class FakeGitHub {
  readonly calls: RecordedCall[] = [];
  /** Requests GitHub would have rejected: unknown routes, invalid bodies, missing auth. */
  readonly violations: string[] = [];
  readonly comments = new Map<number, { id: number; body: string; issue: number }>();
  private nextId = 1000;
  private server?: Server;
  private stopTimer?: NodeJS.Timeout;

  constructor(private readonly options: FakeGitHubOptions = {}) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('fake GitHub is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  id(): number {
    return this.nextId++;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    // Stops by itself even if a test forgets to.
    this.stopTimer = setTimeout(() => void this.stop(), 10 * 60_000);
    this.stopTimer.unref();
    this.server.unref();
    return this;
  }

  async stop(): Promise<void> {
    if (this.stopTimer) clearTimeout(this.stopTimer);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  byOperation(operationId: string): RecordedCall[] {
    return this.calls.filter((c) => c.operationId === operationId);
  }

  private validator(op: Operation): ValidateFunction | undefined {
    if (!op.bodySchema) return undefined;
    const { ajv, validators } = loadDescription();
    let v = validators.get(op.operationId);
    if (!v) {
      const schema = JSON.parse(JSON.stringify(op.bodySchema).replaceAll('"#/components/', '"github#/components/')) as object;
      v = ajv.compile(schema);
      validators.set(op.operationId, v);
    }
    return v;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const op = loadDescription().operations.find((o) => o.method === method && o.pattern.test(url.pathname));
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-api-version-selected': '2022-11-28' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (!op) {
      this.violations.push(`${method} ${url.pathname}: no such operation in GitHub's REST API`);
      send(404, { message: 'Not Found' });
      return;
    }
    if (!/^(token|Bearer) \S+/.test(req.headers.authorization ?? '')) this.violations.push(`${op.operationId}: no Authorization header`);
    const match = op.pattern.exec(url.pathname)!;
    const params = Object.fromEntries(op.params.map((p, i) => [p, decodeURIComponent(match[i + 1]!)]));
    let body: unknown;
    if (chunks.length) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        this.violations.push(`${op.operationId}: body is not JSON`);
      }
    }
    const validate = this.validator(op);
    if (validate && body !== undefined && !validate(body)) {
      this.violations.push(`${op.operationId}: ${(validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('; ')}`);
      const call = { operationId: op.operationId, method, path: url.pathname, params, body, status: 422 };
      this.calls.push(call);
      send(422, { message: 'Validation Failed', errors: validate.errors });
      return;
    }
    const failure = this.options.failures?.[op.operationId];
    const call: RecordedCall = { operationId: op.operationId, method, path: url.pathname, params, body, status: failure ?? 200 };
    this.calls.push(call);
    if (failure) {
      send(failure, { message: failure === 403 ? 'Resource not accessible by integration' : 'Error', documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    const handler = HANDLERS[op.operationId];
    if (!handler) {
      this.violations.push(`${op.operationId}: the fake has no handler (the code called an API the tests do not expect)`);
      send(501, { message: 'not implemented in the fake' });
      return;
    }
    const result = handler(call, this);
    call.status = result.status;
    send(result.status, result.body);
  }
}

const HANDLERS: Record<string, Handler> = {
  'checks/create': (call, gh) => ({ status: 201, body: { id: gh.id(), name: (call.body as { name: string }).name, status: 'in_progress' } }),
  'checks/update': (call) => ({ status: 200, body: { id: Number(call.params.check_run_id), status: (call.body as { status?: string }).status ?? 'in_progress' } }),
  'issues/list-comments': (call, gh) => ({
    status: 200,
    body: [...gh.comments.values()].filter((c) => c.issue === Number(call.params.issue_number)).map((c) => ({ id: c.id, body: c.body })),
  }),
  'issues/create-comment': (call, gh) => {
    const id = gh.id();
    gh.comments.set(id, { id, body: (call.body as { body: string }).body, issue: Number(call.params.issue_number) });
    return { status: 201, body: { id } };
  },
  'issues/update-comment': (call, gh) => {
    const id = Number(call.params.comment_id);
    const existing = gh.comments.get(id);
    if (!existing) return { status: 404, body: { message: 'Not Found' } };
    existing.body = (call.body as { body: string }).body;
    return { status: 200, body: { id } };
  },
};
