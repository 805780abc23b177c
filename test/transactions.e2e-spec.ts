import { comparePositions, parsePosition } from '@app/event-store';
import { TransactionOp } from '@app/client';
import { expectProblem, expectRefused } from './support/expectations';
import { collect, expectNothingWritten, freshNs, metadataPairs, MiB } from './support/sdk';
import { http, useService } from './support/service';

const service = useService();
const { store } = service;

/** An op as the tests build it, valid or not; the SDK is given the valid ones (`sdk`), raw HTTP the others. */
type Op = { op: 'put' | 'delete'; key: string; [field: string]: unknown };
const put = (key: string, fields: Record<string, unknown> = { value: `v:${key}` }): Op => ({ op: 'put', key, ...fields });
const del = (key: string, fields: Record<string, unknown> = {}): Op => ({ op: 'delete', key, ...fields });
const puts = (count: number) => Array.from({ length: count }, (_, i) => put(`k${i}`, { value: 'v' }));
const sdk = (ops: Op[]) => ops as TransactionOp[];
const rawTx = (ns: string, body: unknown) => http('POST', `${service.url}/v1/namespaces/${ns}/transactions`, body);

/** A namespace holding a=v1 and b=v2 (revision 3). */
async function seeded(): Promise<string> {
  const ns = freshNs('tx');
  await store.put(ns, 'a', 'a1');
  await store.put(ns, 'b', 'b1');
  expect((await store.put(ns, 'b', 'b2')).revision).toBe(3);
  return ns;
}

describe('committed transactions', () => {
  it('applies puts and deletes together: one result per op with its version, one revision per op', async () => {
    const ns = await seeded();
    const before = await store.put(ns, 'z', 'z1');
    const tx = await store.transaction(ns, sdk([
      put('a', { value: 'a2', metadata: { m: '1' } }),
      del('b', { expectedVersion: 2 }),
      put('c', { valueBase64: '/wA=', ttlSeconds: 60 }),
      del('z'),
      put('d', { value: 'd1' }),
    ]));
    expect(tx).toMatchObject({
      revision: 9,
      position: expect.any(String),
      results: [
        { op: 'put', key: 'a', version: 2 },
        { op: 'delete', key: 'b', version: 2 },
        { op: 'put', key: 'c', version: 1 },
        { op: 'delete', key: 'z', version: 1 },
        { op: 'put', key: 'd', version: 1 },
      ],
    });
    expect(comparePositions(parsePosition(before.position), parsePosition(tx.position))).toBeLessThan(0);
    expect(await store.get(ns, 'a')).toMatchObject({ value: 'a2', metadata: { m: '1' }, version: 2, modRevision: 5 });
    await expectRefused(store.get(ns, 'b'), 404, 'ENTRY_NOT_FOUND');
    expect(await store.get(ns, 'd')).toMatchObject({ value: 'd1', version: 1, modRevision: 9 });
    expect(await store.get(ns, 'c')).toMatchObject({ valueBase64: '/wA=', version: 1, modRevision: 7, expiresAt: expect.any(String) });
    await expectRefused(store.get(ns, 'z'), 404, 'ENTRY_NOT_FOUND');
    expect(await store.getNamespace(ns)).toMatchObject({ revision: 9, entryCount: 3 });
  });

  it('creates a missing namespace first: its revision is then the number of ops', async () => {
    const ns = freshNs('tx');
    expect(await store.transaction(ns, sdk(puts(3)))).toMatchObject({ revision: 3, results: [{ version: 1 }, { version: 1 }, { version: 1 }] });
    expect(await store.getNamespace(ns)).toMatchObject({ name: ns, revision: 3, entryCount: 3 });
  });

  it('takes 128 ops (the default limit) in one transaction', async () => {
    const ns = freshNs('tx');
    const tx = await store.transaction(ns, sdk(puts(128)));
    expect([tx.revision, tx.results.length]).toEqual([128, 128]);
    expect(await collect(store.list(ns, { limit: 1000 }))).toHaveLength(128);
  });

  it('takes values totalling exactly 4 MiB', async () => {
    const ns = freshNs('tx');
    const ops = Array.from({ length: 4 }, (_, i) => put(`big${i}`, { value: 'x'.repeat(MiB) }));
    expect(await store.transaction(ns, sdk(ops))).toMatchObject({ revision: 4 });
    expect(await store.getNamespace(ns)).toMatchObject({ entryCount: 4, bytes: 4 * MiB + 4 * 4 });
  });
});

