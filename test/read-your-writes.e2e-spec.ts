import { http, useService } from './support/service';

// The query parameter, the header and the refusals are the wire format: raw HTTP, not the SDK.
describe('reads with minPosition (sqlite backend)', () => {
  const service = useService({ env: { READ_WAIT_TIMEOUT_MS: '50' } });

  it('a position the store has is read at once, from the query or the X-Min-Position header', async () => {
    const put = await http('PUT', `${service.url}/v1/namespaces/ryw/entries/k`, { value: 'v' });
    const { position } = put.body;
    expect(position).toMatch(/^[0-9a-f]{16}:2$/);
    const byQuery = await http('GET', `${service.url}/v1/namespaces/ryw/entries/k?minPosition=${position}`);
    expect(byQuery).toMatchObject({ status: 200, body: { value: 'v', version: 1 } });
    const byHeader = await http('GET', `${service.url}/v1/namespaces/ryw/entries?prefix=k`, undefined, { 'x-min-position': position });
    expect(byHeader.body.items.map((e: { key: string }) => e.key)).toEqual(['k']);
    expect((await http('GET', `${service.url}/v1/namespaces?minPosition=${position}`)).status).toBe(200);
    expect((await http('GET', `${service.url}/v1/namespaces/ryw`, undefined, { 'x-min-position': position })).body.revision).toBe(1);
    expect((await http('HEAD', `${service.url}/v1/namespaces/ryw/entries/k?minPosition=${position}`)).status).toBe(200);
  });

  it('refuses a malformed position (400), another incarnation\'s (410), and one not reached in time (504)', async () => {
    const { position } = (await http('PUT', `${service.url}/v1/namespaces/ryw/entries/bad`, { value: 'v' })).body;
    const [incarnation, commit] = position.split(':');
    const get = (minPosition: string) => http('GET', `${service.url}/v1/namespaces/ryw/entries/bad?minPosition=${encodeURIComponent(minPosition)}`);
    expect((await get('yesterday')).body).toMatchObject({ status: 400, code: 'CURSOR_INVALID', minPosition: 'yesterday' });
    const other = `${incarnation[0] === 'a' ? 'b' : 'a'}${incarnation.slice(1)}:${commit}`;
    expect((await get(other)).body).toMatchObject({ status: 410, code: 'CURSOR_STALE', minPosition: other, incarnation });
    const future = `${incarnation}:${Number(commit) + 1000}`;
    expect((await get(future)).body).toMatchObject({ status: 504, code: 'READ_TIMEOUT', minPosition: future });
    const twice = await http('GET', `${service.url}/v1/namespaces/ryw/entries/bad?minPosition=${position}&minPosition=${position}`);
    expect(twice.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('readiness reports the projector lag', async () => {
    const ready = await http('GET', `${service.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body.details.store).toMatchObject({ backend: 'sqlite', lag: 0 });
  });
});
