import { expectProblem, namespaceClient } from './support/lifecycle';
import { http, removeDir, RunningService, startService } from './support/service';

describe('time travel and history over HTTP', () => {
  let service: RunningService;
  beforeAll(async () => (service = await startService()));
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
  });

  it('answers the key at every revision exactly as its history says', async () => {
    const ns = namespaceClient(service.url, 'tt');
    const key = 'svc/flags';
    await ns.put(key, { value: 'v1', metadata: { by: 'a' } });
    await ns.put('other', { value: 'x' });
    await ns.put(key, { valueBase64: Buffer.from([0xff, 0x01]).toString('base64') });
    await ns.setTtl(key, { ttlSeconds: 3600 });
    await http('POST', `${ns.base}/snapshots`);
    await ns.del(key);
    await ns.put('other', { value: 'y' });
    await http('POST', `${ns.entry(key)}/restore`);
    await ns.setTtl(key, { ttlSeconds: null });
    await ns.del(key);
    await http('POST', `${ns.entry(key)}/purge`);
    await ns.put(key, { value: 'reborn' });
    await http('POST', `${ns.base}/snapshots`);

    const history = await ns.history(key);
    expect(history.map((i) => i.type)).toEqual([
      'StoreEntryCreated', 'StoreEntryUpdated', 'StoreEntryTtlSet', 'StoreEntryDeleted', 'StoreEntryRestored', 'StoreEntryTtlSet',
      'StoreEntryDeleted', 'StoreEntryPurged', 'StoreEntryCreated',
    ]);
    const head = (await ns.revision())!;
    let expected: { value?: string; valueBase64?: string; metadata?: object; version: number; expiresAt: string | null } | undefined;
    let seen = 0;
    for (let revision = 0; revision <= head; revision++) {
      for (const item of history.filter((i) => i.revision === revision)) {
        seen += 1;
        if (['StoreEntryCreated', 'StoreEntryUpdated', 'StoreEntryRestored'].includes(item.type)) {
          const { value, valueBase64, metadata, version, expiresAt } = item;
          expected = { ...(value !== undefined ? { value } : { valueBase64 }), metadata, version, expiresAt };
        } else if (item.type === 'StoreEntryTtlSet') expected = { ...expected!, version: item.version, expiresAt: item.expiresAt };
        else expected = undefined;
      }
      const got = await ns.get(key, `?asOf=${revision}`);
      if (expected === undefined) expectProblem(got, 404, 'ENTRY_NOT_FOUND');
      else expect(got.body).toEqual({ ...expected, namespace: 'tt', key, asOf: revision, modRevision: expect.any(Number), createdAt: expect.any(String), updatedAt: expect.any(String) });
    }
    expect(seen).toBe(history.length);
    const { asOf, ...now } = (await ns.get(key, `?asOf=${head}`)).body;
    expect(now).toEqual((await ns.get(key)).body);
    expect(asOf).toBe(head);
  });

  it('pages the history oldest first, with actor, timestamp and revision', async () => {
    const ns = namespaceClient(service.url, 'tt-pages');
    for (let i = 0; i < 5; i++) await ns.put('k', { value: `v${i}` });
    const first = await http('GET', `${ns.entry('k')}/history?limit=2`, undefined, { 'x-correlation-id': 'c1' });
    expect(first.body.items).toEqual([
      expect.objectContaining({ revision: 1, version: 1, type: 'StoreEntryCreated', actor: 'anonymous', value: 'v0', timestamp: expect.any(String) }),
      expect.objectContaining({ revision: 2, version: 2, type: 'StoreEntryUpdated', value: 'v1' }),
    ]);
    const all = await ns.history('k');
    expect(all.map((i) => i.value)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  it.each([
    ['negative', '?asOf=-1'],
    ['not a number', '?asOf=abc'],
    ['a fraction', '?asOf=1.5'],
    ['beyond the head', '?asOf=999'],
    ['given twice', '?asOf=1&asOf=2'],
    ['empty', '?asOf='],
  ])('refuses an asOf that is %s with 400 VALIDATION_FAILED', async (_, query) => {
    const ns = namespaceClient(service.url, 'tt-bad');
    await ns.put('k', { value: 'v' });
    expectProblem(await ns.get('k', query), 400, 'VALIDATION_FAILED');
  });

  it.each([
    ['a history page of limit 0', 'k/history?limit=0', 400, 'VALIDATION_FAILED'],
    ['a history cursor it did not issue', 'k/history?cursor=nope', 400, 'CURSOR_INVALID'],
    ['the history of a key never written', 'never/history', 404, 'ENTRY_NOT_FOUND'],
    ['a key at a revision before it existed', 'k?asOf=0', 404, 'ENTRY_NOT_FOUND'],
  ])('refuses %s', async (_, path, status, code) => {
    const ns = namespaceClient(service.url, 'tt-bad');
    await ns.put('k', { value: 'v' });
    expectProblem(await http('GET', ns.entry(path)), status, code);
  });

  it('answers NAMESPACE_NOT_FOUND for time travel in a namespace that does not exist', async () => {
    expectProblem(await http('GET', `${service.url}/v1/namespaces/tt-none/entries/k?asOf=0`), 404, 'NAMESPACE_NOT_FOUND');
    expectProblem(await http('GET', `${service.url}/v1/namespaces/tt-none/entries/k/history`), 404, 'NAMESPACE_NOT_FOUND');
  });
});
