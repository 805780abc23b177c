import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { expectProblem, expectRefused } from './support/expectations';
import { collect, expectNothingWritten, freshNs, historyOf } from './support/sdk';
import { StoreClient } from '@app/client';
import { http, startService, useService } from './support/service';
import { SseConnection } from './support/sse';

const service = useService({ config: { name: 'store.yaml', text: 'namespaces:\n  declared:\n    quota: {maxEntries: 2}\n    tags: {team-a: "#00FF88"}\n' } });
const { store } = service;

describe('quotas', () => {
  it('64 concurrent puts on a quota of 5 leave exactly 5 entries; the others are 409 QUOTA_EXCEEDED naming limit, used and requested', async () => {
    const ns = freshNs('quota');
    await store.createNamespace(ns);
    expect(await store.setQuota(ns, { maxEntries: 5 })).toMatchObject({ quota: { maxEntries: 5, maxBytes: null, usedEntries: 0, usedBytes: 0 } });
    const results = await Promise.allSettled(Array.from({ length: 64 }, (_, i) => store.put(ns, `k${i}`, 'v')));
    const written = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(written).toHaveLength(5);
    expect(refused).toHaveLength(59);
    for (const error of refused) {
      expect({ status: error.status, code: error.code }).toEqual({ status: 409, code: 'QUOTA_EXCEEDED' });
      expect(error.problem).toMatchObject({ limit: 'maxEntries', max: 5, used: 5, requested: 1 });
    }
    expect(await collect(store.list(ns))).toHaveLength(5);
    expect((await store.getNamespace(ns)).quota).toEqual({ maxEntries: 5, maxBytes: null, usedEntries: 5, usedBytes: 5 * 3 });
  });

  it('holds across two service processes on one data file: 64 puts through both on a quota of 7 leave exactly 7', async () => {
    const other = await startService({ dataDir: service.dataDir });
    try {
      const second = new StoreClient({ url: other.url, retry: { attempts: 1 } });
      const ns = freshNs('quota2');
      await store.createNamespace(ns);
      await store.setQuota(ns, { maxEntries: 7 });
      const results = await Promise.allSettled(Array.from({ length: 64 }, (_, i) => (i % 2 ? second : store).put(ns, `k${i}`, 'v')));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(7);
      expect(results.flatMap((r) => (r.status === 'rejected' ? [r.reason.code] : [])).filter((c) => c !== 'QUOTA_EXCEEDED')).toEqual([]);
      expect(await collect(store.list(ns))).toHaveLength(7);
      expect((await second.getNamespace(ns)).quota).toMatchObject({ maxEntries: 7, usedEntries: 7 });
    } finally {
      await other.close();
    }
  });

  it('counts key and value bytes; a transaction past maxBytes writes nothing; updates within the limit pass; null clears', async () => {
    const ns = freshNs('bytes');
    await store.put(ns, 'a', '1234');
    await store.setQuota(ns, { maxBytes: 10 });
    await expectNothingWritten(store, () => expectRefused(
      store.transaction(ns, [{ op: 'put', key: 'b', value: '12' }, { op: 'put', key: 'c', value: '12' }]),
      409, 'QUOTA_EXCEEDED', { limit: 'maxBytes', max: 10, used: 5, requested: 6 },
    ));
    await store.put(ns, 'a', '12345678');
    await expectRefused(store.put(ns, 'a', '1234567890'), 409, 'QUOTA_EXCEEDED', { limit: 'maxBytes', max: 10, used: 9, requested: 2 });
    expect(await store.setQuota(ns, { maxBytes: null })).toMatchObject({ quota: { maxBytes: null, usedBytes: 9 } });
    await store.put(ns, 'a', '1234567890');
  });

  it('refuses bad quotas (400) and unknown namespaces (404), writing nothing', async () => {
    const ns = freshNs('badquota');
    await store.createNamespace(ns);
    for (const body of [{ maxEntries: -1 }, { maxEntries: 1.5 }, { maxBytes: '10' }, { other: 1 }]) {
      const reply = await expectNothingWritten(store, () => http('PUT', `${service.url}/v1/namespaces/${ns}/quota`, body));
      expectProblem(reply, 400, 'VALIDATION_FAILED');
    }
    await expectRefused(store.setQuota('no-such-ns', { maxEntries: 1 }), 404, 'NAMESPACE_NOT_FOUND');
    await expectRefused(store.setQuota('Bad!', { maxEntries: 1 }), 400, 'NAMESPACE_INVALID');
  });
});

