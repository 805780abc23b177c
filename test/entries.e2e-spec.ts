import { comparePositions, parsePosition } from '@app/event-store';
import { EntryWriteResult, ListedEntry } from '@app/client';
import { expectProblem, expectRefused } from './support/expectations';
import { collect, expectNothingWritten, freshNs, ISO_TIME, metadataPairs, MiB, untilExpired } from './support/sdk';
import { http, useService } from './support/service';

const service = useService();
const { store } = service;

/** Raw HTTP, for what the SDK hides: statuses, bodies of HEAD and DELETE, paths as they travel, malformed requests. */
type RequestHeaders = Record<string, string>;
const request = (method: string, path: string, body?: unknown, headers?: RequestHeaders) => http(method, `${service.url}${path}`, body, headers);
/** Percent-encodes a key for the path (so '/' travels as %2F; the service decodes it back). */
const entryPath = (ns: string, key: string) => `/v1/namespaces/${ns}/entries/${encodeURIComponent(key)}`;

/** The entry part of a write's answer (without created, revision, position): what a GET answers. */
function entryOf(written: EntryWriteResult): Record<string, unknown> {
  const { created: _c, revision: _r, position: _p, ...entry } = written;
  return entry;
}

/** Every page of a listing, in order, each checked to be well formed. */
async function pagesOf(ns: string, options: { prefix?: string; limit?: number } = {}): Promise<ListedEntry[][]> {
  const pages: ListedEntry[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listPage(ns, { ...options, cursor });
    expect(page).toMatchObject({ items: expect.any(Array), nextCursor: page.nextCursor === null ? null : expect.any(String) });
    pages.push(page.items);
    cursor = page.nextCursor ?? undefined;
    if (pages.length > 10_000) throw new Error('listing does not end');
  } while (cursor !== undefined);
  return pages;
}

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('put, get, head, delete', () => {
  it('creates an entry at version 1 (201) and answers it on GET exactly as written', async () => {
    const ns = freshNs();
    const put = await request('PUT', entryPath(ns, 'greeting'), { value: 'hello' });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({
      namespace: ns, key: 'greeting', value: 'hello', metadata: {}, version: 1, modRevision: 1,
      createdAt: expect.stringMatching(ISO_TIME), updatedAt: put.body.createdAt, expiresAt: null,
      created: true, revision: 1, position: expect.any(String),
    });
    const get = await request('GET', entryPath(ns, 'greeting'));
    expect(get.status).toBe(200);
    expect(get.body).toEqual(entryOf(put.body));
    expect(await store.get(ns, 'greeting')).toEqual(entryOf(put.body));
  });

  it('updates an entry (200): version 2, createdAt kept, updatedAt moved', async () => {
    const ns = freshNs();
    const first = await store.put(ns, 'k', 'one');
    const second = await request('PUT', entryPath(ns, 'k'), { value: 'two' });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ value: 'two', version: 2, created: false, revision: 2, createdAt: first.createdAt });
    expect(Date.parse(second.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.updatedAt));
    expect(await store.get(ns, 'k')).toEqual(entryOf(second.body));
  });

  it('answers HEAD with 200 for a live key and 404 for a missing one, without a body', async () => {
    const ns = freshNs();
    await store.put(ns, 'here', 'x');
    expect(await request('HEAD', entryPath(ns, 'here'))).toMatchObject({ status: 200, body: undefined });
    expect(await request('HEAD', entryPath(ns, 'missing'))).toMatchObject({ status: 404, body: undefined });
    expect(await request('HEAD', entryPath(freshNs(), 'here'))).toMatchObject({ status: 404, body: undefined });
    expect([await store.exists(ns, 'here'), await store.exists(ns, 'missing')]).toEqual([true, false]);
  });

  it('deletes (204, no body); the key is then gone, and written again it starts over at version 1', async () => {
    const ns = freshNs();
    await store.put(ns, 'k', 'one');
    await store.put(ns, 'k', 'two');
    expect(await request('DELETE', entryPath(ns, 'k'))).toMatchObject({ status: 204, body: undefined });
    expectProblem(await request('GET', entryPath(ns, 'k')), 404, 'ENTRY_NOT_FOUND', { key: 'k' });
    expect(await store.exists(ns, 'k')).toBe(false);
    expect(await store.listPage(ns)).toEqual({ items: [], nextCursor: null });
    await expectRefused(store.delete(ns, 'k'), 404, 'ENTRY_NOT_FOUND');
    const again = await request('PUT', entryPath(ns, 'k'), { value: 'three' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ value: 'three', version: 1, created: true });
  });

  it('bumps the namespace revision by one per write and hands out ever later positions', async () => {
    const ns = freshNs();
    const writes = [await store.put(ns, 'a', '1'), await store.put(ns, 'b', '1'), await store.put(ns, 'a', '2')];
    await store.delete(ns, 'b');
    expect((await store.getNamespace(ns)).revision).toBe(4);
    writes.push(await store.put(ns, 'b', '3'));
    expect(writes.map((w) => w.revision)).toEqual([1, 2, 3, 5]);
    const positions = writes.map((w) => parsePosition(w.position));
    for (let i = 1; i < positions.length; i++) {
      expect(positions[i].incarnation).toBe(positions[0].incarnation);
      expect(comparePositions(positions[i - 1], positions[i])).toBeLessThan(0);
    }
    expect((await store.getNamespace(ns)).revision).toBe(5);
  });
});

