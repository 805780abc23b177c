import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRequestError, StoreClient } from '@app/client';
import { expectRefused } from './support/expectations';
import { MAIN, removeDir, startChild, tempDir, useService } from './support/service';

describe('HotReload of the store config file', () => {
  const service = useService({ config: { name: 'store.yaml', text: 'namespaces:\n  sessions:\n    defaultTtlSeconds: 3600\n  billing: {}\n' } });
  const namespace = (name: string) => service.store.getNamespace(name);
  const reload = () => service.store.reload();

  it('applies the file at start: declared namespaces exist with their default TTL', async () => {
    expect(await namespace('sessions')).toMatchObject({ name: 'sessions', defaultTtlSeconds: 3600 });
    expect(await namespace('billing')).toMatchObject({ name: 'billing', defaultTtlSeconds: null });
    const before = Date.now();
    const put = await service.store.put('sessions', 's1', 'x');
    const expires = Date.parse(put.expiresAt!);
    expect(expires).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3600_000);
    const explicit = await service.store.put('sessions', 's2', 'x', { ttlSeconds: 5 });
    expect(Date.parse(explicit.expiresAt!) - Date.now()).toBeLessThanOrEqual(5000);
  });

  it('appends only the differences, and records the reload', async () => {
    writeFileSync(service.configFile, 'namespaces:\n  sessions:\n    defaultTtlSeconds: 60\n  billing: {}\n  audit: {}\n');
    expect(await reload()).toMatchObject({
      unchanged: false,
      changes: [{ namespace: 'audit', change: 'created' }, { namespace: 'sessions', change: 'configured', defaultTtlSeconds: 60 }],
    });
    expect(await namespace('sessions')).toMatchObject({ defaultTtlSeconds: 60 });
  });

  it('an unchanged file changes nothing', async () => {
    const before = await namespace('sessions');
    expect(await reload()).toMatchObject({ unchanged: true, changes: [] });
    expect((await namespace('sessions')).revision).toBe(before.revision);
  });

  it.each([
    ['namespaces:\n  sessions:\n    defaultTtlSeconds: -5\n', 'namespaces.sessions.defaultTtlSeconds'],
    ['namespaces:\n  sessions:\n    tags: [blue]\n', 'namespaces.sessions.tags'],
    ['namespaces:\n  UPPER: {}\n', 'namespaces.UPPER'],
    ['namespaces: {sessions: {defaultTtlSeconds: 60}', ''],
  ])('an invalid file (%j) is refused naming %j, and the old config stays in force', async (text, path) => {
    const before = await service.store.listNamespaces();
    writeFileSync(service.configFile, text);
    const refused = await expectRefused(reload(), 400, 'CONFIG_INVALID');
    expect(refused).toBeInstanceOf(InvalidRequestError);
    expect(refused.problem.path).toBe(path);
    expect(await service.store.listNamespaces()).toEqual(before);
  });

});

describe('HotReload without a config file', () => {
  const service = useService();

  it('is refused', async () => {
    await expectRefused(service.store.reload(), 400, 'CONFIG_INVALID');
  });
});

describe('config file and the process', () => {
  it('SIGHUP reloads the file', async () => {
    const dir = tempDir('hexastore-sighup-');
    const file = join(dir, 'store.json');
    writeFileSync(file, '{"namespaces": {"app": {}}}');
    const { url, child } = await startChild(join(dir, 'data'), { STORE_CONFIG: file });
    try {
      const store = new StoreClient(url);
      expect((await store.getNamespace('app')).defaultTtlSeconds).toBeNull();
      writeFileSync(file, '{"namespaces": {"app": {"defaultTtlSeconds": 30}}}');
      child.kill('SIGHUP');
      let ttl: unknown = null;
      for (let i = 0; i < 100 && ttl !== 30; i++) {
        await new Promise((r) => setTimeout(r, 50));
        ttl = (await store.getNamespace('app')).defaultTtlSeconds;
      }
      expect(ttl).toBe(30);
    } finally {
      child.kill('SIGKILL');
      removeDir(dir);
    }
  }, 30_000);

  it('an invalid file at start stops the process with one line and exit code 1', () => {
    const dir = tempDir('hexastore-badconfig-');
    const file = join(dir, 'store.yaml');
    writeFileSync(file, 'namespaces:\n  app:\n    defaultTtlSeconds: soon\n');
    const run = spawnSync(process.execPath, [MAIN], {
      env: { ...process.env, STORE_DATA_DIR: join(dir, 'data'), STORE_CONFIG: file, PORT: '0', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    removeDir(dir);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^hexastore: invalid config file: namespaces\.app\.defaultTtlSeconds: /),
    ]);
  });

  it('a bad environment value stops the process with one line and exit code 1', () => {
    const run = spawnSync(process.execPath, [MAIN], { env: { ...process.env, PORT: 'eighty' }, encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('hexastore: invalid configuration: PORT must be a whole number from 0 to 65535 (got "eighty")');
  });
});