describe('tags', () => {
  it('sets, lists, filters by and removes tags', async () => {
    const [a, b] = [freshNs('tag'), freshNs('tag')];
    await store.createNamespace(a);
    await store.createNamespace(b);
    expect(await store.setTag(a, 'prod', '#FF0000')).toEqual({ prod: '#ff0000' });
    await store.setTag(a, 'team-x', '#00ff00');
    await store.setTag(b, 'team-x', '#00ff00');
    expect(await store.tags(a)).toEqual({ prod: '#ff0000', 'team-x': '#00ff00' });
    expect((await store.listNamespaces({ tag: 'team-x' })).map((n) => n.name)).toEqual([a, b].sort());
    expect((await store.listNamespaces({ tag: 'prod' })).map((n) => n.name)).toEqual([a]);
    expect((await store.getNamespace(a)).tags).toEqual({ prod: '#ff0000', 'team-x': '#00ff00' });
    await store.removeTag(a, 'prod');
    expect(await store.listNamespaces({ tag: 'prod' })).toEqual([]);
  });

  it('refuses bad colours and names (400), unknown tags and namespaces (404), writing nothing', async () => {
    const ns = freshNs('badtag');
    await store.createNamespace(ns);
    for (const body of [{ color: 'red' }, { color: '#12345' }, {}, { color: '#123456', extra: 1 }]) {
      const reply = await expectNothingWritten(store, () => http('PUT', `${service.url}/v1/namespaces/${ns}/tags/t`, body));
      expectProblem(reply, 400, 'VALIDATION_FAILED');
    }
    await expectNothingWritten(store, () => expectRefused(store.setTag(ns, 'Bad Tag', '#000000'), 400, 'VALIDATION_FAILED'));
    await expectRefused(store.removeTag(ns, 'missing'), 404, 'TAG_NOT_FOUND');
    await expectRefused(store.setTag('no-such-ns', 't', '#000000'), 404, 'NAMESPACE_NOT_FOUND');
    await expectRefused(store.listNamespaces({ tag: 'Bad Tag' }), 400, 'VALIDATION_FAILED');
  });
});

