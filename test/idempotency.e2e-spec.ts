import { expectProblem } from './support/expectations';
import { expectNothingWritten, freshNs } from './support/sdk';
import { http, useService } from './support/service';

// A retry must be answered with the same HTTP answer, status included, and the header itself is
// checked as it travels: these requests go as raw HTTP, with the Idempotency-Key each test sets.
// The SDK reads the store, to see what was written.
const service = useService();
const sdk = service.store;

type Reply = Awaited<ReturnType<typeof http>>;
type RequestHeaders = Record<string, string>;
const nsUrl = (name: string) => `${service.url}/v1/namespaces/${name}`;
const entry = (name: string, key: string) => `${nsUrl(name)}/entries/${encodeURIComponent(key)}`;
const raw = {
  put: (name: string, key: string, body: unknown, headers?: RequestHeaders) => http('PUT', entry(name, key), body, headers),
  del: (name: string, key: string, expectedVersion?: number, headers?: RequestHeaders) =>
    http('DELETE', `${entry(name, key)}${expectedVersion === undefined ? '' : `?expectedVersion=${expectedVersion}`}`, undefined, headers),
  tx: (name: string, ops: unknown, headers?: RequestHeaders) => http('POST', `${nsUrl(name)}/transactions`, { ops }, headers),
  createNamespace: (name: string, headers?: RequestHeaders) => http('PUT', nsUrl(name), undefined, headers),
};

let keys = 0;
/** A fresh Idempotency-Key header. */
const idem = (key = `idem-${++keys}-${Date.now()}`) => ({ 'idempotency-key': key });

const answer = (reply: Reply) => ({ status: reply.status, body: reply.body });

/** Sends the same request again and proves it is answered as before and writes nothing. */
async function expectReplayed(first: Reply, again: () => Promise<Reply>): Promise<void> {
  expect(answer(await expectNothingWritten(sdk, again))).toEqual(answer(first));
}

describe('a retry with the same key and request', () => {
  it('PUT: answered identically (201 again), applied once', async () => {
    const ns = freshNs();
    const headers = idem();
    const send = () => raw.put(ns, 'k', { value: 'v', metadata: { m: '1' } }, headers);
    const first = await send();
    expect(first.status).toBe(201);
    await expectReplayed(first, send);
    expect(await sdk.get(ns, 'k')).toMatchObject({ version: 1 });
    expect((await sdk.getNamespace(ns)).revision).toBe(1);
  });

  it('PUT: still answered with the first answer after the entry changed, and not applied again', async () => {
    const ns = freshNs();
    const headers = idem();
    const send = () => raw.put(ns, 'k', { value: 'first' }, headers);
    const first = await send();
    await raw.put(ns, 'k', { value: 'second' });
    await expectReplayed(first, send);
    expect(await sdk.get(ns, 'k')).toMatchObject({ value: 'second', version: 2 });
  });

  it('DELETE: 204 again, not 404', async () => {
    const ns = freshNs();
    await raw.put(ns, 'k', { value: 'v' });
    const headers = idem();
    const send = () => raw.del(ns, 'k', 1, headers);
    const first = await send();
    expect(first.status).toBe(204);
    await expectReplayed(first, send);
  });

  it('transaction: the same results, applied once', async () => {
    const ns = freshNs();
    await raw.put(ns, 'gone', { value: 'v' });
    const headers = idem();
    const send = () => raw.tx(ns, [{ op: 'put', key: 'a', value: '1' }, { op: 'delete', key: 'gone' }], headers);
    const first = await send();
    expect(first.body).toMatchObject({ revision: 3, results: [{ version: 1 }, { version: 1 }] });
    await expectReplayed(first, send);
  });

  it('namespace creation: 201 again', async () => {
    const ns = freshNs();
    const headers = idem();
    const first = await raw.createNamespace(ns, headers);
    expect(first.status).toBe(201);
    await expectReplayed(first, () => raw.createNamespace(ns, headers));
  });

  it('10 identical requests at once: all answered the same, applied once', async () => {
    const ns = freshNs();
    await raw.put(ns, 'k', { value: 'v1' });
    const headers = idem();
    const replies = await Promise.all(Array.from({ length: 10 }, () => raw.put(ns, 'k', { value: 'v2' }, headers)));
    expect(replies.map(answer)).toEqual(Array(10).fill(answer(replies[0])));
    expect(replies[0].body).toMatchObject({ version: 2, created: false });
    expect(await sdk.get(ns, 'k')).toMatchObject({ value: 'v2', version: 2 });
    expect((await sdk.getNamespace(ns)).revision).toBe(2);
  });
});

