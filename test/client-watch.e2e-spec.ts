import { CursorStaleError, InvalidRequestError, NotFoundError, StoreClient, StoreUnavailableError } from '@app/client';
import { FlakyProxy } from './support/flaky-proxy';
import { ChildProcess } from 'node:child_process';
import { removeDir, startChild, tempDir, useService } from './support/service';
import { Collector, logOf, until } from './support/watching';

/** A small deterministic generator, so a failing run can be replayed. */
function random(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const QUICK = { baseDelayMs: 5, maxDelayMs: 50 };

describe('watch: the change feed through the client', () => {
  const service = useService({ env: { FEED_HEARTBEAT_MS: '50' } });
  const { store } = service;

  it('catches up from the start, then follows live; heartbeats are not events', async () => {
    const a = await store.put('w-live', 'a', '1');
    const b = await store.put('w-live', 'b', '2');
    const watch = new Collector(store.watch({ namespace: 'w-live', from: 'start' }));
    await watch.count(3);
    await new Promise((r) => setTimeout(r, 200)); // a few heartbeats go by
    const c = await store.put('w-live', 'c', '3');
    await watch.count(4);
    await watch.stop();
    expect(watch.events.map((e) => [e.type, e.key])).toEqual([
      ['StoreNamespaceCreated', undefined], ['StoreEntryCreated', 'a'], ['StoreEntryCreated', 'b'], ['StoreEntryCreated', 'c'],
    ]);
    expect(watch.positions.slice(1)).toEqual([a.position, b.position, c.position]);
    expect(watch.events[3]).toMatchObject({ namespace: 'w-live', key: 'c', value: '3', version: 1, revision: 3, actor: 'anonymous' });
    expect([watch.watch.lastPosition, watch.watch.connections, watch.error]).toEqual([c.position, 1, undefined]);
  });

  it('from now (the default) gives only later events; filters by prefix and type; values can be left out', async () => {
    await store.put('w-filter', 'cfg/a', 'old');
    const now = new Collector(store.watch({ namespace: 'w-filter' }));
    const filtered = new Collector(store.watch({ namespace: 'w-filter', from: 'start', prefix: 'cfg/', types: ['StoreEntryUpdated'], values: false }));
    await until(() => now.watch.connections === 1 && filtered.watch.connections === 1);
    await store.put('w-filter', 'other', '1');
    await store.put('w-filter', 'cfg/a', 'new');
    await now.count(2);
    await filtered.count(1);
    await Promise.all([now.stop(), filtered.stop()]);
    expect(now.events.map((e) => [e.key, e.value])).toEqual([['other', '1'], ['cfg/a', 'new']]);
    expect(filtered.events).toHaveLength(1);
    expect(filtered.events[0]).toMatchObject({ type: 'StoreEntryUpdated', key: 'cfg/a', version: 2 });
    expect(filtered.events[0]).not.toHaveProperty('value');
  });

  it('every namespace at once, in log order', async () => {
    const all = new Collector(store.watch({ prefix: 'mix/' }));
    await until(() => all.watch.connections === 1);
    const written = [await store.put('w-mix-a', 'mix/k', '1'), await store.put('w-mix-b', 'mix/k', '1'), await store.put('w-mix-a', 'mix/k', '2')];
    await all.count(3);
    await all.stop();
    expect(all.positions).toEqual(written.map((w) => w.position));
  });

  it('random writes and random watcher stops, each resumed with after = the last delivered: the log, in order, no gap, no repeat', async () => {
    const next = random(7);
    const ns = 'w-property';
    await store.createNamespace(ns);
    const received: string[] = [];
    let after: string | undefined;
    let written = 1; // the namespace's creation
    for (let round = 0; round < 25; round++) {
      const watch = store.watch(after === undefined ? { namespace: ns, from: 'start' } : { namespace: ns, after });
      const iterator = watch[Symbol.asyncIterator]();
      const writes = Math.floor(next() * 6);
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < writes; i++) {
        pending.push(next() < 0.2
          ? store.transaction(ns, [{ op: 'put', key: `t${round}-${i}`, value: 'x' }, { op: 'put', key: `u${round}-${i}`, value: 'y' }])
          : store.put(ns, `k${Math.floor(next() * 4)}`, `${round}-${i}`));
      }
      const answers = await Promise.all(pending);
      written += answers.reduce<number>((n, a) => n + ((a as { results?: unknown[] }).results?.length ?? 1), 0);
      const take = Math.floor(next() * (written - received.length + 1));
      for (let i = 0; i < take; i++) {
        const { value, done } = await iterator.next();
        if (done) throw new Error('the watch ended');
        received.push(value.position);
      }
      if (next() < 0.5) await watch.close();
      else if (next() < 0.5) await iterator.return!();
      else {
        const controller = new AbortController();
        const aborted = store.watch({ namespace: ns, after: watch.lastPosition ?? after, signal: controller.signal });
        controller.abort();
        expect(await aborted.next()).toEqual({ done: true, value: undefined });
        await watch.close();
      }
      expect(watch.lastPosition).toBe(take > 0 ? received[received.length - 1] : undefined);
      after = received[received.length - 1] ?? after;
    }
    const rest = new Collector(after === undefined ? store.watch({ namespace: ns, from: 'start' }) : store.watch({ namespace: ns, after }));
    await rest.count(written - received.length);
    await rest.stop();
    received.push(...rest.positions);
    expect(received).toEqual(await logOf(service.url, ns, written));
  });

  it('a dropped connection is resumed after the last delivered event: nothing missed, nothing twice', async () => {
    const proxy = await FlakyProxy.start(service.url);
    try {
      const ns = 'w-drops';
      await store.createNamespace(ns);
      const reconnects: unknown[] = [];
      const watch = new Collector(new StoreClient(proxy.url).watch({
        namespace: ns, from: 'start', reconnect: QUICK, onReconnect: (info) => reconnects.push(info),
      }));
      const next = random(11);
      let written = 1;
      for (let round = 0; round < 10; round++) {
        const burst = 1 + Math.floor(next() * 8);
        await Promise.all(Array.from({ length: burst }, (_, i) => store.put(ns, `k${i}`, `${round}`)));
        written += burst;
        await watch.count(Math.max(1, Math.floor(next() * written)));
        proxy.cutAll();
        await until(() => watch.watch.connections === round + 2);
      }
      await watch.count(written);
      await watch.stop();
      expect(watch.positions).toEqual(await logOf(service.url, ns, written));
      expect(reconnects).toHaveLength(10);
    } finally {
      await proxy.close();
    }
  });

  it('from now, a connection lost before its first event resumes from where "now" was: writes made meanwhile arrive', async () => {
    const proxy = await FlakyProxy.start(service.url);
    try {
      await store.createNamespace('w-quiet');
      const watch = new Collector(new StoreClient(proxy.url).watch({ namespace: 'w-quiet', reconnect: QUICK }));
      await until(() => watch.watch.connections === 1);
      proxy.otherwise = 'drop';
      proxy.cutAll();
      const meanwhile = await store.put('w-quiet', 'k', 'written while the watcher was cut off');
      proxy.otherwise = 'pass';
      await watch.count(1);
      await watch.stop();
      expect(watch.positions).toEqual([meanwhile.position]);
    } finally {
      await proxy.close();
    }
  });

  it('a durable consumer resumes after its checkpoint; without one, from where `from` says', async () => {
    await store.put('w-consumer', 'a', '1');
    const b = await store.put('w-consumer', 'b', '2');
    const c = await store.put('w-consumer', 'c', '3');
    await store.saveCheckpoint('w-reader', b.position);
    const resumed = new Collector(store.watch({ namespace: 'w-consumer', consumer: 'w-reader' }));
    const fresh = new Collector(store.watch({ namespace: 'w-consumer', consumer: 'w-newcomer', from: 'start' }));
    await resumed.count(1);
    await fresh.count(4);
    await Promise.all([resumed.stop(), fresh.stop()]);
    expect(resumed.positions).toEqual([c.position]);
    expect(fresh.events.map((e) => e.key)).toEqual([undefined, 'a', 'b', 'c']);
  });

  it.each([
    ['a cursor of another incarnation', { after: `${'f'.repeat(16)}:3` }, CursorStaleError, 'CURSOR_STALE'],
    ['a malformed cursor', { after: 'not-a-position' }, InvalidRequestError, 'CURSOR_INVALID'],
    ['an unknown namespace', { namespace: 'w-nowhere' }, NotFoundError, 'NAMESPACE_NOT_FOUND'],
    ['an unknown consumer and no `from`', { consumer: 'w-nobody' }, NotFoundError, 'CONSUMER_NOT_FOUND'],
    ['a bad type filter', { types: ['Bad'] }, InvalidRequestError, 'VALIDATION_FAILED'],
  ])('%s ends the iteration with the typed error, never a silent skip', async (_, options, type, code) => {
    const watch = new Collector(store.watch({ reconnect: QUICK, ...options }));
    await watch.done;
    expect([watch.error?.constructor, (watch.error as { code?: string }).code, watch.events]).toEqual([type, code, []]);
  });

  it('more than one start is a usage error', () => {
    expect(() => store.watch({ after: 'x:1', from: 'start' })).toThrow(TypeError);
  });

  it('stops quietly on its signal, on close() while waiting, and on break', async () => {
    await store.createNamespace('w-stop');
    const controller = new AbortController();
    const bySignal = new Collector(store.watch({ namespace: 'w-stop', signal: controller.signal }));
    const byClose = new Collector(store.watch({ namespace: 'w-stop' }));
    await until(() => bySignal.watch.connections === 1 && byClose.watch.connections === 1);
    controller.abort();
    await byClose.watch.close();
    await Promise.all([bySignal.done, byClose.done]);
    expect([bySignal.error, byClose.error]).toEqual([undefined, undefined]);
    const written = await store.put('w-stop', 'k', 'v');
    for await (const event of store.watch({ namespace: 'w-stop', from: 'start' })) {
      if (event.position === written.position) break;
    }
  });

  it('gives up after `maxAttempts` failed reconnects in a row with StoreUnavailableError', async () => {
    const proxy = await FlakyProxy.start(service.url);
    proxy.otherwise = 'drop';
    try {
      const watch = new Collector(new StoreClient(proxy.url).watch({ reconnect: { ...QUICK, maxAttempts: 3 }, from: 'start' }));
      await watch.done;
      expect(watch.error).toBeInstanceOf(StoreUnavailableError);
      expect(proxy.seen.filter((r) => r.path.startsWith('/v1/feed'))).toHaveLength(4);
    } finally {
      await proxy.close();
    }
  });
});

