import { Snapshot } from '@app/client';
import { expectProblem, expectRefused } from './support/expectations';
import { revisionOf } from './support/sdk';
import { http, useService } from './support/service';

describe('snapshots over HTTP', () => {
  const service = useService();
  const { store } = service;

  it('captures the namespace at its revision; list and fetch; time travel reads from it', async () => {
    const ns = 'snap';
    for (const key of ['a', 'b', 'c']) await store.put(ns, key, `${key}1`);
    await store.delete(ns, 'c');
    // Taken raw, for the 201 of a creation.
    const created = await http('POST', `${service.url}/v1/namespaces/${ns}/snapshots`);
    expect(created.status).toBe(201);
    const taken = created.body as Snapshot;
    expect(taken).toMatchObject({ namespace: 'snap', revision: 4, entryCount: 2, actor: 'anonymous', createdAt: expect.any(String) });
    await store.put(ns, 'a', 'a2');
    expect(await store.listSnapshots(ns)).toEqual([taken]);
    const fetched = await store.getSnapshot(ns, taken.id);
    expect(fetched).toMatchObject({ ...taken, entries: { revision: 4, count: 2, nextCursor: null } });
    expect(fetched.entries.items.map((i) => [i.key, i.value])).toEqual([['a', 'a1'], ['b', 'b1']]);
    expect(await store.getAsOf(ns, 'a', 4)).toMatchObject({ value: 'a1', version: 1 });
    expect(await store.getAsOf(ns, 'a', 6)).toMatchObject({ value: 'a2', version: 2 });
    await expectRefused(store.getAsOf(ns, 'c', 5), 404, 'ENTRY_NOT_FOUND');
  });

  it('refuses unknown snapshots, missing namespaces and bad pages, writing nothing', async () => {
    const ns = 'snap-bad';
    await store.put(ns, 'k', 'v');
    const { id } = await store.createSnapshot(ns);
    const revision = await revisionOf(store, ns);
    await expectRefused(store.getSnapshot(ns, 'nope'), 404, 'SNAPSHOT_NOT_FOUND');
    await expectRefused(store.getSnapshot(ns, id, { limit: 0 }), 400, 'VALIDATION_FAILED');
    await expectRefused(store.getSnapshot(ns, id, { cursor: 'zzz' }), 400, 'CURSOR_INVALID');
    await expectRefused(store.createSnapshot('snap-none'), 404, 'NAMESPACE_NOT_FOUND');
    // A name the SDK would percent-encode: raw HTTP.
    expectProblem(await http('POST', `${service.url}/v1/namespaces/Snap!/snapshots`), 400, 'NAMESPACE_INVALID');
    expect(await revisionOf(store, ns)).toBe(revision);
    expect(await revisionOf(store, 'snap-none')).toBeUndefined();
  });
});
