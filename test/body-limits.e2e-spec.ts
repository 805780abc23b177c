import { http, removeDir, RunningService, startService } from './support/service';
import { expectProblem } from './support/expectations';

/**
 * Bodies that would cost more than their size: deep nesting and wide metadata are refused with
 * 400 VALIDATION_FAILED before any transformation, oversized bodies with 413; nothing is written.
 */
describe('request body limits', () => {
  let service: RunningService;
  beforeAll(async () => (service = await startService()));
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
  });

  const entryUrl = (ns: string, key: string) => `${service.url}/v1/namespaces/${ns}/entries/${key}`;
  const putRaw = (ns: string, key: string, body: string) => http('PUT', entryUrl(ns, key), body);
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  async function expectNothingWritten(ns: string): Promise<void> {
    expectProblem(await http('GET', `${service.url}/v1/namespaces/${ns}`), 404, 'NAMESPACE_NOT_FOUND');
  }

  it('refuses 2000 nested arrays with 400 VALIDATION_FAILED (not a 500), naming the nesting limit', async () => {
    const reply = await putRaw('deep-a', 'k', `{"value":"v","metadata":{"a":${nested(2000)}}}`);
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body.detail).toMatch(/nest/);
    await expectNothingWritten('deep-a');
  });

  it('refuses a 6 MB body nested 3 million deep with 400 VALIDATION_FAILED, and the service keeps answering', async () => {
    const reply = await putRaw('deep-b', 'k', nested(3_000_000));
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body.detail).toMatch(/nest/);
    expect((await http('GET', `${service.url}/health/live`)).status).toBe(200);
    await expectNothingWritten('deep-b');
  });

  it('refuses deep nesting inside a transaction op', async () => {
    const reply = await http('POST', `${service.url}/v1/namespaces/deep-c/transactions`,
      `{"ops":[{"op":"put","key":"k","value":"v","metadata":{"a":${nested(40)}}}]}`);
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body.detail).toMatch(/nest/);
    await expectNothingWritten('deep-c');
  });

  it('counts nesting only outside strings: brackets in a value are text', async () => {
    const value = `${'['.repeat(2000)}"{\\"${'{'.repeat(2000)}`;
    const reply = await putRaw('deep-d', 'k', JSON.stringify({ value }));
    expect(reply.status).toBe(201);
    expect((await http('GET', entryUrl('deep-d', 'k'))).body.value).toBe(value);
  });

  it('lets JSON nested 32 deep through to the usual validation; 33 deep is refused for its nesting', async () => {
    const at32 = await putRaw('deep-e', 'k', `{"value":"v","metadata":{"a":${nested(30)}}}`);
    expectProblem(at32, 400, 'VALIDATION_FAILED');
    expect(at32.body.detail).not.toMatch(/nest/);
    const at33 = await putRaw('deep-e', 'k', `{"value":"v","metadata":{"a":${nested(31)}}}`);
    expectProblem(at33, 400, 'VALIDATION_FAILED');
    expect(at33.body.detail).toMatch(/nest/);
    await expectNothingWritten('deep-e');
  });

  const widePairs = (count: number) => {
    const parts: string[] = [];
    for (let i = 0; i < count; i++) parts.push(`"k${i}":"v"`);
    return `{${parts.join(',')}}`;
  };

  it('refuses metadata of 300 000 pairs with 400 VALIDATION_FAILED before validating it pair by pair', async () => {
    const reply = await putRaw('wide-a', 'k', `{"value":"v","metadata":${widePairs(300_000)}}`);
    expectProblem(reply, 400, 'VALIDATION_FAILED', { field: 'metadata' });
    expect(reply.body.detail).toMatch(/64/);
    await expectNothingWritten('wide-a');
  });

  it('refuses wide metadata in a transaction op, naming the op', async () => {
    const reply = await http('POST', `${service.url}/v1/namespaces/wide-b/transactions`,
      `{"ops":[{"op":"put","key":"a","value":"v"},{"op":"put","key":"k","value":"v","metadata":${widePairs(300_000)}}]}`);
    expectProblem(reply, 400, 'VALIDATION_FAILED', { field: 'ops.1.metadata', opIndex: 1 });
    await expectNothingWritten('wide-b');
  });

  it('refuses a body of 300 000 unknown fields with 400 VALIDATION_FAILED before validating it field by field', async () => {
    const reply = await putRaw('wide-c', 'k', widePairs(300_000));
    expectProblem(reply, 400, 'VALIDATION_FAILED', { maxMembers: 1024 });
    await expectNothingWritten('wide-c');
  });

  it('refuses metadata whose values are not strings', async () => {
    const reply = await putRaw('wide-d', 'k', '{"value":"v","metadata":{"a":"x","b":1}}');
    expectProblem(reply, 400, 'VALIDATION_FAILED', { field: 'metadata' });
    await expectNothingWritten('wide-d');
  });

  it('accepts metadata of exactly 64 pairs', async () => {
    const metadata = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v']));
    const reply = await putRaw('wide-e', 'k', JSON.stringify({ value: 'v', metadata }));
    expect(reply.status).toBe(201);
    expect(reply.body.metadata).toEqual(metadata);
  });
});

describe('request body size', () => {
  let service: RunningService;
  beforeAll(async () => (service = await startService({ env: { MAX_VALUE_BYTES: '1024', MAX_TRANSACTION_BYTES: '1024' } })));
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
  });

  it('refuses a body past the limit derived from MAX_TRANSACTION_BYTES with 413 PAYLOAD_TOO_LARGE, writing nothing', async () => {
    const reply = await http('PUT', `${service.url}/v1/namespaces/big/entries/k`, JSON.stringify({ value: 'v', padding: 'x'.repeat(2 * 1024 * 1024) }));
    expectProblem(reply, 413, 'PAYLOAD_TOO_LARGE');
    expectProblem(await http('GET', `${service.url}/v1/namespaces/big`), 404, 'NAMESPACE_NOT_FOUND');
  });
});
