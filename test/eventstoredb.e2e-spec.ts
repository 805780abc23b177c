import { StoreClient } from '@app/client';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { http, incrementCounter, MAIN, removeDir, tempDir, useService } from './support/service';

// A live EventStoreDB / KurrentDB node (`docker compose up kurrentdb`, then
// EVENTSTORE_CONNECTION_STRING='esdb://localhost:2113?tls=false' npm run test:esdb). Never faked.
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached in 20 s');
}

const esdb = (url: string) => ({ STORE_BACKEND: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: url });

describe('service on the eventstoredb backend, without a server', () => {
  const service = useService({ env: esdb('esdb://127.0.0.1:1?tls=false') });

  it('starts, is live but not ready, and answers 503 BACKEND_UNAVAILABLE', async () => {
    expect((await http('GET', `${service.url}/health/live`)).status).toBe(200);
    const ready = await http('GET', `${service.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body.details.store).toMatchObject({ status: 'down', backend: 'eventstoredb' });
    expect(ready.body.details.store.reason).toMatch(/^not connected to the event log: EventStoreDB unavailable: /);
    const put = await http('PUT', `${service.url}/v1/namespaces/app/entries/k`, { value: 'v' });
    expect(put.body).toMatchObject({ status: 503, code: 'BACKEND_UNAVAILABLE' });
    expect((await http('GET', `${service.url}/v1/namespaces/app/entries/k`)).body).toMatchObject({ status: 503, code: 'BACKEND_UNAVAILABLE' });
    expect((await http('GET', `${service.url}/v1/namespaces`)).body).toMatchObject({ status: 503, code: 'BACKEND_UNAVAILABLE' });
  });

  it('still refuses bad input with a 4xx', async () => {
    expect((await http('GET', `${service.url}/v1/namespaces/app/entries/k?minPosition=nope`)).body).toMatchObject({ status: 400, code: 'CURSOR_INVALID' });
    expect((await http('PUT', `${service.url}/v1/namespaces/Bad!/entries/k`, { value: 'v' })).body).toMatchObject({ status: 400, code: 'NAMESPACE_INVALID' });
  });

  it('a malformed connection string stops the process with one line and exit code 1', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, ...esdb('esdb://localhost:port?tls=false'), STORE_DATA_DIR: dataDir, PORT: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    removeDir(dataDir);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'hexastore: invalid configuration: EVENTSTORE_CONNECTION_STRING is not an esdb:// connection string: Unexpected "port" at position 17, expected port number.\n',
    );
  });
});

if (connectionString) {
  describe('two replicas on one EventStoreDB', () => {
    const ns = `e2e-${randomUUID().slice(0, 8)}`;
    const a = useService({ env: esdb(connectionString) });
    const b = useService({ env: esdb(connectionString) });
    beforeAll(async () => {
      await until(async () => (await http('GET', `${a.url}/health/ready`)).status === 200 && (await http('GET', `${b.url}/health/ready`)).status === 200);
    }, 30_000);

    it('a write through one is readable through it at once, and through the other with minPosition', async () => {
      const put = await http('PUT', `${a.url}/v1/namespaces/${ns}/entries/k`, { value: 'v1' });
      expect(put).toMatchObject({ status: 201, body: { version: 1, value: 'v1' } });
      expect((await http('GET', `${a.url}/v1/namespaces/${ns}/entries/k`)).body).toMatchObject({ value: 'v1' });
      const read = await http('GET', `${b.url}/v1/namespaces/${ns}/entries/k?minPosition=${put.body.position}`);
      expect(read).toMatchObject({ status: 200, body: { value: 'v1', version: 1 } });
    });

    it('16 concurrent compare-and-set increments over both replicas lose no update', async () => {
      const stores = [new StoreClient(b.url), new StoreClient(a.url)];
      const writes = await Promise.all(Array.from({ length: 16 }, (_, i) => incrementCounter(stores[i % 2], ns, 'counter')));
      const positions = writes.map((w) => w.position);
      const last = positions.sort((x, y) => Number(BigInt(x.split(':')[1]) - BigInt(y.split(':')[1])))[positions.length - 1];
      for (const url of [a.url, b.url]) {
        const read = await http('GET', `${url}/v1/namespaces/${ns}/entries/counter?minPosition=${last}`);
        expect(read.body).toMatchObject({ value: '16', version: 16 });
      }
    }, 30_000);

    it('the same retried request racing on both replicas is written once and answered the same', async () => {
      const headers = { 'idempotency-key': `k-${randomUUID()}` };
      const body = { value: 'once' };
      const [x, y] = await Promise.all([
        http('PUT', `${a.url}/v1/namespaces/${ns}/entries/idem`, body, headers),
        http('PUT', `${b.url}/v1/namespaces/${ns}/entries/idem`, body, headers),
      ]);
      expect(y.body).toEqual(x.body);
      expect(x.body).toMatchObject({ version: 1, created: true });
      const reused = await http('PUT', `${a.url}/v1/namespaces/${ns}/entries/idem`, { value: 'other' }, headers);
      expect(reused.body).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    });

    it('readiness reports the lag behind the head', async () => {
      const ready = await http('GET', `${a.url}/health/ready`);
      expect(ready.body.details.store).toMatchObject({ status: 'up', backend: 'eventstoredb', rebuilding: false });
      expect(typeof ready.body.details.store.lag).toBe('number');
    });
  });
} else {
  describe.skip('two replicas on one EventStoreDB (EVENTSTORE_CONNECTION_STRING not set)', () => {
    it('writes, reads with minPosition, CAS and idempotency across replicas on a live node', () => undefined);
  });
}