describe('watch: silent connections', () => {
  const service = useService();

  it('a connection silent for longer than idleTimeoutMs is replaced, and the events still come once each', async () => {
    const { store } = service;
    await store.createNamespace('w-idle');
    const watch = new Collector(store.watch({ namespace: 'w-idle', from: 'start', idleTimeoutMs: 150, reconnect: QUICK }));
    await until(() => watch.watch.connections >= 3);
    const written = await store.put('w-idle', 'k', 'v');
    await watch.count(2);
    await watch.stop();
    expect(watch.positions).toEqual(await logOf(service.url, 'w-idle', 2));
    expect(watch.positions[1]).toBe(written.position);
  });
});

describe('watch: slow consumers', () => {
  const service = useService({ env: { FEED_BUFFER_BYTES: '65536' } });

  it('a watcher too slow for its buffer is disconnected by the service and resumes where it was', async () => {
    const { store } = service;
    await store.createNamespace('w-slow');
    const watch = store.watch({ namespace: 'w-slow', from: 'start', reconnect: QUICK });
    const iterator = watch[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'StoreNamespaceCreated' });
    const value = 'x'.repeat(60_000);
    const written: string[] = [];
    for (let i = 0; i < 300; i++) written.push((await store.put('w-slow', `k${i}`, value)).position);
    const received: string[] = [];
    while (received.length < 300) received.push((await iterator.next()).value!.position);
    await watch.close();
    expect(received).toEqual(written);
    expect(watch.connections).toBeGreaterThan(1);
  });
});

