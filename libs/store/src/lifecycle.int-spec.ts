import { CommandBus, CqrsModule, QueryBus } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEntry, DeleteEntry } from './commands/entry.commands';
import { EntryRecord, replayInto } from './read-models/entries/entry-record';
import { GetEntry, ListEntries } from './queries/entry.queries';
import { requireStoreEvent } from './events/store-event';
import { GetNamespace } from './queries/namespace.queries';
import { RebuildReadModels } from './commands/rebuild.commands';
import { SqliteStoreBackend } from './runtime/sqlite-store-backend';
import { StoreBackend } from './runtime/store-backend';
import { Clock } from './shared/clock';
import { DEFAULT_LIMITS } from './shared/limits';
import { RequestMeta } from './shared/request-meta';
import { namespaceStream } from './shared/store-events';
import { TakeSnapshot } from './commands/snapshot.commands';
import { RestoreEntry } from './commands/soft-delete.commands';
import { StoreModule } from './store.module';
import { ExpirySweeper } from './commands/expiry-sweeper';
import { SetTtl } from './commands/ttl.commands';

class ManualClock extends Clock {
  constructor(public at = Date.parse('2026-01-01T00:00:00Z')) {
    super();
  }
  now() {
    return new Date(this.at);
  }
}

const meta: RequestMeta = { actor: 'tester', correlationId: 'corr', causationId: 'req' };
const put = (ns: string, key: string, value: string, extra: object = {}) =>
  new PutEntry(ns, { op: 'put', key, value: Buffer.from(value), ...extra }, meta);

/** One store process: the store module on the data file, with its own clock wrapper and no timed sweeps. */
async function openStore(dir: string, clock: Clock) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      StoreModule.forRoot({ openBackend: () => new SqliteStoreBackend(dir), limits: DEFAULT_LIMITS, clock, sweeper: { enabled: false } }),
    ],
  }).compile();
  await moduleRef.init();
  return {
    commands: moduleRef.get(CommandBus),
    queries: moduleRef.get(QueryBus),
    sweeper: moduleRef.get(ExpirySweeper),
    backend: moduleRef.get(StoreBackend) as SqliteStoreBackend,
    close: () => moduleRef.close(),
  };
}
type Store = Awaited<ReturnType<typeof openStore>>;

const eventsOf = async (store: Store, ns: string) => store.backend.eventStore.readStream(namespaceStream(ns));

