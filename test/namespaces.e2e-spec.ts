import { expectProblem, expectRefused } from './support/expectations';
import { expectNothingWritten, freshNs, ISO_TIME, untilExpired } from './support/sdk';
import { http, useService } from './support/service';

const service = useService();
const { store } = service;

/** The namespace as GET answers it, checked to be the same as its row in the list. */
async function view(ns: string) {
  const one = await store.getNamespace(ns);
  expect((await store.listNamespaces()).find((n) => n.name === ns)).toEqual(one);
  return one;
}

describe('create and get', () => {
  it('creates a namespace (201), then answers 200 and writes nothing', async () => {
    const ns = freshNs();
    // Raw, for the 201 and then 200 that the SDK folds into `created`.
    const created = await http('PUT', `${service.url}/v1/namespaces/${ns}`);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: ns, entryCount: 0, bytes: 0, revision: 0, createdAt: expect.stringMatching(ISO_TIME), updatedAt: created.body.createdAt, created: true,
    });
    const again = await expectNothingWritten(store, () => http('PUT', `${service.url}/v1/namespaces/${ns}`));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...created.body, created: false });
    expect(await store.createNamespace(ns)).toEqual({ ...created.body, created: false });
    const { created: _created, ...namespace } = created.body;
    expect(await view(ns)).toEqual(namespace);
  });

  it('is created by its first put, at the time of that put', async () => {
    const ns = freshNs();
    const put = await store.put(ns, 'k', 'v');
    expect(await view(ns)).toMatchObject({
      name: ns, entryCount: 1, bytes: 2, revision: 1, createdAt: put.createdAt, updatedAt: put.updatedAt,
    });
    expect(await store.createNamespace(ns)).toMatchObject({ created: false, revision: 1 });
  });

  it.each(['a', '0', 'a'.repeat(64), 'a.b_c-d', '9-9', 'x..y'])('accepts the name %j', async (ns) => {
    expect(await store.createNamespace(ns)).toMatchObject({ name: ns, created: true });
    expect((await store.getNamespace(ns)).name).toBe(ns);
  });

  it('answers 404 NAMESPACE_NOT_FOUND for a namespace that does not exist', async () => {
    await expectRefused(store.getNamespace('never-made'), 404, 'NAMESPACE_NOT_FOUND', { namespace: 'never-made' });
  });

  // Path segments as they go on the wire (the SDK would encode their '%'): raw HTTP.
  it.each([
    ['uppercase', 'Upper'],
    ['65 characters', 'a'.repeat(65)],
    ['a leading "_"', '_x'],
    ['a leading "-"', '-x'],
    ['a trailing "_"', 'x_'],
    ['a trailing "."', 'x.'],
    ['a space', 'a%20b'],
    ['a slash', 'a%2Fb'],
    ['a non-ASCII letter', '%C3%A9t%C3%A9'],
    ['a colon', 'a:b'],
  ])('refuses a name with %s (400 NAMESPACE_INVALID) on PUT and GET, writing nothing', async (_title, ns) => {
    expectProblem(await expectNothingWritten(store, () => http('PUT', `${service.url}/v1/namespaces/${ns}`)), 400, 'NAMESPACE_INVALID');
    expectProblem(await http('GET', `${service.url}/v1/namespaces/${ns}`), 400, 'NAMESPACE_INVALID');
  });
});

describe('list', () => {
  it('lists every namespace once, by name, each as GET answers it', async () => {
    const names = [freshNs('zeta'), freshNs('alpha'), freshNs('mid')];
    for (const ns of names) await store.createNamespace(ns);
    const list = await store.listNamespaces();
    const listed = list.map((n) => n.name);
    expect(listed).toEqual([...new Set(listed)].sort());
    expect(listed).toEqual(expect.arrayContaining(names));
    for (const namespace of list) expect(await store.getNamespace(namespace.name)).toEqual(namespace);
  });

  it('follows puts, updates, deletes and transactions: entryCount, bytes (key + value bytes of live entries), revision', async () => {
    const ns = freshNs();
    await store.createNamespace(ns);
    const expectCounts = async (entryCount: number, bytes: number, revision: number) =>
      expect(await view(ns)).toMatchObject({ entryCount, bytes, revision });

    await store.put(ns, 'ké', 'vé');
    await expectCounts(1, 3 + 3, 1);
    await store.put(ns, 'k2', new Uint8Array([1, 2, 3, 4, 255]));
    await expectCounts(2, 6 + 2 + 5, 2);
    const update = await store.put(ns, 'ké', 'a longer value', { metadata: { not: 'counted' } });
    await expectCounts(2, 3 + 14 + 7, 3);
    expect((await view(ns)).updatedAt).toBe(update.updatedAt);
    await store.delete(ns, 'k2');
    await expectCounts(1, 17, 4);
    const tx = await store.transaction(ns, [{ op: 'put', key: '日本', value: '12345' }, { op: 'delete', key: 'ké' }, { op: 'put', key: 'e', value: '' }]);
    expect(tx.revision).toBe(7);
    await expectCounts(2, 6 + 5 + 1, 7);
    await store.transaction(ns, [{ op: 'delete', key: '日本' }, { op: 'delete', key: 'e' }]);
    await expectCounts(0, 0, 9);
  });

  it('keeps createdAt and moves updatedAt with each write', async () => {
    const ns = freshNs();
    const created = await store.createNamespace(ns);
    const put = await store.put(ns, 'k', 'v');
    expect(await view(ns)).toMatchObject({ createdAt: created.createdAt, updatedAt: put.updatedAt });
  });

  // Reads hide an expired entry at once; the counts follow when the sweeper records the expiry,
  // which it does within about a second.
  it('counts only live entries: an expired entry leaves entryCount and bytes once its expiry is recorded', async () => {
    const ns = freshNs();
    await store.put(ns, 'keep', 'v');
    const brief = await store.put(ns, 'brief', 'gone soon', { ttlSeconds: 1 });
    await untilExpired(brief);
    await expectRefused(store.get(ns, 'brief'), 404, 'ENTRY_NOT_FOUND');
    let counts = await view(ns);
    for (let i = 0; i < 50 && counts.entryCount !== 1; i++) {
      await new Promise((r) => setTimeout(r, 100));
      counts = await view(ns);
    }
    expect(counts).toMatchObject({ entryCount: 1, bytes: 5 });
  });
});
