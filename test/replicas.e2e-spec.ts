import { ConflictError, EntryWriteResult, isProblem, StoreClient } from '@app/client';
import { ChildProcess } from 'node:child_process';
import { incrementCounter, removeDir, startChild, tempDir } from './support/service';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Two service processes on one SQLite data directory: a supported deployment of the embedded backend. */
describe('two service processes on one SQLite data file', () => {
  let dataDir: string;
  let stores: [StoreClient, StoreClient];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dataDir = tempDir('hexastore-replicas-');
    const first = await startChild(dataDir);
    children.push(first.child);
    const second = await startChild(dataDir);
    children.push(second.child);
    stores = [new StoreClient(first.url), new StoreClient(second.url)];
  });
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    removeDir(dataDir);
  });

  const entries = async (store: StoreClient, ns: string) => (await store.listPage(ns, { limit: 1000 })).items;

  it('a write through one process is readable through the other at once', async () => {
    const [first, second] = stores;
    expect(await first.put('rw', 'k', 'from-first')).toMatchObject({ created: true, version: 1 });
    expect(await second.get('rw', 'k')).toMatchObject({ value: 'from-first', version: 1 });
    const back = await second.put('rw', 'k', 'from-second', { expectedVersion: 1 });
    expect(back).toMatchObject({ created: false, version: 2 });
    expect(await first.get('rw', 'k', { minPosition: back })).toMatchObject({ value: 'from-second', version: 2 });
  });

  it('interleaved writes through both converge to the same state on both', async () => {
    for (let i = 0; i < 30; i++) {
      const store = stores[i % 2];
      const key = `k${i % 7}`;
      if (i % 5 !== 4) await store.put('mixed', key, `v${i}`);
      else {
        await store.delete('mixed', key).catch((error) => {
          if (!isProblem(error, 'ENTRY_NOT_FOUND')) throw error;
        });
      }
    }
    await stores[1].transaction('mixed', [{ op: 'put', key: 'tx-a', value: '1' }, { op: 'put', key: 'tx-b', value: '2' }]);
    const [first, second] = [await entries(stores[0], 'mixed'), await entries(stores[1], 'mixed')];
    expect(second).toEqual(first);
    expect(first.map((e) => e.key)).toContain('tx-b');
    const namespaces = await Promise.all(stores.map((store) => store.getNamespace('mixed')));
    expect(namespaces[1]).toEqual(namespaces[0]);
    expect(namespaces[0].entryCount).toBe(first.length);
  });

  it('two compare-and-sets of the same version, one through each process: exactly one is written, the other is a 409', async () => {
    const [first, second] = stores;
    await first.put('cas-race', 'k', 'v0');
    const [seenByFirst, seenBySecond] = [await first.get('cas-race', 'k'), await second.get('cas-race', 'k')];
    expect([seenByFirst.version, seenBySecond.version]).toEqual([1, 1]);
    const outcomes = await Promise.allSettled([
      first.put('cas-race', 'k', 'from-first', { expectedVersion: seenByFirst.version }),
      second.put('cas-race', 'k', 'from-second', { expectedVersion: seenBySecond.version }),
    ]);
    const written = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ version: 2 });
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(ConflictError);
    expect(refused[0].problem).toMatchObject({ status: 409, code: 'VERSION_CONFLICT', expectedVersion: 1, actualVersion: 2 });
    for (const store of stores) expect(await store.get('cas-race', 'k')).toMatchObject({ value: written[0].value, version: 2 });
  });

  it('16 concurrent compare-and-set increments spread over both lose no update', async () => {
    const writes: EntryWriteResult[] = await Promise.all(range(0, 15).map((i) => incrementCounter(stores[i % 2], 'cas', 'counter')));
    // Each increment wrote one more than what it read, and no two wrote the same version.
    expect(writes.map((w) => w.version).sort((a, b) => a - b)).toEqual(range(1, 16));
    for (const w of writes) expect(w.value).toBe(String(w.version));
    for (const store of stores) expect(await store.get('cas', 'counter')).toMatchObject({ value: String(writes.length), version: writes.length });
  });
});