describe('a delete of an absent key inside a transaction is a no-op (as in etcd)', () => {
  it("runs the README's example: the delete of plans/legacy, never created, deletes nothing and says so", async () => {
    const ns = freshNs('billing');
    await store.createNamespace(ns);
    const tx = await rawTx(ns, JSON.parse(`{
      "ops": [
        {"op": "put", "key": "plans/basic", "value": "10", "expectedVersion": 0},
        {"op": "put", "key": "plans/pro", "valueBase64": "MjU="},
        {"op": "delete", "key": "plans/legacy"}
      ]}`));
    expect(tx.status).toBe(200);
    expect(tx.body).toEqual({
      revision: 2,
      position: expect.any(String),
      results: [
        { op: 'put', key: 'plans/basic', version: 1 },
        { op: 'put', key: 'plans/pro', version: 1 },
        { op: 'delete', key: 'plans/legacy', version: 0, deleted: false },
      ],
    });
    expect(await store.getNamespace(ns)).toMatchObject({ revision: 2, entryCount: 2 });
    await expectRefused(store.history(ns, 'plans/legacy').next(), 404, 'ENTRY_NOT_FOUND');
  });

  it('deletes nothing for keys that are deleted or expired, and deletes the live ones', async () => {
    const ns = await seeded();
    await store.put(ns, 'gone', 'g');
    await store.delete(ns, 'gone');
    const tx = await store.transaction(ns, sdk([del('gone'), del('a'), del('never', { expectedVersion: 0 })]));
    expect(tx).toMatchObject({
      revision: 6,
      results: [
        { op: 'delete', key: 'gone', version: 0, deleted: false },
        { op: 'delete', key: 'a', version: 1, deleted: true },
        { op: 'delete', key: 'never', version: 0, deleted: false },
      ],
    });
  });

  it('a transaction whose ops are all no-ops writes nothing and answers the current revision and position', async () => {
    const ns = await seeded();
    const last = await store.put(ns, 'z', 'z1');
    const tx = await expectNothingWritten(store, () => store.transaction(ns, sdk([del('missing'), del('never', { expectedVersion: 0 })])));
    expect(tx).toEqual({
      revision: last.revision,
      position: expect.any(String),
      results: [
        { op: 'delete', key: 'missing', version: 0, deleted: false },
        { op: 'delete', key: 'never', version: 0, deleted: false },
      ],
    });
    expect(comparePositions(parsePosition(last.position), parsePosition(tx.position))).toBeLessThanOrEqual(0);
    expect((await store.getNamespace(ns)).revision).toBe(last.revision);
    expect(await store.get(ns, 'z', { minPosition: tx.position })).toMatchObject({ value: 'z1' });
  });

  it('a transaction of no-op deletes alone in a namespace that does not exist is 404 NAMESPACE_NOT_FOUND', async () => {
    const ns = freshNs('tx');
    await expectNothingWritten(store, () => expectRefused(store.transaction(ns, sdk([del('a')])), 404, 'NAMESPACE_NOT_FOUND'));
    await expectRefused(store.getNamespace(ns), 404, 'NAMESPACE_NOT_FOUND');
  });

  it('a plain DELETE of a missing entry stays 404 ENTRY_NOT_FOUND', async () => {
    const ns = await seeded();
    await expectNothingWritten(store, () => expectRefused(store.delete(ns, 'missing'), 404, 'ENTRY_NOT_FOUND'));
  });
});

