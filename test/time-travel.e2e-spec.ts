import { StoreClient } from '@app/client';
import { expectProblem, expectRefused } from './support/expectations';
import { historyOf, revisionOf } from './support/sdk';
import { http, useService } from './support/service';

describe('time travel and history over HTTP', () => {
  const service = useService();
  const { store } = service;

  it('answers the key at every revision exactly as its history says', async () => {
    const ns = 'tt';
    const key = 'svc/flags';
    await store.put(ns, key, 'v1', { metadata: { by: 'a' } });
    await store.put(ns, 'other', 'x');
    await store.put(ns, key, new Uint8Array([0xff, 0x01]));
    await store.setTtl(ns, key, 3600);
    await store.createSnapshot(ns);
    await store.delete(ns, key);
    await store.put(ns, 'other', 'y');
    await store.restoreEntry(ns, key);
    await store.setTtl(ns, key, null);
    await store.delete(ns, key);
    await store.purgeEntry(ns, key);
    await store.put(ns, key, 'reborn');
    await store.createSnapshot(ns);

    const history = await historyOf(store, ns, key);
    expect(history.map((i) => i.type)).toEqual([
      'StoreEntryCreated', 'StoreEntryUpdated', 'StoreEntryTtlSet', 'StoreEntryDeleted', 'StoreEntryRestored', 'StoreEntryTtlSet',
      'StoreEntryDeleted', 'StoreEntryPurged', 'StoreEntryCreated',
    ]);
    expect(history.map((i) => i.redacted)).toEqual(['purged', 'purged', undefined, undefined, 'purged', undefined, undefined, undefined, undefined]);
    const head = (await revisionOf(store, ns))!;
    let expected: { value?: string; valueBase64?: string; metadata?: object; version: number; expiresAt?: string | null } | undefined;
    let seen = 0;
    for (let revision = 0; revision <= head; revision++) {
      for (const item of history.filter((i) => i.revision === revision)) {
        seen += 1;
        // Writes a later purge forgot read as not found at every revision before the purge.
        if (item.redacted) expected = undefined;
        else if (['StoreEntryCreated', 'StoreEntryUpdated', 'StoreEntryRestored'].includes(item.type)) {
          const { value, valueBase64, metadata, version, expiresAt } = item;
          expected = { ...(value !== undefined ? { value } : { valueBase64 }), metadata, version, expiresAt };
        } else if (item.type === 'StoreEntryTtlSet') expected = expected && { ...expected, version: item.version, expiresAt: item.expiresAt };
        else expected = undefined;
      }
      if (expected === undefined) await expectRefused(store.getAsOf(ns, key, revision), 404, 'ENTRY_NOT_FOUND');
      else {
        expect(await store.getAsOf(ns, key, revision)).toEqual({
          ...expected, namespace: 'tt', key, asOf: revision, modRevision: expect.any(Number), createdAt: expect.any(String), updatedAt: expect.any(String),
        });
      }
    }
    expect(seen).toBe(history.length);
    const { asOf, ...now } = await store.getAsOf(ns, key, head);
    expect(now).toEqual(await store.get(ns, key));
    expect(asOf).toBe(head);
  });

  it('pages the history oldest first, with actor, timestamp and revision', async () => {
    const ns = 'tt-pages';
    for (let i = 0; i < 5; i++) await store.put(ns, 'k', `v${i}`);
    const first = await new StoreClient({ url: service.url, headers: { 'x-correlation-id': 'c1' } }).historyPage(ns, 'k', { limit: 2 });
    expect(first.items).toEqual([
      expect.objectContaining({ revision: 1, version: 1, type: 'StoreEntryCreated', actor: 'anonymous', value: 'v0', timestamp: expect.any(String) }),
      expect.objectContaining({ revision: 2, version: 2, type: 'StoreEntryUpdated', value: 'v1' }),
    ]);
    const all = await historyOf(store, ns, 'k');
    expect(all.map((i) => i.value)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  // Query strings the SDK would not send: raw HTTP.
  it.each([
    ['negative', '?asOf=-1'],
    ['not a number', '?asOf=abc'],
    ['a fraction', '?asOf=1.5'],
    ['beyond the head', '?asOf=999'],
    ['given twice', '?asOf=1&asOf=2'],
    ['empty', '?asOf='],
  ])('refuses an asOf that is %s with 400 VALIDATION_FAILED', async (_, query) => {
    await store.put('tt-bad', 'k', 'v');
    expectProblem(await http('GET', `${service.url}/v1/namespaces/tt-bad/entries/k${query}`), 400, 'VALIDATION_FAILED');
  });

  it.each([
    ['a history page of limit 0', 'k/history?limit=0', 400, 'VALIDATION_FAILED'],
    ['a history cursor it did not issue', 'k/history?cursor=nope', 400, 'CURSOR_INVALID'],
    ['the history of a key never written', 'never/history', 404, 'ENTRY_NOT_FOUND'],
    ['a key at a revision before it existed', 'k?asOf=0', 404, 'ENTRY_NOT_FOUND'],
  ])('refuses %s', async (_, path, status, code) => {
    await store.put('tt-bad', 'k', 'v');
    expectProblem(await http('GET', `${service.url}/v1/namespaces/tt-bad/entries/${path}`), status, code);
  });

  it('answers NAMESPACE_NOT_FOUND for time travel in a namespace that does not exist', async () => {
    await expectRefused(store.getAsOf('tt-none', 'k', 0), 404, 'NAMESPACE_NOT_FOUND');
    await expectRefused(store.historyPage('tt-none', 'k'), 404, 'NAMESPACE_NOT_FOUND');
  });
});