describe('dependencies', () => {
  it('resolves dependencies first, refuses a cycle naming it, and a delete while depended on', async () => {
    const [billing, users, auth] = [freshNs('billing'), freshNs('users'), freshNs('auth')];
    for (const ns of [billing, users, auth]) await store.createNamespace(ns);
    await store.addDependency(billing, users);
    expect(await store.addDependency(users, auth)).toEqual({ direct: [auth], resolved: [auth] });
    expect(await store.dependencies(billing)).toEqual({ direct: [users], resolved: [auth, users] });
    await expectNothingWritten(store, () => expectRefused(store.addDependency(auth, billing), 409, 'DEPENDENCY_CYCLE', {
      cycle: [auth, billing, users, auth],
    }));
    await expectRefused(store.deleteNamespace(users), 409, 'NAMESPACE_IN_USE', { dependents: [billing] });
    await expectRefused(store.addDependency(billing, 'no-such-ns'), 404, 'NAMESPACE_NOT_FOUND');
    await expectRefused(store.addDependency(billing, 'Bad!'), 400, 'NAMESPACE_INVALID');
    await expectRefused(store.removeDependency(billing, auth), 404, 'DEPENDENCY_NOT_FOUND');
    await store.removeDependency(billing, users);
    await store.deleteNamespace(users);
    expect(await store.dependencies(billing)).toEqual({ direct: [], resolved: [] });
  });

  it('of two edges sent together that would close a cycle, exactly one passes; a delete racing a new dependent: one of them is refused', async () => {
    for (let round = 0; round < 10; round++) {
      const [a, b] = [freshNs('race'), freshNs('race')];
      await store.createNamespace(a);
      await store.createNamespace(b);
      const answers = await Promise.all([store.addDependency(a, b), store.addDependency(b, a)].map((p) => p.then(() => 'ok', (e) => e.code)));
      expect(answers.sort()).toEqual(['DEPENDENCY_CYCLE', 'ok']);
    }
    const [base, top] = [freshNs('race-base'), freshNs('race-top')];
    await store.createNamespace(base);
    await store.createNamespace(top);
    const [deleted, added] = await Promise.all([store.deleteNamespace(base), store.addDependency(top, base)].map((p) => p.then(() => 'ok', (e) => e.code)));
    // Either the delete came first (the dependency finds no namespace) or the dependency did (the delete is refused).
    expect([deleted, added]).toContainEqual('ok');
    expect([[deleted, added].join(' ')]).toEqual([deleted === 'ok' ? 'ok NAMESPACE_NOT_FOUND' : 'NAMESPACE_IN_USE ok']);
    expect((await store.listNamespaces()).some((n) => n.name === base)).toBe(deleted !== 'ok');
  });

  it('accepts exactly the edges that keep a random graph acyclic (checked against a reference)', async () => {
    const hasCycle = (edges: [number, number][]) => {
      const reach = (from: number, to: number, seen = new Set<number>()): boolean =>
        from === to || edges.some(([f, t]) => f === from && !seen.has(t) && (seen.add(t), reach(t, to, seen)));
      return edges.some(([f, t]) => reach(t, f));
    };
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { minLength: 1, maxLength: 10 }), async (edges) => {
      const names = [0, 1, 2, 3].map(() => freshNs('g'));
      for (const ns of names) await store.createNamespace(ns);
      const accepted: [number, number][] = [];
      for (const [from, to] of edges) {
        const closes = !accepted.some(([f, t]) => f === from && t === to) && hasCycle([...accepted, [from, to]]);
        const answer = await store.addDependency(names[from], names[to]).then(() => 'ok', (e) => e.code);
        expect(answer).toBe(closes ? 'DEPENDENCY_CYCLE' : 'ok');
        if (answer === 'ok') accepted.push([from, to]);
      }
    }), { numRuns: 15 });
  });
});

describe('namespace delete', () => {
  it('removes entries from reads and lists, keeps history, and the name starts a fresh life', async () => {
    const ns = freshNs('del');
    await store.put(ns, 'a', 'old');
    await store.setQuota(ns, { maxEntries: 1 });
    await store.setTag(ns, 'gone', '#000000');
    const reply = await http('DELETE', `${service.url}/v1/namespaces/${ns}`);
    expect(reply.status).toBe(204);
    await expectRefused(store.getNamespace(ns), 404, 'NAMESPACE_NOT_FOUND');
    await expectRefused(store.get(ns, 'a'), 404, 'ENTRY_NOT_FOUND');
    expect((await store.listNamespaces()).map((n) => n.name)).not.toContain(ns);
    expect(await store.listNamespaces({ tag: 'gone' })).toEqual([]);
    await expectRefused(store.deleteNamespace(ns), 404, 'NAMESPACE_NOT_FOUND');
    expect((await historyOf(store, ns, 'a')).map((h) => [h.type, h.version])).toEqual([['StoreEntryCreated', 1]]);
    expect(await store.getAsOf(ns, 'a', 1)).toMatchObject({ value: 'old', asOf: 1 });
    const again = await store.put(ns, 'b', 'new');
    expect(again).toMatchObject({ version: 1, created: true });
    const view = await store.getNamespace(ns);
    expect(view).toMatchObject({ entryCount: 1, tags: {}, quota: { maxEntries: null, maxBytes: null, usedEntries: 1 } });
    expect(await collect(store.list(ns))).toEqual([expect.objectContaining({ key: 'b' })]);
    const a = await store.put(ns, 'a', 'fresh');
    expect(a.version).toBe(1);
    expect((await historyOf(store, ns, 'a')).map((h) => h.type)).toEqual(['StoreEntryCreated', 'StoreEntryCreated']);
  });

  it('a retry with the same Idempotency-Key is answered the same and writes nothing more', async () => {
    const ns = freshNs('delidem');
    await store.createNamespace(ns);
    await store.setTag(ns, 't', '#000000');
    for (const path of [`/v1/namespaces/${ns}/tags/t`, `/v1/namespaces/${ns}`]) {
      const first = await http('DELETE', `${service.url}${path}`, undefined, { 'idempotency-key': `k-${path}` });
      const again = await http('DELETE', `${service.url}${path}`, undefined, { 'idempotency-key': `k-${path}` });
      expect([first.status, again.status]).toEqual([204, 204]);
    }
    // One event each: created 0, tag set 1, tag removed 2, deleted 3; the new life starts at 4.
    expect(await store.createNamespace(ns)).toMatchObject({ created: true, revision: 4 });
  });

  it('its feed still serves its stream, the delete included', async () => {
    const ns = freshNs('delfeed');
    await store.put(ns, 'a', 'v');
    await store.deleteNamespace(ns);
    const feed = await SseConnection.open(`${service.url}/v1/namespaces/${ns}/feed?from=start`);
    try {
      expect(feed.status).toBe(200);
      await feed.until((c) => c.events.length === 3);
      expect(feed.events.map((e) => e.event)).toEqual(['StoreNamespaceCreated', 'StoreEntryCreated', 'StoreNamespaceDeleted']);
    } finally {
      feed.close();
    }
    expectProblem(await http('GET', `${service.url}/v1/namespaces/never-there/feed?from=start`), 404, 'NAMESPACE_NOT_FOUND');
  });

  it('refuses a bad name (400) and answers 405 for no method', async () => {
    expectProblem(await http('DELETE', `${service.url}/v1/namespaces/Bad!`), 400, 'NAMESPACE_INVALID');
    expectProblem(await http('POST', `${service.url}/v1/namespaces/x`), 405, 'METHOD_NOT_ALLOWED');
  });
});

