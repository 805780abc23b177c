import { http, useService } from './support/service';
import { SseConnection } from './support/sse';

describe('durable consumers and replica status', () => {
  const service = useService();
  const put = (key: string) => service.store.put('orders', key, key);

  it('a consumer saves its checkpoint and resumes after it by name, across a service restart', async () => {
    const first = await put('a');
    await put('b');
    const saved = await service.store.saveCheckpoint('billing-sync', first.position);
    expect(saved).toMatchObject({ name: 'billing-sync', position: first.position, checkpoints: 1 });

    await service.restart();
    expect(await service.store.getConsumer('billing-sync')).toMatchObject({ position: first.position });
    const feed = await SseConnection.open(`${service.url}/v1/namespaces/orders/feed?consumer=billing-sync`);
    await feed.until((c) => c.events.length === 1);
    const c = await put('c');
    await feed.until((conn) => conn.events.length === 2);
    feed.close();
    expect(feed.events.map((e) => JSON.parse(e.data!).key)).toEqual(['b', 'c']);

    const again = await service.store.saveCheckpoint('billing-sync', c.position);
    expect(again).toMatchObject({ position: c.position, checkpoints: 2 });
  });

  it('checkpoints are events in the log', async () => {
    const feed = await SseConnection.open(`${service.url}/v1/feed?from=start&types=StoreConsumerCheckpointed`);
    await feed.until((c) => c.events.length >= 1);
    feed.close();
    expect(JSON.parse(feed.events[0].data!)).toMatchObject({ type: 'StoreConsumerCheckpointed', consumer: 'billing-sync' });
  });

  it('lists each projector and consumer with position, lag and status', async () => {
    const head = await put('d');
    expect(await service.store.saveCheckpoint('laggard', head.position)).toMatchObject({ name: 'laggard', position: head.position });
    await put('e');
    await put('f');
    const replicas = await service.store.replicas();
    const projector = replicas.find((r) => r.kind === 'projector');
    expect(projector).toMatchObject({ status: 'live', lagEvents: 0, lagCapped: false });
    expect(projector!.lastSyncedAt).not.toBeNull();
    const laggard = replicas.find((r) => r.id === 'laggard');
    // behind by e, f and its own checkpoint event
    expect(laggard).toMatchObject({ kind: 'consumer', position: head.position, lagEvents: 3, status: 'catching-up' });
    expect(laggard!.lagSeconds).toBeGreaterThanOrEqual(0);
  });

  // Bodies the SDK cannot send (a number, extra fields): raw HTTP.
  it('refuses bad names, bad and stale positions, and unknown consumers', async () => {
    const cases: [string, string, unknown, number, string][] = [
      ['PUT', '/v1/consumers/Bad_Name/checkpoint', { position: 'x' }, 400, 'VALIDATION_FAILED'],
      ['PUT', '/v1/consumers/ok/checkpoint', { position: 'nope' }, 400, 'CURSOR_INVALID'],
      ['PUT', '/v1/consumers/ok/checkpoint', { position: 'ffffffffffffffff:3' }, 410, 'CURSOR_STALE'],
      ['PUT', '/v1/consumers/ok/checkpoint', { position: 5 }, 400, 'VALIDATION_FAILED'],
      ['PUT', '/v1/consumers/ok/checkpoint', {}, 400, 'VALIDATION_FAILED'],
      ['PUT', '/v1/consumers/ok/checkpoint', { position: 'a:1', extra: 1 }, 400, 'VALIDATION_FAILED'],
      ['GET', '/v1/consumers/never-seen', undefined, 404, 'CONSUMER_NOT_FOUND'],
      ['GET', '/v1/feed?consumer=never-seen', undefined, 404, 'CONSUMER_NOT_FOUND'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const response = await http(method, `${service.url}${path}`, body);
      expect([path, response.status, response.body.code]).toEqual([path, status, code]);
    }
    await expect(service.store.getConsumer('ok')).rejects.toMatchObject({ status: 404, code: 'CONSUMER_NOT_FOUND' });
  });
});