describe('lifecycle on the sqlite backend', () => {
  let dir: string;
  let clock: ManualClock;
  const open: Store[] = [];
  const start = async () => {
    const store = await openStore(dir, clock);
    open.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hexastore-lifecycle-'));
    clock = new ManualClock();
  });
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('expiry', () => {
    it('hides an entry at once, and two stores on one file sweeping together record each expiry once', async () => {
      const [a, b] = [await start(), await start()];
      const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
      for (const key of keys) await a.commands.execute(put('ttl', key, 'v', { ttlSeconds: 10 }));
      await a.commands.execute(put('ttl', 'keep', 'v'));
      clock.at += 10_000;
      for (const store of [a, b]) await expect(store.queries.execute(new GetEntry('ttl', 'k7'))).rejects.toMatchObject({ code: 'ENTRY_NOT_FOUND' });

      const swept = await Promise.all([a.sweeper.sweep(), b.sweeper.sweep(), a.sweeper.sweep(), b.sweeper.sweep()]);
      expect(swept.reduce((x, y) => x + y, 0)).toBe(keys.length);
      const expired = (await eventsOf(a, 'ttl')).filter((e) => e.type === 'StoreEntryExpired');
      expect(expired.map((e) => (e.data as { key: string }).key).sort()).toEqual([...keys].sort());
      expect(expired.every((e) => e.metadata.actor === 'system:expiry-sweeper')).toBe(true);
      expect(await b.queries.execute(new GetNamespace('ttl'))).toMatchObject({ entryCount: 1, bytes: 5 });
      expect(await Promise.all([a.sweeper.sweep(), b.sweeper.sweep()])).toEqual([0, 0]);
    });

    it('a clock set back never revives an expired key, before or after its expiry is recorded', async () => {
      const first = await start();
      await first.commands.execute(put('ttl', 'session', 'v', { ttlSeconds: 10 }));
      clock.at += 10_000;
      await expect(first.queries.execute(new GetEntry('ttl', 'session'))).rejects.toMatchObject({ code: 'ENTRY_NOT_FOUND' });
      clock.at -= 60_000; // the machine's clock jumps back before the sweeper ran
      await expect(first.queries.execute(new GetEntry('ttl', 'session'))).rejects.toMatchObject({ code: 'ENTRY_NOT_FOUND' });
      expect((await first.queries.execute(new ListEntries('ttl'))).items).toEqual([]);
      await expect(first.commands.execute(new SetTtl('ttl', { key: 'session', ttlSeconds: 60 }, meta))).rejects.toMatchObject({ code: 'ENTRY_NOT_FOUND' });
      expect(await first.sweeper.sweep()).toBe(1);

      // Another process that never saw the expiry, its clock still behind: the recorded expiry holds.
      const other = await start();
      await expect(other.queries.execute(new GetEntry('ttl', 'session'))).rejects.toMatchObject({ code: 'ENTRY_NOT_FOUND' });
      expect(await other.commands.execute(put('ttl', 'session', 'new'))).toMatchObject({ created: true, version: 1 });
    });

    it('a write that finds a due expiry records it first, so the sweeper finds nothing left', async () => {
      const store = await start();
      await store.commands.execute(put('ttl', 'k', 'v', { ttlSeconds: 1 }));
      clock.at += 1000;
      await store.commands.execute(put('ttl', 'k', 'again'));
      expect((await eventsOf(store, 'ttl')).map((e) => e.type)).toEqual([
        'StoreNamespaceCreated', 'StoreEntryCreated', 'StoreEntryExpired', 'StoreEntryCreated',
      ]);
      expect(await store.sweeper.sweep()).toBe(0);
    });
  });

  describe('time travel and snapshots', () => {
    /** A mixed workload over a few keys; answers the namespace's final revision. */
    async function workload(store: Store): Promise<number> {
      let revision = 0;
      const track = (r: { revision: number }) => (revision = r.revision);
      for (let i = 0; i < 60; i++) {
        const key = `k${i % 5}`;
        const live = await store.queries.execute(new GetEntry('tt', key)).then(() => true, () => false);
        if (i % 7 === 3 && live) track(await store.commands.execute(new DeleteEntry('tt', { op: 'delete', key }, meta)));
        else if (i % 11 === 5 && !live) {
          track(await store.commands.execute(new RestoreEntry('tt', key, meta)).catch(() => store.commands.execute(put('tt', key, `r${i}`))));
        } else if (i % 13 === 4 && live) track(await store.commands.execute(new SetTtl('tt', { key, ttlSeconds: 3600 }, meta)));
        else track(await store.commands.execute(put('tt', key, `v${i}`, { metadata: { i: String(i) } })));
        if (i % 20 === 10) await store.commands.execute(new TakeSnapshot('tt', meta)).then(track);
      }
      return revision;
    }

    it('answers every revision the same from the nearest snapshot as from a replay of the whole log', async () => {
      const store = await start();
      const head = await workload(store);
      expect(store.backend.snapshots.list('tt')).toHaveLength(3);
      const events = await eventsOf(store, 'tt');
      const fromZero = new Map<string, EntryRecord>();
      for (let revision = 0; revision <= head; revision++) {
        replayInto(fromZero, requireStoreEvent(events[revision]));
        expect(await store.backend.timeTravel.stateAt('tt', revision)).toEqual(fromZero);
        for (const key of ['k0', 'k1', 'k2', 'k3', 'k4']) {
          expect(await store.backend.timeTravel.entryAt('tt', key, revision)).toEqual(fromZero.get(key));
        }
      }
    });

    it('snapshot content is a cache of the log: a rebuild makes it again, the same', async () => {
      const store = await start();
      await workload(store);
      const snapshots = store.backend.snapshots.list('tt');
      const contents = snapshots.map((s) => store.backend.snapshots.records('tt', s.id));
      expect(contents.map((c) => [...c.values()].filter((r) => r.deletedAt === null).length)).toEqual(snapshots.map((s) => s.entryCount));
      await store.commands.execute(new RebuildReadModels());
      expect(store.backend.snapshots.list('tt')).toEqual(snapshots);
      expect(snapshots.map((s) => store.backend.snapshots.records('tt', s.id))).toEqual(contents);
    });
  });
});

describe('read models and store-wide streams', () => {
  it('leave events of streams that are not a namespace alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hexastore-wide-'));
    const backend = new SqliteStoreBackend(dir);
    try {
      const data = { sha256: 'f'.repeat(64), changes: [], unchanged: true, trigger: 'cli' };
      const metadata = { actor: 'ops', correlationId: 'c', causationId: 'c', schemaVersion: 1, timestamp: new Date().toISOString() };
      await backend.eventStore.append('store-_store', [{ id: 'e1', type: 'StoreConfigReloaded', data, metadata }], 'any');
      expect(backend.namespaces.list()).toEqual([]);
      expect(await backend.rebuild()).toBe(1);
    } finally {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
