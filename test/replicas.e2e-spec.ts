import { ChildProcess } from 'node:child_process';
import { http, incrementCounter, removeDir, startChild, tempDir } from './support/service';

/** Two service processes on one SQLite data directory: a supported deployment of the embedded backend. */
describe('two service processes on one SQLite data file', () => {
  let dataDir: string;
  let urls: [string, string];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dataDir = tempDir('hexastore-replicas-');
    const first = await startChild(dataDir);
    children.push(first.child);
    const second = await startChild(dataDir);
    children.push(second.child);
    urls = [first.url, second.url];
  });
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    removeDir(dataDir);
  });

  const entries = async (url: string, ns: string) =>
    (await http('GET', `${url}/v1/namespaces/${ns}/entries?limit=1000`)).body.items;

  it('a write through one process is readable through the other at once', async () => {
    const put = await http('PUT', `${urls[0]}/v1/namespaces/rw/entries/k`, { value: 'from-first' });
    expect(put.status).toBe(201);
    const read = await http('GET', `${urls[1]}/v1/namespaces/rw/entries/k`);
    expect(read).toMatchObject({ status: 200, body: { value: 'from-first', version: 1 } });
    const back = await http('PUT', `${urls[1]}/v1/namespaces/rw/entries/k`, { value: 'from-second', expectedVersion: 1 });
    expect(back).toMatchObject({ status: 200, body: { version: 2 } });
    expect((await http('GET', `${urls[0]}/v1/namespaces/rw/entries/k?minPosition=${back.body.position}`)).body).toMatchObject({
      value: 'from-second', version: 2,
    });
  });

  it('interleaved writes through both converge to the same state on both', async () => {
    for (let i = 0; i < 30; i++) {
      const url = urls[i % 2];
      const key = `k${i % 7}`;
      const response = i % 5 === 4
        ? await http('DELETE', `${url}/v1/namespaces/mixed/entries/${key}`)
        : await http('PUT', `${url}/v1/namespaces/mixed/entries/${key}`, { value: `v${i}` });
      expect([200, 201, 204, 404]).toContain(response.status);
    }
    await http('POST', `${urls[1]}/v1/namespaces/mixed/transactions`, {
      ops: [{ op: 'put', key: 'tx-a', value: '1' }, { op: 'put', key: 'tx-b', value: '2' }],
    });
    const [first, second] = [await entries(urls[0], 'mixed'), await entries(urls[1], 'mixed')];
    expect(second).toEqual(first);
    expect(first.map((e: { key: string }) => e.key)).toContain('tx-b');
    const namespaces = await Promise.all(urls.map(async (url) => (await http('GET', `${url}/v1/namespaces/mixed`)).body));
    expect(namespaces[1]).toEqual(namespaces[0]);
    expect(namespaces[0].entryCount).toBe(first.length);
  });

  it('16 concurrent compare-and-set increments spread over both lose no update', async () => {
    let conflicts = 0;
    await Promise.all(Array.from({ length: 16 }, (_, i) => incrementCounter(`${urls[i % 2]}/v1/namespaces/cas/entries/counter`, () => conflicts++)));
    expect(conflicts).toBeGreaterThan(0);
    for (const url of urls) {
      expect((await http('GET', `${url}/v1/namespaces/cas/entries/counter`)).body).toMatchObject({ value: '16', version: 16 });
    }
  });
});
