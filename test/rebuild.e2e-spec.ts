import { expectProblem, Reply, useStore } from './support/store-client';

const store = useStore();

const RETRIED = { 'idempotency-key': 'rebuild-retried-put' };

/** Events the workload appends, by namespace in name order: each creation, put and delete; refusals none. */
const EVENTS = {
  alpha: 1 + 6 + 2 + 1 + 1 + 1, // created, 6 puts, 2 updates, delete, re-create, ttl put
  beta: 1 + 4 + 3 + 1, //      created, tx of 4, tx of 3, idempotent put (retried once)
  empty: 1, //                 created by PUT /v1/namespaces
  gamma: 1 + 12 + 3, //        created, tx of 12, tx of 3 deletes
};
const TOTAL_EVENTS = Object.values(EVENTS).reduce((a, b) => a + b);

const ok = async (reply: Promise<Reply>) => {
  const r = await reply;
  expect(r.status).toBeLessThan(300);
  return r;
};

async function mixedWorkload(): Promise<void> {
  await ok(store.createNamespace('empty'));

  for (const [key, value] of [['k1', 'one'], ['k2', 'two'], ['k3', 'three'], ['a/b c', 'slash'], ['ключ', 'unicode']]) {
    await ok(store.put('alpha', key, { value }));
  }
  await ok(store.put('alpha', 'bin', { valueBase64: Buffer.from([0, 0xff, 0x80]).toString('base64') }));
  await ok(store.put('alpha', 'k1', { value: 'one, again', metadata: { who: 'test', 'ünï': 'cödé' } }));
  await ok(store.put('alpha', 'k2', { value: 'two, again', expectedVersion: 1 }));
  await ok(store.del('alpha', 'k3'));
  await ok(store.put('alpha', 'k3', { value: 'three, reborn' }));
  await ok(store.put('alpha', 'ttl', { value: 'expires later', ttlSeconds: 3600 }));

  await ok(store.tx('beta', ['w', 'x', 'y', 'z'].map((key) => ({ op: 'put', key, value: key }))));
  await ok(store.tx('beta', [{ op: 'put', key: 'w', value: 'w2' }, { op: 'delete', key: 'x' }, { op: 'put', key: 'v', valueBase64: '3q2+7w==' }]));
  expectProblem(await store.tx('beta', [{ op: 'put', key: 'y', value: 'no' }, { op: 'delete', key: 'missing' }]), 404, 'ENTRY_NOT_FOUND');
  expectProblem(await store.put('beta', 'z', { value: 'no', expectedVersion: 9 }), 409, 'VERSION_CONFLICT');
  await ok(store.put('beta', 'retried', { value: 'once' }, RETRIED));
  await ok(store.put('beta', 'retried', { value: 'once' }, RETRIED));

  await ok(store.tx('gamma', Array.from({ length: 12 }, (_, i) => ({ op: 'put', key: `item/${String(i).padStart(2, '0')}`, value: `#${i}` }))));
  await ok(store.tx('gamma', [0, 5, 11].map((i) => ({ op: 'delete', key: `item/${String(i).padStart(2, '0')}` }))));
}

type Snapshot = Awaited<ReturnType<typeof store.snapshot>>;

async function expectRebuildKeeps(before: Snapshot): Promise<void> {
  const rebuilt = await store.rebuild();
  expect(rebuilt.status).toBe(200);
  expect(rebuilt.body).toMatchObject({ events: TOTAL_EVENTS, millis: expect.any(Number) });
  expect(await store.snapshot()).toEqual(before);
}

describe('rebuilding the read models from the log', () => {
  let before: Snapshot;

  beforeAll(async () => {
    await mixedWorkload();
    before = await store.snapshot();
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
    await store.restart();
    expect(await store.snapshot()).toEqual(before);
    await expectRebuildKeeps(before);
  });

  it('leaves the store writable where it was: versions, revisions and idempotency records carry on', async () => {
    const k1 = await store.put('alpha', 'k1', { value: 'after', expectedVersion: 2 });
    expect(k1.body).toMatchObject({ version: 3, revision: EVENTS.alpha, created: false });
    const retried = await store.put('beta', 'retried', { value: 'once' }, RETRIED);
    expect(retried.body).toMatchObject({ version: 1, revision: EVENTS.beta - 1 });
    expect((await store.namespace('beta')).body.revision).toBe(EVENTS.beta - 1);
  });
});
