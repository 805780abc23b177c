import { BackendUnavailableError, EventStore, formatPosition, SqliteEventStore } from '@app/event-store';
import { ControllableLog } from '@app/event-store/contract/controllable-log';
import { LoggerService } from '@nestjs/common';
import { CommandBus, CqrsModule, QueryBus } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEntry } from '../commands/entry.commands';
import { GetEntry, ListEntries } from '../queries/entry.queries';
import { ListNamespaces } from '../queries/namespace.queries';
import { DEFAULT_LIMITS } from '../shared/limits';
import { RequestMeta } from '../shared/request-meta';
import { StoreModule } from '../store.module';
import { RebuildReadModels } from '../commands/rebuild.commands';
import { SharedLogStoreBackend } from './shared-log-store-backend';

/** The backend's structured log entries (Nest's own lines are plain text). */
const logs: { level: string; entry: unknown }[] = [];
const capture = (level: string) => (entry: unknown) => void (typeof entry === 'object' && logs.push({ level, entry }));
const capturing: LoggerService = { log: capture('log'), warn: capture('warn'), error: capture('error') };

const meta = (extra: Partial<RequestMeta> = {}): RequestMeta => ({ actor: 'tester', correlationId: 'c', causationId: 'r', ...extra });
const put = (ns: string, key: string, value: string, extra: { expectedVersion?: number } = {}, m = meta()) =>
  new PutEntry(ns, { op: 'put', key, value: Buffer.from(value), ...extra }, m);

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error('condition not reached');
}

