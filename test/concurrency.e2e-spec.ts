import { expectProblem, freshNs, Reply, useStore } from './support/store-client';

const store = useStore();

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const inParallel = <T>(clients: number, run: (client: number) => Promise<T>) => Promise.all(range(0, clients - 1).map(run));

/**
 * Optimistic concurrency as a client does it: read, decide, write with the versions read; on 409
 * read again. Anything but success or 409 fails the test. Answers the successful write.
 */
async function retryOnConflict(attempt: () => Promise<Reply>): Promise<Reply> {
  for (let tries = 1; tries <= 1000; tries++) {
    const reply = await attempt();
    if (reply.status < 300) return reply;
    expectProblem(reply, 409, 'VERSION_CONFLICT');
  }
  throw new Error('no write got through in 1000 tries');
}

async function read(ns: string, key: string): Promise<{ n: number; version: number }> {
  const reply = await store.get(ns, key);
  expect(reply.status).toBe(200);
  return { n: Number(reply.body.value), version: reply.body.version };
}

it('32 clients doing compare-and-set increments on one key lose no update', async () => {
  const ns = freshNs('cas');
  await store.put(ns, 'counter', { value: '0' });
  const increments = await inParallel(32, async () => {
    const done: Reply[] = [];
    while (done.length < 5) {
      done.push(
        await retryOnConflict(async () => {
          const { n, version } = await read(ns, 'counter');
          return store.put(ns, 'counter', { value: String(n + 1), expectedVersion: version });
        }),
      );
    }
    return done;
  });
  const writes = increments.flat().map((r) => r.body);
  expect(writes.map((w) => w.version).sort((a, b) => a - b)).toEqual(range(2, 161));
  for (const w of writes) expect(Number(w.value)).toBe(w.version - 1);
  expect((await store.get(ns, 'counter')).body).toMatchObject({ value: '160', version: 161 });
  expect((await store.namespace(ns)).body).toMatchObject({ revision: 161, entryCount: 1 });
});

it('16 clients moving units between two keys in transactions keep the total', async () => {
  const ns = freshNs('bank');
  await store.tx(ns, [{ op: 'put', key: 'a', value: '100' }, { op: 'put', key: 'b', value: '0' }]);
  await inParallel(16, async () => {
    for (let i = 0; i < 3; i++) {
      await retryOnConflict(async () => {
        const [a, b] = [await read(ns, 'a'), await read(ns, 'b')];
        return store.tx(ns, [
          { op: 'put', key: 'a', value: String(a.n - 1), expectedVersion: a.version },
          { op: 'put', key: 'b', value: String(b.n + 1), expectedVersion: b.version },
        ]);
      });
    }
  });
  expect((await store.get(ns, 'a')).body).toMatchObject({ value: '52', version: 49 });
  expect((await store.get(ns, 'b')).body).toMatchObject({ value: '48', version: 49 });
  expect((await store.namespace(ns)).body.revision).toBe(2 + 2 * 48);
});

it('64 concurrent puts of distinct keys into a new namespace all succeed and are all listed', async () => {
  const ns = freshNs('fan');
  const keys = range(0, 63).map((i) => `key-${String(i).padStart(2, '0')}`);
  const replies = await Promise.all(keys.map((key) => store.put(ns, key, { value: key })));
  expect(replies.map((r) => [r.status, r.body.version])).toEqual(keys.map(() => [201, 1]));
  expect(replies.map((r) => r.body.revision).sort((a, b) => a - b)).toEqual(range(1, 64));
  expect(new Set(replies.map((r) => r.body.position)).size).toBe(64);
  const { items } = await store.listAll(ns, { limit: 10 });
  expect(items.map((e) => [e.key, e.value])).toEqual(keys.map((k) => [k, k]));
  expect((await store.namespace(ns)).body).toMatchObject({ revision: 64, entryCount: 64 });
});

it('of 32 concurrent creates of one key with expectedVersion 0, exactly one succeeds', async () => {
  const ns = freshNs('race');
  const replies = await inParallel(32, (client) => store.put(ns, 'only', { value: `client-${client}`, expectedVersion: 0 }));
  const winners = replies.filter((r) => r.status === 201);
  expect(winners).toHaveLength(1);
  for (const loser of replies.filter((r) => r.status !== 201)) expectProblem(loser, 409, 'VERSION_CONFLICT', { actualVersion: 1 });
  expect((await store.get(ns, 'only')).body).toMatchObject({ value: winners[0].body.value, version: 1 });
  expect((await store.namespace(ns)).body.revision).toBe(1);
});
