import { expectProblem, expectRefused } from './support/expectations';
import { collect, historyOf, revisionOf } from './support/sdk';
import { http, useService } from './support/service';

describe('soft delete over HTTP', () => {
  const service = useService();
  const { store } = service;

  it('a delete is restorable: the last value comes back and the version continues', async () => {
    const ns = 'sd-restore';
    await store.put(ns, 'app/cfg', 'one');
    const second = await store.put(ns, 'app/cfg', 'two', { metadata: { owner: 'ops' } });
    await store.delete(ns, 'app/cfg');
    await expectRefused(store.get(ns, 'app/cfg'), 404, 'ENTRY_NOT_FOUND');
    expect(await collect(store.list(ns))).toEqual([]);
    const listed = await collect(store.list(ns, { includeDeleted: true }));
    expect(listed).toEqual([expect.objectContaining({ key: 'app/cfg', value: 'two', version: 2, restorable: true, deletedAt: expect.any(String) })]);
    expect(await store.getNamespace(ns)).toMatchObject({ entryCount: 0, bytes: 0 });

    const restored = await store.restoreEntry(ns, 'app/cfg');
    expect(restored).toMatchObject({ key: 'app/cfg', value: 'two', metadata: { owner: 'ops' }, version: 3, createdAt: second.createdAt });
    expect(await store.get(ns, 'app/cfg')).toMatchObject({ value: 'two', version: 3 });
    expect(await store.getNamespace(ns)).toMatchObject({ entryCount: 1, bytes: 'app/cfg'.length + 3 });
    expect((await collect(store.list(ns, { includeDeleted: true })))[0]).toMatchObject({ deletedAt: null, restorable: false });
    expect((await historyOf(store, ns, 'app/cfg')).map((i) => [i.type, i.version])).toEqual([
      ['StoreEntryCreated', 1], ['StoreEntryUpdated', 2], ['StoreEntryDeleted', 2], ['StoreEntryRestored', 3],
    ]);
  });

  it('a put after a delete starts the key again at version 1 and ends what could be restored', async () => {
    const ns = 'sd-recreate';
    await store.put(ns, 'k', 'old');
    await store.delete(ns, 'k');
    expect(await store.put(ns, 'k', 'new')).toMatchObject({ created: true, version: 1 });
    await expectRefused(store.restoreEntry(ns, 'k'), 409, 'ENTRY_NOT_DELETED');
  });

  it('purge makes a delete final, by POST …/purge or DELETE ?purge=true', async () => {
    const ns = 'sd-purge';
    for (const key of ['a', 'b', 'c']) await store.put(ns, key, key);
    await store.delete(ns, 'a');
    expect(await store.purgeEntry(ns, 'a')).toMatchObject({ version: 1 });
    await store.delete(ns, 'b', { purge: true });
    expect((await collect(store.list(ns, { includeDeleted: true }))).map((i) => i.key)).toEqual(['c']);
    for (const key of ['a', 'b']) await expectRefused(store.restoreEntry(ns, key), 404, 'ENTRY_NOT_FOUND');
    expect((await historyOf(store, ns, 'b')).map((i) => i.type)).toEqual(['StoreEntryCreated', 'StoreEntryDeleted', 'StoreEntryPurged']);
    expect(await store.getNamespace(ns)).toMatchObject({ entryCount: 1 });
  });

  it('keys whose last segment names a sub-resource are reached with an encoded last slash', async () => {
    const ns = 'sd-keys';
    // The SDK sends the whole key as one segment: …/entries/x%2Frestore, and …/entries/x%2Frestore/restore.
    await store.put(ns, 'x/restore', 'v');
    await store.delete(ns, 'x/restore');
    expect(await store.restoreEntry(ns, 'x/restore')).toMatchObject({ key: 'x/restore', version: 2 });
  });

  // Requests the SDK does not send (a POST on the entry, purge=maybe): raw HTTP.
  it.each([
    ['restore of a live entry', 'POST', 'live/restore', 409, 'ENTRY_NOT_DELETED'],
    ['restore of a key never written', 'POST', 'never/restore', 404, 'ENTRY_NOT_FOUND'],
    ['purge of a key never written', 'POST', 'never/purge', 404, 'ENTRY_NOT_FOUND'],
    ['POST on an entry without a sub-resource', 'POST', 'live', 404, 'ROUTE_NOT_FOUND'],
    ['purge with a wrong expected version', 'DELETE', 'live?purge=true&expectedVersion=7', 409, 'VERSION_CONFLICT'],
    ['purge=maybe', 'DELETE', 'live?purge=maybe', 400, 'VALIDATION_FAILED'],
  ])('refuses %s and writes nothing', async (_, method, path, status, code) => {
    const ns = 'sd-bad';
    await store.put(ns, 'live', 'v');
    const revision = await revisionOf(store, ns);
    expectProblem(await http(method, `${service.url}/v1/namespaces/${ns}/entries/${path}`), status, code);
    expect(await revisionOf(store, ns)).toBe(revision);
  });

  it('refuses includeDeleted other than true or false', async () => {
    expectProblem(await http('GET', `${service.url}/v1/namespaces/sd-bad/entries?includeDeleted=yes`), 400, 'VALIDATION_FAILED');
  });
});
