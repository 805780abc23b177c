import { SCHEMA_VERSION } from './shared/store-events';
import { CommandBus, CqrsModule, QueryBus } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEntry, DeleteEntry, CommitTransaction } from './commands/entry.commands';
import { GetEntry, ListEntries } from './queries/entry.queries';
import { ListNamespaces } from './queries/namespace.queries';
import { SqliteStoreBackend } from './runtime/sqlite-store-backend';
import { RebuildReadModels } from './commands/rebuild.commands';
import { Clock } from './shared/clock';
import { DEFAULT_LIMITS } from './shared/limits';
import { RequestMeta } from './shared/request-meta';
import { StoreModule } from './store.module';

class ManualClock extends Clock {
  constructor(public at = Date.parse('2026-01-01T00:00:00Z')) {
    super();
  }
  now() {
    return new Date(this.at);
  }
}

const meta: RequestMeta = { actor: 'tester', correlationId: 'corr-1', causationId: 'req-1' };
const put = (ns: string, key: string, value: string, extra: object = {}) =>
  new PutEntry(ns, { op: 'put', key, value: Buffer.from(value), ...extra }, meta);

describe('StoreModule on the sqlite backend', () => {
  let dir: string;
  let clock: ManualClock;
  let commands: CommandBus;
  let queries: QueryBus;
  let close: () => Promise<void>;

  async function boot() {
    const moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), StoreModule.forRoot({ openBackend: () => new SqliteStoreBackend(dir), limits: DEFAULT_LIMITS, clock })],
    }).compile();
    await moduleRef.init();
    commands = moduleRef.get(CommandBus);
    queries = moduleRef.get(QueryBus);
    close = () => moduleRef.close();
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hexastore-mod-'));
    clock = new ManualClock();
    await boot();
  });
  afterEach(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes through the command bus and reads through the query bus', async () => {
    const created = await commands.execute(put('app', 'greeting', 'hello', { metadata: { lang: 'en' } }));
    expect(created).toMatchObject({ created: true, version: 1, revision: 1, value: 'hello', metadata: { lang: 'en' } });
    expect(created.position).toMatch(/^[0-9a-f]{16}:2$/);
    const updated = await commands.execute(put('app', 'greeting', 'hi'));
    expect(updated).toMatchObject({ created: false, version: 2, revision: 2, createdAt: created.createdAt });
    expect(await queries.execute(new GetEntry('app', 'greeting'))).toMatchObject({ value: 'hi', version: 2, metadata: {} });
  });

  it('records actor, correlation and schema version on every event', async () => {
    await commands.execute(put('app', 'k', 'v'));
    const backend = new SqliteStoreBackend(dir);
    const [created, entry] = await backend.eventStore.readStream('store-app');
    expect(created.type).toBe('StoreNamespaceCreated');
    expect(entry.metadata).toEqual({
      actor: 'tester', correlationId: 'corr-1', causationId: 'req-1', schemaVersion: SCHEMA_VERSION, timestamp: '2026-01-01T00:00:00.000Z',
    });
    await backend.close();
  });

  it('hides an entry the moment its TTL passes, by the injected clock', async () => {
    await commands.execute(put('app', 'session', 'x', { ttlSeconds: 10 }));
    clock.at += 9_999;
    expect(await queries.execute(new GetEntry('app', 'session'))).toMatchObject({ expiresAt: '2026-01-01T00:00:10.000Z' });
    clock.at += 1;
    await expect(queries.execute(new GetEntry('app', 'session'))).rejects.toMatchObject({ code: 'ENTRY_NOT_FOUND' });
    expect((await queries.execute(new ListEntries('app'))).items).toEqual([]);
    expect(await commands.execute(put('app', 'session', 'y'))).toMatchObject({ created: true, version: 1 });
  });

  it('a rebuild leaves every read model exactly as the live projection made it', async () => {
    await commands.execute(put('a', 'k1', 'v1'));
    await commands.execute(put('a', 'k2', 'v2'));
    await commands.execute(put('b', 'k1', 'x'.repeat(100)));
    await commands.execute(new DeleteEntry('a', { op: 'delete', key: 'k1' }, meta));
    await commands.execute(new CommitTransaction('b', [
      { op: 'put', key: 'k2', value: Buffer.from([0xff, 0x00]) },
      { op: 'delete', key: 'k1' },
    ], meta));
    const snapshot = async () => ({
      namespaces: await queries.execute(new ListNamespaces()),
      a: await queries.execute(new ListEntries('a')),
      b: await queries.execute(new ListEntries('b')),
    });
    const live = await snapshot();
    expect(await commands.execute(new RebuildReadModels())).toMatchObject({ events: 8 });
    expect(await snapshot()).toEqual(live);
    expect(live.b.items[0]).toMatchObject({ key: 'k2', valueBase64: '/wA=' });
  });

  it('two backends on one data file each see what the other wrote', async () => {
    const other = new SqliteStoreBackend(dir);
    await commands.execute(put('shared', 'k', 'one'));
    expect(other.entries.get('shared', 'k', clock.at)).toMatchObject({ value: 'one', version: 1 });
    await other.writer.write(meta, clock.now(), {
      namespace: 'shared', keys: ['k'], operation: 'test', input: {},
      decide: () => [{ type: 'StoreEntryUpdated', data: { namespace: 'shared', key: 'k', value: 'two', metadata: {}, version: 2, expiresAt: null } }],
      respond: () => null,
    });
    expect(await queries.execute(new GetEntry('shared', 'k'))).toMatchObject({ value: 'two', version: 2 });
    await other.close();
  });
});
