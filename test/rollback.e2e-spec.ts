import { expectProblem, namespaceClient } from './support/lifecycle';
import { http, removeDir, RunningService, startService } from './support/service';

/** What a namespace holds, as a client sees it: key → value, metadata and expiry. */
async function contents(ns: ReturnType<typeof namespaceClient>) {
  const items = (await ns.list('?limit=1000')).items as { key: string; value: string; metadata: object; expiresAt: string | null }[];
  return Object.fromEntries(items.map((i) => [i.key, { value: i.value, metadata: i.metadata, expiresAt: i.expiresAt }]));
}

describe('rollback points and rollback over HTTP', () => {
  let service: RunningService;
  beforeAll(async () => (service = await startService()));
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
  });

  const createPoint = (ns: ReturnType<typeof namespaceClient>, body?: object) => http('POST', `${ns.base}/rollback-points`, body);
  const rollBack = (ns: ReturnType<typeof namespaceClient>, pointId: string) => http('POST', `${ns.base}/rollback`, { pointId });

  it('round trip: back to a point, and the rollback itself rolled back, with history intact', async () => {
    const ns = namespaceClient(service.url, 'rb');
    await ns.put('plans/basic', { value: '10' });
    await ns.put('plans/pro', { value: '20', metadata: { tier: 'gold' } });
    await ns.put('flags/beta', { value: 'on', ttlSeconds: 3600 });
    await ns.put('old', { value: 'x' });
    await ns.del('old');
    const before = await contents(ns);
    const point = await createPoint(ns, { stage: 'pre-deploy', label: 'before the price change' });
    expect(point.status).toBe(201);
    expect(point.body).toMatchObject({ stage: 'pre-deploy', label: 'before the price change', revision: 5, actor: 'anonymous' });

    await ns.put('plans/pro', { value: '25' });
    await ns.del('plans/basic');
    await ns.put('plans/enterprise', { value: '99' });
    await ns.setTtl('flags/beta', { ttlSeconds: null });
    const after = await contents(ns);
    const eventsBefore = (await ns.revision())!;

    const rolled = await rollBack(ns, point.body.id);
    expect(rolled.status).toBe(200);
    expect(rolled.body).toMatchObject({
      pointId: point.body.id, toRevision: 5,
      diff: { restored: ['plans/basic'], changed: ['flags/beta', 'plans/pro'], removed: ['plans/enterprise'] },
    });
    // One append: the undo point, four compensations, StoreRolledBack.
    expect(rolled.body.revision).toBe(eventsBefore + 6);
    expect(await contents(ns)).toEqual(before);
    expect((await ns.history('plans/pro')).map((i) => i.value)).toEqual(['20', '25', '20']);

    const undone = await rollBack(ns, rolled.body.undoPointId);
    expect(undone.body.diff).toEqual({ restored: ['plans/enterprise'], changed: ['flags/beta', 'plans/pro'], removed: ['plans/basic'] });
    expect(await contents(ns)).toEqual(after);

    const again = await rollBack(ns, undone.body.undoPointId);
    expect(await contents(ns)).toEqual(before);
    expect(again.body.diff).toEqual(rolled.body.diff);
    const points = (await http('GET', `${ns.base}/rollback-points`)).body.items;
    expect(points.map((p: { id: string }) => p.id)).toEqual([point.body.id, rolled.body.undoPointId, undone.body.undoPointId, again.body.undoPointId]);
  });

  it('shows the state at a point, rebuilt from the log and paged', async () => {
    const ns = namespaceClient(service.url, 'rb-view');
    for (const key of ['a', 'b', 'c']) await ns.put(key, { value: key });
    const point = (await createPoint(ns)).body;
    await ns.put('a', { value: 'changed' });
    await ns.del('b');
    const first = await http('GET', `${ns.base}/rollback-points/${point.id}?limit=2`);
    expect(first.body).toMatchObject({ id: point.id, stage: null, label: null, revision: 3, entries: { revision: 3, count: 3 } });
    expect(first.body.entries.items.map((i: { key: string; value: string }) => [i.key, i.value])).toEqual([['a', 'a'], ['b', 'b']]);
    const second = await http('GET', `${ns.base}/rollback-points/${point.id}?limit=2&cursor=${first.body.entries.nextCursor}`);
    expect(second.body.entries).toMatchObject({ items: [expect.objectContaining({ key: 'c', value: 'c' })], nextCursor: null });
  });

  it.each([
    ['an unknown point', { pointId: 'no-such-point' }, 404, 'ROLLBACK_POINT_NOT_FOUND'],
    ['no pointId', {}, 400, 'VALIDATION_FAILED'],
    ['a pointId that is not text', { pointId: 7 }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { pointId: 'x', force: true }, 400, 'VALIDATION_FAILED'],
  ])('refuses a rollback to %s and writes nothing', async (_, body, status, code) => {
    const ns = namespaceClient(service.url, 'rb-bad');
    await ns.put('k', { value: 'v' });
    const revision = await ns.revision();
    expectProblem(await http('POST', `${ns.base}/rollback`, body), status, code);
    expect(await ns.revision()).toBe(revision);
  });

  it('refuses the point of another namespace', async () => {
    const other = namespaceClient(service.url, 'rb-other');
    await other.put('k', { value: 'v' });
    const point = (await createPoint(other)).body;
    const ns = namespaceClient(service.url, 'rb-bad');
    await ns.put('k', { value: 'v' });
    const revision = await ns.revision();
    expectProblem(await rollBack(ns, point.id), 404, 'ROLLBACK_POINT_NOT_FOUND');
    expectProblem(await http('GET', `${ns.base}/rollback-points/${point.id}`), 404, 'ROLLBACK_POINT_NOT_FOUND');
    expect(await ns.revision()).toBe(revision);
  });

  it.each([
    ['an empty stage', { stage: '' }, 400, 'VALIDATION_FAILED'],
    ['a stage over 64 characters', { stage: 's'.repeat(65) }, 400, 'VALIDATION_FAILED'],
    ['a label over 256 characters', { label: 'l'.repeat(257) }, 400, 'VALIDATION_FAILED'],
    ['a label that is not text', { label: 5 }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { name: 'x' }, 400, 'VALIDATION_FAILED'],
  ])('refuses a rollback point with %s and writes nothing', async (_, body, status, code) => {
    const ns = namespaceClient(service.url, 'rb-bad');
    await ns.put('k', { value: 'v' });
    const revision = await ns.revision();
    expectProblem(await http('POST', `${ns.base}/rollback-points`, body), status, code);
    expect(await ns.revision()).toBe(revision);
  });

  it('refuses points in a namespace that does not exist, creating nothing', async () => {
    const ns = namespaceClient(service.url, 'rb-none');
    expectProblem(await createPoint(ns), 404, 'NAMESPACE_NOT_FOUND');
    expectProblem(await http('GET', `${ns.base}/rollback-points`), 404, 'NAMESPACE_NOT_FOUND');
    expectProblem(await rollBack(ns, 'x'), 404, 'ROLLBACK_POINT_NOT_FOUND');
    expect(await ns.revision()).toBeUndefined();
  });
});
