import { writeFileSync } from 'node:fs';
import { hexastore, RunningCli } from './support/cli';
import { FlakyProxy } from './support/flaky-proxy';
import { useService, vacantPort } from './support/service';
import { SseConnection } from './support/sse';

/** Polls `done` every 50 ms for at most 20 s; fails naming what it waited for. */
async function until(done: () => Promise<boolean>, what: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; !(await done()); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

// Each case runs several CLI processes one after another.
jest.setTimeout(60_000);

describe('hexastore CLI: watch, ttl, history, rollback, snapshots, reload', () => {
  const service = useService({ config: { name: 'store.yaml', text: 'namespaces:\n  sessions: {}\n' } });
  const { store } = service;
  const at = (...args: string[]) => ['--url', service.url, ...args];
  const headOfLog = async (): Promise<number> => ((await (await fetch(`${service.url}/health/ready`)).json()) as any).details.store.head;

  it('ttl sets and clears an expiry; history lists every change', async () => {
    await store.put('cli-ttl', 'k', 'one');
    await store.put('cli-ttl', 'k', 'two');
    const set = await hexastore(at('ttl', 'cli-ttl', 'k', '600'));
    expect(set).toEqual({ code: 0, stdout: expect.stringMatching(/^cli-ttl\/k expires at \d{4}-\d\d-\d\dT[\d:.]+Z \(version 3\)\n$/), stderr: '' });
    expect(await hexastore(at('ttl', 'cli-ttl', 'k', 'none', '--expected-version', '3'))).toEqual({ code: 0, stdout: 'cli-ttl/k no longer expires (version 4)\n', stderr: '' });
    const table = await hexastore(at('history', 'cli-ttl', 'k'));
    expect(table.stdout).toMatch(/│ 1 +│ StoreEntryCreated +│ 1 +│ "one" +│ +│ anonymous +│/);
    expect(table.stdout).toMatch(/│ 4 +│ StoreEntryTtlSet +│ 4 +│ +│ +│ anonymous +│/);
    const json = JSON.parse((await hexastore(at('--json', 'history', 'cli-ttl', 'k'))).stdout);
    expect(json.nextCursor).toBeNull();
    expect(json.items.map((h: { type: string; version: number }) => [h.type, h.version])).toEqual([
      ['StoreEntryCreated', 1], ['StoreEntryUpdated', 2], ['StoreEntryTtlSet', 3], ['StoreEntryTtlSet', 4],
    ]);
  });

  it('rollback points: record, list, show; rollback prints the diff and how to undo it', async () => {
    await store.put('cli-rb', 'a', '1');
    await store.put('cli-rb', 'b', '2');
    const created = await hexastore(at('--json', 'rollback-point', 'cli-rb', '--label', 'before', '--stage', 'pre-deploy'));
    const point = JSON.parse(created.stdout);
    expect(point).toMatchObject({ namespace: 'cli-rb', label: 'before', stage: 'pre-deploy', revision: 2 });
    expect((await hexastore(at('rollback-point', 'cli-rb'))).stdout).toMatch(/^rollback point [0-9a-f-]{36} of cli-rb at revision 3\n$/);
    await store.put('cli-rb', 'a', '10');
    await store.put('cli-rb', 'c', '3');
    const listed = await hexastore(at('rollback-points', 'cli-rb'));
    expect(listed.stdout).toMatch(new RegExp(`│ ${point.id} │ 2 +│ pre-deploy │ before │`));
    const shown = await hexastore(at('rollback-points', 'cli-rb', point.id, '--limit', '1'));
    expect(shown.stdout).toMatch(/│ a +│ 1 +│ "1" +│/);
    expect(shown.stdout).toMatch(/\n2 entries at revision 2; more: --cursor \S+\n$/);
    const rolled = await hexastore(at('rollback', 'cli-rb', point.id));
    expect(rolled.code).toBe(0);
    expect(rolled.stdout).toMatch(/│ restored │ - +│\n│ changed +│ a +│\n│ removed +│ c +│/);
    const undo = /Undo: hexastore rollback cli-rb (\S+)\n$/.exec(rolled.stdout)![1];
    expect(JSON.parse((await hexastore(at('--json', 'rollback', 'cli-rb', undo))).stdout).diff).toEqual({ restored: ['c'], changed: ['a'], removed: [] });
    expect(await hexastore(at('rollback', 'cli-rb', 'no-such-point'))).toMatchObject({ code: 1, stderr: expect.stringMatching(/^hexastore: ROLLBACK_POINT_NOT_FOUND: /) });
  });

  it('snapshots: take, list, show', async () => {
    await store.transaction('cli-snap', [{ op: 'put', key: 'x', value: '1' }, { op: 'put', key: 'y', value: '2' }]);
    const taken = await hexastore(at('snapshot', 'cli-snap'));
    const [, id] = /^snapshot (\S+) of cli-snap at revision 2: 2 entries\n$/.exec(taken.stdout)!;
    expect(JSON.parse((await hexastore(at('--json', 'snapshots', 'cli-snap'))).stdout)).toMatchObject({ items: [{ id, revision: 2, entryCount: 2 }] });
    expect((await hexastore(at('snapshots', 'cli-snap', id))).stdout).toMatch(/│ y +│ 1 +│ "2" +│[^\n]*\n[^\n]*\n2 entries at revision 2\n$/);
    expect(await hexastore(at('snapshots', 'cli-snap', 'nope'))).toMatchObject({ code: 1, stderr: expect.stringMatching(/^hexastore: SNAPSHOT_NOT_FOUND: /) });
  });

  it('reload applies the changed config file; an invalid one exits 1 with CONFIG_INVALID', async () => {
    writeFileSync(service.configFile, 'namespaces:\n  sessions:\n    defaultTtlSeconds: 60\n');
    const reloaded = await hexastore(at('reload'));
    expect(reloaded.stdout).toMatch(/│ sessions +│ configured +│ 60 +│[\s\S]*\nreloaded the config \(sha256 [0-9a-f]{12}\)\n$/);
    expect((await hexastore(at('reload'))).stdout).toMatch(/^config unchanged \(sha256 [0-9a-f]{12}\)\n$/);
    writeFileSync(service.configFile, 'namespaces:\n  sessions:\n    quota: 5\n');
    expect(await hexastore(at('reload'))).toMatchObject({ code: 1, stderr: expect.stringMatching(/^hexastore: CONFIG_INVALID: /) });
  });

  it('watch prints the log from the start, then live events, one line each; Ctrl-C exits 0', async () => {
    const a = await store.put('cli-watch', 'a', 'one');
    const watch = new RunningCli(at('watch', 'cli-watch', '--from', 'start'));
    const lines = await watch.printed(2);
    expect(lines).toEqual([expect.stringMatching(/^[0-9a-f]{16}:\d+ StoreNamespaceCreated cli-watch$/), `${a.position} StoreEntryCreated cli-watch/a v1 "one"`]);
    const b = await store.put('cli-watch', 'b', new Uint8Array([0xff]));
    await store.delete('cli-watch', 'a');
    expect((await watch.printed(4)).slice(2)).toEqual([`${b.position} StoreEntryCreated cli-watch/b v1 base64:/w==`, expect.stringMatching(/ StoreEntryDeleted cli-watch\/a v1$/)]);
    expect(await watch.stop('SIGINT')).toMatchObject({ code: 0, stderr: '' });
  });

  it('watch --json with filters and --after; SIGTERM also ends it with 0', async () => {
    const first = await store.put('cli-watch-json', 'cfg/a', '1');
    await store.put('cli-watch-json', 'other', '1');
    await store.put('cli-watch-json', 'cfg/a', '2');
    const watch = new RunningCli(at('--json', 'watch', 'cli-watch-json', '--after', first.position, '--prefix', 'cfg/', '--types', 'StoreEntryUpdated', '--no-values'));
    const [line] = await watch.printed(1);
    expect(JSON.parse(line)).toEqual(expect.objectContaining({ type: 'StoreEntryUpdated', key: 'cfg/a', version: 2 }));
    expect(JSON.parse(line)).not.toHaveProperty('value');
    expect((await watch.stop('SIGTERM')).code).toBe(0);
  });

  it('watch --consumer keeps the checkpoint of what it printed and resumes from it', async () => {
    await store.put('cli-consumer', 'a', '1');
    const first = new RunningCli(at('watch', 'cli-consumer', '--consumer', 'cli-reader', '--from', 'start'));
    const printed = await first.printed(2);
    expect((await first.stop()).code).toBe(0);
    expect((await store.getConsumer('cli-reader')).position).toBe(printed[1].split(' ')[0]);
    const b = await store.put('cli-consumer', 'b', '2');
    const second = new RunningCli(at('watch', 'cli-consumer', '--consumer', 'cli-reader'));
    expect(await second.printed(1)).toEqual([`${b.position} StoreEntryCreated cli-consumer/b v1 "2"`]);
    expect((await second.stop()).code).toBe(0);
    expect((await store.getConsumer('cli-reader')).position).toBe(b.position);
  });

  it('watch --consumer that idles adds no events to the log, and other feed subscribers never see its checkpoints', async () => {
    const other = await SseConnection.open(`${service.url}/v1/feed`);
    const watch = new RunningCli(at('watch', '--consumer', 'idle-reader', '--from', 'start', '--checkpoint-every', '1'));
    const a = await store.put('cli-idle', 'a', '1');
    await until(async () => watch.stdout.includes(`${a.position} StoreEntryCreated cli-idle/a`), 'the watcher to print a');
    await until(async () => (await store.getConsumer('idle-reader').catch(() => undefined))?.position === a.position, 'the checkpoint of a');
    const head = await headOfLog();
    // Three checkpoint intervals of idling: nothing to save, nothing written.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await headOfLog()).toBe(head);
    const b = await store.put('cli-idle', 'b', '2');
    await until(async () => (await store.getConsumer('idle-reader')).position === b.position, 'the checkpoint of b');
    expect((await watch.stop()).code).toBe(0);
    const sentinel = await store.put('cli-idle', 'sentinel', '3');
    await other.until((c) => c.events.some((e) => e.id === sentinel.position));
    other.close();
    expect(other.events.map((e) => e.event).filter((t) => t === 'StoreConsumerCheckpointed')).toEqual([]);
    expect(other.events.map((e) => e.id)).toEqual(expect.arrayContaining([a.position, b.position, sentinel.position]));
    expect((await store.getConsumer('idle-reader')).checkpoints).toBe(2);
  });

  it('watch resumes after dropped connections without missing or repeating a line', async () => {
    const proxy = await FlakyProxy.start(service.url);
    try {
      await store.createNamespace('cli-drops');
      const watch = new RunningCli(['--url', proxy.url, 'watch', 'cli-drops', '--from', 'start']);
      await watch.printed(1);
      const written = [];
      for (let round = 0; round < 3; round++) {
        proxy.cutAll();
        written.push((await store.put('cli-drops', `k${round}`, 'v')).position);
        await watch.printed(2 + round);
      }
      const run = await watch.stop();
      expect(run.code).toBe(0);
      expect(watch.lines.slice(1).map((l) => l.split(' ')[0])).toEqual(written);
      expect(run.stderr).toMatch(/^hexastore: (connection lost \(.+\)|the service closed the stream); resuming after \S+ in \d+ ms\n/);
    } finally {
      await proxy.close();
    }
  });

  it.each([
    [['watch', 'cli-nowhere'], 1, /^hexastore: NAMESPACE_NOT_FOUND: /],
    [['watch', '--after', `${'f'.repeat(16)}:1`], 1, /^hexastore: CURSOR_STALE: /],
    [['watch', '--after', 'garbage'], 1, /^hexastore: CURSOR_INVALID: /],
    [['watch', '--types', 'Nonsense'], 1, /^hexastore: VALIDATION_FAILED: /],
    [['watch', '--from', 'yesterday'], 2, /argument 'yesterday' is invalid\. Allowed choices are start, now/],
    [['watch', '--after', 'x:1', '--from', 'start'], 2, /--after starts the watch on its own/],
    [['ttl', 'ns', 'k', '0'], 2, /give whole seconds of at least 1, or "none"/],
    [['ttl', 'ns', 'k', 'soon'], 2, /give whole seconds of at least 1, or "none"/],
    [['ttl', 'cli-ttl', 'missing', '5'], 1, /^hexastore: ENTRY_NOT_FOUND: /],
    [['history', 'cli-ttl'], 2, /missing required argument 'key'/],
    [['rollback', 'cli-rb'], 2, /missing required argument 'point-id'/],
    [['snapshot'], 2, /missing required argument 'namespace'/],
    [['rollback-points', 'Bad-Namespace'], 1, /^hexastore: NAMESPACE_INVALID: /],
  ])('%j exits %i', async (args, code, message) => {
    const run = await hexastore(at(...args));
    expect([run.code, run.stderr]).toEqual([code, expect.stringMatching(message)]);
  });

  it('watch gives up on an unreachable store after --max-retries and exits 3', async () => {
    const port = await vacantPort();
    const run = await hexastore(['--url', `http://127.0.0.1:${port}`, 'watch', '--from', 'start', '--max-retries', '2']);
    expect(run.code).toBe(3);
    expect(run.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^hexastore: connection lost \(cannot reach the store at .* \(ECONNREFUSED\)\); resuming from the start point in \d+ ms$/),
      expect.stringMatching(/^hexastore: connection lost/),
      `hexastore: cannot reach the store at http://127.0.0.1:${port} (ECONNREFUSED)`,
    ]);
  });
});
