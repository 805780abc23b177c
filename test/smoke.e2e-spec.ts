import { useService } from './support/service';

describe('service smoke', () => {
  const service = useService();

  it('puts and gets an entry', async () => {
    expect(await service.store.put('smoke', 'k', 'v')).toMatchObject({ created: true, version: 1 });
    expect(await service.store.get('smoke', 'k')).toMatchObject({ namespace: 'smoke', key: 'k', value: 'v', version: 1 });
  });
});
