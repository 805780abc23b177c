import { join } from 'node:path';
import { hexastore } from './support/cli';
import { http, removeDir, startService, tempDir, useService } from './support/service';

/** The API's calls on the command line: --json prints what the API answers. */
describe('CLI: the rest of the API', () => {
  const service = useService();
  const cli = (...args: string[]) => hexastore(['--url', service.url, '--json', ...args]);
  const json = async (...args: string[]) => {
    const run = await cli(...args);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(run.stdout);
  };
  const api = async (path: string) => (await http('GET', `${service.url}${path}`)).body;

  it('namespace create and show', async () => {
    expect(await json('namespace', 'create', 'cli-api')).toMatchObject({ name: 'cli-api', created: true });
    expect(await json('ns', 'create', 'cli-api')).toMatchObject({ name: 'cli-api', created: false });
    expect(await json('namespace', 'show', 'cli-api')).toEqual(await api('/v1/namespaces/cli-api'));
    expect((await cli('ns', 'show', 'no-such-ns')).code).toBe(1);
  });

  it('get --as-of a revision', async () => {
    await service.store.put('asof', 'k', 'one');
    await service.store.put('asof', 'k', 'two');
    const old = await json('get', 'asof', 'k', '--as-of', '1');
    expect(old).toMatchObject({ value: 'one', asOf: 1 });
    expect(old).toEqual(await api('/v1/namespaces/asof/entries/k?asOf=1'));
    expect((await hexastore(['--url', service.url, 'get', 'asof', 'k', '--as-of', 'x'])).code).toBe(2);
  });

  it('del, ls --include-deleted, restore and purge of an entry; del --purge', async () => {
    await service.store.put('soft', 'a', '1');
    await service.store.put('soft', 'b', '2');
    await json('del', 'soft', 'a');
    const listed = await json('ls', 'soft', '--include-deleted');
    expect(listed.items).toMatchObject([{ key: 'a', restorable: true }, { key: 'b', deletedAt: null }]);
    expect(listed).toEqual(await api('/v1/namespaces/soft/entries?includeDeleted=true'));
    expect(await json('restore', 'soft', 'a')).toMatchObject({ key: 'a', value: '1', revision: 4 });
    expect((await api('/v1/namespaces/soft/entries/a')).value).toBe('1');
    expect(await json('purge', 'soft', 'a')).toMatchObject({ revision: 6 }); // a live entry: deleted and purged
    expect(await json('del', 'soft', 'b', '--purge')).toEqual({ deleted: true, purged: true, namespace: 'soft', key: 'b' });
    expect((await json('ls', 'soft', '--include-deleted')).items).toEqual([]);
    expect((await cli('restore', 'soft', 'b')).code).toBe(1);
  });

  it('consumers: the list (as GET /v1/replicas) and one consumer', async () => {
    const { position } = await service.store.put('consumed', 'k', 'v');
    await service.store.saveCheckpoint('cli-reader', position);
    const replicas = await json('consumers');
    expect(replicas).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'cli-reader', kind: 'consumer' })]));
    expect(replicas.map((r: { id: string }) => r.id)).toEqual((await api('/v1/replicas')).map((r: { id: string }) => r.id));
    expect(await json('consumers', 'cli-reader')).toEqual(await api('/v1/consumers/cli-reader'));
    expect((await cli('consumers', 'nobody')).code).toBe(1);
  });

  it('status (and health): the readiness report', async () => {
    const report = await json('status');
    expect(report).toMatchObject({ status: 'ok', info: { store: expect.any(Object) } });
    expect(Object.keys(report)).toEqual(Object.keys(await api('/health/ready')));
    expect((await hexastore(['--url', service.url, 'health'])).stdout).toMatch(/^ready\n/);
  });

  it('backup -n names the namespaces it backed up', async () => {
    await service.store.put('billing', 'k', 'v');
    const dir = tempDir();
    try {
      const one = await hexastore(['--url', service.url, 'backup', '-n', 'billing', '-o', join(dir, 'b.gz')]);
      expect(one.stdout).toMatch(/^backed up namespace billing to .*b\.gz \(\d+ B\)\n$/);
      const two = await hexastore(['--url', service.url, 'backup', '-n', 'billing', '-n', 'soft', '-o', join(dir, 'c.gz')]);
      expect(two.stdout).toMatch(/^backed up namespaces billing, soft to /);
      expect((await hexastore(['--url', service.url, 'backup', '-o', join(dir, 'd.gz')])).stdout).toMatch(/^backed up every namespace to /);
    } finally {
      removeDir(dir);
    }
  });
});

describe('CLI: offline backup progress', () => {
  it('counts up to the total it shows: the events of the namespaces backed up', async () => {
    const dir = tempDir();
    const source = await startService({ dataDir: join(dir, 'data') });
    try {
      for (let i = 0; i < 5; i++) await http('PUT', `${source.url}/v1/namespaces/billing/entries/k${i}`, { value: String(i) });
      for (let i = 0; i < 4; i++) await http('PUT', `${source.url}/v1/namespaces/other/entries/k${i}`, { value: String(i) });
      // Events outside the archive: a backup's own record in the store-wide stream, a consumer checkpoint.
      await http('POST', `${source.url}/v1/admin/backup`);
      const put = await http('PUT', `${source.url}/v1/namespaces/billing/entries/k0`, { value: 'again' });
      await http('PUT', `${source.url}/v1/consumers/c1/checkpoint`, { position: put.body.position });
    } finally {
      await source.close();
    }
    try {
      const run = await hexastore(['--progress', '--json', 'backup', '-n', 'billing', '-o', join(dir, 'b.gz'), '--data-dir', join(dir, 'data')]);
      expect(run.code).toBe(0);
      const done = JSON.parse(run.stdout);
      expect(done).toMatchObject({ namespaces: ['billing'], events: 7 }); // the namespace's creation and six puts
      const shown = [...run.stderr.matchAll(/(\d+) events of (\d+) events/g)].map((m) => [Number(m[1]), Number(m[2])]);
      expect(shown.length).toBeGreaterThan(0);
      expect(new Set(shown.map(([, total]) => total))).toEqual(new Set([7]));
      expect(shown.at(-1)).toEqual([7, 7]);
    } finally {
      removeDir(dir);
    }
  });
});