describe('the same key with a different request: 422 IDEMPOTENCY_KEY_REUSED, nothing written', () => {
  const ns = 'reuse';
  const headers = idem('reused-key');
  beforeAll(async () => {
    expect((await raw.put(ns, 'k', { value: 'v' }, headers)).status).toBe(201);
  });

  it.each([
    ['another value', () => raw.put(ns, 'k', { value: 'other' }, headers)],
    ['added metadata', () => raw.put(ns, 'k', { value: 'v', metadata: { m: 'x' } }, headers)],
    ['added expectedVersion', () => raw.put(ns, 'k', { value: 'v', expectedVersion: 1 }, headers)],
    ['another key', () => raw.put(ns, 'k2', { value: 'v' }, headers)],
    ['another namespace', () => raw.put('reuse-elsewhere', 'k', { value: 'v' }, headers)],
    ['a DELETE', () => raw.del(ns, 'k', undefined, headers)],
    ['a namespace creation', () => raw.createNamespace('reuse-other', headers)],
  ])('%s', async (_title, send) => {
    expectProblem(await expectNothingWritten(sdk, send), 422, 'IDEMPOTENCY_KEY_REUSED', { idempotencyKey: 'reused-key' });
  });

  // A PUT and a one-op transaction with the same ops are different operations with different answers.
  it('a one-op transaction with the key of a PUT of the same entry', async () => {
    const send = () => raw.tx(ns, [{ op: 'put', key: 'k', value: 'v' }], headers);
    expectProblem(await expectNothingWritten(sdk, send), 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('a PUT with the key of a one-op transaction that put the same entry', async () => {
    const other = idem();
    await raw.tx(ns, [{ op: 'put', key: 't', value: 'v' }], other);
    expectProblem(await expectNothingWritten(sdk, () => raw.put(ns, 't', { value: 'v' }, other)), 422, 'IDEMPOTENCY_KEY_REUSED');
  });
});

describe('after a restart on the same data', () => {
  it('a retry is still answered the same and applied once; a different request is still 422', async () => {
    const ns = freshNs();
    const headers = idem();
    const send = () => raw.tx(ns, [{ op: 'put', key: 'a', value: '1' }, { op: 'put', key: 'b', value: '2' }], headers);
    const first = await send();
    const put = await raw.put(ns, 'c', { value: '3' }, idem('restart-put'));
    await service.restart();
    await expectReplayed(first, send);
    await expectReplayed(put, () => raw.put(ns, 'c', { value: '3' }, idem('restart-put')));
    expectProblem(await expectNothingWritten(sdk, () => raw.put(ns, 'c', { value: '4' }, idem('restart-put'))), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await sdk.getNamespace(ns)).toMatchObject({ revision: 3, entryCount: 3 });
  });
});

describe('the Idempotency-Key header itself', () => {
  it.each([
    ['non-ASCII', 'clé'],
    ['256 characters', 'k'.repeat(256)],
    ['empty', ''],
    ['an inner space', 'a b'],
    ['an inner tab', 'a\tb'],
  ])('is refused when %s (400 VALIDATION_FAILED), writing nothing', async (_title, key) => {
    const ns = freshNs();
    for (const send of [
      () => raw.put(ns, 'k', { value: 'v' }, idem(key)),
      () => raw.tx(ns, [{ op: 'put', key: 'k', value: 'v' }], idem(key)),
      () => raw.createNamespace(ns, idem(key)),
      () => http('DELETE', entry('reuse', 'k'), undefined, idem(key)),
    ]) {
      expectProblem(await expectNothingWritten(sdk, send), 400, 'VALIDATION_FAILED');
    }
  });

  it('takes 255 visible ASCII characters', async () => {
    const key = Array.from({ length: 255 }, (_, i) => String.fromCharCode(0x21 + (i % 94))).join('');
    const ns = freshNs();
    const send = () => raw.put(ns, 'k', { value: 'v' }, idem(key));
    const first = await send();
    expect(first.status).toBe(201);
    await expectReplayed(first, send);
  });
});
