import { expectProblem } from './support/expectations';
import { expectNothingWritten, freshNs } from './support/sdk';
import { http, useService } from './support/service';

const service = useService();
const request = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  http(method, `${service.url}${path}`, body, headers);
const entryPath = (ns: string, key: string) => `/v1/namespaces/${ns}/entries/${encodeURIComponent(key)}`;

/** The methods an `Allow` header names, in order. */
const allowed = (header: string | null) => (header ?? '').split(',').map((m) => m.trim()).filter(Boolean).sort();

describe('an invalid key is 400 KEY_INVALID for every method', () => {
  const invalidKeys: [string, string][] = [
    ['a key with a NUL byte', 'a%00b'],
    ['a key with a control character', 'a%1Fb'],
    ['the empty key', ''],
    ['a key of 1025 bytes', 'k'.repeat(1025)],
  ];

  describe.each(invalidKeys)('%s', (_title, rawKey) => {
    let ns: string;
    let path: string;

    beforeAll(async () => {
      ns = freshNs('keys');
      expect((await request('PUT', entryPath(ns, 'present'), { value: 'v' })).status).toBe(201);
      path = `/v1/namespaces/${ns}/entries/${rawKey}`;
    });

    it.each(['GET', 'DELETE'])('%s answers 400 KEY_INVALID, writing nothing', async (method) => {
      const reply = await expectNothingWritten(service.store, () => request(method, path));
      expectProblem(reply, 400, 'KEY_INVALID');
    });

    it.each(['GET', 'DELETE', 'PUT'])('%s in a namespace that does not exist answers 400 KEY_INVALID too', async (method) => {
      const reply = await expectNothingWritten(service.store, () =>
        request(method, `/v1/namespaces/${freshNs('absent')}/entries/${rawKey}`, method === 'PUT' ? { value: 'v' } : undefined));
      expectProblem(reply, 400, 'KEY_INVALID');
    });

    it('HEAD answers 400 (no body)', async () => {
      const reply = await request('HEAD', path);
      expect({ status: reply.status, body: reply.body }).toEqual({ status: 400, body: undefined });
    });

    it('PUT answers 400 KEY_INVALID, writing nothing', async () => {
      const reply = await expectNothingWritten(service.store, () => request('PUT', path, { value: 'v' }));
      expectProblem(reply, 400, 'KEY_INVALID');
    });

    it.each([
      ['GET', 'history'],
      ['PUT', 'ttl'],
      ['POST', 'restore'],
      ['POST', 'purge'],
    ])('%s on its …/%s sub-resource answers 400 KEY_INVALID', async (method, sub) => {
      const body = sub === 'ttl' ? { ttlSeconds: 60 } : undefined;
      const reply = await expectNothingWritten(service.store, () => request(method, `${path}/${sub}`, body));
      expectProblem(reply, 400, 'KEY_INVALID');
    });
  });

  it('a valid key that is missing is still 404 ENTRY_NOT_FOUND', async () => {
    const ns = freshNs('keys');
    await request('PUT', entryPath(ns, 'present'), { value: 'v' });
    expectProblem(await request('GET', entryPath(ns, 'absent')), 404, 'ENTRY_NOT_FOUND');
    expect((await request('HEAD', entryPath(ns, 'absent'))).status).toBe(404);
    expectProblem(await request('DELETE', entryPath(ns, 'absent')), 404, 'ENTRY_NOT_FOUND');
  });
});

describe('a method a known path does not have is 405 METHOD_NOT_ALLOWED with Allow', () => {
  const cases: [string, string, (ns: string) => string, string[]][] = [
    ['PATCH on an entry', 'PATCH', (ns) => `/v1/namespaces/${ns}/entries/k`, ['DELETE', 'GET', 'HEAD', 'POST', 'PUT']],
    ['POST on a namespace', 'POST', (ns) => `/v1/namespaces/${ns}`, ['DELETE', 'GET', 'PUT']],
    ['POST on the namespace list', 'POST', () => '/v1/namespaces', ['GET']],
    ['PUT on the entry list', 'PUT', (ns) => `/v1/namespaces/${ns}/entries`, ['GET']],
    ['GET on transactions', 'GET', (ns) => `/v1/namespaces/${ns}/transactions`, ['POST']],
    ['GET on the restore call', 'GET', () => '/v1/admin/restore', ['POST']],
    ['POST on the feed', 'POST', () => '/v1/feed', ['GET']],
  ];

  it.each(cases)('%s', async (_title, method, pathOf, methods) => {
    const ns = freshNs('methods');
    await request('PUT', entryPath(ns, 'k'), { value: 'v' });
    const reply = await expectNothingWritten(service.store, () => request(method, pathOf(ns), method === 'GET' ? undefined : {}));
    expectProblem(reply, 405, 'METHOD_NOT_ALLOWED');
    expect(allowed(reply.headers.get('allow'))).toEqual(methods);
    expect(reply.body.detail).toContain(method);
  });

  it('a path no route has is still 404 ROUTE_NOT_FOUND, without Allow', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const reply = await request(method, '/v1/nothing-here');
      expectProblem(reply, 404, 'ROUTE_NOT_FOUND');
      expect(reply.headers.get('allow')).toBeNull();
    }
  });

  it('POST on an entry without a sub-resource stays 404: the route exists, the resource does not', async () => {
    const ns = freshNs('methods');
    await request('PUT', entryPath(ns, 'k'), { value: 'v' });
    expectProblem(await request('POST', `/v1/namespaces/${ns}/entries/k`), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('the restore call takes only archives', () => {
  const restore = (contentType: string, body: string) =>
    request('POST', '/v1/admin/restore', body, { 'content-type': contentType });

  it.each([
    ['application/json', '{}'],
    ['application/json', 'not json at all'],
    ['application/json; charset=utf-8', ''],
    ['text/plain', 'hello'],
  ])('%s is 415 UNSUPPORTED_MEDIA_TYPE naming the archive types, writing nothing', async (contentType, body) => {
    const reply = await expectNothingWritten(service.store, () => restore(contentType, body));
    expectProblem(reply, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(reply.body.detail).toContain('application/gzip');
  });

  it('an archive type still reaches the restore (and a foreign body is ARCHIVE_INVALID)', async () => {
    expectProblem(await restore('application/gzip', 'not gzip'), 400, 'ARCHIVE_INVALID');
  });
});
