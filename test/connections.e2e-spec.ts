import { connect, Socket } from 'node:net';
import { http, removeDir, RunningService, startService } from './support/service';
import { SseConnection } from './support/sse';

/** A raw TCP connection to the service; `closed` settles when the service (or anyone) closes it. */
function openSocket(url: string): Promise<{ socket: Socket; closed: Promise<void>; received: () => string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.once('connect', () => resolve({ socket, closed, received: () => received }));
    socket.once('error', reject);
  });
}

/** Whether `closed` settles within `ms` (a generous bound: the outcome is asserted, not the time). */
const closesWithin = (closed: Promise<void>, ms: number) =>
  Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('connection timeouts', () => {
  let service: RunningService;
  beforeAll(async () => (service = await startService({
    env: {
      HTTP_HEADERS_TIMEOUT_MS: '300', HTTP_REQUEST_TIMEOUT_MS: '300', HTTP_IDLE_TIMEOUT_MS: '300', HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
      FEED_HEARTBEAT_MS: '3600000',
    },
  })));
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
  });

  it('closes a connection that never sends a byte', async () => {
    const { socket, closed } = await openSocket(service.url);
    try {
      expect(await closesWithin(closed, 15_000)).toBe(true);
    } finally {
      socket.destroy();
    }
  });

  it('closes a connection that stops in the middle of its headers', async () => {
    const { socket, closed } = await openSocket(service.url);
    try {
      socket.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      expect(await closesWithin(closed, 15_000)).toBe(true);
    } finally {
      socket.destroy();
    }
  });

  it('still answers whole requests', async () => {
    expect((await http('GET', `${service.url}/health/live`)).status).toBe(200);
  });

  it('keeps a change-feed stream open longer than the request, idle and keep-alive timeouts, and delivers on it', async () => {
    const feed = await SseConnection.open(`${service.url}/v1/feed?from=now`);
    try {
      expect(feed.status).toBe(200);
      // Several times every timeout, with no heartbeat in between (FEED_HEARTBEAT_MS is an hour).
      await sleep(2000);
      expect(feed.ended).toBe(false);
      expect((await http('PUT', `${service.url}/v1/namespaces/feed-lives/entries/k`, { value: 'v' })).status).toBe(201);
      await feed.until((c) => c.events.some((e) => e.event === 'StoreEntryCreated'));
      expect(feed.ended).toBe(false);
    } finally {
      feed.close();
    }
  });
});

describe('connection cap', () => {
  let service: RunningService;
  beforeAll(async () => (service = await startService({ env: { HTTP_MAX_CONNECTIONS: '2' } })));
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
  });

  const ask = (socket: Socket) => socket.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');

  it('closes connections past HTTP_MAX_CONNECTIONS at once, and takes new ones when others have left', async () => {
    const held = [await openSocket(service.url), await openSocket(service.url)];
    try {
      for (const connection of held) ask(connection.socket);
      for (let i = 0; i < 200 && !held.every((c) => c.received().startsWith('HTTP/1.1 200')); i++) await sleep(25);
      expect(held.map((c) => c.received().slice(0, 12))).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);

      const extra = await openSocket(service.url);
      ask(extra.socket);
      expect(await closesWithin(extra.closed, 15_000)).toBe(true);
      expect(extra.received()).toBe('');
    } finally {
      for (const connection of held) connection.socket.destroy();
    }
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
      status = await http('GET', `${service.url}/health/live`).then((r) => r.status, () => 0);
      if (status !== 200) await sleep(50);
    }
    expect(status).toBe(200);
  });
});
