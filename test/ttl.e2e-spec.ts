import { StoreClient } from '@app/client';
import { ChildProcess } from 'node:child_process';
import { eventually, expectProblem, expectRefused } from './support/expectations';
import { historyOf, revisionOf } from './support/sdk';
import { http, removeDir, startChild, tempDir, useService } from './support/service';

describe('SetTTL and expiry over HTTP', () => {
  const service = useService();
  const { store } = service;

  it('sets an absolute expiry, moves the version on, and clears it with null', async () => {
    const ns = 'ttl-set';
    await store.put(ns, 'cfg/a', 'v');
    const before = Date.now();
    const set = await store.setTtl(ns, 'cfg/a', 3600);
    expect(set).toMatchObject({ key: 'cfg/a', value: 'v', version: 2, revision: 2 });
    const expiresAt = Date.parse(set.expiresAt!);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(await store.get(ns, 'cfg/a')).toMatchObject({ version: 2, expiresAt: set.expiresAt });
    const cleared = await store.setTtl(ns, 'cfg/a', null, { expectedVersion: 2 });
    expect(cleared).toMatchObject({ version: 3, expiresAt: null });
    expect((await historyOf(store, ns, 'cfg/a')).map((i) => [i.type, i.version, i.expiresAt])).toEqual([
      ['StoreEntryCreated', 1, null], ['StoreEntryTtlSet', 2, set.expiresAt], ['StoreEntryTtlSet', 3, null],
    ]);
  });

  it('treats a key ending in /ttl as a key unless it is a PUT of the ttl sub-resource', async () => {
    const ns = 'ttl-keys';
    // The SDK sends the whole key as one segment: …/entries/a%2Fttl, and …/entries/a%2Fttl/ttl.
    expect(await store.put(ns, 'a/ttl', 'literal')).toMatchObject({ key: 'a/ttl', created: true });
    expect(await store.get(ns, 'a/ttl')).toMatchObject({ key: 'a/ttl', value: 'literal' });
    expect(await store.setTtl(ns, 'a/ttl', 60)).toMatchObject({ key: 'a/ttl', version: 2 });
  });

  // Bodies the SDK does not send: raw HTTP.
  it.each([
    ['zero', { ttlSeconds: 0 }, 400, 'VALIDATION_FAILED'],
    ['negative', { ttlSeconds: -5 }, 400, 'VALIDATION_FAILED'],
    ['a fraction', { ttlSeconds: 1.5 }, 400, 'VALIDATION_FAILED'],
    ['a string', { ttlSeconds: '10' }, 400, 'VALIDATION_FAILED'],
    ['more than ten years', { ttlSeconds: 315_360_001 }, 400, 'VALIDATION_FAILED'],
    ['absurd', { ttlSeconds: 1e300 }, 400, 'VALIDATION_FAILED'],
    ['missing', {}, 400, 'VALIDATION_FAILED'],
    ['with an unknown field', { ttlSeconds: 5, ttl: 5 }, 400, 'VALIDATION_FAILED'],
    ['not JSON', '{"ttlSeconds":', 400, 'VALIDATION_FAILED'],
    ['with another version expected', { ttlSeconds: 5, expectedVersion: 9 }, 409, 'VERSION_CONFLICT'],
  ])('refuses a ttl that is %s and writes nothing', async (_, body, status, code) => {
    const ns = 'ttl-bad';
    await store.put(ns, 'k', 'v');
    const revision = await revisionOf(store, ns);
    expectProblem(await http('PUT', `${service.url}/v1/namespaces/${ns}/entries/k/ttl`, body), status, code);
    expect(await revisionOf(store, ns)).toBe(revision);
  });

  it('refuses missing, deleted and invalid targets with 404 / 400, writing nothing', async () => {
    const ns = 'ttl-missing';
    await store.put(ns, 'gone', 'v');
    await store.delete(ns, 'gone');
    const revision = await revisionOf(store, ns);
    await expectRefused(store.setTtl(ns, 'never', 5), 404, 'ENTRY_NOT_FOUND');
    await expectRefused(store.setTtl(ns, 'gone', 5), 404, 'ENTRY_NOT_FOUND');
    expect(await revisionOf(store, ns)).toBe(revision);
    // A name the SDK would percent-encode: raw HTTP.
    expectProblem(await http('PUT', `${service.url}/v1/namespaces/Bad!/entries/k/ttl`, { ttlSeconds: 5 }), 400, 'NAMESPACE_INVALID');
  });

  it('hides an expired entry at once and the sweeper records its expiry', async () => {
    const ns = 'ttl-expire';
    const put = await store.put(ns, 'brief', 'soon gone', { ttlSeconds: 1 });
    await store.put(ns, 'keep', 'v');
    const expiresAt = Date.parse(put.expiresAt!);
    expect(await eventually(async () => Date.now() >= expiresAt, 30, 50)).toBe(true);
    await expectRefused(store.get(ns, 'brief'), 404, 'ENTRY_NOT_FOUND');
    expect(await eventually(async () => (await historyOf(store, ns, 'brief')).length === 2)).toBe(true);
    expect((await historyOf(store, ns, 'brief')).map((i) => [i.type, i.actor])).toEqual([
      ['StoreEntryCreated', 'anonymous'], ['StoreEntryExpired', 'system:expiry-sweeper'],
    ]);
    expect(await store.getNamespace(ns)).toMatchObject({ entryCount: 1, bytes: 5 });
  });
});

describe('expiry with two service processes on one data file', () => {
  let dataDir: string;
  const children: ChildProcess[] = [];
  beforeAll(() => (dataDir = tempDir('hexastore-ttl2-')));
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    removeDir(dataDir);
  });

  it('records each expiry exactly once', async () => {
    const [a, b] = [await startChild(dataDir), await startChild(dataDir)];
    children.push(a.child, b.child);
    const [storeA, storeB] = [new StoreClient(a.url), new StoreClient(b.url)];
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((key, i) => (i % 2 ? storeA : storeB).put('twice', key, 'v', { ttlSeconds: 1 })));
    const allExpired = async () => (await Promise.all(keys.map((key) => historyOf(storeB, 'twice', key)))).every((h) => h.length === 2);
    expect(await eventually(allExpired)).toBe(true);
    // A further sweep of each process comes and goes; nothing is recorded twice.
    await new Promise((r) => setTimeout(r, 1500));
    for (const key of keys) {
      await expectRefused(storeA.get('twice', key), 404, 'ENTRY_NOT_FOUND');
      const types = (await historyOf(storeA, 'twice', key)).map((i) => i.type);
      expect(types).toEqual(['StoreEntryCreated', 'StoreEntryExpired']);
    }
    expect(await storeB.getNamespace('twice')).toMatchObject({ entryCount: 0, bytes: 0, revision: keys.length * 2 });
  }, 60_000);
});