describe('expectedVersion', () => {
  it('0 writes only a key that does not exist; a mismatch is 409 VERSION_CONFLICT with the versions', async () => {
    const ns = freshNs();
    expect(await store.put(ns, 'k', 'a', { expectedVersion: 0 })).toMatchObject({ created: true, version: 1 });
    await expectNothingWritten(store, () =>
      expectRefused(store.put(ns, 'k', 'b', { expectedVersion: 0 }), 409, 'VERSION_CONFLICT', { key: 'k', expectedVersion: 0, actualVersion: 1 }));
  });

  it('n updates only version n', async () => {
    const ns = freshNs();
    await store.put(ns, 'k', 'a');
    expect(await store.put(ns, 'k', 'b', { expectedVersion: 1 })).toMatchObject({ version: 2, value: 'b' });
    for (const stale of [1, 3, 7]) {
      await expectNothingWritten(store, () =>
        expectRefused(store.put(ns, 'k', 'c', { expectedVersion: stale }), 409, 'VERSION_CONFLICT', { key: 'k', expectedVersion: stale, actualVersion: 2 }));
    }
    expect(await store.get(ns, 'k')).toMatchObject({ value: 'b', version: 2 });
  });

  it('guards a delete too; a deleted key counts as version 0', async () => {
    const ns = freshNs();
    await store.put(ns, 'k', 'a');
    await store.put(ns, 'k', 'b');
    await expectNothingWritten(store, () =>
      expectRefused(store.delete(ns, 'k', { expectedVersion: 1 }), 409, 'VERSION_CONFLICT', { key: 'k', expectedVersion: 1, actualVersion: 2 }));
    await store.delete(ns, 'k', { expectedVersion: 2 });
    expect(await store.exists(ns, 'k')).toBe(false);
    await expectRefused(store.put(ns, 'k', 'c', { expectedVersion: 1 }), 409, 'VERSION_CONFLICT', { actualVersion: 0 });
    expect(await store.put(ns, 'k', 'c', { expectedVersion: 0 })).toMatchObject({ version: 1, created: true });
  });
});

