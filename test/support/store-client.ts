import { http, removeDir, RunningService, startService } from './service';

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export type RequestHeaders = Record<string, string>;
export type ListQuery = { prefix?: string; limit?: number | string; cursor?: string };
export type Op = { op: 'put' | 'delete'; key: string; [field: string]: unknown };

/** Percent-encodes a key for the path (so '/' travels as %2F; the service decodes it back). */
export const entryPath = (ns: string, key: string) => `/v1/namespaces/${ns}/entries/${encodeURIComponent(key)}`;

const query = (params: Record<string, string | number | undefined>) => {
  const text = new URLSearchParams(
    Object.entries(params).filter((p): p is [string, string | number] => p[1] !== undefined).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  return text ? `?${text}` : '';
};

/**
 * The HTTP API of one running service, as the tests use it. Every call checks the one rule that
 * holds for every request: the service never answers 5xx.
 */
export class StoreClient {
  constructor(public url = '') {}

  async request(method: string, path: string, body?: unknown, headers?: RequestHeaders): Promise<Reply> {
    const reply = await http(method, this.url + path, body, headers);
    if (reply.status >= 500) {
      throw new Error(`${method} ${path} answered ${reply.status} (bad input must never yield a 5xx): ${JSON.stringify(reply.body)}`);
    }
    return reply;
  }

  put = (ns: string, key: string, body: unknown, headers?: RequestHeaders) => this.request('PUT', entryPath(ns, key), body, headers);
  get = (ns: string, key: string) => this.request('GET', entryPath(ns, key));
  head = (ns: string, key: string) => this.request('HEAD', entryPath(ns, key));
  del = (ns: string, key: string, expectedVersion?: number | string, headers?: RequestHeaders) =>
    this.request('DELETE', entryPath(ns, key) + query({ expectedVersion }), undefined, headers);
  list = (ns: string, q: ListQuery = {}) => this.request('GET', `/v1/namespaces/${ns}/entries${query(q)}`);
  tx = (ns: string, ops: unknown, headers?: RequestHeaders) => this.request('POST', `/v1/namespaces/${ns}/transactions`, { ops }, headers);
  createNamespace = (ns: string, headers?: RequestHeaders) => this.request('PUT', `/v1/namespaces/${ns}`, undefined, headers);
  namespace = (ns: string) => this.request('GET', `/v1/namespaces/${ns}`);
  namespaces = () => this.request('GET', '/v1/namespaces');
  rebuild = () => this.request('POST', '/v1/admin/rebuild');

  /** Every entry of a namespace, page by page, checking that each page is well formed. */
  async listAll(ns: string, q: Omit<ListQuery, 'cursor'> = {}): Promise<{ items: any[]; pages: any[][] }> {
    const pages: any[][] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list(ns, { ...q, cursor });
      expect(page.status).toBe(200);
      expect(Object.keys(page.body).sort()).toEqual(['items', 'nextCursor']);
      pages.push(page.body.items);
      cursor = page.body.nextCursor ?? undefined;
      if (pages.length > 10_000) throw new Error('listing does not end');
    } while (cursor !== undefined);
    return { items: pages.flat(), pages };
  }

  /** Everything a client can read: the namespace list and every namespace's full listing. */
  async snapshot(): Promise<{ namespaces: any[]; entries: Record<string, any[]> }> {
    const namespaces = await this.namespaces();
    expect(namespaces.status).toBe(200);
    const entries: Record<string, any[]> = {};
    for (const { name } of namespaces.body) entries[name] = (await this.listAll(name, { limit: 1000 })).items;
    return { namespaces: namespaces.body, entries };
  }

  /** Runs a refused request and proves that it wrote nothing: the whole readable store is unchanged. */
  async expectNothingWritten<T>(action: () => Promise<T>): Promise<T> {
    const before = await this.snapshot();
    const result = await action();
    expect(await this.snapshot()).toEqual(before);
    return result;
  }
}

/** A service of its own for one test file: started before the first test, removed after the last. */
export class TestStore extends StoreClient {
  service!: RunningService;

  constructor(private readonly env: Record<string, string> = {}) {
    super();
  }

  async start(dataDir?: string): Promise<void> {
    this.service = await startService({ dataDir, env: this.env });
    this.url = this.service.url;
  }

  /** Closes the service and starts a new one on the same data dir. */
  async restart(): Promise<void> {
    await this.service.close();
    await this.start(this.service.dataDir);
  }

  async stop(): Promise<void> {
    await this.service?.close();
    if (this.service) removeDir(this.service.dataDir);
  }
}

export function useStore(env?: Record<string, string>): TestStore {
  const store = new TestStore(env);
  beforeAll(() => store.start());
  afterAll(() => store.stop());
  return store;
}

/** A namespace name no other test of the file uses. */
let namespaces = 0;
export const freshNs = (label = 'ns') => `${label}-${++namespaces}`;

/** An RFC 9457 problem with this status and code (and these extra members). */
export function expectProblem(reply: Reply, status: number, code: string, extra: Record<string, unknown> = {}): void {
  expect({ status: reply.status, contentType: reply.headers.get('content-type')?.split(';')[0], code: reply.body?.code }).toEqual({
    status,
    contentType: 'application/problem+json',
    code,
  });
  expect(reply.body).toMatchObject({ status, ...extra });
}

/** The entry part of a write's answer (without created, revision, position): what a GET answers. */
export function entryOf(written: Reply): Record<string, unknown> {
  const { created: _c, revision: _r, position: _p, ...entry } = written.body;
  return entry;
}

export const MiB = 1024 * 1024;
