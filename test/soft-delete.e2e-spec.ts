import { expectProblem, namespaceClient } from './support/lifecycle';
import { http, removeDir, RunningService, startService } from './support/service';

describe('soft delete over HTTP', () => {
  let service: RunningService;
  beforeAll(async () => (service = await startService()));
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
  });

  it('a delete is restorable: the last value comes back and the version continues', async () => {
    const ns = namespaceClient(service.url, 'sd-restore');
    await ns.put('app/cfg', { value: 'one' });
    const second = await ns.put('app/cfg', { value: 'two', metadata: { owner: 'ops' } });
    expect((await ns.del('app/cfg')).status).toBe(204);
    expectProblem(await ns.get('app/cfg'), 404, 'ENTRY_NOT_FOUND');
    expect((await ns.list()).items).toEqual([]);
    const listed = await ns.list('?includeDeleted=true');
    expect(listed.items).toEqual([expect.objectContaining({ key: 'app/cfg', value: 'two', version: 2, restorable: true, deletedAt: expect.any(String) })]);
    expect((await http('GET', ns.base)).body).toMatchObject({ entryCount: 0, bytes: 0 });

    const restored = await http('POST', `${ns.entry('app/cfg')}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ key: 'app/cfg', value: 'two', metadata: { owner: 'ops' }, version: 3, createdAt: second.body.createdAt });
    expect((await ns.get('app/cfg')).body).toMatchObject({ value: 'two', version: 3 });
    expect((await http('GET', ns.base)).body).toMatchObject({ entryCount: 1, bytes: 'app/cfg'.length + 3 });
    expect((await ns.list('?includeDeleted=true')).items[0]).toMatchObject({ deletedAt: null, restorable: false });
    expect((await ns.history('app/cfg')).map((i) => [i.type, i.version])).toEqual([
      ['StoreEntryCreated', 1], ['StoreEntryUpdated', 2], ['StoreEntryDeleted', 2], ['StoreEntryRestored', 3],
    ]);
  });

  it('a put after a delete starts the key again at version 1 and ends what could be restored', async () => {
    const ns = namespaceClient(service.url, 'sd-recreate');
    await ns.put('k', { value: 'old' });
    await ns.del('k');
    expect((await ns.put('k', { value: 'new' })).body).toMatchObject({ created: true, version: 1 });
    expectProblem(await http('POST', `${ns.entry('k')}/restore`), 409, 'ENTRY_NOT_DELETED');
  });

  it('purge makes a delete final, by POST …/purge or DELETE ?purge=true', async () => {
    const ns = namespaceClient(service.url, 'sd-purge');
    for (const key of ['a', 'b', 'c']) await ns.put(key, { value: key });
    await ns.del('a');
    expect((await http('POST', `${ns.entry('a')}/purge`)).body).toMatchObject({ version: 1 });
    expect((await ns.del('b', '?purge=true')).status).toBe(204);
    expect((await ns.list('?includeDeleted=true')).items.map((i: { key: string }) => i.key)).toEqual(['c']);
    for (const key of ['a', 'b']) expectProblem(await http('POST', `${ns.entry(key)}/restore`), 404, 'ENTRY_NOT_FOUND');
    expect((await ns.history('b')).map((i) => i.type)).toEqual(['StoreEntryCreated', 'StoreEntryDeleted', 'StoreEntryPurged']);
    expect((await http('GET', ns.base)).body).toMatchObject({ entryCount: 1 });
  });

  it('keys whose last segment names a sub-resource are reached with an encoded last slash', async () => {
    const ns = namespaceClient(service.url, 'sd-keys');
    await ns.put('x%2Frestore', { value: 'v' });
    await ns.del('x%2Frestore');
    expect((await http('POST', `${ns.entry('x%2Frestore')}/restore`)).body).toMatchObject({ key: 'x/restore', version: 2 });
  });

  it.each([
    ['restore of a live entry', 'POST', 'live/restore', 409, 'ENTRY_NOT_DELETED'],
    ['restore of a key never written', 'POST', 'never/restore', 404, 'ENTRY_NOT_FOUND'],
    ['purge of a key never written', 'POST', 'never/purge', 404, 'ENTRY_NOT_FOUND'],
    ['POST on an entry without a sub-resource', 'POST', 'live', 404, 'ROUTE_NOT_FOUND'],
    ['purge with a wrong expected version', 'DELETE', 'live?purge=true&expectedVersion=7', 409, 'VERSION_CONFLICT'],
    ['purge=maybe', 'DELETE', 'live?purge=maybe', 400, 'VALIDATION_FAILED'],
  ])('refuses %s and writes nothing', async (_, method, path, status, code) => {
    const ns = namespaceClient(service.url, 'sd-bad');
    await ns.put('live', { value: 'v' });
    const revision = await ns.revision();
    expectProblem(await http(method, ns.entry(path)), status, code);
    expect(await ns.revision()).toBe(revision);
  });

  it('refuses includeDeleted other than true or false', async () => {
    expectProblem(await http('GET', `${service.url}/v1/namespaces/sd-bad/entries?includeDeleted=yes`), 400, 'VALIDATION_FAILED');
  });
});
