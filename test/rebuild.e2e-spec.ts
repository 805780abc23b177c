import { expectRefused } from './support/expectations';
import { readableState } from './support/sdk';
import { useService } from './support/service';

const service = useService();
const { store } = service;

const RETRIED = { idempotencyKey: 'rebuild-retried-put' };

/** Events the workload appends, by namespace in name order: each creation, put and delete; refusals none. */
const EVENTS = {
  alpha: 1 + 6 + 2 + 1 + 1 + 1, // created, 6 puts, 2 updates, delete, re-create, ttl put
  beta: 1 + 4 + 3 + 1, //      created, tx of 4, tx of 3, idempotent put (retried once)
  empty: 1, //                 created by PUT /v1/namespaces
  gamma: 1 + 12 + 3, //        created, tx of 12, tx of 3 deletes
};
const TOTAL_EVENTS = Object.values(EVENTS).reduce((a, b) => a + b);

/** Every write of the workload must succeed: the SDK throws any refusal. */
async function mixedWorkload(): Promise<void> {
  await store.createNamespace('empty');

  for (const [key, value] of [['k1', 'one'], ['k2', 'two'], ['k3', 'three'], ['a/b c', 'slash'], ['ключ', 'unicode']]) {
    await store.put('alpha', key, value);
  }
  await store.put('alpha', 'bin', new Uint8Array([0, 0xff, 0x80]));
  await store.put('alpha', 'k1', 'one, again', { metadata: { who: 'test', 'ünï': 'cödé' } });
  await store.put('alpha', 'k2', 'two, again', { expectedVersion: 1 });
  await store.delete('alpha', 'k3');
  await store.put('alpha', 'k3', 'three, reborn');
  await store.put('alpha', 'ttl', 'expires later', { ttlSeconds: 3600 });

  await store.transaction('beta', ['w', 'x', 'y', 'z'].map((key) => ({ op: 'put', key, value: key })));
  await store.transaction('beta', [{ op: 'put', key: 'w', value: 'w2' }, { op: 'delete', key: 'x' }, { op: 'put', key: 'v', valueBase64: '3q2+7w==' }]);
  await expectRefused(store.transaction('beta', [{ op: 'put', key: 'y', value: 'no' }, { op: 'delete', key: 'missing', expectedVersion: 1 }]), 409, 'VERSION_CONFLICT');
  await expectRefused(store.put('beta', 'z', 'no', { expectedVersion: 9 }), 409, 'VERSION_CONFLICT');
  await store.put('beta', 'retried', 'once', RETRIED);
  await store.put('beta', 'retried', 'once', RETRIED);

  await store.transaction('gamma', Array.from({ length: 12 }, (_, i) => ({ op: 'put', key: `item/${String(i).padStart(2, '0')}`, value: `#${i}` })));
  await store.transaction('gamma', [0, 5, 11].map((i) => ({ op: 'delete', key: `item/${String(i).padStart(2, '0')}` })));
}

type Snapshot = Awaited<ReturnType<typeof readableState>>;

async function expectRebuildKeeps(before: Snapshot): Promise<void> {
  expect(await store.rebuild()).toMatchObject({ events: TOTAL_EVENTS, millis: expect.any(Number) });
  expect(await readableState(store)).toEqual(before);
}

describe('rebuilding the read models from the log', () => {
  let before: Snapshot;

  beforeAll(async () => {
    await mixedWorkload();
    before = await readableState(store);
  });

  it('the workload is what the test thinks it is', () => {
    expect(before.namespaces.map((n) => [n.name, n.revision + 1])).toEqual(Object.entries(EVENTS));
    expect(Object.fromEntries(Object.entries(before.entries).map(([ns, items]) => [ns, items.length]))).toEqual({
      alpha: 7, beta: 5, empty: 0, gamma: 9,
    });
  });

  it('replays every event and answers exactly what it answered before', async () => {
    await expectRebuildKeeps(before);
  });

  it('gives the same answers again when repeated', async () => {
    await expectRebuildKeeps(before);
  });

  it('gives the same answers after a restart, and a rebuild after the restart too', async () => {
    await service.restart();
    expect(await readableState(store)).toEqual(before);
    await expectRebuildKeeps(before);
  });

  it('leaves the store writable where it was: versions, revisions and idempotency records carry on', async () => {
    const k1 = await store.put('alpha', 'k1', 'after', { expectedVersion: 2 });
    expect(k1).toMatchObject({ version: 3, revision: EVENTS.alpha, created: false });
    const retried = await store.put('beta', 'retried', 'once', RETRIED);
    expect(retried).toMatchObject({ version: 1, revision: EVENTS.beta - 1 });
    expect((await store.getNamespace('beta')).revision).toBe(EVENTS.beta - 1);
  });
});
