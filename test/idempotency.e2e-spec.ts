import { entryPath, expectProblem, freshNs, Reply, useStore } from './support/store-client';

const store = useStore();

let keys = 0;
/** A fresh Idempotency-Key header. */
const idem = (key = `idem-${++keys}-${Date.now()}`) => ({ 'idempotency-key': key });

const answer = (reply: Reply) => ({ status: reply.status, body: reply.body });

/** Sends the same request again and proves it is answered as before and writes nothing. */
async function expectReplayed(first: Reply, again: () => Promise<Reply>): Promise<void> {
  expect(answer(await store.expectNothingWritten(again))).toEqual(answer(first));
}

describe('a retry with the same key and request', () => {
  it('PUT: answered identically (201 again), applied once', async () => {
    const ns = freshNs();
    const headers = idem();
    const send = () => store.put(ns, 'k', { value: 'v', metadata: { m: '1' } }, headers);
    const first = await send();
    expect(first.status).toBe(201);
    await expectReplayed(first, send);
    expect((await store.get(ns, 'k')).body).toMatchObject({ version: 1 });
    expect((await store.namespace(ns)).body.revision).toBe(1);
  });

  it('PUT: still answered with the first answer after the entry changed, and not applied again', async () => {
    const ns = freshNs();
    const headers = idem();
    const send = () => store.put(ns, 'k', { value: 'first' }, headers);
    const first = await send();
    await store.put(ns, 'k', { value: 'second' });
    await expectReplayed(first, send);
    expect((await store.get(ns, 'k')).body).toMatchObject({ value: 'second', version: 2 });
  });

  it('DELETE: 204 again, not 404', async () => {
    const ns = freshNs();
    await store.put(ns, 'k', { value: 'v' });
    const headers = idem();
    const send = () => store.del(ns, 'k', 1, headers);
    const first = await send();
    expect(first.status).toBe(204);
    await expectReplayed(first, send);
  });

  it('transaction: the same results, applied once', async () => {
    const ns = freshNs();
    await store.put(ns, 'gone', { value: 'v' });
    const headers = idem();
    const send = () => store.tx(ns, [{ op: 'put', key: 'a', value: '1' }, { op: 'delete', key: 'gone' }], headers);
    const first = await send();
    expect(first.body).toMatchObject({ revision: 3, results: [{ version: 1 }, { version: 1 }] });
    await expectReplayed(first, send);
  });

  it('namespace creation: 201 again', async () => {
    const ns = freshNs();
    const headers = idem();
    const first = await store.createNamespace(ns, headers);
    expect(first.status).toBe(201);
    await expectReplayed(first, () => store.createNamespace(ns, headers));
  });

  it('10 identical requests at once: all answered the same, applied once', async () => {
    const ns = freshNs();
    await store.put(ns, 'k', { value: 'v1' });
    const headers = idem();
    const replies = await Promise.all(Array.from({ length: 10 }, () => store.put(ns, 'k', { value: 'v2' }, headers)));
    expect(replies.map(answer)).toEqual(Array(10).fill(answer(replies[0])));
    expect(replies[0].body).toMatchObject({ version: 2, created: false });
    expect((await store.get(ns, 'k')).body).toMatchObject({ value: 'v2', version: 2 });
    expect((await store.namespace(ns)).body.revision).toBe(2);
  });
});

describe('the same key with a different request: 422 IDEMPOTENCY_KEY_REUSED, nothing written', () => {
  const ns = 'reuse';
  const headers = idem('reused-key');
  beforeAll(async () => {
    expect((await store.put(ns, 'k', { value: 'v' }, headers)).status).toBe(201);
  });

  it.each([
    ['another value', () => store.put(ns, 'k', { value: 'other' }, headers)],
    ['added metadata', () => store.put(ns, 'k', { value: 'v', metadata: { m: 'x' } }, headers)],
    ['added expectedVersion', () => store.put(ns, 'k', { value: 'v', expectedVersion: 1 }, headers)],
    ['another key', () => store.put(ns, 'k2', { value: 'v' }, headers)],
    ['another namespace', () => store.put('reuse-elsewhere', 'k', { value: 'v' }, headers)],
    ['a DELETE', () => store.del(ns, 'k', undefined, headers)],
    ['a namespace creation', () => store.createNamespace('reuse-other', headers)],
  ])('%s', async (_title, send) => {
    expectProblem(await store.expectNothingWritten(send), 422, 'IDEMPOTENCY_KEY_REUSED', { idempotencyKey: 'reused-key' });
  });

  // A PUT and a one-op transaction with the same ops are different operations with different answers.
  it('a one-op transaction with the key of a PUT of the same entry', async () => {
    const send = () => store.tx(ns, [{ op: 'put', key: 'k', value: 'v' }], headers);
    expectProblem(await store.expectNothingWritten(send), 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('a PUT with the key of a one-op transaction that put the same entry', async () => {
    const other = idem();
    await store.tx(ns, [{ op: 'put', key: 't', value: 'v' }], other);
    expectProblem(await store.expectNothingWritten(() => store.put(ns, 't', { value: 'v' }, other)), 422, 'IDEMPOTENCY_KEY_REUSED');
  });
});

describe('after a restart on the same data', () => {
  it('a retry is still answered the same and applied once; a different request is still 422', async () => {
    const ns = freshNs();
    const headers = idem();
    const send = () => store.tx(ns, [{ op: 'put', key: 'a', value: '1' }, { op: 'put', key: 'b', value: '2' }], headers);
    const first = await send();
    const put = await store.put(ns, 'c', { value: '3' }, idem('restart-put'));
    await store.restart();
    await expectReplayed(first, send);
    await expectReplayed(put, () => store.put(ns, 'c', { value: '3' }, idem('restart-put')));
    expectProblem(await store.expectNothingWritten(() => store.put(ns, 'c', { value: '4' }, idem('restart-put'))), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect((await store.namespace(ns)).body).toMatchObject({ revision: 3, entryCount: 3 });
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
      () => store.put(ns, 'k', { value: 'v' }, idem(key)),
      () => store.tx(ns, [{ op: 'put', key: 'k', value: 'v' }], idem(key)),
      () => store.createNamespace(ns, idem(key)),
      () => store.request('DELETE', entryPath('reuse', 'k'), undefined, idem(key)),
    ]) {
      expectProblem(await store.expectNothingWritten(send), 400, 'VALIDATION_FAILED');
    }
  });

  it('takes 255 visible ASCII characters', async () => {
    const key = Array.from({ length: 255 }, (_, i) => String.fromCharCode(0x21 + (i % 94))).join('');
    const ns = freshNs();
    const send = () => store.put(ns, 'k', { value: 'v' }, idem(key));
    const first = await send();
    expect(first.status).toBe(201);
    await expectReplayed(first, send);
  });
});
