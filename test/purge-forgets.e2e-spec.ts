import Database from 'better-sqlite3';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expectRefused } from './support/expectations';
import { collect, historyOf, revisionOf } from './support/sdk';
import { SseConnection } from './support/sse';
import { hexastore } from './support/cli';
import { http, useService } from './support/service';

const MARKER = 'purge-marker-7f3a9c';

async function backupText(url: string): Promise<string> {
  const response = await fetch(`${url}/v1/admin/backup`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  expect(response.status).toBe(200);
  return gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8');
}

async function feedText(url: string, ns: string): Promise<string> {
  const feed = await SseConnection.open(`${url}/v1/namespaces/${ns}/feed?from=start`);
  try {
    await feed.until((c) => c.events.some((e) => e.event === 'StoreEntryPurged'));
    return feed.events.map((e) => e.data).join('\n');
  } finally {
    feed.close();
  }
}

describe('a purge forgets the value on every read path and in later backups', () => {
  const service = useService();
  const target = useService();
  const { store } = service;
  const ns = 'forget';
  let before = 0;
  let pointId = '';
  let snapshotId = '';

  beforeAll(async () => {
    await store.put(ns, 'secret', `${MARKER}-v1`, { metadata: { note: `${MARKER}-meta` } });
    await store.put(ns, 'secret', `${MARKER}-v2`, { idempotencyKey: 'put-secret-v2' });
    await store.put(ns, 'kept', 'plain');
    before = (await revisionOf(store, ns))!;
    pointId = (await store.createRollbackPoint(ns, { label: 'before' })).id;
    snapshotId = (await store.createSnapshot(ns)).id;
    await store.delete(ns, 'secret', { purge: true });
  });

  it('history keeps every event of the key but none of its values or metadata', async () => {
    const items = await historyOf(store, ns, 'secret');
    expect(items.map((i) => [i.type, i.redacted])).toEqual([
      ['StoreEntryCreated', 'purged'], ['StoreEntryUpdated', 'purged'], ['StoreEntryDeleted', undefined], ['StoreEntryPurged', undefined],
    ]);
    expect(JSON.stringify(items)).not.toContain(MARKER);
    expect(items[0]).not.toHaveProperty('value');
    const table = await hexastore(['--url', service.url, 'history', ns, 'secret']);
    expect(table.stdout).toMatch(/│ \d+ +│ StoreEntryCreated +│ 1 +│ \(purged\) +│/);
    expect(table.stdout).not.toContain(MARKER);
  });

  it('time travel to before the purge does not find it; the other keys are as they were', async () => {
    await expectRefused(store.getAsOf(ns, 'secret', before), 404, 'ENTRY_NOT_FOUND');
    expect(await store.getAsOf(ns, 'kept', before)).toMatchObject({ value: 'plain' });
  });

  it('snapshot and rollback point contents leave it out, and a rollback does not bring it back', async () => {
    const snapshot = await http('GET', `${service.url}/v1/namespaces/${ns}/snapshots/${snapshotId}`);
    const point = await http('GET', `${service.url}/v1/namespaces/${ns}/rollback-points/${pointId}`);
    for (const answer of [snapshot, point]) {
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).not.toContain(MARKER);
      expect(answer.body.entries.items.map((i: { key: string }) => i.key)).toEqual(['kept']);
    }
    await store.rollback(ns, pointId);
    await expectRefused(store.get(ns, 'secret'), 404, 'ENTRY_NOT_FOUND');
    expect((await collect(store.list(ns, { includeDeleted: true }))).map((e) => e.key)).toEqual(['kept']);
  });

  it('the change feed from the start carries its events without the value', async () => {
    const text = await feedText(service.url, ns);
    expect(text).toContain('"redacted":"purged"');
    expect(text).not.toContain(MARKER);
  });

  it('a backup made after the purge holds no trace of the value, and restores elsewhere without it', async () => {
    const archive = await backupText(service.url);
    expect(archive).toContain('"redacted":"purged"');
    expect(archive).not.toContain(MARKER);
    const gz = await fetch(`${service.url}/v1/admin/backup`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    const restored = await fetch(`${target.url}/v1/admin/restore`, {
      method: 'POST', headers: { 'content-type': 'application/gzip' }, body: Buffer.from(await gz.arrayBuffer()),
    });
    expect(restored.status).toBe(200);
    expect(await target.store.get(ns, 'kept')).toMatchObject({ value: 'plain' });
    expect(JSON.stringify(await historyOf(target.store, ns, 'secret'))).not.toContain(MARKER);
    expect(await feedText(target.url, ns)).not.toContain(MARKER);
  });

  it('a retry of a put made before the purge (same Idempotency-Key) is answered without the value, and writes nothing', async () => {
    const revision = await revisionOf(store, ns);
    const answer = await store.put(ns, 'secret', `${MARKER}-v2`, { idempotencyKey: 'put-secret-v2' });
    expect(JSON.stringify(answer)).not.toContain(MARKER);
    expect(answer).toMatchObject({ key: 'secret', version: 2, redacted: 'purged' });
    expect(await revisionOf(store, ns)).toBe(revision);
  });

  it('the read models hold no copy (the log alone keeps the old bytes), and a rebuild forgets it again', async () => {
    const readModelRows = () => {
      const db = new Database(join(service.dataDir, 'hexastore.db'), { readonly: true });
      try {
        return ['entries', 'snapshot_entries', 'idempotency_log']
          .flatMap((table) => db.prepare(`SELECT * FROM ${table}`).all())
          .filter((row) => JSON.stringify(row).includes(MARKER));
      } finally {
        db.close();
      }
    };
    expect(readModelRows()).toEqual([]);
    await store.rebuild();
    expect(readModelRows()).toEqual([]);
    expect(JSON.stringify(await historyOf(store, ns, 'secret'))).not.toContain(MARKER);
    await expectRefused(store.getAsOf(ns, 'secret', before), 404, 'ENTRY_NOT_FOUND');
    expect(JSON.stringify(await store.put(ns, 'secret', `${MARKER}-v2`, { idempotencyKey: 'put-secret-v2' }))).not.toContain(MARKER);
  });

  it('a key written again after its purge reads and travels as usual', async () => {
    await store.put(ns, 'secret', 'new life');
    const revision = (await revisionOf(store, ns))!;
    expect(await store.getAsOf(ns, 'secret', revision)).toMatchObject({ value: 'new life', version: 1 });
    const items = await historyOf(store, ns, 'secret');
    expect(items[items.length - 1]).toMatchObject({ type: 'StoreEntryCreated', value: 'new life' });
    expect(items[items.length - 1]).not.toHaveProperty('redacted');
  });
});
