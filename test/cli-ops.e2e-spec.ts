import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, hexastore, stop } from './support/cli';
import { removeDir, startChild, tempDir } from './support/service';

jest.setTimeout(60_000);

describe('hexastore CLI: watch, ttl, history, rollback, snapshots, reload', () => {
  let dir: string;
  let url: string;
  let service: ChildProcess;
  const cli = (...args: string[]) => hexastore(['--url', url, ...args]);
  const json = async (...args: string[]) => {
    const run = await cli('--json', ...args);
    expect([run.code, run.stderr]).toEqual([0, '']);
    return JSON.parse(run.stdout);
  };

  beforeAll(async () => {
    dir = tempDir('hexastore-cli-ops-');
    writeFileSync(join(dir, 'store.yaml'), 'namespaces:\n  sessions:\n    defaultTtlSeconds: 60\n');
    ({ url, child: service } = await startChild(join(dir, 'data'), { STORE_CONFIG: join(dir, 'store.yaml') }));
  });
  afterAll(async () => {
    await stop(service);
    removeDir(dir);
  });

  it('sets and clears a TTL, and shows every change of a key with history', async () => {
    await cli('put', 'app', 'k', 'one');
    expect((await json('ttl', 'app', 'k', '120')).expiresAt).toEqual(expect.any(String));
    expect(await json('ttl', 'app', 'k', 'none')).toMatchObject({ version: 3, expiresAt: null });
    const history = await json('history', 'app', 'k');
    expect(history.map((h: { type: string; version: number }) => [h.type, h.version])).toEqual([
      ['StoreEntryCreated', 1], ['StoreEntryTtlSet', 2], ['StoreEntryTtlSet', 3],
    ]);
    const table = await cli('history', 'app', 'k');
    expect(table.stdout).toMatch(/│ 1 +│ StoreEntryCreated +│ 1 +│ "one" +│ anonymous/);
  });

  it('records a rollback point, rolls back to it, and lists points and snapshots', async () => {
    await cli('put', 'deploy', 'flag', 'old');
    const point = await json('rollback-point', 'deploy', '--label', 'before', '--stage', 'canary');
    expect(point).toMatchObject({ label: 'before', stage: 'canary' });
    await cli('put', 'deploy', 'flag', 'new');
    await cli('put', 'deploy', 'extra', 'x');
    const rolled = await json('rollback', 'deploy', point.id);
    expect(rolled.diff).toEqual({ restored: [], changed: ['flag'], removed: ['extra'] });
    expect((await cli('get', 'deploy', 'flag', '--raw')).stdout).toBe('old');
    expect((await json('rollback-point', 'deploy', '--list')).map((p: { id: string }) => p.id)).toContain(point.id);
    const undo = await cli('rollback', 'deploy', rolled.undoPointId);
    expect(undo.code).toBe(0);
    expect((await cli('get', 'deploy', 'flag', '--raw')).stdout).toBe('new');
    const snapshot = await json('snapshot', 'deploy');
    expect(snapshot).toMatchObject({ entryCount: 2 });
    expect((await json('snapshot', 'deploy', '--list')).map((s: { id: string }) => s.id)).toEqual([snapshot.id]);
  });

  it('reloads the config file and shows what changed', async () => {
    expect(await json('reload')).toMatchObject({ unchanged: true, changes: [] });
    writeFileSync(join(dir, 'store.yaml'), 'namespaces:\n  sessions:\n    defaultTtlSeconds: 90\n');
    const reloaded = await cli('reload');
    expect([reloaded.code, reloaded.stdout]).toEqual([0, expect.stringMatching(/│ sessions +│ configured +│ 90 +│/)]);
  });

  it('watch prints the feed from the start, then live, and exits 0 on Ctrl-C', async () => {
    await cli('put', 'watched', 'a', '1');
    const watcher = spawn(process.execPath, [CLI, '--url', url, '--json', 'watch', 'watched', '--from', 'start'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    watcher.stdout.on('data', (chunk) => (stdout += chunk));
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
    };
    await until(() => stdout.includes('"key": "a"'));
    await cli('put', 'watched', 'b', '2');
    await until(() => stdout.includes('"key": "b"'));
    const exited = new Promise<number | null>((r) => watcher.once('exit', r));
    watcher.kill('SIGINT');
    expect(await exited).toBe(0);
    const events = JSON.parse(`[${stdout.trim().replace(/\n}\n{/g, '\n},\n{')}]`);
    expect(events.map((e: { type: string; key?: string }) => [e.type, e.key])).toEqual([
      ['StoreNamespaceCreated', undefined], ['StoreEntryCreated', 'a'], ['StoreEntryCreated', 'b'],
    ]);
  });

  it('refusals exit 1 with the problem code; bad arguments exit 2', async () => {
    const missing = await cli('rollback', 'deploy', 'no-such-point');
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/^hexastore: ROLLBACK_POINT_NOT_FOUND: /)]);
    const gone = await cli('ttl', 'app', 'never-written', '10');
    expect([gone.code, gone.stderr]).toEqual([1, expect.stringMatching(/^hexastore: ENTRY_NOT_FOUND: /)]);
    const stale = await cli('watch', '--after', 'ffffffffffffffff:1');
    expect([stale.code, stale.stderr]).toEqual([1, expect.stringMatching(/^hexastore: CURSOR_STALE: /)]);
    const usage = await cli('ttl', 'app', 'k', 'soon');
    expect([usage.code, usage.stderr]).toEqual([2, 'hexastore: <seconds> is a whole number of at least 1, or none\n']);
    expect((await cli('watch', '--from', 'yesterday')).code).toBe(2);
  });
});
