import { gunzipSync, gzipSync } from 'node:zlib';
import { http, useService } from './support/service';

async function backup(url: string, query = ''): Promise<{ status: number; type: string | null; disposition: string | null; bytes: Buffer }> {
  const response = await fetch(`${url}/v1/admin/backup${query}`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    disposition: response.headers.get('content-disposition'),
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

async function restoreBytes(url: string, archive: Buffer, type = 'application/gzip') {
  const response = await fetch(`${url}/v1/admin/restore`, { method: 'POST', headers: { 'content-type': type }, body: archive });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as any };
}

// The archive's wire format (content type, disposition, gzip bytes, upload media types) is what
// these tests check: raw HTTP for backup and restore, the SDK for the entries around them.
describe('backup and restore over HTTP', () => {
  const source = useService();
  const target = useService({ env: { RESTORE_MAX_BYTES: '100000' } });
  beforeAll(async () => {
    await source.store.put('billing', 'plans/pro', '{"price":20}', { metadata: { owner: 'a' } });
    await source.store.put('billing', 'plans/pro', '{"price":25}');
    await source.store.put('app', 'raw', Buffer.from('/wD+', 'base64'));
  });

  it('streams a gzip archive, restores it into another store, and refuses the same archive over a store that has it', async () => {
    const archive = await backup(source.url);
    expect(archive).toMatchObject({ status: 200, type: 'application/gzip' });
    expect(archive.disposition).toMatch(/^attachment; filename="hexastore-\d{4}-\d\d-\d\dT[\d-]+Z\.ndjson\.gz"$/);
    const restored = await restoreBytes(target.url, archive.bytes);
    expect(restored).toMatchObject({ status: 200, body: { restored: true, namespaces: ['app', 'billing'], events: 5 } });
    expect(restored.body.position).toMatch(new RegExp(`^${restored.body.incarnation}:6$`));
    expect(await target.store.get('billing', 'plans/pro')).toMatchObject({ value: '{"price":25}', version: 2, metadata: {} });
    expect(await target.store.get('app', 'raw')).toMatchObject({ valueBase64: '/wD+', version: 1 });
    expect((await restoreBytes(target.url, archive.bytes)).body).toMatchObject({ restored: false, incarnation: restored.body.incarnation });
    await source.store.put('billing', 'plans/new', 'x');
    const conflict = await restoreBytes(target.url, (await backup(source.url)).bytes);
    expect(conflict).toMatchObject({
      status: 409, type: 'application/problem+json; charset=utf-8', body: { code: 'RESTORE_CONFLICT', namespaces: ['app', 'billing'] },
    });
  });

  it('backs up only the namespaces asked for with ?namespace=, repeated', async () => {
    const one = await backup(source.url, '?namespace=app');
    const lines = gunzipSync(one.bytes).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0].namespaces).toEqual(['app']);
    const both = await backup(source.url, '?namespace=app&namespace=billing');
    expect(JSON.parse(gunzipSync(both.bytes).toString('utf8').split('\n')[0]).namespaces).toEqual(['app', 'billing']);
    expect((await http('POST', `${source.url}/v1/admin/backup?namespace=ghost`)).body).toMatchObject({ status: 404, code: 'NAMESPACE_NOT_FOUND' });
    expect((await http('POST', `${source.url}/v1/admin/backup?namespace=No!`)).body).toMatchObject({ status: 400, code: 'NAMESPACE_INVALID' });
  });

  it('refuses damaged, foreign, oversized and mistyped uploads cleanly, writing nothing', async () => {
    const archive = (await backup(source.url, '?namespace=app')).bytes;
    const head = async () => (await http('GET', `${target.url}/health/ready`)).body.info.store.head;
    const before = await head();
    const cases: [Buffer, string, number, string][] = [
      [archive.subarray(0, archive.length - 5), 'application/gzip', 400, 'ARCHIVE_INVALID'],
      [Buffer.alloc(0), 'application/octet-stream', 400, 'ARCHIVE_INVALID'],
      [gzipSync('{"hello":"world"}\n'), 'application/gzip', 400, 'ARCHIVE_INVALID'],
      [Buffer.from('not gzip at all'), 'application/x-gzip', 400, 'ARCHIVE_INVALID'],
      [gzipSync(Buffer.alloc(1_000_000)), 'application/gzip', 400, 'ARCHIVE_INVALID'],
      [Buffer.alloc(200_000), 'application/octet-stream', 413, 'PAYLOAD_TOO_LARGE'],
      [archive, 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ];
    for (const [body, type, status, code] of cases) {
      const response = await restoreBytes(target.url, body, type);
      expect({ type, size: body.length, status: response.status, code: response.body.code }).toEqual({ type, size: body.length, status, code });
    }
    expect((await restoreBytes(target.url, archive, 'application/json')).body).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await head()).toBe(before);
  });
});
