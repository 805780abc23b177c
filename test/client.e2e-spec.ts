import {
  ConflictError, CursorStaleError, InvalidRequestError, isProblem, NotFoundError, StoreClient, StoreRequestError, StoreUnavailableError,
} from '@app/client';
import { writeFileSync } from 'node:fs';
import { failure } from './support/expectations';
import { collect } from './support/sdk';
import { FlakyProxy } from './support/flaky-proxy';
import { useService, vacantPort } from './support/service';

/** Fast retries, so failing cases end quickly. */
const QUICK = { baseDelayMs: 5, maxDelayMs: 20 };

describe('the client SDK against the real service', () => {
  const service = useService({
    config: { name: 'store.yaml', text: 'namespaces:\n  configured: {}\n' },
    env: { READ_WAIT_TIMEOUT_MS: '50' },
    client: { retry: QUICK },
  });
  const target = useService();
  const { store } = service;

  it('namespaces: create (then a no-op), one, all', async () => {
    expect(await store.createNamespace('sdk-ns')).toMatchObject({ name: 'sdk-ns', created: true, revision: 0, entryCount: 0 });
    expect(await store.createNamespace('sdk-ns')).toMatchObject({ name: 'sdk-ns', created: false });
    expect(await store.getNamespace('sdk-ns')).toMatchObject({ name: 'sdk-ns', entryCount: 0, bytes: 0, defaultTtlSeconds: null });
    expect((await store.listNamespaces()).map((n) => n.name)).toEqual(expect.arrayContaining(['configured', 'sdk-ns']));
    const missing = await failure(store.getNamespace('nowhere'));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect([missing.code, missing.status]).toEqual(['NAMESPACE_NOT_FOUND', 404]);
    const invalid = await failure(store.createNamespace('Not Valid'));
    expect(invalid).toBeInstanceOf(InvalidRequestError);
    expect(invalid.code).toBe('NAMESPACE_INVALID');
  });

  it('put, get, exists, delete: text and bytes, metadata, TTL, compare-and-set', async () => {
    const created = await store.put('sdk-kv', 'plans/pro', '{"price":20}', { metadata: { owner: 'team-a' }, ttlSeconds: 3600 });
    expect(created).toMatchObject({ namespace: 'sdk-kv', key: 'plans/pro', value: '{"price":20}', metadata: { owner: 'team-a' }, version: 1, created: true, revision: 1 });
    expect(created.expiresAt).not.toBeNull();
    const bytes = await store.put('sdk-kv', 'logo', new Uint8Array([0xff, 0x00, 0x01]));
    expect(bytes).toMatchObject({ valueBase64: '/wAB', version: 1 });
    const updated = await store.put('sdk-kv', 'plans/pro', '{"price":25}', { expectedVersion: 1 });
    expect(updated).toMatchObject({ version: 2, created: false, metadata: {}, expiresAt: null });
    const { created: _c, revision: _r, position: _p, ...entry } = updated;
    expect(await store.get('sdk-kv', 'plans/pro')).toEqual(entry);

    const conflict = await failure(store.put('sdk-kv', 'plans/pro', 'x', { expectedVersion: 1 }));
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict.problem).toMatchObject({ status: 409, code: 'VERSION_CONFLICT', key: 'plans/pro', expectedVersion: 1, actualVersion: 2 });
    expect(isProblem(conflict, 'VERSION_CONFLICT')).toBe(true);

    expect(await store.exists('sdk-kv', 'plans/pro')).toBe(true);
    expect(await store.exists('sdk-kv', 'nothing')).toBe(false);
    expect(await store.exists('no-such-namespace', 'k')).toBe(false);
    expect((await failure(store.exists('Bad Namespace', 'k'))).code).toBe('NAMESPACE_INVALID');
    expect((await failure(store.exists('sdk-kv', 'k', { minPosition: 'garbage' }))).code).toBe('CURSOR_INVALID');
    await store.delete('sdk-kv', 'plans/pro', { expectedVersion: 2 });
    expect(await store.exists('sdk-kv', 'plans/pro')).toBe(false);
    const gone = await failure(store.get('sdk-kv', 'plans/pro'));
    expect([gone.constructor, gone.code]).toEqual([NotFoundError, 'ENTRY_NOT_FOUND']);
    await store.put('sdk-kv', 'final', 'v');
    await store.delete('sdk-kv', 'final', { purge: true });
    expect((await failure(store.restoreEntry('sdk-kv', 'final'))).code).toBe('ENTRY_NOT_FOUND');
    expect((await failure(store.delete('sdk-kv', 'final'))).code).toBe('ENTRY_NOT_FOUND');
    expect((await failure(store.put('sdk-kv', 'k', 'v', { ttlSeconds: 0 }))).code).toBe('VALIDATION_FAILED');
    expect((await failure(store.put('sdk-kv', 'bad\u0001key', 'v'))).code).toBe('KEY_INVALID');
  });

  it('keys that look like sub-resources travel as keys', async () => {
    await store.put('sdk-keys', 'jobs/history', 'a');
    await store.put('sdk-keys', 'jobs/history', 'b');
    expect((await store.get('sdk-keys', 'jobs/history')).value).toBe('b');
    expect((await collect(store.history('sdk-keys', 'jobs/history'))).map((h) => h.value)).toEqual(['a', 'b']);
    expect(await store.setTtl('sdk-keys', 'jobs/history', 60)).toMatchObject({ key: 'jobs/history', version: 3 });
  });

  it('list iterates every entry across pages in key order; listPage gives one page and its cursor', async () => {
    const keys = Array.from({ length: 23 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    await store.transaction('sdk-list', keys.map((key) => ({ op: 'put' as const, key, value: key })));
    await store.put('sdk-list', 'other', 'x');
    expect((await collect(store.list('sdk-list', { prefix: 'k', limit: 4 }))).map((e) => e.key)).toEqual(keys);
    expect(await collect(store.list('sdk-list', { limit: 1000 }))).toHaveLength(24);
    const first = await store.listPage('sdk-list', { prefix: 'k', limit: 20 });
    expect([first.items.length, typeof first.nextCursor]).toEqual([20, 'string']);
    const second = await store.listPage('sdk-list', { prefix: 'k', limit: 20, cursor: first.nextCursor! });
    expect([second.items.map((e) => e.key), second.nextCursor]).toEqual([keys.slice(20), null]);
    await store.delete('sdk-list', 'other');
    expect(await collect(store.list('sdk-list', { prefix: 'o', includeDeleted: true }))).toMatchObject([{ key: 'other', restorable: true }]);
    expect(await collect(store.list('sdk-list', { prefix: 'o' }))).toEqual([]);
    expect((await failure(store.listPage('sdk-list', { cursor: 'nonsense' }))).code).toBe('CURSOR_INVALID');
  });

  it('transaction: all ops or none; a refusal names the failing op', async () => {
    const done = await store.transaction('sdk-tx', [{ op: 'put', key: 'a', value: '1' }, { op: 'put', key: 'b', valueBase64: 'Mg==' }]);
    expect(done).toMatchObject({ revision: 2, results: [{ op: 'put', key: 'a', version: 1 }, { op: 'put', key: 'b', version: 1 }] });
    const refused = await failure(store.transaction('sdk-tx', [{ op: 'delete', key: 'a' }, { op: 'put', key: 'b', value: 'x', expectedVersion: 0 }]));
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused.problem).toMatchObject({ code: 'VERSION_CONFLICT', opIndex: 1, key: 'b' });
    expect(await store.exists('sdk-tx', 'a')).toBe(true);
  });

  it("runs the README's writer example: its delete of plans/legacy, never written, is a no-op; run again, op 0 conflicts", async () => {
    const ns = 'readme-billing';
    const runExample = async () => {
      const written = await store.put(ns, 'plans/pro', '{"price": 20}', { metadata: { owner: 'team-a' }, ttlSeconds: 3600 });
      await store.put(ns, 'plans/pro', '{"price": 25}', { expectedVersion: written.version });
      const entry = await store.get(ns, 'plans/pro', { minPosition: written });
      const listed: string[] = [];
      for await (const item of store.list(ns, { prefix: 'plans/' })) listed.push(item.key);
      try {
        const done = await store.transaction(ns, [{ op: 'put', key: 'plans/basic', value: '10', expectedVersion: 0 }, { op: 'delete', key: 'plans/legacy' }]);
        return { entry, listed, done };
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        return { entry, listed, conflict: [error.code, error.problem.opIndex] };
      }
    };
    const first = await runExample();
    expect(first.entry.value).toBe('{"price": 25}');
    expect(first.done?.results).toEqual([
      { op: 'put', key: 'plans/basic', version: 1 },
      { op: 'delete', key: 'plans/legacy', version: 0, deleted: false },
    ]);
    const second = await runExample();
    expect(second.listed).toEqual(['plans/basic', 'plans/pro']);
    expect(second.conflict).toEqual(['VERSION_CONFLICT', 0]);
  });

  it('TTL, history, time travel, restore and purge', async () => {
    const v1 = await store.put('sdk-life', 'k', 'one');
    await store.put('sdk-life', 'k', 'two');
    const ttl = await store.setTtl('sdk-life', 'k', 600, { expectedVersion: 2 });
    expect(ttl).toMatchObject({ version: 3, value: 'two' });
    expect(Date.parse(ttl.expiresAt!) - Date.now()).toBeGreaterThan(590_000);
    expect((await store.setTtl('sdk-life', 'k', null)).expiresAt).toBeNull();
    expect((await failure(store.setTtl('sdk-life', 'k', -1))).code).toBe('VALIDATION_FAILED');
    await store.delete('sdk-life', 'k');
    expect(await store.restoreEntry('sdk-life', 'k')).toMatchObject({ key: 'k', value: 'two', version: 5 });
    expect((await failure(store.restoreEntry('sdk-life', 'k'))).code).toBe('ENTRY_NOT_DELETED');
    expect(await store.getAsOf('sdk-life', 'k', v1.revision)).toMatchObject({ value: 'one', version: 1, asOf: v1.revision });
    expect(await store.purgeEntry('sdk-life', 'k')).toMatchObject({ version: 5, revision: 8 });
    expect((await failure(store.restoreEntry('sdk-life', 'k'))).code).toBe('ENTRY_NOT_FOUND');

    const history = await collect(store.history('sdk-life', 'k', { limit: 2 }));
    expect(history.map((h) => [h.type, h.version])).toEqual([
      ['StoreEntryCreated', 1], ['StoreEntryUpdated', 2], ['StoreEntryTtlSet', 3], ['StoreEntryTtlSet', 4],
      ['StoreEntryDeleted', 4], ['StoreEntryRestored', 5], ['StoreEntryDeleted', 5], ['StoreEntryPurged', 5],
    ]);
    // The purge forgot the key's values: its history keeps the events, without them.
    expect(history[0]).toMatchObject({ revision: v1.revision, position: v1.position, redacted: 'purged', actor: 'anonymous' });
    expect(history[0].value).toBeUndefined();
    const page = await store.historyPage('sdk-life', 'k', { limit: 3 });
    expect([page.items.length, typeof page.nextCursor]).toEqual([3, 'string']);

    expect((await failure(store.getAsOf('sdk-life', 'k', v1.revision))).code).toBe('ENTRY_NOT_FOUND');
    expect((await failure(store.getAsOf('sdk-life', 'k', 0))).code).toBe('ENTRY_NOT_FOUND');
    expect((await failure(store.getAsOf('sdk-life', 'k', 999))).code).toBe('VALIDATION_FAILED');
  });

  it('rollback points, rollback and its undo', async () => {
    await store.put('sdk-rb', 'a', '1');
    await store.put('sdk-rb', 'b', '2');
    const point = await store.createRollbackPoint('sdk-rb', { stage: 'pre-deploy', label: 'before' });
    expect(point).toMatchObject({ namespace: 'sdk-rb', stage: 'pre-deploy', label: 'before', revision: 2, actor: 'anonymous' });
    await store.put('sdk-rb', 'a', '10');
    await store.delete('sdk-rb', 'b');
    await store.put('sdk-rb', 'c', '3');
    expect(await store.listRollbackPoints('sdk-rb')).toEqual([point]);
    const atPoint = await store.getRollbackPoint('sdk-rb', point.id, { limit: 1 });
    expect(atPoint).toMatchObject({ id: point.id, entries: { revision: 2, count: 2, items: [{ key: 'a', value: '1' }] } });
    const rolled = await store.rollback('sdk-rb', point.id);
    expect(rolled).toMatchObject({ pointId: point.id, toRevision: 2, diff: { restored: ['b'], changed: ['a'], removed: ['c'] } });
    expect((await collect(store.list('sdk-rb'))).map((e) => [e.key, e.value])).toEqual([['a', '1'], ['b', '2']]);
    const undone = await store.rollback('sdk-rb', rolled.undoPointId);
    expect(undone.diff).toEqual({ restored: ['c'], changed: ['a'], removed: ['b'] });
    expect((await failure(store.rollback('sdk-rb', 'no-such-point'))).code).toBe('ROLLBACK_POINT_NOT_FOUND');
    expect((await failure(store.getRollbackPoint('sdk-rb', 'no-such-point'))).constructor).toBe(NotFoundError);
  });

  it('snapshots: take, list, fetch', async () => {
    await store.transaction('sdk-snap', [{ op: 'put', key: 'x', value: '1' }, { op: 'put', key: 'y', value: '2' }]);
    const snapshot = await store.createSnapshot('sdk-snap');
    expect(snapshot).toMatchObject({ namespace: 'sdk-snap', revision: 2, entryCount: 2 });
    expect(await store.listSnapshots('sdk-snap')).toEqual([snapshot]);
    expect(await store.getSnapshot('sdk-snap', snapshot.id)).toMatchObject({ id: snapshot.id, entries: { count: 2, items: [{ key: 'x' }, { key: 'y' }] } });
    expect((await failure(store.getSnapshot('sdk-snap', 'nope'))).code).toBe('SNAPSHOT_NOT_FOUND');
  });

  it('durable consumers and replica status', async () => {
    const { position } = await store.put('sdk-consumer', 'k', 'v');
    expect(await store.saveCheckpoint('sdk-sync', position)).toMatchObject({ name: 'sdk-sync', position, checkpoints: 1 });
    expect(await store.getConsumer('sdk-sync')).toMatchObject({ name: 'sdk-sync', position });
    const replicas = await store.replicas();
    expect(replicas.find((r) => r.kind === 'projector')).toMatchObject({ status: 'live', lagEvents: 0 });
    expect(replicas.find((r) => r.id === 'sdk-sync')).toMatchObject({ kind: 'consumer', position });
    expect((await failure(store.getConsumer('nobody'))).code).toBe('CONSUMER_NOT_FOUND');
    expect((await failure(store.saveCheckpoint('sdk-sync', 'not-a-position'))).code).toBe('CURSOR_INVALID');
  });

  it('reload applies the changed config file; an invalid one is refused with CONFIG_INVALID', async () => {
    writeFileSync(service.configFile, 'namespaces:\n  configured:\n    defaultTtlSeconds: 60\n');
    expect(await store.reload()).toMatchObject({ unchanged: false, changes: [{ namespace: 'configured', change: 'configured', defaultTtlSeconds: 60 }] });
    expect((await store.reload()).unchanged).toBe(true);
    writeFileSync(service.configFile, 'namespaces:\n  configured:\n    defaultTtlSeconds: -5\n');
    const refused = await failure(store.reload());
    expect([refused.constructor, refused.code]).toEqual([InvalidRequestError, 'CONFIG_INVALID']);
  });

  it('backup, restore into another service, rebuild, readiness', async () => {
    await store.put('sdk-moving', 'k', 'v');
    const download = await store.backup({ namespaces: ['sdk-moving'] });
    expect(download.filename).toMatch(/^hexastore-.*\.ndjson\.gz$/);
    const chunks: Uint8Array[] = [];
    for await (const chunk of download.body) chunks.push(chunk);
    const other = target.store;
    expect(await other.restore(Buffer.concat(chunks))).toMatchObject({ restored: true, namespaces: ['sdk-moving'], events: 2 });
    expect((await other.get('sdk-moving', 'k')).value).toBe('v');
    expect(await other.rebuild()).toMatchObject({ events: 3 });
    expect(await other.ready()).toMatchObject({ status: 'ok' });
    expect((await failure(other.restore(Buffer.from('not an archive')))).code).toBe('ARCHIVE_INVALID');
  });

  describe('read-your-writes with minPosition', () => {
    it('a read may name a write result or its position', async () => {
      const written = await store.put('sdk-ryw', 'k', 'v');
      expect((await store.get('sdk-ryw', 'k', { minPosition: written })).value).toBe('v');
      expect(await store.exists('sdk-ryw', 'k', { minPosition: written.position })).toBe(true);
      expect((await collect(store.list('sdk-ryw', { minPosition: written }))).map((e) => e.key)).toEqual(['k']);
      expect((await store.getNamespace('sdk-ryw', { minPosition: written })).entryCount).toBe(1);
      expect((await store.listNamespaces({ minPosition: written })).length).toBeGreaterThan(0);
    });

    it('a position not reached in time is READ_TIMEOUT (after the retries); a foreign or malformed one is refused at once', async () => {
      const { position } = await store.put('sdk-ryw', 'ahead', 'v');
      const [incarnation, commit] = position.split(':');
      const proxy = await FlakyProxy.start(service.url);
      try {
        const client = new StoreClient({ url: proxy.url, retry: { ...QUICK, attempts: 3 } });
        const ahead = await failure(client.get('sdk-ryw', 'ahead', { minPosition: `${incarnation}:${Number(commit) + 1000}` }));
        expect([ahead.constructor, ahead.status, ahead.code]).toEqual([StoreRequestError, 504, 'READ_TIMEOUT']);
        expect(proxy.seen.map((r) => r.headers['x-min-position'])).toEqual(Array(3).fill(`${incarnation}:${Number(commit) + 1000}`));
        const stale = await failure(client.get('sdk-ryw', 'ahead', { minPosition: `${'f'.repeat(16)}:1` }));
        expect([stale.constructor, stale.code]).toEqual([CursorStaleError, 'CURSOR_STALE']);
        expect((await failure(client.get('sdk-ryw', 'ahead', { minPosition: 'garbage' }))).code).toBe('CURSOR_INVALID');
        expect(proxy.seen).toHaveLength(5);
      } finally {
        await proxy.close();
      }
    });
  });

  describe('idempotent writes and retries', () => {
    let proxy: FlakyProxy;
    let client: StoreClient;
    beforeEach(async () => {
      proxy = await FlakyProxy.start(service.url);
      client = new StoreClient({ url: proxy.url, retry: { ...QUICK, attempts: 4 } });
    });
    afterEach(() => proxy.close());

    const keysSent = () => proxy.seen.map((r) => r.headers['idempotency-key']);

    it('the same write twice with one key is applied once and answered the same; another body with it is refused', async () => {
      const first = await store.put('sdk-idem', 'k', 'v', { idempotencyKey: 'put-k-1' });
      const again = await store.put('sdk-idem', 'k', 'v', { idempotencyKey: 'put-k-1' });
      expect(again).toEqual(first);
      expect((await collect(store.history('sdk-idem', 'k'))).length).toBe(1);
      const reused = await failure(store.put('sdk-idem', 'k', 'other', { idempotencyKey: 'put-k-1' }));
      expect([reused.status, reused.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    });

    it('every write carries a key of its own when none is given', async () => {
      await client.put('sdk-idem', 'fresh', 'a');
      await client.put('sdk-idem', 'fresh', 'a');
      await client.delete('sdk-idem', 'fresh');
      const keys = keysSent();
      expect(keys).toHaveLength(3);
      expect(new Set(keys).size).toBe(3);
      keys.forEach((key) => expect(key).toMatch(/^[0-9a-f-]{36}$/));
      expect((await collect(store.history('sdk-idem', 'fresh'))).map((h) => h.type)).toEqual(['StoreEntryCreated', 'StoreEntryUpdated', 'StoreEntryDeleted']);
    });

    it('a write whose answer was lost is retried with the same key and applied once', async () => {
      proxy.faults.push('lose-answer', 'lose-answer');
      const result = await client.put('sdk-idem', 'lost', 'v1');
      expect(result).toMatchObject({ version: 1, created: true });
      expect(proxy.seen).toHaveLength(3);
      expect(new Set(keysSent()).size).toBe(1);
      expect((await collect(store.history('sdk-idem', 'lost'))).length).toBe(1);

      proxy.faults.push('lose-answer');
      const tx = await client.transaction('sdk-idem', [{ op: 'put', key: 'lost', value: 'v2', expectedVersion: 1 }, { op: 'put', key: 'twin', value: 't' }]);
      expect(tx.results).toEqual([{ op: 'put', key: 'lost', version: 2 }, { op: 'put', key: 'twin', version: 1 }]);
      expect((await collect(store.history('sdk-idem', 'lost'))).length).toBe(2);
    });

    it('503 and dropped requests are retried; refusals are not', async () => {
      proxy.faults.push('unavailable', 'drop', 'unavailable');
      expect(await client.put('sdk-idem', 'retried', 'v')).toMatchObject({ version: 1 });
      expect(proxy.seen).toHaveLength(4);
      expect(new Set(keysSent()).size).toBe(1);
      expect((await failure(client.put('sdk-idem', 'retried', 'w', { expectedVersion: 7 }))).code).toBe('VERSION_CONFLICT');
      expect(proxy.seen).toHaveLength(5);
      proxy.faults.push('drop');
      expect((await client.get('sdk-idem', 'retried')).value).toBe('v');
    });

    it('retries are bounded: then the last failure is thrown', async () => {
      proxy.otherwise = 'unavailable';
      const busy = await failure(client.put('sdk-idem', 'never', 'v'));
      expect([busy.status, busy.code]).toEqual([503, 'BACKEND_UNAVAILABLE']);
      expect(proxy.seen).toHaveLength(4);
      proxy.otherwise = 'drop';
      const dropped = await failure(client.get('sdk-idem', 'never'));
      expect(dropped).toBeInstanceOf(StoreUnavailableError);
      expect(dropped.message).toMatch(/^cannot reach the store at http:\/\/127\.0\.0\.1:\d+ \(/);
      expect(proxy.seen).toHaveLength(8);
      expect(await store.exists('sdk-idem', 'never')).toBe(false);
    });
  });

  it('an unreachable store is StoreUnavailableError naming the address', async () => {
    const port = await vacantPort();
    const error = await failure(new StoreClient({ url: `http://127.0.0.1:${port}`, retry: { ...QUICK, attempts: 2 } }).listNamespaces());
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toBe(`cannot reach the store at http://127.0.0.1:${port} (ECONNREFUSED)`);
  });
});