describe('watch across restarts of the built service', () => {
  const dataDir = tempDir();
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    removeDir(dataDir);
  });

  async function stop(signal: NodeJS.Signals): Promise<void> {
    const exited = new Promise((r) => child!.once('exit', r));
    child!.kill(signal);
    await exited;
  }

  it.each([['SIGKILL'], ['SIGTERM']] as const)('resumes after the service is stopped with %s and started again on the same data and port: nothing missed', async (signal) => {
    const first = await startChild(dataDir);
    child = first.child;
    const store = new StoreClient({ url: first.url, retry: { baseDelayMs: 20, maxDelayMs: 200, attempts: 20 } });
    const ns = `w-restart-${signal.toLowerCase()}`;
    await store.createNamespace(ns);
    const watch = new Collector(store.watch({ namespace: ns, from: 'start', reconnect: { baseDelayMs: 20, maxDelayMs: 200 } }));
    const before = [];
    for (let i = 0; i < 20; i++) before.push(await store.put(ns, `k${i % 3}`, `before-${i}`));
    await watch.count(21);
    const during = Array.from({ length: 10 }, (_, i) => store.put(ns, `k${i % 3}`, `during-${i}`).catch(() => undefined));
    await stop(signal);
    await Promise.all(during);
    ({ child } = await startChild(dataDir, {}, { port: first.port }));
    const after = [];
    for (let i = 0; i < 20; i++) after.push(await store.put(ns, `k${i % 3}`, `after-${i}`));
    const total = (await store.getNamespace(ns)).revision + 1;
    await watch.count(total);
    await watch.stop();
    expect(watch.positions).toEqual(await logOf(first.url, ns, total));
    expect(watch.positions).toEqual(expect.arrayContaining([...before, ...after].map((w) => w.position)));
    expect(watch.watch.connections).toBeGreaterThanOrEqual(2);
    await stop('SIGTERM');
  });
  it('connections cut at random through a proxy, concurrent writers, and a kill -9 and restart in the middle: the log, in order, no gap, no repeat', async () => {
    const first = await startChild(dataDir);
    child = first.child;
    const proxy = await FlakyProxy.start(first.url);
    try {
      const store = new StoreClient({ url: first.url, retry: { baseDelayMs: 20, maxDelayMs: 200, attempts: 20 } });
      const ns = 'w-chaos';
      await store.createNamespace(ns);
      const watch = new Collector(new StoreClient(proxy.url).watch({ namespace: ns, from: 'start', reconnect: { baseDelayMs: 20, maxDelayMs: 200 } }));
      const next = random(29);
      // Four writers, ten puts each; one stops at its first failure (the kill): that put may or may not be in the log, the log decides.
      const writers = (tag: string) => Promise.all(Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 10; i++) if (!(await store.put(ns, `w${w}/${i % 3}`, `${tag}-${i}`).then(() => true, () => false))) return;
      }));
      const rounds = async (tag: string) => {
        for (let round = 0; round < 3; round++) {
          const writing = writers(`${tag}${round}`);
          await watch.count(1 + Math.floor(next() * watch.events.length));
          proxy.cutAll();
          await writing;
        }
      };
      await rounds('before');
      const during = writers('during');
      await stop('SIGKILL');
      await during;
      ({ child } = await startChild(dataDir, {}, { port: first.port }));
      await rounds('after');
      const total = (await store.getNamespace(ns)).revision + 1;
      await watch.count(total);
      await watch.stop();
      expect(watch.positions).toEqual(await logOf(first.url, ns, total));
      // The kill ends the connection whatever the timing; a cut that lands while it reconnects cuts nothing.
      expect(watch.watch.connections).toBeGreaterThanOrEqual(2);
    } finally {
      await proxy.close();
    }
    await stop('SIGTERM');
  });
});
