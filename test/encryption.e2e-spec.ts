import { StoreClient } from '@app/client';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expectProblem, expectRefused } from './support/expectations';
import { collect, freshNs, historyOf, revisionOf } from './support/sdk';
import { SseConnection } from './support/sse';
import { http, removeDir, startService, tempDir, useService } from './support/service';

const MARKER = 'sealed-marker-4be1d07c';
const keyDir = tempDir();
const KEY_FILE = join(keyDir, 'master.key');
writeFileSync(KEY_FILE, `${randomBytes(32).toString('base64')}\n`);
const WITH_KEY = { STORE_MASTER_KEY_FILE: KEY_FILE, LOG_LEVEL: 'error' };

/** Every byte of every file in the data dir (log, read models, WAL, key vault), as latin1 text. */
const dataDirText = (dir: string): string =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'))
    .join('\n');

async function backup(url: string): Promise<Buffer> {
  const response = await fetch(`${url}/v1/admin/backup`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function restore(url: string, archive: Buffer): Promise<void> {
  const response = await fetch(`${url}/v1/admin/restore`, { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: archive });
  expect(response.status).toBe(200);
}

/** The data of a namespace's feed events from the start, once `done` holds. */
async function feedOf(url: string, ns: string, done: (events: Record<string, unknown>[]) => boolean): Promise<Record<string, unknown>[]> {
  const feed = await SseConnection.open(`${url}/v1/namespaces/${ns}/feed?from=start`);
  try {
    const parsed = () => feed.events.map((e) => JSON.parse(e.data ?? '{}') as Record<string, unknown>);
    await feed.until(() => done(parsed()));
    return parsed();
  } finally {
    feed.close();
  }
}

const createEncrypted = (url: string, ns: string) => http('PUT', `${url}/v1/namespaces/${ns}`, { encrypted: true });

describe('encrypted namespaces: values sealed at rest, rotation, shredding', () => {
  const service = useService({ env: WITH_KEY });
  const { store } = service;
  afterAll(() => removeDir(keyDir));

  it('round trips: values and metadata values read as written on every read path; the data dir and a backup hold no plaintext', async () => {
    const ns = freshNs('sealed');
    const created = await createEncrypted(service.url, ns);
    expect(created.status).toBe(201);
    expect((await createEncrypted(service.url, ns)).status).toBe(200);
    const answer = await store.put(ns, 'text', `${MARKER}-text`, { metadata: { owner: `${MARKER}-meta` }, idempotencyKey: 'sealed-put-1' });
    expect(answer).toMatchObject({ value: `${MARKER}-text`, metadata: { owner: `${MARKER}-meta` }, created: true });
    const retry = await store.put(ns, 'text', `${MARKER}-text`, { metadata: { owner: `${MARKER}-meta` }, idempotencyKey: 'sealed-put-1' });
    expect(retry).toEqual(answer);
    await store.put(ns, 'bytes', new Uint8Array([0xff, 0x00, 0xfe]));
    await store.transaction(ns, [{ op: 'put', key: 'txn', value: `${MARKER}-txn` }]);
    await store.put(ns, 'text', `${MARKER}-text-2`);
    expect(await store.get(ns, 'text')).toMatchObject({ value: `${MARKER}-text-2`, metadata: {} });
    expect(await store.get(ns, 'bytes')).toMatchObject({ valueBase64: Buffer.from([0xff, 0x00, 0xfe]).toString('base64') });
    const listed = await collect(store.list(ns));
    expect(listed.map((e) => [e.key, e.value])).toEqual([['bytes', undefined], ['text', `${MARKER}-text-2`], ['txn', `${MARKER}-txn`]]);
    const history = await historyOf(store, ns, 'text');
    expect(history.map((h) => h.value)).toEqual([`${MARKER}-text`, `${MARKER}-text-2`]);
    expect(history[0].metadata).toEqual({ owner: `${MARKER}-meta` });
    expect(await store.getAsOf(ns, 'text', history[0].revision)).toMatchObject({ value: `${MARKER}-text`, metadata: { owner: `${MARKER}-meta` } });

    const feed = await feedOf(service.url, ns, (events) => events.filter((e) => e.key === 'text').length === 2);
    expect(feed.filter((e) => e.key === 'text').map((e) => e.value)).toEqual([`${MARKER}-text`, `${MARKER}-text-2`]);
    expect(feed.find((e) => e.key === 'txn')).toMatchObject({ value: `${MARKER}-txn` });

    const disk = dataDirText(service.dataDir);
    expect(disk).toContain('hxs1:');
    expect(disk).not.toContain(MARKER);
    const archive = gunzipSync(await backup(service.url)).toString('latin1');
    expect(archive).toContain('hxs1:');
    expect(archive).not.toContain(MARKER);
  });

  it('rotates: new values are sealed under the new key, older ones keep opening with theirs; keys list ids and dates only', async () => {
    const ns = freshNs('rotate');
    await createEncrypted(service.url, ns);
    await store.put(ns, 'old', 'before rotation');
    const [first] = (await http('GET', `${service.url}/v1/namespaces/${ns}/keys`)).body.items;
    const rotated = await http('POST', `${service.url}/v1/namespaces/${ns}/keys/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ keyId: expect.any(String), previousKeyId: first.keyId, rotatedAt: expect.any(String) });
    await store.put(ns, 'new', 'after rotation');
    expect((await store.get(ns, 'old')).value).toBe('before rotation');
    expect((await store.get(ns, 'new')).value).toBe('after rotation');
    const keys = await http('GET', `${service.url}/v1/namespaces/${ns}/keys`);
    expect(keys.body.items.map((k: { keyId: string }) => k.keyId)).toEqual([first.keyId, rotated.body.keyId]);
    for (const item of keys.body.items) expect(Object.keys(item).sort()).toEqual(['createdAt', 'keyId']);
    const archive = gunzipSync(await backup(service.url)).toString('utf8');
    expect(archive).toContain(`hxs1:${first.keyId}:`);
    expect(archive).toContain(`hxs1:${rotated.body.keyId}:`);
    expect(archive).toContain('"StoreKeyRotated"');
    await store.rebuild();
    expect((await store.get(ns, 'old')).value).toBe('before rotation');
    expect((await store.get(ns, 'new')).value).toBe('after rotation');
  });

  it('shreds: values answer 410 VALUE_SHREDDED on get, list and history; keys and events stay; an older backup cannot revive them', async () => {
    const ns = freshNs('shred');
    await createEncrypted(service.url, ns);
    await store.put(ns, 'secret', MARKER);
    const before = await backup(service.url);
    const shredded = await http('POST', `${service.url}/v1/namespaces/${ns}/shred`);
    expect(shredded.status).toBe(200);
    expect(shredded.body).toMatchObject({ namespace: ns, keyIds: [expect.any(String)] });
    await expectRefused(store.get(ns, 'secret'), 410, 'VALUE_SHREDDED');
    await expectRefused(collect(store.list(ns)), 410, 'VALUE_SHREDDED');
    await expectRefused(historyOf(store, ns, 'secret'), 410, 'VALUE_SHREDDED');
    expect(await store.exists(ns, 'secret')).toBe(true);
    expect((await http('GET', `${service.url}/v1/namespaces/${ns}/keys`)).body.items).toEqual([]);
    await store.put(ns, 'later', 'written after the shred');
    expect((await store.get(ns, 'later')).value).toBe('written after the shred');
    expect(await store.listKeys(ns)).toHaveLength(1);
    await expectRefused(store.get(ns, 'secret'), 410, 'VALUE_SHREDDED');
    const feed = await feedOf(service.url, ns, (events) => events.some((e) => e.type === 'StoreKeysShredded'));
    expect(feed.find((e) => e.key === 'secret')).toMatchObject({ type: 'StoreEntryCreated', unreadable: 'VALUE_SHREDDED' });
    expect(feed.find((e) => e.key === 'secret')).not.toHaveProperty('value');
    expect(JSON.stringify(feed)).not.toContain(MARKER);

    const fresh = await startService({ env: WITH_KEY });
    try {
      await restore(fresh.url, before);
      const reply = await http('GET', `${fresh.url}/v1/namespaces/${ns}/entries/secret`);
      expectProblem(reply, 410, 'VALUE_SHREDDED');
      expect(JSON.stringify(reply.body)).not.toContain(MARKER);
    } finally {
      await fresh.close();
    }
  });

  it('through the SDK: snapshots, rollback points, restore of a soft delete, rollback and a schema scan all see the values as written', async () => {
    const ns = freshNs('sdk');
    expect(await store.createNamespace(ns, { encrypted: true })).toMatchObject({ name: ns, created: true, encrypted: true });
    expect((await store.listNamespaces()).find((n) => n.name === ns)).toMatchObject({ encrypted: true });
    await store.put(ns, 'a', '{"n":1}', { metadata: { tag: 'one' } });
    await store.put(ns, 'b', 'not json');
    const snapshot = await store.createSnapshot(ns);
    const point = await store.createRollbackPoint(ns, { label: 'before' });
    expect((await store.getSnapshot(ns, snapshot.id)).entries.items.map((e) => [e.key, e.value, e.metadata])).toEqual([
      ['a', '{"n":1}', { tag: 'one' }], ['b', 'not json', {}],
    ]);
    expect((await store.getRollbackPoint(ns, point.id)).entries.items.map((e) => e.value)).toEqual(['{"n":1}', 'not json']);
    await store.delete(ns, 'a');
    expect(await store.restoreEntry(ns, 'a')).toMatchObject({ value: '{"n":1}', metadata: { tag: 'one' } });
    expect(await store.setTtl(ns, 'a', 3600)).toMatchObject({ value: '{"n":1}' });
    expect(await store.get(ns, 'a')).toMatchObject({ value: '{"n":1}', metadata: { tag: 'one' } });
    await store.put(ns, 'b', 'changed');
    await store.rollback(ns, point.id);
    expect((await store.get(ns, 'b')).value).toBe('not json');
    const set = await store.setSchema(ns, { type: 'object' });
    expect(set.violations).toMatchObject({ checked: 2, violating: 1, items: [{ key: 'b' }] });
    const [first] = await store.listKeys(ns);
    const rotation = await store.rotateKey(ns);
    expect(rotation).toMatchObject({ previousKeyId: first.keyId });
    expect((await store.listKeys(ns)).map((k) => k.keyId)).toEqual([first.keyId, rotation.keyId]);
    expect((await store.shred(ns)).keyIds).toEqual([first.keyId, rotation.keyId]);
    await expectRefused(store.getSnapshot(ns, snapshot.id), 410, 'VALUE_SHREDDED');
  });

  it('a retry of a rotate or shred (same Idempotency-Key) answers the first answer and touches no key', async () => {
    const ns = freshNs('retry');
    await store.createNamespace(ns, { encrypted: true });
    const rotation = await store.rotateKey(ns, { idempotencyKey: 'rotate-once' });
    expect(await store.rotateKey(ns, { idempotencyKey: 'rotate-once' })).toEqual(rotation);
    expect(await store.listKeys(ns)).toHaveLength(2);
    const shredded = await store.shred(ns, { idempotencyKey: 'shred-once' });
    await store.put(ns, 'after', 'kept');
    expect(await store.shred(ns, { idempotencyKey: 'shred-once' })).toEqual(shredded);
    expect((await store.get(ns, 'after')).value).toBe('kept');
    expect(await store.listKeys(ns)).toHaveLength(1);
  });

  it('refuses bad calls with 4xx problems and writes nothing', async () => {
    const plain = freshNs('plain');
    await store.put(plain, 'k', 'v');
    expect(await store.getNamespace(plain)).toMatchObject({ encrypted: false });
    const url = service.url;
    const names = async () => (await http('GET', `${url}/v1/namespaces`)).body.map((n: { name: string; revision: number }) => [n.name, n.revision]);
    const before = await names();
    {
      expectProblem(await http('PUT', `${url}/v1/namespaces/${plain}`, { encrypted: true }), 409, 'NAMESPACE_NOT_ENCRYPTED');
      expectProblem(await http('POST', `${url}/v1/namespaces/${plain}/keys/rotate`), 409, 'NAMESPACE_NOT_ENCRYPTED');
      expectProblem(await http('POST', `${url}/v1/namespaces/${plain}/shred`), 409, 'NAMESPACE_NOT_ENCRYPTED');
      expectProblem(await http('GET', `${url}/v1/namespaces/${plain}/keys`), 409, 'NAMESPACE_NOT_ENCRYPTED');
      expectProblem(await http('POST', `${url}/v1/namespaces/${freshNs('none')}/keys/rotate`), 404, 'NAMESPACE_NOT_FOUND');
      expectProblem(await http('POST', `${url}/v1/namespaces/${freshNs('none')}/shred`), 404, 'NAMESPACE_NOT_FOUND');
      expectProblem(await http('POST', `${url}/v1/namespaces/bad%20name/shred`), 400, 'NAMESPACE_INVALID');
      for (const body of [{ encrypted: 'yes' }, { encrypted: true, extra: 1 }, [true], 'true']) {
        expectProblem(await http('PUT', `${url}/v1/namespaces/${freshNs('badbody')}`, body), 400, 'VALIDATION_FAILED');
      }
      const hostile = await http('PUT', `${url}/v1/namespaces/${freshNs('hostile')}`, '{"encrypted": tru', { 'content-type': 'application/json' });
      expect(hostile.status).toBeGreaterThanOrEqual(400);
      expect(hostile.status).toBeLessThan(500);
      const notJson = await http('PUT', `${url}/v1/namespaces/${freshNs('hostile')}`, '\u0000\u00ff<x/>', { 'content-type': 'text/plain' });
      expect(notJson.status).toBeGreaterThanOrEqual(400);
      expect(notJson.status).toBeLessThan(500);
    }
    expect(await names()).toEqual(before);
  });

  it('a start without the master key: an encrypted namespace answers 503 KEY_UNAVAILABLE, never its ciphertext; plain ones still work', async () => {
    const ns = freshNs('locked');
    const plain = freshNs('open');
    const dir = tempDir();
    try {
      const keyed = await startService({ dataDir: dir, env: WITH_KEY });
      try {
        expect((await createEncrypted(keyed.url, ns)).status).toBe(201);
        const client = new StoreClient({ url: keyed.url, retry: { attempts: 1 } });
        await client.put(ns, 'secret', MARKER);
        await client.put(plain, 'k', 'v');
      } finally {
        await keyed.close();
      }
      const locked = await startService({ dataDir: dir });
      try {
        const client = new StoreClient({ url: locked.url, retry: { attempts: 1 } });
        expect((await client.get(plain, 'k')).value).toBe('v');
        for (const path of [`/v1/namespaces/${ns}/entries/secret`, `/v1/namespaces/${ns}/entries`, `/v1/namespaces/${ns}/entries/secret/history`]) {
          const reply = await http('GET', `${locked.url}${path}`);
          expectProblem(reply, 503, 'KEY_UNAVAILABLE');
          expect(JSON.stringify(reply.body)).not.toContain('hxs1:');
        }
        const revision = await revisionOf(client, ns);
        await expectRefused(client.put(ns, 'more', 'x'), 503, 'KEY_UNAVAILABLE');
        expectProblem(await http('PUT', `${locked.url}/v1/namespaces/${freshNs('want')}`, { encrypted: true }), 503, 'KEY_UNAVAILABLE');
        expectProblem(await http('POST', `${locked.url}/v1/namespaces/${ns}/keys/rotate`), 503, 'KEY_UNAVAILABLE');
        expect(await revisionOf(client, ns)).toBe(revision);
      } finally {
        await locked.close();
      }
    } finally {
      removeDir(dir);
    }
  });
});
