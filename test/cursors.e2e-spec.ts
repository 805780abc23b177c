import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, removeDir, startService, tempDir, useService } from './support/service';
import { expectProblem } from './support/expectations';

/** Page cursors are issued by the store: a hand-made or altered one is refused, an issued one lasts. */
describe('list cursors', () => {
  const service = useService();
  const NS = 'cursors';
  const list = (query: string) => http('GET', `${service.url}/v1/namespaces/${NS}/entries?${query}`);
  const handMade = (payload: object) => Buffer.from(JSON.stringify(payload)).toString('base64url');

  beforeAll(async () => {
    for (const key of ['a', 'b', 'c', 'd']) await service.store.put(NS, key, key);
    await service.store.put(NS, 'a', 'a2');
  });

  it('refuses a hand-made cursor with 400 CURSOR_INVALID: list, history and snapshot pages', async () => {
    const snapshot = await service.store.createSnapshot(NS);
    const cursor = encodeURIComponent(handMade({ k: 'a' }));
    expectProblem(await list(`cursor=${cursor}`), 400, 'CURSOR_INVALID');
    expectProblem(await http('GET', `${service.url}/v1/namespaces/${NS}/entries/a/history?cursor=${handMade({ r: 0 })}`), 400, 'CURSOR_INVALID');
    expectProblem(await http('GET', `${service.url}/v1/namespaces/${NS}/snapshots/${snapshot.id}?cursor=${cursor}`), 400, 'CURSOR_INVALID');
  });

  it('refuses an issued cursor whose content was altered', async () => {
    const issued = (await service.store.listPage(NS, { limit: 1 })).nextCursor!;
    const [, mac] = issued.split('.');
    expectProblem(await list(`cursor=${handMade({ k: 'c' })}.${mac}`), 400, 'CURSOR_INVALID');
  });

  it('issues opaque URL-safe cursors that page through the keys', async () => {
    const first = await service.store.listPage(NS, { limit: 2 });
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect((await list(`limit=2&cursor=${first.nextCursor}`)).body.items.map((e: { key: string }) => e.key)).toEqual(['c', 'd']);
    const history = await service.store.historyPage(NS, 'a', { limit: 1 });
    expect((await service.store.historyPage(NS, 'a', { cursor: history.nextCursor! })).items).toMatchObject([{ version: 2 }]);
  });

  it('keeps cursors valid across a restart (the secret stays in the data dir)', async () => {
    const issued = (await service.store.listPage(NS, { limit: 1 })).nextCursor!;
    const secret = readFileSync(join(service.dataDir, 'cursor-secret'), 'utf8');
    await service.restart();
    expect(readFileSync(join(service.dataDir, 'cursor-secret'), 'utf8')).toBe(secret);
    expect((await service.store.listPage(NS, { limit: 1, cursor: issued })).items).toMatchObject([{ key: 'b' }]);
  });
});

describe('STORE_CURSOR_SECRET_FILE', () => {
  it('signs with the given secret: two stores on different data dirs accept each other\'s cursors', async () => {
    const dir = tempDir();
    const secretFile = join(dir, 'shared-secret');
    writeFileSync(secretFile, 'x'.repeat(48));
    const [one, two] = [await startService({ dataDir: join(dir, 'one'), env: { STORE_CURSOR_SECRET_FILE: secretFile } }),
      await startService({ dataDir: join(dir, 'two'), env: { STORE_CURSOR_SECRET_FILE: secretFile } })];
    const other = await startService({ dataDir: join(dir, 'three') });
    try {
      for (const url of [one.url, two.url, other.url]) {
        for (const key of ['a', 'b', 'c']) await http('PUT', `${url}/v1/namespaces/ns/entries/${key}`, { value: key });
      }
      const page = await http('GET', `${one.url}/v1/namespaces/ns/entries?limit=1`);
      const next = page.body.nextCursor as string;
      expect((await http('GET', `${two.url}/v1/namespaces/ns/entries?limit=1&cursor=${next}`)).body.items).toMatchObject([{ key: 'b' }]);
      expectProblem(await http('GET', `${other.url}/v1/namespaces/ns/entries?limit=1&cursor=${next}`), 400, 'CURSOR_INVALID');
    } finally {
      await Promise.all([one.close(), two.close(), other.close()]);
      removeDir(dir);
    }
  });
});
