import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { removeDir, startService, tempDir, useService } from './support/service';

// What a restore may take of the machine: the uncompressed size of the archive
// (RESTORE_MAX_UNCOMPRESSED_BYTES), the free space it needs (RESTORE_MIN_FREE_BYTES), and the
// spool files a killed restore leaves behind.

async function backup(url: string): Promise<Buffer> {
  const response = await fetch(`${url}/v1/admin/backup`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function restoreBytes(url: string, archive: Buffer) {
  const response = await fetch(`${url}/v1/admin/restore`, { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: archive });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
}

const spools = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('.restore-'));

async function namespaces(url: string): Promise<string[]> {
  const response = await fetch(`${url}/v1/namespaces`);
  return ((await response.json()) as { name: string }[]).map((n) => n.name);
}

describe('restore limits', () => {
  const source = useService();
  const bounded = useService({ env: { RESTORE_MAX_UNCOMPRESSED_BYTES: String(4 * 1024 * 1024) } });
  const full = useService({ env: { RESTORE_MIN_FREE_BYTES: String(1024 ** 5) } });
  let archive: Buffer;
  beforeAll(async () => {
    await source.store.put('app', 'k', 'v');
    archive = await backup(source.url);
  });

  it('refuses a zip bomb with 413 PAYLOAD_TOO_LARGE once its uncompressed bytes pass RESTORE_MAX_UNCOMPRESSED_BYTES; nothing written or left', async () => {
    // A valid header, then 64 MiB of zeros: about 64 KiB of gzip.
    const header = gunzipSync(archive).toString('utf8').split('\n')[0];
    const bomb = gzipSync(Buffer.concat([Buffer.from(`${header}\n`), Buffer.alloc(64 * 1024 * 1024, '0')]), { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const refused = await restoreBytes(bounded.url, bomb);
    expect(refused.status).toBe(413);
    expect(refused.type).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', maxUncompressedBytes: 4 * 1024 * 1024 });
    expect(spools(bounded.dataDir)).toEqual([]);
    expect(await namespaces(bounded.url)).toEqual([]);
    // Under the limit, the same service restores a real archive.
    expect((await restoreBytes(bounded.url, archive)).body).toMatchObject({ restored: true, namespaces: ['app'] });
  });

  it('answers 507 STORAGE_FULL, not 500, when the data dir has less free space than RESTORE_MIN_FREE_BYTES; nothing written or left', async () => {
    const refused = await restoreBytes(full.url, archive);
    expect(refused.status).toBe(507);
    expect(refused.type).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'STORAGE_FULL', minFreeBytes: 1024 ** 5 });
    expect(spools(full.dataDir)).toEqual([]);
    expect(await namespaces(full.url)).toEqual([]);
  });
});

describe('spool files left by a killed restore', () => {
  it('are removed when the service starts; files of other names stay', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const orphan = join(dataDir, `.restore-${randomUUID()}.ndjson`);
    const others = ['.restore-notes.txt', 'restore-backup.ndjson', `.restore-${randomUUID()}.ndjson.keep`].map((name) => join(dataDir, name));
    for (const file of [orphan, ...others]) writeFileSync(file, '{"stream":"store-app"}\n');
    const service = await startService({ dataDir });
    try {
      expect(existsSync(orphan)).toBe(false);
      expect(others.map(existsSync)).toEqual([true, true, true]);
    } finally {
      await service.close();
      removeDir(dir);
    }
  });
});
