import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hexastore } from './support/cli';
import { http, removeDir, RunningService, startService, tempDir } from './support/service';

// Each case runs several CLI processes one after another.
jest.setTimeout(60_000);

describe('hexastore CLI: exit codes, --json as the API answers, --version, HEXASTORE_URL', () => {
  let service: RunningService;
  let work: string;
  const at = (...args: string[]) => ['--url', service.url, ...args];
  const api = async (path: string) => {
    const reply = await http('GET', service.url + path);
    expect(reply.status).toBe(200);
    return reply.body;
  };

  beforeAll(async () => {
    service = await startService();
    work = tempDir('hexastore-cli-contract-');
    for (const [key, value] of [['a', '1'], ['b', '2']]) {
      expect((await http('PUT', `${service.url}/v1/namespaces/billing/entries/${key}`, { value })).status).toBe(201);
    }
    expect((await http('PUT', `${service.url}/v1/namespaces/billing/entries/a`, { value: '3' })).status).toBe(200);
    expect((await http('POST', `${service.url}/v1/namespaces/billing/rollback-points`, { label: 'one' })).status).toBe(201);
    expect((await http('POST', `${service.url}/v1/namespaces/billing/snapshots`)).status).toBe(201);
  });
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
    removeDir(work);
  });

  it('backup to a directory that does not exist: one line naming the file, exit 2, nothing left behind', async () => {
    const target = join(work, 'missing-dir', 'x.gz');
    const run = await hexastore(at('backup', '-o', target));
    expect(run).toEqual({ code: 2, stdout: '', stderr: `hexastore: cannot write ${target}: ENOENT\n` });
    expect(existsSync(join(work, 'missing-dir'))).toBe(false);
  });

  it('backup offline to a directory that does not exist: the same one line and exit 2', async () => {
    const target = join(work, 'missing-dir', 'y.gz');
    const run = await hexastore(['backup', '--data-dir', service.dataDir, '-o', target]);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `hexastore: cannot write ${target}: ENOENT\n` });
  });

  it('backup to a writable place still works', async () => {
    const target = join(work, 'ok.gz');
    const run = await hexastore(at('backup', '-o', target));
    expect(run.code).toBe(0);
    expect(readFileSync(target).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it.each([
    ['ls', ['ls'], '/v1/namespaces'],
    ['ls billing', ['ls', 'billing'], '/v1/namespaces/billing/entries'],
    ['ls billing --limit 1', ['ls', 'billing', '--limit', '1'], '/v1/namespaces/billing/entries?limit=1'],
    ['rollback-points billing', ['rollback-points', 'billing'], '/v1/namespaces/billing/rollback-points'],
    ['snapshots billing', ['snapshots', 'billing'], '/v1/namespaces/billing/snapshots'],
    ['history billing a', ['history', 'billing', 'a'], '/v1/namespaces/billing/entries/a/history'],
    ['get billing a', ['get', 'billing', 'a'], '/v1/namespaces/billing/entries/a'],
  ])('--json %s prints exactly what the API answers', async (_title, args, path) => {
    const run = await hexastore(at('--json', ...args));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(await api(path));
  });

  it('--version prints the version of the package, exit 0', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
    expect(await hexastore(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('HEXASTORE_URL is the service when --url is not given; --url wins over it', async () => {
    const run = await hexastore(['--json', 'get', 'billing', 'b'], undefined, { HEXASTORE_URL: service.url });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ key: 'b', value: '2' });
    const nowhere = 'http://127.0.0.1:9';
    expect((await hexastore(['--url', service.url, 'get', 'billing', 'b'], undefined, { HEXASTORE_URL: nowhere })).code).toBe(0);
  });
});
