import { RollbackPoint } from '@app/client';
import { expectProblem, expectRefused } from './support/expectations';
import { collect, historyOf, revisionOf } from './support/sdk';
import { http, useService } from './support/service';

describe('rollback points and rollback over HTTP', () => {
  const service = useService();
  const { store } = service;

  /** What a namespace holds, as a client sees it: key → value, metadata and expiry. */
  const contents = async (ns: string) =>
    Object.fromEntries((await collect(store.list(ns, { limit: 1000 }))).map((i) => [i.key, { value: i.value, metadata: i.metadata, expiresAt: i.expiresAt }]));
  const raw = (method: string, ns: string, path: string, body?: unknown) => http(method, `${service.url}/v1/namespaces/${ns}/${path}`, body);

  it('round trip: back to a point, and the rollback itself rolled back, with history intact', async () => {
    const ns = 'rb';
    await store.put(ns, 'plans/basic', '10');
    await store.put(ns, 'plans/pro', '20', { metadata: { tier: 'gold' } });
    await store.put(ns, 'flags/beta', 'on', { ttlSeconds: 3600 });
    await store.put(ns, 'old', 'x');
    await store.delete(ns, 'old');
    const before = await contents(ns);
    // Created raw, for the 201 of a creation.
    const created = await raw('POST', ns, 'rollback-points', { stage: 'pre-deploy', label: 'before the price change' });
    expect(created.status).toBe(201);
    const point = created.body as RollbackPoint;
    expect(point).toMatchObject({ stage: 'pre-deploy', label: 'before the price change', revision: 5, actor: 'anonymous' });

    await store.put(ns, 'plans/pro', '25');
    await store.delete(ns, 'plans/basic');
    await store.put(ns, 'plans/enterprise', '99');
    await store.setTtl(ns, 'flags/beta', null);
    const after = await contents(ns);
    const eventsBefore = (await revisionOf(store, ns))!;

    const rolled = await store.rollback(ns, point.id);
    expect(rolled).toMatchObject({
      pointId: point.id, toRevision: 5,
      diff: { restored: ['plans/basic'], changed: ['flags/beta', 'plans/pro'], removed: ['plans/enterprise'] },
    });
    // One append: the undo point, four compensations, StoreRolledBack.
    expect(rolled.revision).toBe(eventsBefore + 6);
    expect(await contents(ns)).toEqual(before);
    expect((await historyOf(store, ns, 'plans/pro')).map((i) => i.value)).toEqual(['20', '25', '20']);

    const undone = await store.rollback(ns, rolled.undoPointId);
    expect(undone.diff).toEqual({ restored: ['plans/enterprise'], changed: ['flags/beta', 'plans/pro'], removed: ['plans/basic'] });
    expect(await contents(ns)).toEqual(after);

    const again = await store.rollback(ns, undone.undoPointId);
    expect(await contents(ns)).toEqual(before);
    expect(again.diff).toEqual(rolled.diff);
    const points = await store.listRollbackPoints(ns);
    expect(points.map((p) => p.id)).toEqual([point.id, rolled.undoPointId, undone.undoPointId, again.undoPointId]);
  });

  it('shows the state at a point, rebuilt from the log and paged', async () => {
    const ns = 'rb-view';
    for (const key of ['a', 'b', 'c']) await store.put(ns, key, key);
    const point = await store.createRollbackPoint(ns);
    await store.put(ns, 'a', 'changed');
    await store.delete(ns, 'b');
    const first = await store.getRollbackPoint(ns, point.id, { limit: 2 });
    expect(first).toMatchObject({ id: point.id, stage: null, label: null, revision: 3, entries: { revision: 3, count: 3 } });
    expect(first.entries.items.map((i) => [i.key, i.value])).toEqual([['a', 'a'], ['b', 'b']]);
    const second = await store.getRollbackPoint(ns, point.id, { limit: 2, cursor: first.entries.nextCursor! });
    expect(second.entries).toMatchObject({ items: [expect.objectContaining({ key: 'c', value: 'c' })], nextCursor: null });
  });

  // Bodies the SDK does not send: raw HTTP.
  it.each([
    ['an unknown point', { pointId: 'no-such-point' }, 404, 'ROLLBACK_POINT_NOT_FOUND'],
    ['no pointId', {}, 400, 'VALIDATION_FAILED'],
    ['a pointId that is not text', { pointId: 7 }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { pointId: 'x', force: true }, 400, 'VALIDATION_FAILED'],
  ])('refuses a rollback to %s and writes nothing', async (_, body, status, code) => {
    await store.put('rb-bad', 'k', 'v');
    const revision = await revisionOf(store, 'rb-bad');
    expectProblem(await raw('POST', 'rb-bad', 'rollback', body), status, code);
    expect(await revisionOf(store, 'rb-bad')).toBe(revision);
  });

  it('refuses the point of another namespace', async () => {
    await store.put('rb-other', 'k', 'v');
    const point = await store.createRollbackPoint('rb-other');
    await store.put('rb-bad', 'k', 'v');
    const revision = await revisionOf(store, 'rb-bad');
    await expectRefused(store.rollback('rb-bad', point.id), 404, 'ROLLBACK_POINT_NOT_FOUND');
    await expectRefused(store.getRollbackPoint('rb-bad', point.id), 404, 'ROLLBACK_POINT_NOT_FOUND');
    expect(await revisionOf(store, 'rb-bad')).toBe(revision);
  });

  it.each([
    ['an empty stage', { stage: '' }, 400, 'VALIDATION_FAILED'],
    ['a stage over 64 characters', { stage: 's'.repeat(65) }, 400, 'VALIDATION_FAILED'],
    ['a label over 256 characters', { label: 'l'.repeat(257) }, 400, 'VALIDATION_FAILED'],
    ['a label that is not text', { label: 5 }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { name: 'x' }, 400, 'VALIDATION_FAILED'],
  ])('refuses a rollback point with %s and writes nothing', async (_, body, status, code) => {
    await store.put('rb-bad', 'k', 'v');
    const revision = await revisionOf(store, 'rb-bad');
    expectProblem(await raw('POST', 'rb-bad', 'rollback-points', body), status, code);
    expect(await revisionOf(store, 'rb-bad')).toBe(revision);
  });

  it('refuses points in a namespace that does not exist, creating nothing', async () => {
    await expectRefused(store.createRollbackPoint('rb-none'), 404, 'NAMESPACE_NOT_FOUND');
    await expectRefused(store.listRollbackPoints('rb-none'), 404, 'NAMESPACE_NOT_FOUND');
    await expectRefused(store.rollback('rb-none', 'x'), 404, 'ROLLBACK_POINT_NOT_FOUND');
    expect(await revisionOf(store, 'rb-none')).toBeUndefined();
  });
});
