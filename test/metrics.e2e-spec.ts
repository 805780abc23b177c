import { http, useService } from './support/service';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (version 0.0.4), with the TYPE of each metric family. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name, type);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[name] = value.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return { samples, types };
}

const service = useService();
const request = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  http(method, `${service.url}${path}`, body, headers);
const entryPath = (ns: string, key: string) => `/v1/namespaces/${ns}/entries/${encodeURIComponent(key)}`;

async function scrape() {
  const response = await fetch(`${service.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const parsed = parseExposition(await response.text());
  const find = (name: string, labels: Record<string, string> = {}) =>
    parsed.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  /** The one sample of that name with those labels. */
  const value = (name: string, labels: Record<string, string> = {}) => {
    const found = find(name, labels);
    if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
    return found[0].value;
  };
  return { ...parsed, find, value };
}

const PUT_ROUTE = '/v1/namespaces/:ns/entries/*';

describe('GET /metrics', () => {
  const ns = 'metered';
  const puts = 3;

  beforeAll(async () => {
    for (let i = 0; i < puts; i++) expect((await request('PUT', entryPath(ns, `key-${i}`), { value: `v${i}` })).status).toBe(201);
    expect((await request('PUT', entryPath(ns, 'key-0'), { value: 'again' })).status).toBe(200);
    expect((await request('GET', entryPath(ns, 'key-1'))).status).toBe(200);
    expect((await request('GET', entryPath(ns, 'missing'))).status).toBe(404);
    for (const path of ['/v1/nothing-here', '/v1/nothing/else', `/x/${'y'.repeat(50)}`]) {
      expect((await request('GET', path)).status).toBe(404);
    }
  });

  it('counts requests by method, route template and status: the put route with 201 equals the puts made', async () => {
    const m = await scrape();
    expect(m.types.get('hexastore_http_requests_total')).toBe('counter');
    expect(m.value('hexastore_http_requests_total', { method: 'PUT', route: PUT_ROUTE, status_code: '201' })).toBe(puts);
    expect(m.value('hexastore_http_requests_total', { method: 'PUT', route: PUT_ROUTE, status_code: '200' })).toBe(1);
    expect(m.value('hexastore_http_requests_total', { method: 'GET', route: PUT_ROUTE, status_code: '200' })).toBe(1);
    expect(m.value('hexastore_http_requests_total', { method: 'GET', route: PUT_ROUTE, status_code: '404' })).toBe(1);
  });

  it('has a latency histogram by the same labels, one observation per request', async () => {
    const m = await scrape();
    expect(m.types.get('hexastore_http_request_duration_seconds')).toBe('histogram');
    const labels = { method: 'PUT', route: PUT_ROUTE, status_code: '201' };
    expect(m.value('hexastore_http_request_duration_seconds_count', labels)).toBe(puts);
    expect(m.value('hexastore_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(puts);
    expect(m.value('hexastore_http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
  });

  it('keeps route labels bounded: every unknown path is one "unmatched" series; no label holds a raw URL', async () => {
    const m = await scrape();
    expect(m.value('hexastore_http_requests_total', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(3);
    const routes = new Set(m.find('hexastore_http_requests_total').map((s) => s.labels.route));
    for (const route of routes) expect(route === 'unmatched' || route.startsWith('/')).toBe(true);
    expect([...routes].filter((r) => r.includes(ns) || r.includes('nothing') || r.includes('key-'))).toEqual([]);
  });

  it('counts scrapes of /metrics under its own route, adding no series per scrape', async () => {
    const before = (await scrape()).find('hexastore_http_requests_total').length;
    const again = await scrape();
    expect(again.find('hexastore_http_requests_total').length).toBe(before);
    expect(again.value('hexastore_http_requests_total', { method: 'GET', route: '/metrics', status_code: '200' })).toBeGreaterThanOrEqual(1);
  });

  it('reports the log head, the events appended, and the projector position and lag, as readiness does', async () => {
    const ready = await http('GET', `${service.url}/health/ready`);
    const head = ready.body.info.store.head;
    // The namespace's creation, three creations and one update.
    expect(head).toBe(puts + 2);
    const m = await scrape();
    expect(m.value('hexastore_log_head_position')).toBe(head);
    expect(m.types.get('hexastore_events_appended_total')).toBe('counter');
    expect(m.value('hexastore_events_appended_total')).toBe(head);
    expect(m.value('hexastore_projector_position')).toBe(head);
    expect(m.value('hexastore_projector_lag_events')).toBe(0);
  });

  it('reports group commit: transactions and the writes they carried', async () => {
    const m = await scrape();
    const transactions = m.value('hexastore_group_commit_transactions_total');
    const writes = m.value('hexastore_group_commit_writes_total');
    expect(transactions).toBeGreaterThanOrEqual(1);
    expect(writes).toBeGreaterThanOrEqual(puts + 1);
    expect(writes).toBeGreaterThanOrEqual(transactions);
    // Each committed transaction is one observation of the histograms, carrying its writes.
    expect(m.value('hexastore_group_commit_batch_size_count')).toBe(transactions);
    expect(m.value('hexastore_group_commit_batch_size_sum')).toBe(writes);
    expect(m.value('hexastore_group_commit_duration_seconds_count')).toBe(transactions);
  });

  it('has the default process and Node.js metrics, event-loop lag among them', async () => {
    const m = await scrape();
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'process_cpu_user_seconds_total', 'process_resident_memory_bytes']) {
      expect(m.find(name)).toHaveLength(1);
    }
  });

  it('counts feed subscribers while they are connected, and their disconnects by reason', async () => {
    const before = await scrape();
    expect(before.value('hexastore_feed_subscribers')).toBe(0);
    const clientBefore = before.value('hexastore_feed_disconnects_total', { reason: 'client' });
    const stop = new AbortController();
    const response = await fetch(`${service.url}/v1/namespaces/${ns}/feed?from=start`, { signal: stop.signal });
    const reader = response.body!.getReader();
    await reader.read(); // the stream is open
    expect((await scrape()).value('hexastore_feed_subscribers')).toBe(1);
    stop.abort();
    await reader.closed.catch(() => undefined);
    let after = await scrape();
    for (let i = 0; i < 200 && after.value('hexastore_feed_subscribers') !== 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      after = await scrape();
    }
    expect(after.value('hexastore_feed_subscribers')).toBe(0);
    expect(after.value('hexastore_feed_disconnects_total', { reason: 'client' })).toBe(clientBefore + 1);
    expect(after.value('hexastore_feed_disconnects_total', { reason: 'slow_consumer' })).toBe(0);
  });
});
