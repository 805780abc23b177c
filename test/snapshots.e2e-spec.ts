import { expectProblem, namespaceClient } from './support/lifecycle';
import { http, removeDir, RunningService, startService } from './support/service';

describe('snapshots over HTTP', () => {
  let service: RunningService;
  beforeAll(async () => (service = await startService()));
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
  });

  it('captures the namespace at its revision; list and fetch; time travel reads from it', async () => {
    const ns = namespaceClient(service.url, 'snap');
    for (const key of ['a', 'b', 'c']) await ns.put(key, { value: `${key}1` });
    await ns.del('c');
    const taken = await http('POST', `${ns.base}/snapshots`);
    expect(taken.status).toBe(201);
    expect(taken.body).toMatchObject({ namespace: 'snap', revision: 4, entryCount: 2, actor: 'anonymous', createdAt: expect.any(String) });
    await ns.put('a', { value: 'a2' });
    expect((await http('GET', `${ns.base}/snapshots`)).body.items).toEqual([taken.body]);
    const fetched = await http('GET', `${ns.base}/snapshots/${taken.body.id}`);
    expect(fetched.body).toMatchObject({ ...taken.body, entries: { revision: 4, count: 2, nextCursor: null } });
    expect(fetched.body.entries.items.map((i: { key: string; value: string }) => [i.key, i.value])).toEqual([['a', 'a1'], ['b', 'b1']]);
    expect((await ns.get('a', '?asOf=4')).body).toMatchObject({ value: 'a1', version: 1 });
    expect((await ns.get('a', '?asOf=6')).body).toMatchObject({ value: 'a2', version: 2 });
    expectProblem(await ns.get('c', '?asOf=5'), 404, 'ENTRY_NOT_FOUND');
  });

  it('refuses unknown snapshots, missing namespaces and bad pages, writing nothing', async () => {
    const ns = namespaceClient(service.url, 'snap-bad');
    await ns.put('k', { value: 'v' });
    const id = (await http('POST', `${ns.base}/snapshots`)).body.id;
    const revision = await ns.revision();
    expectProblem(await http('GET', `${ns.base}/snapshots/nope`), 404, 'SNAPSHOT_NOT_FOUND');
    expectProblem(await http('GET', `${ns.base}/snapshots/${id}?limit=0`), 400, 'VALIDATION_FAILED');
    expectProblem(await http('GET', `${ns.base}/snapshots/${id}?cursor=zzz`), 400, 'CURSOR_INVALID');
    expectProblem(await http('POST', `${service.url}/v1/namespaces/snap-none/snapshots`), 404, 'NAMESPACE_NOT_FOUND');
    expectProblem(await http('POST', `${service.url}/v1/namespaces/Snap!/snapshots`), 400, 'NAMESPACE_INVALID');
    expect(await ns.revision()).toBe(revision);
    expect(await namespaceClient(service.url, 'snap-none').revision()).toBeUndefined();
  });
});
