import { StoreClient } from '@app/client';
import { useService } from './support/service';
import { SseConnection } from './support/sse';

// Store-wide bounds of the change feed: the number of open streams (FEED_MAX_STREAMS) and the
// unsent data of all streams together (FEED_TOTAL_BUFFER_BYTES), beside the per-stream and
// per-caller limits. Nothing here measures memory or time: the service's own metrics say which
// streams it dropped and why.

/** One series of the service's /metrics (0 when absent). */
async function metric(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

/** Waits (at most 200 looks) until the metric has the value; answers what it last read. */
async function settleMetric(url: string, name: string, labels: string, want: number): Promise<number> {
  let value = await metric(url, name, labels);
  for (let i = 0; i < 200 && value !== want; i++) {
    await new Promise((r) => setTimeout(r, 25));
    value = await metric(url, name, labels);
  }
  return value;
}

/** One feed request: its status, and its problem document when refused (an admitted stream is closed at once). */
async function attempt(url: string): Promise<{ status: number; headers: Headers; body?: { code?: string } }> {
  const stop = new AbortController();
  const response = await fetch(url, { signal: stop.signal });
  if (response.status === 200) {
    stop.abort();
    return { status: 200, headers: response.headers };
  }
  return { status: response.status, headers: response.headers, body: (await response.json()) as { code?: string } };
}

describe('store-wide cap on feed streams (FEED_MAX_STREAMS)', () => {
  const service = useService({ env: { FEED_MAX_STREAMS: '3', FEED_MAX_STREAMS_PER_CALLER: '100' } });

  it('refuses the stream past the cap with 503 FEED_FULL, and admits one again once a stream has left', async () => {
    // Five at once: the cap holds while the admitted streams are being set up.
    const tried = await Promise.all(Array.from({ length: 5 }, () => SseConnection.open(`${service.url}/v1/feed`)));
    expect(tried.map((c) => c.status).sort()).toEqual([200, 200, 200, 503, 503]);
    const open = tried.filter((c) => c.status === 200);
    const refused = await attempt(`${service.url}/v1/feed`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body?.code).toBe('FEED_FULL');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await metric(service.url, 'hexastore_feed_subscribers')).toBe(3);
    open[0].close();
    expect(await settleMetric(service.url, 'hexastore_feed_subscribers', '', 2)).toBe(2);
    const again = await SseConnection.open(`${service.url}/v1/feed`);
    expect(again.status).toBe(200);
    [again, ...open.slice(1)].forEach((c) => c.close());
  });
});

describe('store-wide budget of unsent feed data (FEED_TOTAL_BUFFER_BYTES)', () => {
  const PAUSED = 4;
  const service = useService({
    env: {
      FEED_TOTAL_BUFFER_BYTES: String(256 * 1024),
      FEED_BUFFER_BYTES: String(64 * 1024 * 1024), // per stream: far above the total, so only the total can bite
      FEED_MAX_STREAMS_PER_CALLER: '100',
      FEED_HEARTBEAT_MS: '3600000',
    },
  });

  it('drops the subscribers that do not read once all unsent data passes the budget; reading subscribers keep every event', async () => {
    const store = new StoreClient({ url: service.url, retry: { attempts: 1 } });
    await store.createNamespace('budget');
    const reading = await SseConnection.open(`${service.url}/v1/namespaces/budget/feed`);
    const paused = await Promise.all(Array.from({ length: PAUSED }, () => SseConnection.open(`${service.url}/v1/namespaces/budget/feed`)));
    paused.forEach((c) => c.pause());
    expect(await metric(service.url, 'hexastore_feed_subscribers')).toBe(PAUSED + 1);

    // 8 KiB values until every paused stream is dropped: loopback's socket buffers take a few MiB
    // per stream, so at most 1500 puts (12 MiB per stream) are written.
    const value = 'v'.repeat(8 * 1024);
    const written: string[] = [];
    let dropped = 0;
    for (let i = 0; i < 1500 && dropped < PAUSED; i++) {
      written.push((await store.put('budget', `k${i % 50}`, value)).position);
      if (i % 25 === 24) dropped = await metric(service.url, 'hexastore_feed_disconnects_total', '{reason="buffer_budget"}');
    }
    expect(dropped).toBe(PAUSED);
    expect(await metric(service.url, 'hexastore_feed_disconnects_total', '{reason="slow_consumer"}')).toBe(0);
    // The dropped streams' sockets are closed (their buffered data released), the reader's is not.
    expect(await settleMetric(service.url, 'hexastore_feed_subscribers', '', 1)).toBe(1);

    await reading.until((c) => c.events.length === written.length, 20_000);
    expect(reading.events.map((e) => e.id)).toEqual(written);
    expect(reading.ended).toBe(false);

    // A dropped subscriber, reading again, finds its connection ended after a prefix of the events.
    for (const connection of paused) {
      connection.resume();
      await connection.until((c) => c.ended, 20_000);
      expect(connection.ended).toBe(true);
      expect(connection.events.length).toBeLessThan(written.length);
      expect(connection.events.map((e) => e.id)).toEqual(written.slice(0, connection.events.length));
    }

    // The budget was released: a new stream is served, and the reader still follows.
    const late = await SseConnection.open(`${service.url}/v1/namespaces/budget/feed`);
    const next = await store.put('budget', 'after', 'x');
    await late.until((c) => c.events.length === 1);
    await reading.until((c) => c.events.length === written.length + 1);
    expect([late.events[0].id, reading.events[written.length].id]).toEqual([next.position, next.position]);
    late.close();
    reading.close();
  }, 120_000);
});