describe('values', () => {
  const cases: [string, string, Record<string, string>][] = [
    ['non-UTF-8 bytes come back as valueBase64', Buffer.from([0xff, 0x00, 0xfe, 0x80]).toString('base64'), { valueBase64: '/wD+gA==' }],
    ['UTF-8 bytes given as base64 come back as value', Buffer.from('héllo wörld ✓').toString('base64'), { value: 'héllo wörld ✓' }],
    ['a leading byte order mark is kept', Buffer.from('\uFEFFbom').toString('base64'), { value: '\uFEFFbom' }],
    ['an empty value is a value', '', { value: '' }],
  ];

  it.each(cases)('%s', async (_title, valueBase64, expected) => {
    const ns = freshNs();
    const put = await store.put(ns, 'bin', Buffer.from(valueBase64, 'base64'));
    expect(put).toMatchObject({ created: true, version: 1 });
    for (const entry of [put, await store.get(ns, 'bin'), (await store.listPage(ns)).items[0]]) {
      expect(entry).toMatchObject(expected);
      expect(Object.keys(entry)).not.toContain(expected.value === undefined ? 'value' : 'valueBase64');
    }
  });

  it('takes a value of exactly the limit (1 MiB)', async () => {
    const ns = freshNs();
    expect(await store.put(ns, 'big', 'x'.repeat(MiB))).toMatchObject({ created: true });
    expect((await store.get(ns, 'big')).value).toHaveLength(MiB);
  });

  it('keeps metadata as given and replaces it with the next write', async () => {
    const ns = freshNs();
    const metadata = { 'content-type': 'application/json', 'ünïcödé': 'välüé ✓', empty: '', ...metadataPairs(61) };
    expect((await store.put(ns, 'k', 'v', { metadata })).metadata).toEqual(metadata);
    expect((await store.get(ns, 'k')).metadata).toEqual(metadata);
    await store.put(ns, 'k', 'v', { metadata: { only: 'this' } });
    expect((await store.get(ns, 'k')).metadata).toEqual({ only: 'this' });
  });

  it('ttlSeconds sets expiresAt to the write time plus the TTL', async () => {
    const ns = freshNs();
    const put = await store.put(ns, 'k', 'v', { ttlSeconds: 3600 });
    expect(put.expiresAt).toBe(new Date(Date.parse(put.updatedAt) + 3600_000).toISOString());
    expect((await store.get(ns, 'k')).expiresAt).toBe(put.expiresAt);
  });

  it('an expired entry is gone: GET and HEAD 404, not listed, not deletable, and a new write starts at version 1', async () => {
    const ns = freshNs();
    await store.put(ns, 'stays', 'v');
    const put = await store.put(ns, 'brief', 'v', { ttlSeconds: 1 });
    await untilExpired(put);
    await expectRefused(store.get(ns, 'brief'), 404, 'ENTRY_NOT_FOUND');
    expect((await request('HEAD', entryPath(ns, 'brief'))).status).toBe(404);
    expect((await collect(store.list(ns))).map((e) => e.key)).toEqual(['stays']);
    await expectRefused(store.delete(ns, 'brief'), 404, 'ENTRY_NOT_FOUND');
    expect(await store.put(ns, 'brief', 'again')).toMatchObject({ version: 1, created: true, expiresAt: null });
  });
});

describe('keys', () => {
  // [written through this path, read through that one, the key]
  const paths: [string, string, string][] = [
    ['a/b/c', 'a%2Fb%2Fc', 'a/b/c'],
    ['x%2Fy/z', 'x/y%2Fz', 'x/y/z'],
    ['with%20space', 'with space', 'with space'],
    ['100%25', '100%25', '100%'],
    ['q%3Fand%23hash', 'q%3Fand%23hash', 'q?and#hash'],
    [encodeURIComponent('ключ/日本/😀'), 'ключ/日本/😀', 'ключ/日本/😀'],
    ['trailing/', 'trailing%2F', 'trailing/'],
  ];

  // Paths as they travel: raw HTTP; the SDK reads back what they wrote.
  it.each(paths)('PUT …/entries/%s reads back through …/entries/%s as key %j', async (writePath, readPath, key) => {
    const ns = freshNs();
    const put = await request('PUT', `/v1/namespaces/${ns}/entries/${writePath}`, { value: 'v' });
    expect(put.body).toMatchObject({ key, version: 1 });
    expect((await request('GET', `/v1/namespaces/${ns}/entries/${readPath}`)).body).toEqual(entryOf(put.body));
    expect(await store.get(ns, key)).toEqual(entryOf(put.body));
    expect((await collect(store.list(ns))).map((e) => e.key)).toEqual([key]);
  });

  it('takes a key of exactly 1024 bytes of UTF-8', async () => {
    const ns = freshNs();
    const key = 'é'.repeat(512);
    expect(await store.put(ns, key, 'v')).toMatchObject({ key, version: 1 });
  });
});

