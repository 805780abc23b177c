import { StoreClient } from '@app/client';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hexastore } from './support/cli';
import { FlakyProxy } from './support/flaky-proxy';
import { removeDir, RunningService, startService, tempDir } from './support/service';

describe('hexastore CLI: a connection lost in the middle of a download', () => {
  let dir: string;
  let service: RunningService;
  let proxy: FlakyProxy;

  beforeAll(async () => {
    dir = tempDir('hexastore-cli-download-');
    service = await startService({ dataDir: join(dir, 'data') });
    const store = new StoreClient(service.url);
    for (let i = 0; i < 20; i++) await store.put('downloads', `k${i}`, `value ${i} `.repeat(50));
    proxy = await FlakyProxy.start(service.url);
  });
  afterAll(async () => {
    await proxy.close();
    await service.close();
    removeDir(dir);
  });

  it('backup prints one line naming the lost connection, exits 3 and leaves no file', async () => {
    const archive = join(dir, 'cut.ndjson.gz');
    proxy.faults.push('cut-answer');
    const run = await hexastore(['--url', proxy.url, 'backup', '-o', archive]);
    expect(proxy.seen.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/admin/backup']);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^hexastore: the connection to the store was lost: [^\n]+\n$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(archive)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.startsWith('cut'))).toEqual([]);
  });

  it('the same backup through a proxy that passes it completes (exit 0)', async () => {
    const archive = join(dir, 'whole.ndjson.gz');
    const run = await hexastore(['--url', proxy.url, 'backup', '-o', archive]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(archive)).toBe(true);
  });
});
