import { StoreClient } from '@app/client';
import { http, removeDir, startService, useService } from './support/service';
import { SseConnection } from './support/sse';

// The SSE stream itself (ids, event names, comments, Last-Event-ID) is what these tests check: raw
// HTTP for the feed, the SDK for the writes.
const put = (service: { url: string }, ns: string, key: string, value: string) => new StoreClient(service.url).put(ns, key, value);

/** A small deterministic generator, so a failing run can be replayed. */
function random(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('change feed (SSE)', () => {
  const service = useService({ env: { FEED_HEARTBEAT_MS: '100', FEED_MAX_STREAMS_PER_CALLER: '4' } });

  it('catches up from the start, then delivers live, with id = position and event = type', async () => {
    const first = await put(service, 'live', 'a', '1');
    const feed = await SseConnection.open(`${service.url}/v1/namespaces/live/feed?from=start`);
    expect(feed.status).toBe(200);
    await feed.until((c) => c.events.length === 2);
    const second = await put(service, 'live', 'b', '2');
    await feed.until((c) => c.events.length === 3);
    feed.close();
    expect(feed.events.map((e) => e.event)).toEqual(['StoreNamespaceCreated', 'StoreEntryCreated', 'StoreEntryCreated']);
    expect(feed.events[1].id).toBe(first.position);
    expect(feed.events[2].id).toBe(second.position);
    expect(JSON.parse(feed.events[2].data!)).toMatchObject({
      type: 'StoreEntryCreated', namespace: 'live', key: 'b', value: '2', version: 1, revision: 2,
      position: second.position, actor: 'anonymous',
    });
  });

  it('from=now (the default) delivers only what comes after connecting, and sends heartbeats', async () => {
    await put(service, 'now', 'old', 'x');
    const feed = await SseConnection.open(`${service.url}/v1/namespaces/now/feed`);
    await feed.until((c) => c.messages.some((m) => m.comment === 'heartbeat'));
    await put(service, 'now', 'new', 'y');
    await feed.until((c) => c.events.length === 1);
    feed.close();
    expect(JSON.parse(feed.events[0].data!).key).toBe('new');
  });

  it('filters by key prefix, event types, and leaves values out on request', async () => {
    await service.store.createNamespace('filters');
    const feed = await SseConnection.open(`${service.url}/v1/namespaces/filters/feed?from=start&prefix=cfg/&types=StoreEntryUpdated&values=false`);
    await put(service, 'filters', 'cfg/a', '1');
    await put(service, 'filters', 'other', '1');
    await put(service, 'filters', 'other', '2');
    await put(service, 'filters', 'cfg/a', '2');
    await feed.until((c) => c.events.length === 1);
    feed.close();
    const event = JSON.parse(feed.events[0].data!);
    expect(event).toMatchObject({ type: 'StoreEntryUpdated', key: 'cfg/a', version: 2 });
    expect(event).not.toHaveProperty('value');
  });

  it('the all-namespaces feed interleaves namespaces in log order', async () => {
    const feed = await SseConnection.open(`${service.url}/v1/feed`);
    await put(service, 'mix-a', 'k', '1');
    await put(service, 'mix-b', 'k', '1');
    await put(service, 'mix-a', 'k', '2');
    await feed.until((c) => c.events.filter((e) => e.event !== 'StoreNamespaceCreated').length === 3);
    feed.close();
    const entries = feed.events.filter((e) => e.event !== 'StoreNamespaceCreated').map((e) => JSON.parse(e.data!));
    expect(entries.map((e) => `${e.namespace}:${e.version}`)).toEqual(['mix-a:1', 'mix-b:1', 'mix-a:2']);
  });

  it('resumes exactly after Last-Event-ID across random disconnects: no gap, no repeat', async () => {
    const next = random(42);
    const written: string[] = [];
    const received: string[] = [];
    let lastId: string | undefined;
    await service.store.createNamespace('resume');
    for (let round = 0; round < 12; round++) {
      const feed = await SseConnection.open(
        `${service.url}/v1/namespaces/resume/feed${lastId ? '' : '?from=start'}`,
        lastId ? { 'last-event-id': lastId } : {},
      );
      const burst = 1 + Math.floor(next() * 6);
      for (let i = 0; i < burst; i++) {
        const response = await put(service, 'resume', `k${Math.floor(next() * 5)}`, `${round}-${i}`);
        written.push(response.position);
      }
      const take = Math.floor(next() * (written.length - received.length + 1));
      await feed.until((c) => c.events.length >= take);
      feed.close();
      const events = feed.events.slice(0, take);
      received.push(...events.map((e) => e.id!));
      lastId = received[received.length - 1] ?? lastId;
    }
    const feed = await SseConnection.open(`${service.url}/v1/namespaces/resume/feed`, lastId ? { 'last-event-id': lastId } : {});
    const missing = written.length + 1 - received.length; // +1: the namespace's creation
    await feed.until((c) => c.events.length >= missing);
    feed.close();
    received.push(...feed.events.map((e) => e.id!));
    const log = await SseConnection.open(`${service.url}/v1/namespaces/resume/feed?from=start`);
    await log.until((c) => c.events.length === written.length + 1);
    log.close();
    expect(received).toEqual(log.events.map((e) => e.id));
  });

  it('refuses bad cursors, unknown namespaces and bad filters before streaming', async () => {
    const cases: [string, number, string][] = [
      ['/v1/feed?after=not-a-position', 400, 'CURSOR_INVALID'],
      ['/v1/feed?after=0123456789abcdef:5', 410, 'CURSOR_STALE'],
      ['/v1/feed?from=yesterday', 400, 'VALIDATION_FAILED'],
      ['/v1/feed?types=Bad', 400, 'VALIDATION_FAILED'],
      ['/v1/feed?values=maybe', 400, 'VALIDATION_FAILED'],
      ['/v1/namespaces/missing/feed', 404, 'NAMESPACE_NOT_FOUND'],
      ['/v1/namespaces/BAD/feed', 400, 'NAMESPACE_INVALID'],
    ];
    for (const [path, status, code] of cases) {
      const response = await http('GET', `${service.url}${path}`);
      expect([path, response.status, response.body.code]).toEqual([path, status, code]);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const stale = await http('GET', `${service.url}/v1/feed`, undefined, { 'last-event-id': 'ffffffffffffffff:1' });
    expect(stale.status).toBe(410);
  });

  it('refuses a position beyond the head of the log (after, Last-Event-ID, namespace feed) with 400 CURSOR_INVALID; the head itself is served', async () => {
    const head = (await put(service, 'ahead', 'a', '1')).position;
    const [incarnation, commit] = head.split(':');
    const beyond = `${incarnation}:${BigInt(commit) + 99999n}`;
    const next = `${incarnation}:${BigInt(commit) + 1n}`;
    for (const [path, headers] of [
      [`/v1/feed?after=${beyond}`, {}],
      [`/v1/feed?after=${next}`, {}],
      [`/v1/namespaces/ahead/feed?after=${beyond}`, {}],
      ['/v1/feed', { 'last-event-id': beyond }],
    ] as [string, Record<string, string>][]) {
      const response = await http('GET', `${service.url}${path}`, undefined, headers);
      expect([path, response.status, response.body.code]).toEqual([path, 400, 'CURSOR_INVALID']);
      expect(response.body.detail).toContain('beyond');
    }
    const feed = await SseConnection.open(`${service.url}/v1/namespaces/ahead/feed?after=${head}`);
    expect(feed.status).toBe(200);
    const written = await put(service, 'ahead', 'b', '2');
    await feed.until((c) => c.events.length === 1);
    feed.close();
    expect(feed.events[0].id).toBe(written.position);
  });

  it('caps concurrent streams per caller with 429', async () => {
    const open = await Promise.all(Array.from({ length: 4 }, () => SseConnection.open(`${service.url}/v1/feed`)));
    const refused = await http('GET', `${service.url}/v1/feed`);
    expect([refused.status, refused.body.code]).toEqual([429, 'TOO_MANY_STREAMS']);
    open.forEach((c) => c.close());
    await new Promise((r) => setTimeout(r, 100));
    const again = await SseConnection.open(`${service.url}/v1/feed`);
    expect(again.status).toBe(200);
    again.close();
  });
});

describe('slow consumers', () => {
  const service = useService({ env: { FEED_BUFFER_BYTES: '65536' } });

  it('are disconnected once their buffer is full: the socket is closed at once, what it held dropped', async () => {
    await service.store.createNamespace('slow');
    const slow = await SseConnection.open(`${service.url}/v1/namespaces/slow/feed?from=start`);
    slow.pause();
    const value = 'x'.repeat(60_000);
    const written: string[] = [];
    for (let i = 0; i < 300; i++) written.push((await put(service, 'slow', `k${i}`, value)).position);
    // Still not reading, and already no longer counted: its socket was destroyed, not left to drain.
    expect(await feedMetric(service.url, 'hexastore_feed_subscribers')).toBe(0);
    expect(await feedMetric(service.url, 'hexastore_feed_disconnects_total{reason="slow_consumer"}')).toBe(1);
    slow.resume();
    await slow.until((c) => c.ended, 20_000);
    expect(slow.events.length).toBeLessThan(301);
    expect(slow.events.slice(1).map((e) => e.id)).toEqual(written.slice(0, slow.events.length - 1));
  }, 60_000);
});

/** One series of /metrics, waiting (at most 200 looks) for streams being closed to be counted. */
async function feedMetric(url: string, series: string): Promise<number | undefined> {
  const read = async () => (await (await fetch(`${url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1];
  let value = await read();
  for (let i = 0; i < 200 && series === 'hexastore_feed_subscribers' && value !== '0'; i++) {
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return value === undefined ? undefined : Number(value);
}

describe('a stopping service', () => {
  it('ends its open streams, naming the last position delivered, instead of waiting for subscribers to leave', async () => {
    const service = await startService();
    try {
      const written = await put(service, 'stopping', 'k', 'v');
      const feeds = await Promise.all([
        SseConnection.open(`${service.url}/v1/namespaces/stopping/feed?from=start`),
        SseConnection.open(`${service.url}/v1/feed`),
      ]);
      await feeds[0].until((c) => c.events.length === 2);
      await service.close();
      await Promise.all(feeds.map((feed) => feed.until((c) => c.ended)));
      expect(feeds.map((feed) => feed.messages[feed.messages.length - 1].comment)).toEqual([
        `service shutting down; last delivered position ${written.position}`,
        'service shutting down; last delivered position none',
      ]);
    } finally {
      removeDir(service.dataDir);
    }
  });
});
