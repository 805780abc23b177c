import { Agent, ClientRequest, request } from 'node:http';
import { b64, callJson } from './http';
import { sleep } from './processes';
import { put, RunningSystem } from './systems';

export interface LatencyResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly sent: number;
  readonly received: number;
  readonly errors: number;
}

const FEED_NAMESPACE = 'feed';
const SUBSCRIBED_WAIT_MS = 200;

/**
 * Put → event latency: one subscriber (HexaStore's SSE feed, or etcd's watch through its JSON
 * gateway) while a steady `rate` of puts of fresh keys goes on for `seconds`; each event is
 * matched by its key to the moment its put was sent.
 */
export async function measureFeed(system: RunningSystem, rate: number, seconds: number): Promise<LatencyResult> {
  const prefix = `f/${process.pid}-${Date.now()}/`;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const onKey = (key: string) => {
    const at = sentAt.get(key);
    if (at === undefined) return;
    latencies.push(performance.now() - at);
    sentAt.delete(key);
  };
  const subscription = system.name === 'hexastore'
    ? await subscribeHexaStore(system.port, onKey)
    : subscribeEtcd(system.port, prefix, onKey);
  try {
    await sleep(SUBSCRIBED_WAIT_MS);
    const { sent, errors } = await steadyPuts(system, prefix, rate, seconds, sentAt);
    const deadline = Date.now() + 3000;
    while (sentAt.size > 0 && Date.now() < deadline) await sleep(20);
    latencies.sort((a, b) => a - b);
    return {
      rps: latencies.length / seconds,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      sent,
      received: latencies.length,
      errors: errors + sentAt.size,
    };
  } finally {
    subscription.destroy();
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

async function steadyPuts(system: RunningSystem, prefix: string, rate: number, seconds: number, sentAt: Map<string, number>) {
  const namespace = FEED_NAMESPACE;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let sent = 0;
  let errors = 0;
  const inFlight = new Set<Promise<void>>();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (sent < due) {
      const key = `${prefix}${sent++}`;
      sentAt.set(key, performance.now());
      const p = put(system, namespace, key)
        .then(({ status }) => { if (status >= 300) errors++; }, () => { errors++; })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await sleep(1);
  }
  await Promise.all(inFlight);
  return { sent, errors };
}

const streamAgent = new Agent({ keepAlive: false });

/** SSE: `data:` lines carry the event as JSON, with its key. */
async function subscribeHexaStore(port: number, onKey: (key: string) => void): Promise<ClientRequest> {
  const { status } = await callJson(port, 'PUT', `/v1/namespaces/${FEED_NAMESPACE}`);
  if (status !== 200 && status !== 201) throw new Error(`creating namespace ${FEED_NAMESPACE} answered ${status}`);
  return openStream(port, 'GET', `/v1/namespaces/${FEED_NAMESPACE}/feed?values=false`, undefined, '\n\n', (block) => {
    for (const line of block.split('\n')) {
      if (line.startsWith('data: ')) onKey((JSON.parse(line.slice(6)) as { key?: string }).key ?? '');
    }
  });
}

/** etcd's watch through the gateway: one JSON object per line, keys in base64. */
function subscribeEtcd(port: number, prefix: string, onKey: (key: string) => void): ClientRequest {
  const rangeEnd = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  const body = JSON.stringify({ create_request: { key: b64(prefix), range_end: b64(rangeEnd) } });
  return openStream(port, 'POST', '/v3/watch', body, '\n', (line) => {
    if (!line.trim()) return;
    const events = (JSON.parse(line) as { result?: { events?: { kv: { key: string } }[] } }).result?.events ?? [];
    for (const e of events) onKey(Buffer.from(e.kv.key, 'base64').toString('utf8'));
  });
}

function openStream(port: number, method: string, path: string, body: string | undefined, separator: string, onMessage: (text: string) => void): ClientRequest {
  const req = request({ host: '127.0.0.1', port, method, path, agent: streamAgent, headers: { accept: 'text/event-stream, application/json' } }, (res) => {
    let buffered = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffered += chunk;
      let end: number;
      while ((end = buffered.indexOf(separator)) >= 0) {
        onMessage(buffered.slice(0, end));
        buffered = buffered.slice(end + separator.length);
      }
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end(body);
  return req;
}