describe('listing', () => {
  const KEYS = [
    'a', 'b', 'B', '0', '~', 'a/b', 'a b', 'a/', 'user/1', 'user/2', 'user/é', 'users', 'usex',
    'é', 'é/x', 'ß', 'Ω', 'ñ', '日本', '日本語', '\uFF5A', '😀', '😀x', '\u{10FFFF}', 'z',
  ];
  const ORDERED = [...KEYS].sort(utf8Order);
  let ns: string;

  beforeAll(async () => {
    ns = freshNs('list');
    for (const key of KEYS) expect(await store.put(ns, key, `v:${key}`)).toMatchObject({ created: true });
  });

  it('pages through all 25 keys in UTF-8 byte order; the last page has nextCursor null', async () => {
    expect(KEYS).toHaveLength(25);
    const pages = await pagesOf(ns, { limit: 7 });
    const items = pages.flat();
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 4]);
    expect(items.map((e) => e.key)).toEqual(ORDERED);
    expect(items.map((e) => e.value)).toEqual(ORDERED.map((k) => `v:${k}`));
    expect(items[0]).toEqual(await store.get(ns, ORDERED[0]));
  });

  it('ends without an empty page when the last page is exactly full', async () => {
    const pages = await pagesOf(ns, { limit: 5 });
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 5]);
    expect(await store.listPage(ns, { limit: 25 })).toMatchObject({ nextCursor: null });
  });

  it.each([
    ['user/', ['user/1', 'user/2', 'user/é']],
    ['a', ['a', 'a b', 'a/', 'a/b']],
    ['é', ['é', 'é/x']],
    ['日本', ['日本', '日本語']],
    ['😀', ['😀', '😀x']],
    ['\u{10FFFF}', ['\u{10FFFF}']],
    ['nothing', []],
  ])('lists prefix %j', async (prefix, expected) => {
    expect((await pagesOf(ns, { prefix, limit: 2 })).flat().map((e) => e.key)).toEqual(expected);
    expect(await store.listPage(ns, { prefix })).toEqual({ items: expect.any(Array), nextCursor: null });
  });

  it('defaults to 100 items a page and accepts up to 1000', async () => {
    const many = freshNs('many');
    const ops = Array.from({ length: 101 }, (_, i) => ({ op: 'put' as const, key: `k${String(i).padStart(3, '0')}`, value: 'v' }));
    expect(await store.transaction(many, ops)).toMatchObject({ revision: 101 });
    const first = await store.listPage(many);
    expect(first.items).toHaveLength(100);
    const second = await store.listPage(many, { cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [{ key: 'k100' }], nextCursor: null });
    const all = await store.listPage(many, { limit: 1000 });
    expect([all.items.length, all.nextCursor]).toEqual([101, null]);
  });
});