// The log the replicas share is the SQLite adapter here (the port and contract EventStoreDB's adapter
// also passes); test/eventstoredb.e2e-spec.ts runs replicas on a live EventStoreDB node when one is given.
describe('SharedLogStoreBackend: replicas on one shared log', () => {
  let dirs: string[];
  let store: SqliteEventStore;
  let closers: (() => Promise<void>)[];

  async function replica(
    log: EventStore, options: { open?: () => Promise<EventStore>; readWaitTimeoutMs?: number; writeTimeoutMs?: number } = {},
  ) {
    const dataDir = mkdtempSync(join(tmpdir(), 'hexastore-replica-'));
    dirs.push(dataDir);
    const backend = new SharedLogStoreBackend({
      name: 'test', dataDir, writeTimeoutMs: options.writeTimeoutMs ?? 5000, retryMs: { first: 5, max: 20 }, open: options.open ?? (async () => log),
    });
    const moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), StoreModule.forRoot({
        openBackend: () => backend, limits: DEFAULT_LIMITS, readWaitTimeoutMs: options.readWaitTimeoutMs ?? 5000,
      })],
    }).setLogger(capturing).compile();
    await moduleRef.init();
    closers.push(() => moduleRef.close());
    return { backend, commands: moduleRef.get(CommandBus), queries: moduleRef.get(QueryBus) };
  }

  const ready = async (r: { backend: SharedLogStoreBackend }) => until(() => r.backend.unready() === undefined);

  beforeEach(() => {
    dirs = [];
    closers = [];
    logs.length = 0;
    store = new SqliteEventStore({ file: ':memory:', pollIntervalMs: 10 });
  });
  afterEach(async () => {
    for (const close of closers) await close();
    await store.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('a write is readable on its replica when answered, and on another once it reaches the position', async () => {
    const [a, b] = [await replica(new ControllableLog(store)), await replica(new ControllableLog(store))];
    await Promise.all([ready(a), ready(b)]);
    const written = await a.commands.execute(put('app', 'k', 'v1'));
    expect(written).toMatchObject({ created: true, version: 1, revision: 1, value: 'v1' });
    expect(a.backend.entries.get('app', 'k', Date.now())).toMatchObject({ value: 'v1' });
    expect(await b.queries.execute(new GetEntry('app', 'k', written.position))).toMatchObject({ value: 'v1', version: 1 });
  });

  it('the answer shows the write and nothing later, though the replica projects later events with it', async () => {
    const logA = new ControllableLog(store);
    const [a, b] = [await replica(logA), await replica(new ControllableLog(store))];
    await Promise.all([ready(a), ready(b)]);
    logA.hold();
    const first = a.commands.execute(put('app', 'k', 'mine'));
    await until(() => store.headSync() === 2);
    await b.commands.execute(put('app', 'k', 'later'));
    logA.resume();
    expect(await first).toMatchObject({ value: 'mine', version: 1, revision: 1 });
  });

  it('concurrent compare-and-set increments through both replicas lose no update', async () => {
    const replicas = [await replica(new ControllableLog(store)), await replica(new ControllableLog(store))];
    await Promise.all(replicas.map(ready));
    let conflicts = 0;
    const increment = async (r: (typeof replicas)[number]) => {
      for (let attempt = 0; attempt < 500; attempt++) {
        const current = await r.queries.execute(new GetEntry('cas', 'counter')).catch(() => undefined);
        try {
          return await r.commands.execute(put('cas', 'counter', String(Number(current?.value ?? 0) + 1), { expectedVersion: current?.version ?? 0 }));
        } catch (error) {
          if ((error as { code?: string }).code !== 'VERSION_CONFLICT') throw error;
          conflicts += 1;
        }
      }
      throw new Error('no increment in 500 attempts');
    };
    const workers = Array.from({ length: 16 }, async (_, i) => {
      for (let n = 0; n < 3; n++) await increment(replicas[i % 2]);
    });
    await Promise.all(workers);
    const head = formatPosition((await store.headPosition())!);
    for (const r of replicas) {
      expect(await r.queries.execute(new GetEntry('cas', 'counter', head))).toMatchObject({ value: '48', version: 48 });
    }
    expect(conflicts).toBeGreaterThan(0);
  });

  it('the same retried request racing on both replicas is written once and answered the same', async () => {
    const [a, b] = [await replica(new ControllableLog(store)), await replica(new ControllableLog(store))];
    await Promise.all([ready(a), ready(b)]);
    const retried = meta({ idempotencyKey: 'req-1' });
    const [fromA, fromB] = await Promise.all([
      a.commands.execute(put('idem', 'k', 'once', {}, retried)),
      b.commands.execute(put('idem', 'k', 'once', {}, retried)),
    ]);
    expect(fromB).toEqual(fromA);
    expect(fromA).toMatchObject({ created: true, version: 1 });
    expect((await store.readStream('store-idem')).map((e) => e.type)).toEqual(['StoreNamespaceCreated', 'StoreEntryCreated']);
    expect(await b.commands.execute(put('idem', 'k', 'once', {}, retried))).toEqual(fromA);
    await expect(a.commands.execute(put('idem', 'k', 'other', {}, retried))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await store.readStream('store-idem')).toHaveLength(2);
  });

  it('a retry whose first answer was never recorded is answered from the events written', async () => {
    const a = await replica(new ControllableLog(store), { writeTimeoutMs: 100 });
    await ready(a);
    const first = await a.commands.execute(put('idem', 'k', 'v', {}, meta({ idempotencyKey: 'probe' })));
    // What a replica that stopped between its write and its answer leaves in the log:
    const fingerprint = a.backend.idempotency.get('probe')!.fingerprint;
    await store.append('store-idem', [{
      id: '6f1d2c3b-0000-4000-8000-000000000001', type: 'StoreEntryUpdated',
      data: { namespace: 'idem', key: 'k', value: 'v', metadata: {}, version: 2, expiresAt: null },
      metadata: { idempotencyKey: 'lost-answer', requestFingerprint: fingerprint, timestamp: new Date().toISOString() },
    }], first.revision);
    await until(() => a.backend.idempotency.get('lost-answer') !== undefined);
    const answer = await a.commands.execute(put('idem', 'k', 'v', {}, meta({ idempotencyKey: 'lost-answer' })));
    expect(answer).toMatchObject({ version: 2, revision: 2, created: false, value: 'v' });
    expect(await store.readStream('store-idem')).toHaveLength(3);
    expect(await a.commands.execute(put('idem', 'k', 'v', {}, meta({ idempotencyKey: 'lost-answer' })))).toEqual(answer);
  });

  it('a lagging replica decides refusals and conflicting appends again on the state of the log', async () => {
    const logB = new ControllableLog(store);
    const [a, b] = [await replica(new ControllableLog(store)), await replica(logB)];
    await Promise.all([ready(a), ready(b)]);
    logB.hold();
    await a.commands.execute(put('lag', 'k', 'v1'));
    const cas = b.commands.execute(put('lag', 'k', 'v2', { expectedVersion: 1 }));
    await new Promise((r) => setTimeout(r, 20));
    logB.resume();
    expect(await cas).toMatchObject({ version: 2, value: 'v2' });

    logB.hold();
    await a.commands.execute(put('lag', 'k', 'v3'));
    const blind = b.commands.execute(put('lag', 'k', 'v4'));
    await new Promise((r) => setTimeout(r, 20));
    logB.resume();
    expect(await blind).toMatchObject({ version: 4, created: false, value: 'v4', revision: 4 });
  });

  it('starts while the log is unreachable, answers BackendUnavailableError, and serves once it opens', async () => {
    let reachable = false;
    const log = new ControllableLog(store);
    const r = await replica(log, {
      open: async () => {
        if (!reachable) throw new BackendUnavailableError('connection refused');
        return log;
      },
    });
    await until(() => logs.some((l) => l.level === 'warn'));
    expect(r.backend.unready()).toBe('not connected to the event log: connection refused');
    await expect(r.queries.execute(new ListNamespaces())).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(r.commands.execute(put('app', 'k', 'v'))).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(store.headSync()).toBe(0);
    expect(logs[0]).toEqual({
      level: 'warn',
      entry: { msg: 'cannot open the event log; retrying', attempt: 1, retryInMs: 5, error: 'connection refused' },
    });
    reachable = true;
    await ready(r);
    expect(await r.commands.execute(put('app', 'k', 'v'))).toMatchObject({ created: true });
  });

  it('a replica on an empty read-model file rebuilds from the log and logs its progress', async () => {
    const a = await replica(new ControllableLog(store));
    await ready(a);
    for (let i = 0; i < 5; i++) await a.commands.execute(put(`ns${i % 2}`, `k${i}`, `v${i}`));
    logs.length = 0;
    const c = await replica(new ControllableLog(store));
    await ready(c);
    expect(await c.queries.execute(new ListNamespaces())).toEqual(await a.queries.execute(new ListNamespaces()));
    const entries = logs.map((l) => l.entry as { msg: string });
    expect(entries[0]).toEqual({ msg: 'rebuilding the read models from the log', head: `${store.incarnation}:7`, percent: 0 });
    expect(entries[entries.length - 1]).toMatchObject({ msg: 'read models rebuilt', events: 7 });
  });

  it('a dropped subscription resumes from the checkpoint with no gap and nothing applied twice', async () => {
    const logB = new ControllableLog(store);
    const [a, b] = [await replica(new ControllableLog(store)), await replica(logB)];
    await Promise.all([ready(a), ready(b)]);
    logB.hold();
    logB.drop();
    await a.commands.execute(put('drop', 'warm', 'up'));
    logB.resume();
    await until(() => logs.some((l) => (l.entry as { msg: string }).msg === 'following the event log failed; resuming from the checkpoint'));
    let last = '';
    for (let i = 0; i < 5; i++) last = (await a.commands.execute(put('drop', `k${i}`, 'v'))).position;
    const listed = await b.queries.execute(new ListNamespaces(last));
    expect(listed).toEqual(await a.queries.execute(new ListNamespaces()));
    expect(listed[0]).toMatchObject({ name: 'drop', entryCount: 6, revision: 6 });
  });

  it('rebuild replays the whole log and leaves the read models as they were', async () => {
    const a = await replica(new ControllableLog(store));
    await ready(a);
    await a.commands.execute(put('rb', 'a', '1'));
    await a.commands.execute(put('rb', 'b', '2'));
    const before = await a.queries.execute(new ListEntries('rb'));
    expect(await a.commands.execute(new RebuildReadModels())).toMatchObject({ events: 3 });
    expect(await a.queries.execute(new ListEntries('rb'))).toEqual(before);
    expect(a.backend.unready()).toBeUndefined();
  });

  it('readiness reports how many events the replica is behind the head', async () => {
    const logB = new ControllableLog(store);
    const [a, b] = [await replica(new ControllableLog(store)), await replica(logB)];
    await Promise.all([ready(a), ready(b)]);
    logB.hold();
    const { position } = await a.commands.execute(put('lagging', 'k', 'v'));
    expect(await b.backend.describe()).toMatchObject({ lag: 2, lagCapped: false, head: position, rebuilding: false, readModels: 'read-models.db' });
    logB.resume();
    await b.queries.execute(new GetEntry('lagging', 'k', position));
    expect(await b.backend.describe()).toMatchObject({ lag: 0, projected: position, head: position });
  });

  it('minPosition: malformed is CURSOR_INVALID, another incarnation CURSOR_STALE, not reached in time READ_TIMEOUT', async () => {
    const a = await replica(new ControllableLog(store), { readWaitTimeoutMs: 20 });
    await ready(a);
    await expect(a.queries.execute(new ListNamespaces('not-a-position'))).rejects.toMatchObject({ code: 'CURSOR_INVALID' });
    await expect(a.queries.execute(new ListNamespaces('ffffffffffffffff:1'))).rejects.toMatchObject({ code: 'CURSOR_STALE' });
    await expect(a.queries.execute(new ListNamespaces(`${store.incarnation}:99`))).rejects.toMatchObject({ code: 'READ_TIMEOUT' });
  });
});
