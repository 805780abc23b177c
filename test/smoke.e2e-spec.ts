import { http, removeDir, RunningService, startService } from './support/service';

describe('service smoke', () => {
  let service: RunningService;
  beforeAll(async () => (service = await startService()));
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
  });

  it('puts and gets an entry', async () => {
    const put = await http('PUT', `${service.url}/v1/namespaces/smoke/entries/k`, { value: 'v' });
    expect(put.status).toBe(201);
    const get = await http('GET', `${service.url}/v1/namespaces/smoke/entries/k`);
    expect(get.body).toMatchObject({ namespace: 'smoke', key: 'k', value: 'v', version: 1 });
  });
});
