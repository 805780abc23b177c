import { formatPosition, RecordedEvent, StalePositionError } from '@app/event-store';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { CommitTransaction, DeleteEntry, PutEntry } from '../commands/entry.commands';
import { ListEntries } from '../queries/entry.queries';
import { CreateNamespace } from '../commands/namespace.commands';
import { ListNamespaces } from '../queries/namespace.queries';
import { SqliteStoreBackend } from '../runtime/sqlite-store-backend';
import { Clock } from '../shared/clock';
import { StoreError } from '../shared/errors';
import { DEFAULT_LIMITS } from '../shared/limits';
import { RequestMeta } from '../shared/request-meta';
import { SCHEMA_VERSION, STORE_WIDE_STREAM } from '../shared/store-events';
import { createStoreContext, StoreContext } from '../store.context';
import { BackupStore, RestoreStore } from './backup.commands';

class SteppingClock extends Clock {
  private at = Date.parse('2026-03-01T10:00:00Z');
  now() {
    this.at += 1000;
    return new Date(this.at);
  }
}

const meta: RequestMeta = { actor: 'operator', correlationId: 'corr', causationId: 'req' };
const dirs: string[] = [];
const open = (dir = mkdtempSync(join(tmpdir(), 'hexastore-backup-'))): Promise<StoreContext> => {
  dirs.push(dir);
  return createStoreContext({ openBackend: () => new SqliteStoreBackend(dir), limits: DEFAULT_LIMITS, clock: new SteppingClock() });
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const put = (ns: string, key: string, value: string | Buffer, extra: object = {}) =>
  new PutEntry(ns, { op: 'put', key, value: Buffer.from(value), ...extra }, meta);

async function seed(store: StoreContext): Promise<void> {
  await store.commands.execute(put('app', 'greeting', 'hello', { metadata: { lang: 'en' } }));
  await store.commands.execute(put('app', 'greeting', 'hi'));
  await store.commands.execute(put('app', 'bytes', Buffer.from([0xff, 0x00, 0xfe])));
  await store.commands.execute(put('app', 'session', 's', { ttlSeconds: 3600 }));
  await store.commands.execute(new DeleteEntry('app', { op: 'delete', key: 'session' }, meta));
  await store.commands.execute(put('billing', 'plans/pro', '{"price":20}'));
  await store.commands.execute(new CommitTransaction('billing', [
    { op: 'put', key: 'plans/basic', value: Buffer.from('10'), expectedVersion: 0 },
    { op: 'delete', key: 'plans/pro' },
  ], meta));
  await store.commands.execute(new CreateNamespace('empty', meta));
}

async function backup(store: StoreContext, namespaces?: string[]): Promise<Buffer> {
  const { stream } = await store.commands.execute(new BackupStore(meta, { namespaces }));
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const restore = (store: StoreContext, archive: Buffer) => store.commands.execute(new RestoreStore(Readable.from([archive]), meta));

async function logOf(store: StoreContext): Promise<RecordedEvent[]> {
  return store.backend.eventStore.readAll({ after: 'start', maxCount: 100_000 });
}

/** The log of the namespace streams as an archive keeps it: everything but the positions. */
const namespaceLog = async (store: StoreContext) =>
  (await logOf(store)).filter((e) => e.stream !== STORE_WIDE_STREAM).map(({ position: _, ...event }) => event);

async function stateOf(store: StoreContext) {
  const namespaces = await store.queries.execute(new ListNamespaces());
  const entries = await Promise.all(namespaces.map((ns) => store.queries.execute(new ListEntries(ns.name, { limit: 1000 }))));
  return { namespaces, entries };
}

describe('BackupStore and RestoreStore on the sqlite backend', () => {
  let source: StoreContext;
  beforeAll(async () => {
    source = await open();
    await seed(source);
  });
  afterAll(() => source.close());

  it('round trip: the restored store equals the source — entries, versions, namespaces and the log itself', async () => {
    const archive = await backup(source);
    const target = await open();
    const result = await restore(target, archive);
    expect(result).toEqual({
      restored: true,
      namespaces: ['app', 'billing', 'empty'],
      events: 11,
      incarnation: target.backend.eventStore.incarnation,
      position: `${target.backend.eventStore.incarnation}:12`,
    });
    expect(result.incarnation).not.toBe(source.backend.eventStore.incarnation);
    const state = await stateOf(target);
    expect(state.entries.map((page) => page.items.map((e) => `${e.key}@${e.version}=${e.value ?? e.valueBase64}`))).toEqual([
      ['bytes@1=/wD+', 'greeting@2=hi'], ['plans/basic@1=10'], [],
    ]);
    expect(state).toEqual(await stateOf(source));
    expect(await namespaceLog(target)).toEqual(await namespaceLog(source));
    const [restored] = await target.backend.eventStore.readStream(STORE_WIDE_STREAM);
    expect(restored).toMatchObject({
      type: 'StoreRestored',
      data: { namespaces: ['app', 'billing', 'empty'], eventCount: 11, sourceBackend: 'sqlite', incarnation: result.incarnation },
      metadata: { actor: 'operator', correlationId: 'corr' },
    });
    await target.close();
  });

  it('records StoreBackupCreated with who, when and counts, after the events it covers', async () => {
    const before = await logOf(source);
    const archive = await backup(source);
    const trailer = JSON.parse(gunzipSync(archive).toString('utf8').trimEnd().split('\n').pop()!);
    const after = await logOf(source);
    expect(after).toHaveLength(before.length + 1);
    expect(after[after.length - 1]).toMatchObject({
      stream: STORE_WIDE_STREAM,
      type: 'StoreBackupCreated',
      data: { namespaces: ['app', 'billing', 'empty'], eventCount: 11, sha256: trailer.sha256, headPosition: formatPosition(before[before.length - 1].position) },
      metadata: { actor: 'operator', correlationId: 'corr', causationId: 'req', schemaVersion: SCHEMA_VERSION },
    });
  });

  it('covers the log up to its head when the backup starts, whatever is written while it streams', async () => {
    const store = await open();
    await store.commands.execute(put('live', 'k', 'v1'));
    const { stream, header } = await store.commands.execute(new BackupStore(meta));
    await store.commands.execute(put('live', 'k', 'v2'));
    await store.commands.execute(put('later', 'k', 'x'));
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const lines = gunzipSync(Buffer.concat(chunks)).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(header.namespaces).toEqual(['live']);
    expect(lines.slice(1, -1).map((e) => `${e.stream}@${e.revision}`)).toEqual(['store-live@0', 'store-live@1']);
    await store.close();
  });

  it('a subset backup holds only the namespaces asked for; unknown or invalid names are refused', async () => {
    const archive = await backup(source, ['billing']);
    const lines = gunzipSync(archive).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ format: 'hexastore-backup', formatVersion: 1, namespaces: ['billing'], sourceBackend: 'sqlite' });
    expect(new Set(lines.slice(1, -1).map((e) => e.stream))).toEqual(new Set(['store-billing']));
    expect(lines[lines.length - 1]).toEqual({ eventCount: 4, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await expect(backup(source, ['billing', 'nope'])).rejects.toMatchObject({ code: 'NAMESPACE_NOT_FOUND', details: { namespaces: ['nope'] } });
    await expect(backup(source, ['Bad!'])).rejects.toMatchObject({ code: 'NAMESPACE_INVALID' });
  });

  it('refuses a store that has any namespace of the archive with RESTORE_CONFLICT, and writes nothing', async () => {
    const archive = await backup(source);
    const target = await open();
    await target.commands.execute(put('billing', 'mine', 'x'));
    const before = { log: await logOf(target), state: await stateOf(target), incarnation: target.backend.eventStore.incarnation };
    const refusal = await restore(target, archive).catch((e: StoreError) => e);
    expect(refusal).toBeInstanceOf(StoreError);
    expect(refusal).toMatchObject({ code: 'RESTORE_CONFLICT', details: { namespaces: ['billing'] } });
    expect({ log: await logOf(target), state: await stateOf(target), incarnation: target.backend.eventStore.incarnation }).toEqual(before);
    await target.close();
  });

  it('restores beside namespaces the archive does not have, which stay as they were', async () => {
    const archive = await backup(source, ['app']);
    const target = await open();
    await target.commands.execute(put('other', 'k', 'v'));
    const other = await target.queries.execute(new ListEntries('other'));
    expect(await restore(target, archive)).toMatchObject({ restored: true, namespaces: ['app'], events: 6 });
    expect(await target.queries.execute(new ListEntries('other'))).toEqual(other);
    expect((await stateOf(target)).namespaces.map((n) => n.name)).toEqual(['app', 'other']);
    await target.close();
  });

  it('a repeat of the same archive is a no-op answered restored: false, even after later writes', async () => {
    const archive = await backup(source);
    const target = await open();
    const first = await restore(target, archive);
    await target.commands.execute(put('app', 'greeting', 'changed after the restore'));
    const log = await logOf(target);
    const again = await restore(target, archive);
    expect(again).toEqual({ ...first, restored: false, position: formatPosition(log[log.length - 1].position) });
    expect(await logOf(target)).toEqual(log);
    expect(target.backend.eventStore.incarnation).toBe(first.incarnation);
    await target.close();
  });

  it('an archive overlapping a restored one only in part is a conflict', async () => {
    const target = await open();
    await restore(target, await backup(source, ['app']));
    await expect(restore(target, await backup(source))).rejects.toMatchObject({ code: 'RESTORE_CONFLICT', details: { namespaces: ['app'] } });
    await target.close();
  });

  it('gives the store a new incarnation: positions from before are stale, and it holds across a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hexastore-backup-'));
    const target = await open(dir);
    const { position: old } = await target.commands.execute(put('before', 'k', 'v'));
    const result = await restore(target, await backup(source));
    const log = target.backend.eventStore;
    await expect(log.readAll({ after: (await logOf(target))[0].position, maxCount: 1 })).resolves.toHaveLength(1);
    const stale = log.readAll({ after: { ...(await logOf(target))[0].position, incarnation: old.split(':')[0] }, maxCount: 1 });
    await expect(stale).rejects.toBeInstanceOf(StalePositionError);
    const state = await stateOf(target);
    await target.close();
    const reopened = await open(dir);
    expect(reopened.backend.eventStore.incarnation).toBe(result.incarnation);
    const backend = reopened.backend as SqliteStoreBackend;
    expect(backend.projectors()[0].position).toMatchObject({ incarnation: result.incarnation, commit: (await backend.eventStore.headPosition())!.commit });
    expect(await stateOf(reopened)).toEqual(state);
    await reopened.close();
  });

  it('leaves no spooled archive behind, restored or refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hexastore-backup-'));
    const target = await open(dir);
    const archive = await backup(source);
    await restore(target, archive);
    await expect(restore(target, archive.subarray(0, 20))).rejects.toMatchObject({ code: 'ARCHIVE_INVALID' });
    expect(readdirSync(dir).filter((f) => f.startsWith('.restore-'))).toEqual([]);
    await target.close();
  });
});
