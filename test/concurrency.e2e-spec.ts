import { isProblem } from '@app/client';
import { expectRefused } from './support/expectations';
import { collect, freshNs } from './support/sdk';
import { useService } from './support/service';

const service = useService();
const { store } = service;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const inParallel = <T>(clients: number, run: (client: number) => Promise<T>) => Promise.all(range(0, clients - 1).map(run));

/**
 * Optimistic concurrency as a client does it: read, decide, write with the versions read; on 409
 * VERSION_CONFLICT read again. Any other failure fails the test. Answers the successful write.
 */
async function retryOnConflict<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; tries <= 1000; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isProblem(error, 'VERSION_CONFLICT') || error.status !== 409) throw error;
    }
  }
  throw new Error('no write got through in 1000 tries');
}

async function read(ns: string, key: string): Promise<{ n: number; version: number }> {
  const entry = await store.get(ns, key);
  return { n: Number(entry.value), version: entry.version };
}

it('32 clients doing compare-and-set increments on one key lose no update', async () => {
  const ns = freshNs('cas');
  await store.put(ns, 'counter', '0');
  const increments = await inParallel(32, async () => {
    const done = [];
    while (done.length < 5) {
      done.push(
        await retryOnConflict(async () => {
          const { n, version } = await read(ns, 'counter');
          return store.put(ns, 'counter', String(n + 1), { expectedVersion: version });
        }),
      );
    }
    return done;
  });
  const writes = increments.flat();
  expect(writes.map((w) => w.version).sort((a, b) => a - b)).toEqual(range(2, 161));
  for (const w of writes) expect(Number(w.value)).toBe(w.version - 1);
  expect(await store.get(ns, 'counter')).toMatchObject({ value: '160', version: 161 });
  expect(await store.getNamespace(ns)).toMatchObject({ revision: 161, entryCount: 1 });
});

it('16 clients moving units between two keys in transactions keep the total', async () => {
  const ns = freshNs('bank');
  await store.transaction(ns, [{ op: 'put', key: 'a', value: '100' }, { op: 'put', key: 'b', value: '0' }]);
  await inParallel(16, async () => {
    for (let i = 0; i < 3; i++) {
      await retryOnConflict(async () => {
        const [a, b] = [await read(ns, 'a'), await read(ns, 'b')];
        return store.transaction(ns, [
          { op: 'put', key: 'a', value: String(a.n - 1), expectedVersion: a.version },
          { op: 'put', key: 'b', value: String(b.n + 1), expectedVersion: b.version },
        ]);
      });
    }
  });
  expect(await store.get(ns, 'a')).toMatchObject({ value: '52', version: 49 });
  expect(await store.get(ns, 'b')).toMatchObject({ value: '48', version: 49 });
  expect((await store.getNamespace(ns)).revision).toBe(2 + 2 * 48);
});

it('64 concurrent puts of distinct keys into a new namespace all succeed and are all listed', async () => {
  const ns = freshNs('fan');
  const keys = range(0, 63).map((i) => `key-${String(i).padStart(2, '0')}`);
  const writes = await Promise.all(keys.map((key) => store.put(ns, key, key)));
  expect(writes.map((w) => [w.created, w.version])).toEqual(keys.map(() => [true, 1]));
  expect(writes.map((w) => w.revision).sort((a, b) => a - b)).toEqual(range(1, 64));
  expect(new Set(writes.map((w) => w.position)).size).toBe(64);
  const listed = await collect(store.list(ns, { limit: 10 }));
  expect(listed.map((e) => [e.key, e.value])).toEqual(keys.map((k) => [k, k]));
  expect(await store.getNamespace(ns)).toMatchObject({ revision: 64, entryCount: 64 });
});

it('of 32 concurrent creates of one key with expectedVersion 0, exactly one succeeds', async () => {
  const ns = freshNs('race');
  const outcomes = await inParallel(32, (client) => store.put(ns, 'only', `client-${client}`, { expectedVersion: 0 }).then(
    (written) => ({ written }),
    (refused: unknown) => ({ refused }),
  ));
  const winners = outcomes.flatMap((o) => ('written' in o ? [o.written] : []));
  expect(winners).toHaveLength(1);
  expect(winners[0]).toMatchObject({ created: true, version: 1 });
  for (const loser of outcomes.flatMap((o) => ('refused' in o ? [o.refused] : []))) {
    await expectRefused(Promise.reject(loser), 409, 'VERSION_CONFLICT', { actualVersion: 1 });
  }
  expect(await store.get(ns, 'only')).toMatchObject({ value: winners[0].value, version: 1 });
  expect((await store.getNamespace(ns)).revision).toBe(1);
});