describe('rebuild, backup and restore', () => {
  it('a rebuild and a restore into a fresh store give the same quotas, tags, dependencies and deleted namespaces', async () => {
    const [base, top, gone] = [freshNs('keep-base'), freshNs('keep-top'), freshNs('keep-gone')];
    await store.put(base, 'k', 'value');
    await store.put(top, 'k', 'v');
    await store.setQuota(base, { maxEntries: 10, maxBytes: 100 });
    await store.setTag(top, 'red', '#ff0000');
    await store.addDependency(top, base);
    await store.put(gone, 'k', 'v');
    await store.deleteNamespace(gone);
    const names = [base, top, gone];
    const views = async (client: StoreClient) => (await client.listNamespaces()).filter((n) => names.includes(n.name));
    const before = await views(store);
    expect(before.map((n) => n.name)).toEqual([base, top]);
    await store.rebuild();
    expect(await views(store)).toEqual(before);
    const chunks: Uint8Array[] = [];
    for await (const chunk of (await store.backup({ namespaces: names })).body) chunks.push(chunk);
    const fresh = await startService();
    try {
      const client = new StoreClient({ url: fresh.url, retry: { attempts: 1 } });
      await client.restore(Buffer.concat(chunks));
      expect(await views(client)).toEqual(before);
      expect(await client.dependencies(top)).toEqual({ direct: [base], resolved: [base] });
      await expectRefused(client.put(base, 'more', 'x'.repeat(100)), 409, 'QUOTA_EXCEEDED');
      await expectRefused(client.get(gone, 'k'), 404, 'ENTRY_NOT_FOUND');
    } finally {
      await fresh.close();
    }
  });
});

describe('config file', () => {
  it('declares quota and tags, and dependencies once every namespace exists', async () => {
    expect(await store.getNamespace('declared')).toMatchObject({ quota: { maxEntries: 2 }, tags: { 'team-a': '#00ff88' } });
    writeFileSync(service.configFile, 'namespaces:\n  declared:\n    quota: {maxEntries: 3}\n    dependencies: [later]\n  later:\n    tags: {x: "#010203"}\n');
    expect((await store.reload()).changes).toEqual([
      { namespace: 'declared', change: 'quota', maxEntries: 3, maxBytes: null },
      { namespace: 'later', change: 'created' },
      { namespace: 'later', change: 'tags', tags: { x: '#010203' } },
      { namespace: 'declared', change: 'dependencies', dependsOn: ['later'] },
    ]);
    expect(await store.dependencies('declared')).toEqual({ direct: ['later'], resolved: ['later'] });
    expect((await store.getNamespace('declared')).tags).toEqual({ 'team-a': '#00ff88' });
    await expectRefused(store.deleteNamespace('later'), 409, 'NAMESPACE_IN_USE');
  });
});
