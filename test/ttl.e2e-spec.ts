import { ChildProcess } from 'node:child_process';
import { eventually, expectProblem, namespaceClient } from './support/lifecycle';
import { http, removeDir, RunningService, startChild, startService, tempDir } from './support/service';

describe('SetTTL and expiry over HTTP', () => {
  let service: RunningService;
  beforeAll(async () => (service = await startService()));
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
  });

  it('sets an absolute expiry, moves the version on, and clears it with null', async () => {
    const ns = namespaceClient(service.url, 'ttl-set');
    await ns.put('cfg/a', { value: 'v' });
    const before = Date.now();
    const set = await ns.setTtl('cfg/a', { ttlSeconds: 3600 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ key: 'cfg/a', value: 'v', version: 2, revision: 2 });
    const expiresAt = Date.parse(set.body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect((await ns.get('cfg/a')).body).toMatchObject({ version: 2, expiresAt: set.body.expiresAt });
    const cleared = await ns.setTtl('cfg/a', { ttlSeconds: null, expectedVersion: 2 });
    expect(cleared.body).toMatchObject({ version: 3, expiresAt: null });
    expect((await ns.history('cfg/a')).map((i) => [i.type, i.version, i.expiresAt])).toEqual([
      ['StoreEntryCreated', 1, null], ['StoreEntryTtlSet', 2, set.body.expiresAt], ['StoreEntryTtlSet', 3, null],
    ]);
  });

  it('treats a key ending in /ttl as a key unless it is a PUT of the ttl sub-resource', async () => {
    const ns = namespaceClient(service.url, 'ttl-keys');
    expect((await ns.put('a%2Fttl', { value: 'literal' })).status).toBe(201);
    expect((await ns.get('a/ttl')).body).toMatchObject({ key: 'a/ttl', value: 'literal' });
    expect((await ns.setTtl('a%2Fttl', { ttlSeconds: 60 })).body).toMatchObject({ key: 'a/ttl', version: 2 });
  });

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
    const ns = namespaceClient(service.url, 'ttl-bad');
    await ns.put('k', { value: 'v' });
    const revision = await ns.revision();
    expectProblem(await ns.setTtl('k', body), status, code);
    expect(await ns.revision()).toBe(revision);
  });

  it('refuses missing, deleted and invalid targets with 404 / 400, writing nothing', async () => {
    const ns = namespaceClient(service.url, 'ttl-missing');
    await ns.put('gone', { value: 'v' });
    await ns.del('gone');
    const revision = await ns.revision();
    expectProblem(await ns.setTtl('never', { ttlSeconds: 5 }), 404, 'ENTRY_NOT_FOUND');
    expectProblem(await ns.setTtl('gone', { ttlSeconds: 5 }), 404, 'ENTRY_NOT_FOUND');
    expect(await ns.revision()).toBe(revision);
    expectProblem(await http('PUT', `${service.url}/v1/namespaces/Bad!/entries/k/ttl`, { ttlSeconds: 5 }), 400, 'NAMESPACE_INVALID');
  });

  it('hides an expired entry at once and the sweeper records its expiry', async () => {
    const ns = namespaceClient(service.url, 'ttl-expire');
    const put = await ns.put('brief', { value: 'soon gone', ttlSeconds: 1 });
    await ns.put('keep', { value: 'v' });
    const expiresAt = Date.parse(put.body.expiresAt);
    expect(await eventually(async () => Date.now() >= expiresAt, 30, 50)).toBe(true);
    expectProblem(await ns.get('brief'), 404, 'ENTRY_NOT_FOUND');
    expect(await eventually(async () => (await ns.history('brief')).length === 2)).toBe(true);
    expect((await ns.history('brief')).map((i) => [i.type, i.actor])).toEqual([
      ['StoreEntryCreated', 'anonymous'], ['StoreEntryExpired', 'system:expiry-sweeper'],
    ]);
    expect((await http('GET', ns.base)).body).toMatchObject({ entryCount: 1, bytes: 5 });
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
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    const nsA = namespaceClient(a.url, 'twice');
    const nsB = namespaceClient(b.url, 'twice');
    await Promise.all(keys.map((key, i) => (i % 2 ? nsA : nsB).put(key, { value: 'v', ttlSeconds: 1 })));
    const allExpired = async () => (await Promise.all(keys.map((key) => nsB.history(key)))).every((h) => h.length === 2);
    expect(await eventually(allExpired)).toBe(true);
    // A further sweep of each process comes and goes; nothing is recorded twice.
    await new Promise((r) => setTimeout(r, 1500));
    for (const key of keys) {
      expectProblem(await nsA.get(key), 404, 'ENTRY_NOT_FOUND');
      const types = (await nsA.history(key)).map((i) => i.type);
      expect(types).toEqual(['StoreEntryCreated', 'StoreEntryExpired']);
    }
    expect((await http('GET', nsB.base)).body).toMatchObject({ entryCount: 0, bytes: 0, revision: keys.length * 2 });
  }, 60_000);
});