describe('all or nothing: a failing op at index 2 refuses the whole transaction and writes nothing', () => {
  const first = [put('a', { value: 'a-new' }), put('fresh', { value: 'f' })];
  const cases: [string, Op, number, string, Record<string, unknown>][] = [
    ['a put with a stale expectedVersion', put('b', { value: 'x', expectedVersion: 1 }), 409, 'VERSION_CONFLICT', { key: 'b', expectedVersion: 1, actualVersion: 2 }],
    ['a put with expectedVersion 0 on a live key', put('b', { value: 'x', expectedVersion: 0 }), 409, 'VERSION_CONFLICT', { actualVersion: 2 }],
    ['a delete of a missing key expecting version 1', del('missing', { expectedVersion: 1 }), 409, 'VERSION_CONFLICT', { key: 'missing', expectedVersion: 1, actualVersion: 0 }],
    ['a delete with a stale expectedVersion', del('b', { expectedVersion: 1 }), 409, 'VERSION_CONFLICT', { expectedVersion: 1, actualVersion: 2 }],
    ['a key repeated from op 0', put('a', { value: 'again' }), 400, 'VALIDATION_FAILED', {}],
    ['an empty key', put(''), 400, 'KEY_INVALID', {}],
    ['a key with a control character', put('bad\nkey'), 400, 'KEY_INVALID', {}],
    ['a key of 1025 bytes', put('k'.repeat(1025)), 400, 'KEY_INVALID', {}],
    ['a value of 1 MiB + 1 byte', put('big', { value: 'x'.repeat(MiB + 1) }), 413, 'PAYLOAD_TOO_LARGE', {}],
    ['65 metadata pairs', put('meta', { value: 'v', metadata: metadataPairs(65) }), 400, 'VALIDATION_FAILED', {}],
  ];

  it.each(cases)('%s', async (_title, failing, status, code, extra) => {
    const ns = await seeded();
    await expectNothingWritten(store, () => expectRefused(store.transaction(ns, sdk([...first, failing, put('after')])), status, code, { ...extra, opIndex: 2 }));
  });

  it('a refused transaction into a new namespace does not create it', async () => {
    const ns = freshNs('tx');
    await expectNothingWritten(store, () =>
      expectRefused(store.transaction(ns, sdk([put('a'), put('b'), del('c', { expectedVersion: 1 })])), 409, 'VERSION_CONFLICT', { opIndex: 2 }));
    await expectRefused(store.getNamespace(ns), 404, 'NAMESPACE_NOT_FOUND');
  });

  // Errors of a transaction carry the failing op's index; these are found before the decider, in the DTO layer.
  // Ops of shapes the SDK does not send: raw HTTP.
  const edgeCases: [string, Op, number, string][] = [
    ['a delete with a value', del('b', { value: 'x' }), 400, 'VALIDATION_FAILED'],
    ['a delete with metadata', del('b', { metadata: { m: 'x' } }), 400, 'VALIDATION_FAILED'],
    ['a delete with ttlSeconds', del('b', { ttlSeconds: 5 }), 400, 'VALIDATION_FAILED'],
    ['a put with value: 5', put('x', { value: 5 }), 400, 'VALIDATION_FAILED'],
    ['a put with ttlSeconds: 0', put('x', { value: 'v', ttlSeconds: 0 }), 400, 'VALIDATION_FAILED'],
    ['a put with both value and valueBase64', put('x', { value: 'v', valueBase64: 'eA==' }), 400, 'VALIDATION_FAILED'],
    ['a put with neither value nor valueBase64', put('x', {}), 400, 'VALIDATION_FAILED'],
    ['a put with value: null', put('x', { value: null }), 400, 'VALIDATION_FAILED'],
  ];

  it.each(edgeCases)('%s (names opIndex 2)', async (_title, failing, status, code) => {
    const ns = await seeded();
    const refused = await expectNothingWritten(store, () => rawTx(ns, { ops: [...first, failing, put('after')] }));
    expectProblem(refused, status, code, { opIndex: 2 });
  });
});

// Malformed bodies: raw HTTP.
describe('refused transaction shapes', () => {
  const cases: [string, unknown, number, string][] = [
    ['129 ops (one over the default limit)', { ops: puts(129) }, 413, 'TRANSACTION_TOO_LARGE'],
    ['values totalling 5 MiB (over 4 MiB)', { ops: Array.from({ length: 5 }, (_, i) => put(`big${i}`, { value: 'x'.repeat(MiB) })) }, 413, 'TRANSACTION_TOO_LARGE'],
    ['empty ops', { ops: [] }, 400, 'VALIDATION_FAILED'],
    ['no ops', {}, 400, 'VALIDATION_FAILED'],
    ['ops that is not an array', { ops: { op: 'put', key: 'a', value: 'v' } }, 400, 'VALIDATION_FAILED'],
    ['an op that is null', { ops: [null] }, 400, 'VALIDATION_FAILED'],
    ['an op that is a string', { ops: ['put a'] }, 400, 'VALIDATION_FAILED'],
    ['an unknown op', { ops: [{ op: 'upsert', key: 'a', value: 'v' }] }, 400, 'VALIDATION_FAILED'],
    ['an op without a key', { ops: [{ op: 'put', value: 'v' }] }, 400, 'VALIDATION_FAILED'],
    ['a key that is a number', { ops: [{ op: 'put', key: 5, value: 'v' }] }, 400, 'VALIDATION_FAILED'],
    ['an unknown field in an op', { ops: [{ op: 'put', key: 'a', value: 'v', colour: 'red' }] }, 400, 'VALIDATION_FAILED'],
    ['an unknown top-level field', { ops: [put('a')], atomic: true }, 400, 'VALIDATION_FAILED'],
    ['malformed JSON', '{"ops": [', 400, 'VALIDATION_FAILED'],
  ];

  it.each(cases)('%s', async (_title, body, status, code) => {
    const ns = await seeded();
    expectProblem(await expectNothingWritten(store, () => rawTx(ns, body)), status, code);
  });

  it('an invalid namespace is 400 NAMESPACE_INVALID', async () => {
    await expectNothingWritten(store, () => expectRefused(store.transaction('Not_Valid', sdk([put('a')])), 400, 'NAMESPACE_INVALID'));
  });
});