// Malformed and refused requests as they travel: raw HTTP; the SDK reads that nothing was written.
describe('refused requests: exact status and code, nothing written', () => {
  const NS = 'refusals';
  interface Bad { method: string; path: string; body?: unknown; headers?: RequestHeaders }
  const put = (body: unknown, headers?: RequestHeaders, key = 'new-key'): Bad => ({ method: 'PUT', path: entryPath(NS, key), body, headers });
  const putPath = (path: string): Bad => ({ method: 'PUT', path, body: { value: 'v' } });
  const raw = (text: string, contentType = 'application/json') => put(text, { 'content-type': contentType });
  const del = (query: string): Bad => ({ method: 'DELETE', path: `${entryPath(NS, 'existing')}?${query}` });
  const get = (path: string): Bad => ({ method: 'GET', path });
  const list = (query: string) => get(`/v1/namespaces/${NS}/entries?${query}`);

  beforeAll(async () => {
    expect(await store.put(NS, 'existing', 'v')).toMatchObject({ created: true });
  });

  const refused = (bad: Bad) => expectNothingWritten(store, () => request(bad.method, bad.path, bad.body, bad.headers));

  const cases: [string, Bad, number, string][] = [
    ['uppercase namespace', putPath('/v1/namespaces/Upper/entries/k'), 400, 'NAMESPACE_INVALID'],
    ['65-character namespace', putPath(`/v1/namespaces/${'a'.repeat(65)}/entries/k`), 400, 'NAMESPACE_INVALID'],
    ['namespace "_x"', putPath('/v1/namespaces/_x/entries/k'), 400, 'NAMESPACE_INVALID'],
    ['namespace ending in "-"', putPath('/v1/namespaces/x-/entries/k'), 400, 'NAMESPACE_INVALID'],
    ['empty key', putPath(`/v1/namespaces/${NS}/entries/`), 400, 'KEY_INVALID'],
    ['1025-byte key', put({ value: 'v' }, undefined, `${'é'.repeat(512)}a`), 400, 'KEY_INVALID'],
    ['key with a newline (%0A)', putPath(`/v1/namespaces/${NS}/entries/a%0Ab`), 400, 'KEY_INVALID'],
    ['key with NUL (%00)', putPath(`/v1/namespaces/${NS}/entries/a%00`), 400, 'KEY_INVALID'],
    ['key with DEL (%7F)', putPath(`/v1/namespaces/${NS}/entries/a%7F`), 400, 'KEY_INVALID'],
    ['key with a C1 control (%C2%85)', putPath(`/v1/namespaces/${NS}/entries/a%C2%85`), 400, 'KEY_INVALID'],
    ['both value and valueBase64', put({ value: 'x', valueBase64: 'eA==' }), 400, 'VALIDATION_FAILED'],
    ['neither value nor valueBase64', put({ metadata: { a: 'b' } }), 400, 'VALIDATION_FAILED'],
    ['an empty object', put({}), 400, 'VALIDATION_FAILED'],
    ['bad base64', put({ valueBase64: '!!!not base64' }), 400, 'VALIDATION_FAILED'],
    ['value: 5', put({ value: 5 }), 400, 'VALIDATION_FAILED'],
    ['value: true', put({ value: true }), 400, 'VALIDATION_FAILED'],
    ['value: {}', put({ value: {} }), 400, 'VALIDATION_FAILED'],
    ['valueBase64: 5', put({ valueBase64: 5 }), 400, 'VALIDATION_FAILED'],
    ['metadata: "x"', put({ value: 'v', metadata: 'x' }), 400, 'VALIDATION_FAILED'],
    ['metadata: []', put({ value: 'v', metadata: [] }), 400, 'VALIDATION_FAILED'],
    ['metadata with a number', put({ value: 'v', metadata: { a: 1 } }), 400, 'VALIDATION_FAILED'],
    ['metadata with null', put({ value: 'v', metadata: { a: null } }), 400, 'VALIDATION_FAILED'],
    ['metadata with an object', put({ value: 'v', metadata: { a: {} } }), 400, 'VALIDATION_FAILED'],
    ['65 metadata pairs', put({ value: 'v', metadata: metadataPairs(65) }), 400, 'VALIDATION_FAILED'],
    ['a metadata value of 1025 bytes', put({ value: 'v', metadata: { a: 'x'.repeat(1025) } }), 400, 'VALIDATION_FAILED'],
    ['a metadata name of 129 bytes', put({ value: 'v', metadata: { ['n'.repeat(129)]: 'x' } }), 400, 'VALIDATION_FAILED'],
    ['an empty metadata name', put({ value: 'v', metadata: { '': 'x' } }), 400, 'VALIDATION_FAILED'],
    ['ttlSeconds: 0', put({ value: 'v', ttlSeconds: 0 }), 400, 'VALIDATION_FAILED'],
    ['ttlSeconds: -1', put({ value: 'v', ttlSeconds: -1 }), 400, 'VALIDATION_FAILED'],
    ['ttlSeconds: 1.5', put({ value: 'v', ttlSeconds: 1.5 }), 400, 'VALIDATION_FAILED'],
    ['ttlSeconds: "10"', put({ value: 'v', ttlSeconds: '10' }), 400, 'VALIDATION_FAILED'],
    ['expectedVersion: -1', put({ value: 'v', expectedVersion: -1 }, undefined, 'existing'), 400, 'VALIDATION_FAILED'],
    ['expectedVersion: 1.5', put({ value: 'v', expectedVersion: 1.5 }, undefined, 'existing'), 400, 'VALIDATION_FAILED'],
    ['expectedVersion: "1"', put({ value: 'v', expectedVersion: '1' }, undefined, 'existing'), 400, 'VALIDATION_FAILED'],
    ['an unknown field', put({ value: 'v', colour: 'red' }), 400, 'VALIDATION_FAILED'],
    ['malformed JSON', raw('{"value": "v"'), 400, 'VALIDATION_FAILED'],
    ['an empty JSON body', raw(''), 400, 'VALIDATION_FAILED'],
    ['a JSON array', raw('[{"value":"v"}]'), 400, 'VALIDATION_FAILED'],
    ['a JSON string', raw('"v"'), 400, 'VALIDATION_FAILED'],
    ['a JSON number', raw('5'), 400, 'VALIDATION_FAILED'],
    ['JSON null', raw('null'), 400, 'VALIDATION_FAILED'],
    ['a value of 1 MiB + 1 byte', put({ value: 'x'.repeat(MiB + 1) }), 413, 'PAYLOAD_TOO_LARGE'],
    ['a value of 1 MiB + 2 bytes in 524289 characters', put({ value: 'é'.repeat(MiB / 2 + 1) }), 413, 'PAYLOAD_TOO_LARGE'],
    ['a base64 value of 1 MiB + 1 byte', put({ valueBase64: Buffer.alloc(MiB + 1, 0xff).toString('base64') }), 413, 'PAYLOAD_TOO_LARGE'],
    ['DELETE ?expectedVersion=-1', del('expectedVersion=-1'), 400, 'VALIDATION_FAILED'],
    ['DELETE ?expectedVersion=abc', del('expectedVersion=abc'), 400, 'VALIDATION_FAILED'],
    ['DELETE ?expectedVersion=1.5', del('expectedVersion=1.5'), 400, 'VALIDATION_FAILED'],
    ['DELETE ?expectedVersion given twice', del('expectedVersion=1&expectedVersion=1'), 400, 'VALIDATION_FAILED'],
    ['DELETE of a missing key', { method: 'DELETE', path: entryPath(NS, 'missing') }, 404, 'ENTRY_NOT_FOUND'],
    ['DELETE in a missing namespace', { method: 'DELETE', path: entryPath('no-such-ns', 'k') }, 404, 'ENTRY_NOT_FOUND'],
    ['DELETE in an invalid namespace', { method: 'DELETE', path: entryPath('Bad', 'k') }, 400, 'NAMESPACE_INVALID'],
    ['limit=0', list('limit=0'), 400, 'VALIDATION_FAILED'],
    ['limit=1001', list('limit=1001'), 400, 'VALIDATION_FAILED'],
    ['limit=x', list('limit=x'), 400, 'VALIDATION_FAILED'],
    ['limit=', list('limit='), 400, 'VALIDATION_FAILED'],
    ['limit=-1', list('limit=-1'), 400, 'VALIDATION_FAILED'],
    ['cursor=zzz', list('cursor=zzz'), 400, 'CURSOR_INVALID'],
    ['cursor=', list('cursor='), 400, 'CURSOR_INVALID'],
    ['a cursor of the right shape with a number', list(`cursor=${Buffer.from('{"k":5}').toString('base64url')}`), 400, 'CURSOR_INVALID'],
    ['GET of a missing key', get(entryPath(NS, 'missing')), 404, 'ENTRY_NOT_FOUND'],
    ['GET in a missing namespace', get(entryPath('no-such-ns', 'k')), 404, 'ENTRY_NOT_FOUND'],
    ['GET in an invalid namespace', get(entryPath('Bad', 'k')), 400, 'NAMESPACE_INVALID'],
    ['listing a missing namespace', get('/v1/namespaces/no-such-ns/entries'), 404, 'NAMESPACE_NOT_FOUND'],
    ['listing an invalid namespace', get('/v1/namespaces/Bad/entries'), 400, 'NAMESPACE_INVALID'],
    ['an unknown route', get('/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND'],
  ];

  it.each(cases)('%s', async (_title, bad, status, code) => {
    expectProblem(await refused(bad), status, code);
  });

  it('HEAD in an invalid namespace is 400, with no body', async () => {
    expect(await refused({ method: 'HEAD', path: entryPath('Bad', 'k') })).toMatchObject({ status: 400, body: undefined });
  });

  // Null values, non-JSON bodies, undecodable paths and repeated parameters.
  const edgeCases: [string, Bad, number, string][] = [
    ['value: null', put({ value: null }), 400, 'VALIDATION_FAILED'],
    ['valueBase64: null', put({ valueBase64: null }), 400, 'VALIDATION_FAILED'],
    ['a value with a lone surrogate', raw('{"value":"\\ud800"}'), 400, 'VALIDATION_FAILED'],
    ['a form-encoded body', raw('value=v', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a text/plain body', raw('{"value":"v"}', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['an octet-stream body', raw('v', 'application/octet-stream'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['key with a bad percent-escape (%ZZ)', putPath(`/v1/namespaces/${NS}/entries/a%ZZ`), 400, 'KEY_INVALID'],
    ['key that is not UTF-8 (%C3)', putPath(`/v1/namespaces/${NS}/entries/a%C3`), 400, 'KEY_INVALID'],
    ['?prefix given twice', list('prefix=a&prefix=b'), 400, 'VALIDATION_FAILED'],
  ];

  it.each(edgeCases)('%s', async (_title, bad, status, code) => {
    expectProblem(await refused(bad), status, code);
  });
});
