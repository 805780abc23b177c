import { request } from 'node:http';
import { removeDir, RunningService, startService } from './support/service';

interface RawReply {
  status: number;
  contentType?: string;
  body: any;
}

/** A request exactly as given (no content type unless set), to 127.0.0.1 whatever the Host header says. */
function raw(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, setHost: headers.host === undefined }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type']?.split(';')[0], body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };

function expectProblem(reply: RawReply, status: number, code: string): void {
  expect({ status: reply.status, contentType: reply.contentType, code: reply.body?.code })
    .toEqual({ status, contentType: 'application/problem+json', code });
}

describe('requests a browser could send', () => {
  let service: RunningService;
  let port: string;
  beforeAll(async () => {
    service = await startService({ env: { ALLOWED_HOSTS: 'store.internal' } });
    port = new URL(service.url).port;
  });
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
  });

  const entry = (ns: string, key: string) => `${service.url}/v1/namespaces/${ns}/entries/${key}`;

  async function deletedEntry(ns: string): Promise<void> {
    expect((await raw(entry(ns, 'k'), 'PUT', JSON_TYPE, '{"value":"v"}')).status).toBe(201);
    expect((await raw(entry(ns, 'k'), 'DELETE')).status).toBe(204);
  }

  describe('a POST without a JSON content type (a cross-origin "simple" request) is 415 and does nothing', () => {
    it('purge without a body or content type', async () => {
      await deletedEntry('ct-a');
      expectProblem(await raw(`${entry('ct-a', 'k')}/purge`, 'POST'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      // Still restorable: the purge did not happen.
      expect((await raw(`${entry('ct-a', 'k')}/restore`, 'POST', JSON_TYPE)).status).toBe(200);
    });

    it.each([
      ['no content type', {}],
      ['text/plain', { 'content-type': 'text/plain' }],
      ['a form', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
    ])('rebuild with %s', async (_title, headers) => {
      expectProblem(await raw(`${service.url}/v1/admin/rebuild`, 'POST', headers), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('a snapshot without a content type', async () => {
      expect((await raw(entry('ct-b', 'k'), 'PUT', JSON_TYPE, '{"value":"v"}')).status).toBe(201);
      expectProblem(await raw(`${service.url}/v1/namespaces/ct-b/snapshots`, 'POST'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect((await raw(`${service.url}/v1/namespaces/ct-b/snapshots`, 'GET')).body.items).toEqual([]);
    });

    it('a restore takes only an archive content type', async () => {
      expectProblem(await raw(`${service.url}/v1/admin/restore`, 'POST'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectProblem(await raw(`${service.url}/v1/admin/restore`, 'POST', { 'content-type': 'text/plain' }, 'x'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectProblem(await raw(`${service.url}/v1/admin/restore`, 'POST', { 'content-type': 'application/gzip' }, 'not gzip'), 400, 'ARCHIVE_INVALID');
    });
  });

  it('a body-less POST with content-type application/json is served', async () => {
    await deletedEntry('ct-c');
    expect((await raw(`${entry('ct-c', 'k')}/purge`, 'POST', JSON_TYPE)).status).toBe(200);
    expect((await raw(`${service.url}/v1/admin/rebuild`, 'POST', { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  describe('the Host header (DNS rebinding)', () => {
    it.each(['evil.example', 'evil.example:80', '127.0.0.1.evil.example', 'localhost.evil.example'])(
      'refuses Host %s with 421 HOST_NOT_ALLOWED and writes nothing', async (host) => {
        const forged = { ...JSON_TYPE, host: host.includes(':') ? host : `${host}:${port}` };
        expectProblem(await raw(entry('host-a', 'k'), 'PUT', forged, '{"value":"v"}'), 421, 'HOST_NOT_ALLOWED');
        expectProblem(await raw(`${service.url}/v1/namespaces`, 'GET', forged), 421, 'HOST_NOT_ALLOWED');
        expect((await raw(`${service.url}/v1/namespaces/host-a`, 'GET')).status).toBe(404);
      });

    it('refuses a request without a Host header', async () => {
      expectProblem(await raw(`${service.url}/v1/namespaces`, 'GET', { host: '' }), 421, 'HOST_NOT_ALLOWED');
    });

    it.each(['localhost', 'LOCALHOST', '127.0.0.1', '[::1]', '10.1.2.3', 'store.internal', 'Store.Internal'])('accepts Host %s', async (host) => {
      expect((await raw(`${service.url}/v1/namespaces`, 'GET', { host: `${host}:${port}` })).status).toBe(200);
      expect((await raw(`${service.url}/v1/namespaces`, 'GET', { host })).status).toBe(200);
    });
  });
});
