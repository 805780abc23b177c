import { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { hexastore, stopProcess } from './support/cli';
import { removeDir, startChild, tempDir, vacantPort } from './support/service';

// Each case runs several CLI processes (and services) one after another.
jest.setTimeout(60_000);

describe('hexastore CLI against the built service', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  let url: string;
  let work: string;

  async function service(dir = tempDir()): Promise<{ url: string; child: ChildProcess; dir: string }> {
    dirs.push(dir);
    const started = await startChild(dir);
    children.push(started.child);
    return { ...started, dir };
  }

  beforeAll(async () => {
    work = tempDir('hexastore-cli-');
    dirs.push(work);
    ({ url } = await service());
  });
  afterAll(async () => {
    await Promise.all(children.map(stopProcess));
    dirs.forEach(removeDir);
  }, 30_000);

  const at = (target: string, ...args: string[]) => ['--url', target, ...args];

  it('puts, gets, lists, commits a transaction and deletes, printing tables or JSON; exit code 0', async () => {
    const put = await hexastore(at(url, 'put', 'billing', 'plans/pro', '{"price":20}', '-m', 'owner=team-a', '--ttl', '3600'));
    expect(put).toEqual({ code: 0, stdout: expect.stringMatching(/^created billing\/plans\/pro: version 1, revision 1, position [0-9a-f]{16}:2\n$/), stderr: '' });
    writeFileSync(join(work, 'value.bin'), Buffer.from([0xff, 0x00]));
    expect((await hexastore(at(url, 'put', 'billing', 'raw', '--file', join(work, 'value.bin')))).code).toBe(0);
    const got = await hexastore(at(url, '--json', 'get', 'billing', 'plans/pro'));
    expect(JSON.parse(got.stdout)).toMatchObject({ key: 'plans/pro', value: '{"price":20}', metadata: { owner: 'team-a' }, version: 1 });
    expect((await hexastore(at(url, 'get', 'billing', 'raw', '--raw'))).stdout).toBe(Buffer.from([0xff, 0x00]).toString());
    const table = await hexastore(at(url, 'get', 'billing', 'plans/pro'));
    expect(table.stdout).toMatch(/│ metadata +│ \{"owner":"team-a"\} +│/);
    writeFileSync(join(work, 'ops.json'), JSON.stringify({ ops: [{ op: 'put', key: 'plans/basic', value: '10' }, { op: 'delete', key: 'raw' }] }));
    const txn = await hexastore(at(url, '--json', 'txn', 'billing', join(work, 'ops.json')));
    expect(JSON.parse(txn.stdout)).toMatchObject({ revision: 4, results: [{ op: 'put', key: 'plans/basic', version: 1 }, { op: 'delete', key: 'raw', version: 1 }] });
    const listed = await hexastore(at(url, 'ls', 'billing', '--limit', '1'));
    expect(listed.stdout).toMatch(/│ plans\/basic │ 1 +│ "10" +│/);
    expect(listed.stdout).toMatch(/more: --cursor \S+\n$/);
    expect(JSON.parse((await hexastore(at(url, '--json', 'ls'))).stdout)).toMatchObject([{ name: 'billing', entryCount: 2 }]);
    expect(await hexastore(at(url, 'del', 'billing', 'plans/basic'))).toEqual({ code: 0, stdout: 'deleted billing/plans/basic\n', stderr: '' });
  });

  it('a refusal exits 1 with the problem code; --json prints the problem', async () => {
    await hexastore(at(url, 'put', 'refusals', 'k', 'v'));
    expect(await hexastore(at(url, 'put', 'refusals', 'k', 'w', '--expected-version', '0'))).toEqual({
      code: 1, stdout: '', stderr: 'hexastore: VERSION_CONFLICT: key "k" is at version 1, not 0\n',
    });
    const missing = await hexastore(at(url, '--json', 'get', 'refusals', 'nope'));
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ status: 404, code: 'ENTRY_NOT_FOUND' });
    expect((await hexastore(at(url, 'ls', 'Not-A-Namespace'))).stderr).toMatch(/^hexastore: NAMESPACE_INVALID: /);
  });

  it.each([
    [['frob'], /unknown command 'frob'/],
    [['get', 'only-namespace'], /missing required argument 'key'/],
    [['put', 'ns', 'k'], /give the value either as an argument or with --file/],
    [['put', 'ns', 'k', 'v', '--ttl', 'soon'], /--ttl is a whole number of at least 1/],
    [['txn', 'ns', '/nonexistent/ops.json'], /cannot read \/nonexistent\/ops.json: ENOENT/],
    [['backup'], /required option '-o, --output <file>' not specified/],
    [['restore', '/nonexistent/archive.gz'], /cannot read \/nonexistent\/archive.gz: ENOENT/],
  ])('usage errors exit 2: %j', async (args, message) => {
    const run = await hexastore(at(url, ...args));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('a store that cannot be reached exits 3', async () => {
    const vacant = await vacantPort();
    const run = await hexastore(['--url', `http://127.0.0.1:${vacant}`, 'ls']);
    expect(run).toEqual({ code: 3, stdout: '', stderr: `hexastore: cannot reach the store at http://127.0.0.1:${vacant} (ECONNREFUSED)\n` });
  });

  it('backs up through one service and restores through another; conflicts and damaged files exit 1', async () => {
    await hexastore(at(url, 'put', 'moving', 'k', 'v1'));
    await hexastore(at(url, 'put', 'moving', 'k', 'v2'));
    const archive = join(work, 'moving.ndjson.gz');
    const backup = await hexastore(at(url, '--progress', 'backup', '-o', archive, '-n', 'moving'));
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^backed up namespace moving to .*moving\.ndjson\.gz \(\d+ B\)\n$/);
    expect(backup.stderr).toMatch(/backup \d+ B/);
    const target = await service();
    const restored = await hexastore(at(target.url, '--json', 'restore', archive));
    expect(JSON.parse(restored.stdout)).toMatchObject({ restored: true, namespaces: ['moving'], events: 3 });
    expect(JSON.parse((await hexastore(at(target.url, '--json', 'get', 'moving', 'k'))).stdout)).toMatchObject({ value: 'v2', version: 2 });
    expect(await hexastore(at(target.url, 'restore', archive))).toMatchObject({ code: 0, stdout: 'already restored: the store holds this archive (3 events); nothing written\n' });
    await hexastore(at(url, 'put', 'moving', 'k', 'v3'));
    expect((await hexastore(at(url, 'backup', '-o', archive))).code).toBe(0);
    const conflict = await hexastore(at(target.url, 'restore', archive));
    expect(conflict).toMatchObject({ code: 1, stderr: expect.stringMatching(/^hexastore: RESTORE_CONFLICT: the store already has namespace moving/) });
    writeFileSync(join(work, 'damaged.gz'), readFileSync(archive).subarray(0, 40));
    expect(await hexastore(at(target.url, 'restore', join(work, 'damaged.gz')))).toMatchObject({
      code: 1, stderr: 'hexastore: ARCHIVE_INVALID: the archive is not valid: it is not a complete gzip file (unexpected end of file)\n',
    });
    expect((await hexastore(at(target.url, 'rebuild'))).stdout).toMatch(/^rebuilt the read models from 4 events in \d+ ms\n$/);
  });

  it('offline, on a stopped service\'s data dir: backup, restore into a fresh dir, rebuild — then the service serves it', async () => {
    const source = await service();
    await hexastore(at(source.url, 'put', 'offline', 'a', '1'));
    await hexastore(at(source.url, 'put', 'offline', 'b', '2'));
    await stopProcess(source.child);
    const archive = join(work, 'offline.ndjson.gz');
    const backup = await hexastore(['--json', 'backup', '-o', archive, '--data-dir', source.dir]);
    expect(JSON.parse(backup.stdout)).toMatchObject({ file: archive, events: 3, namespaces: ['offline'] });
    const fresh = tempDir();
    dirs.push(fresh);
    const restore = await hexastore(['restore', archive, '--data-dir', fresh]);
    expect(restore).toMatchObject({ code: 0, stdout: expect.stringMatching(/^restored 3 events of offline; new incarnation [0-9a-f]{16}\n$/) });
    expect((await hexastore(['restore', archive, '--data-dir', fresh])).stdout).toMatch(/^already restored/);
    const rebuild = await hexastore(['--progress', 'rebuild', '--data-dir', fresh]);
    expect(rebuild.stdout).toMatch(/^rebuilt the read models from 4 events in \d+ ms\n$/);
    expect(rebuild.stderr).toMatch(/rebuild \[=+\] 100% \| 4 events of 4 events/);
    expect(await hexastore(['backup', '-o', archive, '--data-dir', join(fresh, 'nothing-here')])).toMatchObject({ code: 2 });
    expect(existsSync(join(fresh, 'nothing-here'))).toBe(false);
    writeFileSync(join(work, 'offline-damaged.gz'), readFileSync(archive).subarray(0, 40));
    expect((await hexastore(['restore', join(work, 'offline-damaged.gz'), '--data-dir', fresh])).code).toBe(1);
    expect((await hexastore(['restore', join(work, 'offline-damaged.gz'), '--data-dir', join(work, 'new-dir')])).code).toBe(1);
    expect(existsSync(join(work, 'new-dir'))).toBe(false);
    writeFileSync(join(work, 'foreign.gz'), gzipSync('{"some":"log"}\n'));
    expect(await hexastore(['restore', join(work, 'foreign.gz'), '--data-dir', fresh])).toMatchObject({
      code: 1, stderr: 'hexastore: ARCHIVE_INVALID: the archive is not valid: the first line is not a hexastore-backup header\n',
    });
    const restarted = await service(fresh);
    expect(JSON.parse((await hexastore(at(restarted.url, '--json', 'get', 'offline', 'b'))).stdout)).toMatchObject({ value: '2', version: 1 });
  });
});
