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
    // behind by e and f: consumer bookkeeping (its own checkpoint event) is not lag
    expect(laggard).toMatchObject({ kind: 'consumer', position: head.position, lagEvents: 2, status: 'catching-up' });
    expect(laggard!.lagSeconds).toBeGreaterThanOrEqual(0);
  });

  const headOfLog = async (): Promise<number> => (await http('GET', `${service.url}/health/ready`)).body.details.store.head;

  it('saving the checkpoint a consumer already has writes nothing', async () => {
    const at = (await put('same')).position;
    const first = await http('PUT', `${service.url}/v1/consumers/same-sync/checkpoint`, { position: at });
    expect(first.body).toMatchObject({ position: at, checkpoints: 1 });
    const head = await headOfLog();
    for (let i = 0; i < 3; i++) {
      const again = await http('PUT', `${service.url}/v1/consumers/same-sync/checkpoint`, { position: at });
      expect(again).toMatchObject({ status: 200, body: { name: 'same-sync', position: at, checkpoints: 1 } });
    }
    expect(await headOfLog()).toBe(head);
  });

  it("keeps consumer checkpoints out of other subscribers' feeds unless ?types= asks for them", async () => {
    const all = await SseConnection.open(`${service.url}/v1/feed`);
    const asked = await SseConnection.open(`${service.url}/v1/feed?types=StoreConsumerCheckpointed,StoreEntryCreated`);
    const at = (await put('quiet-a')).position;
    expect((await http('PUT', `${service.url}/v1/consumers/quiet-sync/checkpoint`, { position: at })).status).toBe(200);
    const sentinel = (await put('quiet-b')).position;
    await all.until((c) => c.events.some((e) => e.id === sentinel));
    await asked.until((c) => c.events.some((e) => e.id === sentinel));
    all.close();
    asked.close();
    expect(all.events.map((e) => e.event)).toEqual(['StoreEntryCreated', 'StoreEntryCreated']);
    expect(asked.events.map((e) => e.event)).toEqual(['StoreEntryCreated', 'StoreConsumerCheckpointed', 'StoreEntryCreated']);
  });

  it('refuses a checkpoint beyond the head of the log with 400 CURSOR_INVALID, writing nothing; the head itself is accepted', async () => {
    const head = (await put('ahead')).position as string;
    const [incarnation, commit] = head.split(':');
    for (const position of [`${incarnation}:${BigInt(commit) + 99999n}`, `${incarnation}:${BigInt(commit) + 1n}`]) {
      const refused = await http('PUT', `${service.url}/v1/consumers/ahead-sync/checkpoint`, { position });
      expect([position, refused.status, refused.body.code]).toEqual([position, 400, 'CURSOR_INVALID']);
    }
    expect((await http('GET', `${service.url}/v1/consumers/ahead-sync`)).status).toBe(404);
    expect((await http('GET', `${service.url}/v1/replicas`)).body.map((r: { id: string }) => r.id)).not.toContain('ahead-sync');
    const saved = await http('PUT', `${service.url}/v1/consumers/ahead-sync/checkpoint`, { position: head });
    expect(saved.status).toBe(200);
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
