import { Writable } from 'node:stream';
import { request } from 'node:http';
import { http, removeDir, RunningService, startService } from './support/service';

/** The service's log lines (pino JSON), as written. */
class LogCapture extends Writable {
  readonly lines: string[] = [];
  private partial = '';

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.filter(Boolean));
    done();
  }

  get records(): Record<string, any>[] {
    return this.lines.map((line) => JSON.parse(line));
  }

  /** The request line with this request id, waited for (bounded: at most 10 s). */
  async requestLine(requestId: string): Promise<Record<string, any>> {
    for (let i = 0; i < 400; i++) {
      const found = this.records.find((r) => r.msg === 'request' && r.requestId === requestId);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no request line for ${requestId} in:\n${this.lines.join('\n')}`);
  }
}

describe('request log', () => {
  const log = new LogCapture();
  let service: RunningService;
  beforeAll(async () => (service = await startService({ env: { LOG_LEVEL: 'info' }, logStream: log })));
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
  });

  const SECRET_VALUE = 'value-that-must-never-be-logged-5f1c';
  const SECRET_METADATA = 'metadata-that-must-never-be-logged-77aa';
  const SECRET_TOKEN = 'token-that-must-never-be-logged-0b3e';
  const SECRET_IDEMPOTENCY_KEY = 'idempotency-key-never-logged-91d2';

  it('logs one line per request at info: method, route, status, duration, request id and actor; never values, bodies or credentials', async () => {
    const put = await http('PUT', `${service.url}/v1/namespaces/logged/entries/k`, { value: SECRET_VALUE, metadata: { owner: SECRET_METADATA } }, {
      'x-request-id': 'req-put-1', authorization: `Bearer ${SECRET_TOKEN}`, 'idempotency-key': SECRET_IDEMPOTENCY_KEY,
    });
    expect(put.status).toBe(201);
    const get = await http('GET', `${service.url}/v1/namespaces/logged/entries/k`, undefined, { 'x-request-id': 'req-get-1' });
    expect(get.body.value).toBe(SECRET_VALUE);

    const line = await log.requestLine('req-put-1');
    expect(line).toMatchObject({
      level: 30, msg: 'request', requestId: 'req-put-1', method: 'PUT', route: '/v1/namespaces/:ns/entries/*', status: 201,
      durationMs: expect.any(Number), actor: 'anonymous',
    });
    expect(await log.requestLine('req-get-1')).toMatchObject({ method: 'GET', status: 200, route: '/v1/namespaces/:ns/entries/*' });
    expect(log.lines.filter((l) => l.includes('"req-put-1"') && l.includes('"msg":"request"'))).toHaveLength(1);

    const everything = log.lines.join('\n');
    for (const secret of [SECRET_VALUE, SECRET_METADATA, SECRET_TOKEN, SECRET_IDEMPOTENCY_KEY]) expect(everything).not.toContain(secret);
  });

  it('logs refused requests too: a validation failure, an unknown route and a forged Host', async () => {
    await http('PUT', `${service.url}/v1/namespaces/logged/entries/k`, `{"value":"${SECRET_VALUE}","nope":1}`, { 'x-request-id': 'req-bad-1' });
    await http('GET', `${service.url}/v1/nothing-here`, undefined, { 'x-request-id': 'req-404-1' });
    await new Promise<void>((resolve, reject) => {
      const req = request(`${service.url}/v1/namespaces`, { headers: { host: 'evil.example', 'x-request-id': 'req-host-1' } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    expect(await log.requestLine('req-bad-1')).toMatchObject({ method: 'PUT', status: 400 });
    expect(await log.requestLine('req-404-1')).toMatchObject({ method: 'GET', status: 404 });
    expect(await log.requestLine('req-host-1')).toMatchObject({ method: 'GET', status: 421 });
    expect(log.lines.join('\n')).not.toContain(SECRET_VALUE);
  });
});
