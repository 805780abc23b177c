// "Disk full", made reproducible with STORE_MAX_PAGE_COUNT (a testing aid: PRAGMA max_page_count on
// the data file): writes are refused with 507 STORAGE_FULL and write nothing, reads are still
// served, and after a restart with a higher limit writes succeed and nothing acknowledged is lost.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { readableState } from './support/sdk';
import { http, removeDir, RunningService, startService, tempDir } from './support/service';
import { StoreClient } from '@app/client';

const DATA_FILE = 'hexastore.db';
const BIG = 'x'.repeat(60_000);

describe('disk full (STORE_MAX_PAGE_COUNT)', () => {
  const dataDir = tempDir('hexastore-full-');
  let service: RunningService | undefined;
  afterAll(async () => {
    await service?.close();
    removeDir(dataDir);
  });

  it('507 STORAGE_FULL for writes, nothing written, reads served; a higher limit after a restart takes writes again, nothing acked lost', async () => {
    service = await startService({ dataDir });
    const acked = new Map<string, string>();
    for (let i = 0; i < 5; i++) {
      await new StoreClient({ url: service.url, retry: { attempts: 1 } }).put('full', `small-${i}`, `v${i}`);
      acked.set(`small-${i}`, `v${i}`);
    }
    await service.close();
    service = undefined;
    const file = new Database(join(dataDir, DATA_FILE), { readonly: true });
    const pages = file.pragma('page_count', { simple: true }) as number;
    file.close();

    // About 200 pages (800 KiB) of room: a few big values fit (each is stored in the log and in the read models), then the file is "full".
    service = await startService({ dataDir, env: { STORE_MAX_PAGE_COUNT: String(pages + 200) } });
    const store = new StoreClient({ url: service.url, retry: { attempts: 1 } });
    let refused: { status: number; headers: Headers; body: any } | undefined;
    for (let i = 0; i < 100 && !refused; i++) {
      const answer = await http('PUT', `${service.url}/v1/namespaces/full/entries/big-${i}`, { value: `${i}${BIG}` });
      if (answer.status === 507) refused = answer;
      else {
        expect(answer.status).toBe(201);
        acked.set(`big-${i}`, `${i}${BIG}`);
      }
    }
    expect(acked.size).toBeGreaterThan(5); // some big values fitted before the limit
    expect(refused?.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused?.body).toMatchObject({ status: 507, code: 'STORAGE_FULL' });

    // Refused writes of every kind change nothing a client can read; reads go on.
    const before = await readableState(store);
    const tx = { ops: [{ op: 'put', key: 'tx-a', value: BIG }, { op: 'put', key: 'tx-b', value: BIG }] };
    expect((await http('POST', `${service.url}/v1/namespaces/full/transactions`, tx)).body).toMatchObject({ code: 'STORAGE_FULL' });
    // A namespace creation is a small event: it may still fit, or be refused the same way.
    expect([201, 507]).toContain((await http('PUT', `${service.url}/v1/namespaces/other`)).status);
    expect((await http('PUT', `${service.url}/v1/namespaces/full/entries/again`, { value: BIG }, { 'idempotency-key': 'full-1' })).status).toBe(507);
    const after = await readableState(store);
    // A namespace creation is small and may still fit: compare the namespace that was written to.
    expect(after.entries.full).toEqual(before.entries.full);
    expect(after.namespaces.find((n) => n.name === 'full')).toEqual(before.namespaces.find((n) => n.name === 'full'));
    for (const [key, value] of acked) expect((await store.get('full', key)).value).toBe(value);
    expect((await http('GET', `${service.url}/health/live`)).status).toBe(200);
    await service.close();
    service = undefined;

    service = await startService({ dataDir, env: { STORE_MAX_PAGE_COUNT: String(pages + 10_000) } });
    const roomy = new StoreClient({ url: service.url, retry: { attempts: 1 } });
    // The refused Idempotency-Key was never recorded: its retry is applied now, once.
    expect((await http('PUT', `${service.url}/v1/namespaces/full/entries/again`, { value: BIG }, { 'idempotency-key': 'full-1' })).status).toBe(201);
    expect((await http('PUT', `${service.url}/v1/namespaces/full/entries/again`, { value: BIG }, { 'idempotency-key': 'full-1' })).body).toMatchObject({ version: 1 });
    for (let i = 0; i < 5; i++) {
      await roomy.put('full', `later-${i}`, BIG);
      acked.set(`later-${i}`, BIG);
    }
    for (const [key, value] of acked) expect((await roomy.get('full', key)).value).toBe(value);
    expect((await roomy.getNamespace('full')).entryCount).toBe(acked.size + 1);
  });
});
