/**
 * gRPC (`hexastore.v1.Store`) against the built service, with grpc-js as the caller: every call,
 * refusals with their status and problem code, bad and hostile input (INVALID_ARGUMENT, nothing
 * written), Watch resuming with no gap and no repeat, Backup restoring, and authentication.
 */
import { status } from '@grpc/grpc-js';
import { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { all, GrpcStore, refused, take } from './support/grpc';
import { killChild } from './support/reliability';
import { http, removeDir, startChild, startService, tempDir, vacantPort } from './support/service';

interface Running {
  dir: string;
  url: string;
  child: ChildProcess;
  grpc: GrpcStore;
}

async function start(env: Record<string, string> = {}, token?: string): Promise<Running> {
  const dir = tempDir();
  const grpcPort = await vacantPort();
  const { url, child } = await startChild(join(dir, 'data'), { MAX_VALUE_BYTES: '4096', MAX_TRANSACTION_BYTES: '8192', ...env }, { grpcPort });
  return { dir, url, child, grpc: new GrpcStore(grpcPort, token) };
}

async function stop(running: Running | undefined): Promise<void> {
  running?.grpc.close();
  await killChild(running?.child, 'SIGTERM');
  if (running) removeDir(running.dir);
}

const revisionOf = async (url: string, ns: string): Promise<number> => (await http('GET', `${url}/v1/namespaces/${ns}`)).body.revision;

describe('gRPC with authentication off', () => {
  let service: Running;
  let grpc: GrpcStore;
  beforeAll(async () => {
    service = await start();
    grpc = service.grpc;
  });
  afterAll(() => stop(service));

  it('Put creates then updates; Get answers the bytes, metadata and counters', async () => {
    const bytes = Buffer.from([0, 255, 1, 128, 10]);
    const created = await grpc.call('Put', { namespace: 'app', key: 'config/db', value: bytes, metadata: { owner: 'ops' } });
    expect(created).toMatchObject({ created: true, entry: { namespace: 'app', key: 'config/db', version: 1, metadata: { owner: 'ops' } } });
    expect(created.position).toMatch(/:\d+$/);
    const updated = await grpc.call('Put', { namespace: 'app', key: 'config/db', value: Buffer.from('v2'), expectedVersion: 1 });
    expect(updated).toMatchObject({ created: false, entry: { version: 2 } });
    const entry = await grpc.call('Get', { namespace: 'app', key: 'config/db', minPosition: updated.position });
    expect(Buffer.from(entry.value).toString()).toBe('v2');
    expect(entry).toMatchObject({ version: 2, modRevision: updated.revision, expiresAt: '' });
    await grpc.call('Put', { namespace: 'app', key: 'binary', value: bytes, ttlSeconds: 3600 });
    const binary = await grpc.call('Get', { namespace: 'app', key: 'binary' });
    expect(Buffer.compare(binary.value, bytes)).toBe(0);
    expect(binary.expiresAt).not.toBe('');
  });

  it('the same write is seen over HTTP, recorded with the anonymous actor', async () => {
    await grpc.call('Put', { namespace: 'seen', key: 'k', value: Buffer.from('over grpc') });
    const read = await http('GET', `${service.url}/v1/namespaces/seen/entries/k`);
    expect(read.body).toMatchObject({ value: 'over grpc', version: 1 });
    const history = await http('GET', `${service.url}/v1/namespaces/seen/entries/k/history`);
    expect(history.body.items[0].actor).toBe('anonymous');
  });

  it('an idempotency-key in the metadata: a retry is answered as the first call, and writes nothing more', async () => {
    const metadata = grpc.metadata();
    metadata.set('idempotency-key', 'put-once-1');
    const request = { namespace: 'retries', key: 'k', value: Buffer.from('v') };
    const first = await grpc.call('Put', request, metadata);
    const again = await grpc.call('Put', request, metadata);
    expect(again).toEqual(first);
    expect(await grpc.call('Get', { namespace: 'retries', key: 'k' })).toMatchObject({ version: 1 });
    expect(await refused(grpc.call('Put', { ...request, value: Buffer.from('other') }, metadata))).toMatchObject({
      status: status.FAILED_PRECONDITION, code: 'IDEMPOTENCY_KEY_REUSED',
    });
    const bad = grpc.metadata();
    bad.set('idempotency-key', 'x'.repeat(300));
    expect(await refused(grpc.call('Put', request, bad))).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'VALIDATION_FAILED' });
  });

  it('refusals carry their status, the problem code and the problem document; nothing is written', async () => {
    await grpc.call('Put', { namespace: 'refusals', key: 'k', value: Buffer.from('1') });
    const before = await revisionOf(service.url, 'refusals');
    const missing = await refused(grpc.call('Get', { namespace: 'refusals', key: 'absent' }));
    expect(missing).toMatchObject({ status: status.NOT_FOUND, code: 'ENTRY_NOT_FOUND', problem: { code: 'ENTRY_NOT_FOUND', status: 404, key: 'absent' } });
    const conflict = await refused(grpc.call('Put', { namespace: 'refusals', key: 'k', value: Buffer.from('2'), expectedVersion: 7 }));
    expect(conflict).toMatchObject({ status: status.FAILED_PRECONDITION, code: 'VERSION_CONFLICT', problem: { actualVersion: 1 } });
    const noNamespace = await refused(grpc.call('List', { namespace: 'never-made' }));
    expect(noNamespace).toMatchObject({ status: status.NOT_FOUND, code: 'NAMESPACE_NOT_FOUND' });
    expect(await refused(grpc.call('Delete', { namespace: 'refusals', key: 'k', expectedVersion: 3 }))).toMatchObject({
      status: status.FAILED_PRECONDITION, code: 'VERSION_CONFLICT',
    });
    expect(await revisionOf(service.url, 'refusals')).toBe(before);
  });

  it('Delete removes the entry and answers where it landed', async () => {
    const put = await grpc.call('Put', { namespace: 'del', key: 'gone', value: Buffer.from('x') });
    const deleted = await grpc.call('Delete', { namespace: 'del', key: 'gone', expectedVersion: 1 });
    expect(deleted).toMatchObject({ version: 1, revision: put.revision + 1 });
    expect(await refused(grpc.call('Get', { namespace: 'del', key: 'gone' }))).toMatchObject({ status: status.NOT_FOUND });
    expect(await refused(grpc.call('Delete', { namespace: 'del', key: 'gone' }))).toMatchObject({ code: 'ENTRY_NOT_FOUND' });
  });

  it('List pages in key order with the cursor, to an empty next_cursor', async () => {
    const keys = ['p/a', 'p/b', 'p/c', 'p/d', 'p/e'];
    for (const key of keys) await grpc.call('Put', { namespace: 'pages', key, value: Buffer.from(key) });
    await grpc.call('Put', { namespace: 'pages', key: 'q/other', value: Buffer.from('x') });
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const answer = await grpc.call('List', { namespace: 'pages', prefix: 'p/', limit: 2, cursor });
      expect(answer.items.length).toBeLessThanOrEqual(2);
      seen.push(...answer.items.map((item: { key: string; value: Buffer }) => `${item.key}=${Buffer.from(item.value).toString()}`));
      cursor = answer.nextCursor;
      if (cursor === '') break;
    }
    expect(seen).toEqual(keys.map((key) => `${key}=${key}`));
    expect(await refused(grpc.call('List', { namespace: 'pages', cursor: 'forged' }))).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'CURSOR_INVALID' });
    expect(await refused(grpc.call('List', { namespace: 'pages', limit: 5000 }))).toMatchObject({ status: status.INVALID_ARGUMENT });
  });

  it('Txn applies all ops in one append, or none', async () => {
    await grpc.call('Put', { namespace: 'txn', key: 'old', value: Buffer.from('o') });
    const done = await grpc.call('Txn', {
      namespace: 'txn',
      ops: [{ put: { key: 'a', value: Buffer.from('1') } }, { put: { key: 'b', value: Buffer.from('2'), expectedVersion: 0 } }, { delete: { key: 'old' } }],
    });
    expect(done.results).toEqual([
      { op: 'put', key: 'a', version: 1, deleted: false },
      { op: 'put', key: 'b', version: 1, deleted: false },
      { op: 'delete', key: 'old', version: 1, deleted: true },
    ]);
    const before = await revisionOf(service.url, 'txn');
    const failed = await refused(grpc.call('Txn', {
      namespace: 'txn', ops: [{ put: { key: 'c', value: Buffer.from('3') } }, { put: { key: 'a', value: Buffer.from('x'), expectedVersion: 5 } }],
    }));
    expect(failed).toMatchObject({ status: status.FAILED_PRECONDITION, code: 'VERSION_CONFLICT', problem: { opIndex: 1 } });
    expect(await refused(grpc.call('Txn', { namespace: 'txn', ops: [] }))).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'VALIDATION_FAILED' });
    expect(await refused(grpc.call('Txn', { namespace: 'txn', ops: [{}] }))).toMatchObject({ status: status.INVALID_ARGUMENT, problem: { opIndex: 0 } });
    const tooMany = Array.from({ length: 200 }, (_, i) => ({ put: { key: `k${i}`, value: Buffer.from('v') } }));
    expect(await refused(grpc.call('Txn', { namespace: 'txn', ops: tooMany }))).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'TRANSACTION_TOO_LARGE' });
    expect(await revisionOf(service.url, 'txn')).toBe(before);
    expect(await refused(grpc.call('Get', { namespace: 'txn', key: 'c' }))).toMatchObject({ status: status.NOT_FOUND });
  });

  describe('bad and hostile input: INVALID_ARGUMENT, never INTERNAL, nothing written', () => {
    let before: number;
    beforeAll(async () => {
      await grpc.call('Put', { namespace: 'hostile', key: 'k', value: Buffer.from('1') });
      before = await revisionOf(service.url, 'hostile');
    });
    afterAll(async () => {
      expect(await revisionOf(service.url, 'hostile')).toBe(before);
    });

    it.each([
      ['no namespace', { key: 'k', value: Buffer.from('v') }, 'NAMESPACE_INVALID'],
      ['no key', { namespace: 'hostile', value: Buffer.from('v') }, 'KEY_INVALID'],
      ['a key with a NUL', { namespace: 'hostile', key: 'a\u0000b', value: Buffer.from('v') }, 'KEY_INVALID'],
      ['a namespace of 100 KiB', { namespace: 'n'.repeat(100_000), key: 'k', value: Buffer.from('v') }, 'NAMESPACE_INVALID'],
      ['a value over MAX_VALUE_BYTES', { namespace: 'hostile', key: 'k', value: Buffer.alloc(5000) }, 'PAYLOAD_TOO_LARGE'],
      ['ttl_seconds 0', { namespace: 'hostile', key: 'k', value: Buffer.from('v'), ttlSeconds: 0 }, 'VALIDATION_FAILED'],
      ['an expected_version past 2^53', { namespace: 'hostile', key: 'k', value: Buffer.from('v'), expectedVersion: '18446744073709551615' }, 'VALIDATION_FAILED'],
      ['1000 metadata pairs', {
        namespace: 'hostile', key: 'k', value: Buffer.from('v'), metadata: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`m${i}`, 'x'])),
      }, 'VALIDATION_FAILED'],
    ])('Put with %s', async (_name, request, code) => {
      expect(await refused(grpc.call('Put', request))).toMatchObject({ status: status.INVALID_ARGUMENT, code });
    });

    it('bytes that are not the message (a length past the end, a bad wire type)', async () => {
      // Undecodable: a field of group wire type cut short, a length past the end.
      for (const bytes of [Buffer.from([0x0f, 0xff]), Buffer.from([0x1a, 0xff, 0xff, 0xff, 0xff, 0x0f])]) {
        const refusal = await refused(grpc.raw('Put', bytes));
        expect(refusal).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'VALIDATION_FAILED' });
        expect(refusal.problem.detail).toMatch(/not a valid message/);
      }
      // Decodable into nonsense (a string cut short, invalid UTF-8, a key where an op belongs): refused by the store's own checks.
      for (const bytes of [Buffer.from([0x0a, 0x05, 0x61]), Buffer.from([0x0a, 0x02, 0xff, 0xfe, 0x12, 0x01])]) {
        expect(await refused(grpc.raw('Put', bytes))).toMatchObject({ status: status.INVALID_ARGUMENT });
      }
      expect(await refused(grpc.raw('Txn', Buffer.from([0x12, 0x03, 0x0a, 0x09])))).toMatchObject({ status: status.INVALID_ARGUMENT });
    });

    it('a message over the size limit is refused by the transport before it is read', async () => {
      const error = await grpc.call('Put', { namespace: 'hostile', key: 'k', value: Buffer.alloc(3 * 1024 * 1024) }).catch((e) => e);
      expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    });

    it('a Watch with a forged position, an unknown namespace or bad types', async () => {
      expect(await refused(all(grpc.stream('Watch', { after: 'not-a-position' })))).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'CURSOR_INVALID' });
      expect(await refused(all(grpc.stream('Watch', { namespace: 'nowhere' })))).toMatchObject({ status: status.NOT_FOUND, code: 'NAMESPACE_NOT_FOUND' });
      expect(await refused(all(grpc.stream('Watch', { types: ['DROP TABLE'] })))).toMatchObject({ status: status.INVALID_ARGUMENT });
      expect(await refused(all(grpc.stream('Backup', { namespaces: ['nowhere'] })))).toMatchObject({ status: status.NOT_FOUND });
    });
  });

  it('Watch resumes from the last position it delivered: no gap, no repeat', async () => {
    const put = (i: number) => grpc.call('Put', { namespace: 'watched', key: `k${i}`, value: Buffer.from(`v${i}`) });
    for (let i = 0; i < 5; i++) await put(i);
    const types = ['StoreEntryCreated'];
    const first = await take(grpc.stream('Watch', { namespace: 'watched', fromStart: true, types }), 3);
    expect(first.map((e) => e.key)).toEqual(['k0', 'k1', 'k2']);
    expect(Buffer.from(first[0].value).toString()).toBe('v0');
    expect(JSON.parse(first[0].json)).toMatchObject({ type: 'StoreEntryCreated', key: 'k0', position: first[0].position, actor: 'anonymous' });
    for (let i = 5; i < 9; i++) await put(i);
    const resumed = grpc.stream('Watch', { namespace: 'watched', after: first[2].position, types });
    const rest = take(resumed, 7);
    // Live: written after the resumed stream caught up with the six before it.
    setTimeout(() => void put(9), 200);
    const events = await rest;
    expect(events.map((e) => e.key)).toEqual(['k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
    expect(new Set(events.map((e) => e.position)).size).toBe(7);
    const withoutValues = await take(grpc.stream('Watch', { namespace: 'watched', fromStart: true, types, withoutValues: true }), 1);
    expect(withoutValues[0].value.length).toBe(0);
    expect(JSON.parse(withoutValues[0].json)).not.toHaveProperty('value');
  });

  it('Backup streams an archive that restores into another store', async () => {
    await grpc.call('Put', { namespace: 'saved', key: 'a', value: Buffer.from('kept') });
    const chunks = await all(grpc.stream('Backup', { namespaces: ['saved'] }));
    expect(chunks.length).toBeGreaterThan(0);
    const archive = Buffer.concat(chunks.map((c) => Buffer.from(c.data)));
    const target = await startService();
    try {
      const restored = await fetch(`${target.url}/v1/admin/restore`, { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: archive });
      expect(restored.status).toBe(200);
      expect((await http('GET', `${target.url}/v1/namespaces/saved/entries/a`)).body).toMatchObject({ value: 'kept', version: 1 });
    } finally {
      await target.close();
      removeDir(target.dataDir);
    }
  });
});

describe('gRPC with authentication on', () => {
  const secret = 'grpc-secret-0123456789';
  const bobSecret = 'grpc-bob-secret-0123456789';
  let service: Running;
  beforeAll(async () => {
    const dir = tempDir();
    const configFile = join(dir, 'store.yaml');
    const digest = createHash('sha256').update(secret).digest('hex');
    const bobDigest = createHash('sha256').update(bobSecret).digest('hex');
    writeFileSync(configFile, `apiKeys:\n  - id: alice-key\n    sha256: "${digest}"\n    user: alice\n    roles: [admin]\n`
      + `  - id: bob-key\n    sha256: "${bobDigest}"\n    user: bob\n    roles: []\n`);
    service = await start({ STORE_AUTH: 'on', STORE_CONFIG: configFile });
    service.dir = dir;
  });
  afterAll(() => stop(service));

  it('refuses every call without a valid bearer credential (UNAUTHENTICATED), writing nothing', async () => {
    const { grpc } = service;
    const anonymous = grpc.metadata(undefined);
    const wrong = grpc.metadata('alice-key.wrong-secret');
    for (const metadata of [anonymous, wrong]) {
      expect(await refused(grpc.call('Put', { namespace: 'locked', key: 'k', value: Buffer.from('v') }, metadata))).toMatchObject({
        status: status.UNAUTHENTICATED, code: 'UNAUTHORIZED',
      });
      expect(await refused(grpc.call('Get', { namespace: 'locked', key: 'k' }, metadata))).toMatchObject({ status: status.UNAUTHENTICATED });
      expect(await refused(all(grpc.stream('Watch', { fromStart: true }, metadata)))).toMatchObject({ status: status.UNAUTHENTICATED });
      expect(await refused(all(grpc.stream('Backup', {}, metadata)))).toMatchObject({ status: status.UNAUTHENTICATED });
    }
    const garbled = new (await import('@grpc/grpc-js')).Metadata();
    garbled.set('authorization', 'Basic YWxpY2U6c2VjcmV0');
    expect(await refused(grpc.call('List', { namespace: 'locked' }, garbled))).toMatchObject({ status: status.UNAUTHENTICATED });
    const namespaces = await fetch(`${service.url}/v1/namespaces`, { headers: { authorization: `Bearer alice-key.${secret}` } });
    expect(namespaces.status).toBe(200);
    expect(((await namespaces.json()) as { name: string }[]).map((n) => n.name)).not.toContain('locked');
  });

  it('the credential in metadata proves the caller: the actor on its events', async () => {
    const { grpc } = service;
    const token = `alice-key.${secret}`;
    const put = await grpc.call('Put', { namespace: 'mine', key: 'k', value: Buffer.from('v') }, grpc.metadata(token));
    expect(put.created).toBe(true);
    const [event] = await take(grpc.stream('Watch', { namespace: 'mine', fromStart: true, types: ['StoreEntryCreated'] }, grpc.metadata(token)), 1);
    expect(event).toMatchObject({ key: 'k', actor: 'alice' });
  });

  it('grants decide over gRPC too (PERMISSION_DENIED, nothing read or written), and every call is in the access audit', async () => {
    const { grpc } = service;
    const bob = grpc.metadata(`bob-key.${bobSecret}`);
    const admin = { authorization: `Bearer alice-key.${secret}` };
    const revision = async () => (await http('GET', `${service.url}/v1/namespaces/mine`, undefined, admin)).body.revision as number;
    const before = await revision();
    expect(before).toBeGreaterThanOrEqual(0);
    expect(await refused(grpc.call('Get', { namespace: 'mine', key: 'k' }, bob))).toMatchObject({ status: status.PERMISSION_DENIED, code: 'FORBIDDEN' });
    expect(await refused(grpc.call('Put', { namespace: 'mine', key: 'b', value: Buffer.from('v') }, bob))).toMatchObject({
      status: status.PERMISSION_DENIED, code: 'FORBIDDEN',
    });
    expect(await refused(all(grpc.stream('Watch', { namespace: 'mine', fromStart: true }, bob)))).toMatchObject({ status: status.PERMISSION_DENIED });
    expect(await refused(all(grpc.stream('Backup', {}, bob)))).toMatchObject({ status: status.PERMISSION_DENIED });
    expect(await revision()).toBe(before);
    const audit = await http('GET', `${service.url}/v1/namespaces/mine/access-audit?limit=1000`, undefined, admin);
    expect(audit.status).toBe(200);
    const calls = (audit.body.items as { actor: string | null; operation: string; key: string | null; outcome: string; status: number }[])
      .filter((i) => i.operation.startsWith('gRPC '))
      .map(({ actor, operation, key, outcome, status: code }) => ({ actor, operation, key, outcome, status: code }));
    expect(calls).toEqual(expect.arrayContaining([
      { actor: 'alice', operation: 'gRPC hexastore.v1.Store/Put', key: 'k', outcome: 'allowed', status: 200 },
      { actor: 'bob', operation: 'gRPC hexastore.v1.Store/Get', key: 'k', outcome: 'denied', status: 403 },
      { actor: 'bob', operation: 'gRPC hexastore.v1.Store/Put', key: 'b', outcome: 'denied', status: 403 },
      { actor: 'bob', operation: 'gRPC hexastore.v1.Store/Watch', key: null, outcome: 'denied', status: 403 },
    ]));
    const locked = await http('GET', `${service.url}/v1/namespaces/locked/access-audit?outcome=denied&limit=1000`, undefined, admin);
    expect((locked.body.items as { actor: string | null; status: number }[]).filter((i) => i.status === 401).length).toBeGreaterThan(0);
    expect((locked.body.items as { actor: string | null }[]).every((i) => i.actor === null)).toBe(true);
  });
});

describe('gRPC Watch streams under pressure', () => {
  let service: Running;
  beforeAll(async () => {
    service = await start({ FEED_MAX_STREAMS_PER_CALLER: '2' });
  });
  afterAll(() => stop(service));

  /** Resolves once the stream has delivered its first message (the stream is admitted and live). */
  const live = (stream: ReturnType<GrpcStore['stream']>) => new Promise<void>((done, fail) => {
    stream.once('data', () => done());
    stream.once('error', fail);
  });

  it('a caller past FEED_MAX_STREAMS_PER_CALLER is refused (RESOURCE_EXHAUSTED); a closed stream frees its slot', async () => {
    const { grpc } = service;
    await grpc.call('Put', { namespace: 'capped', key: 'k', value: Buffer.from('v') });
    const open = [grpc.stream('Watch', { namespace: 'capped', fromStart: true }), grpc.stream('Watch', { namespace: 'capped', fromStart: true })];
    await Promise.all(open.map(live));
    expect(await refused(all(grpc.stream('Watch', { namespace: 'capped', fromStart: true })))).toMatchObject({
      status: status.RESOURCE_EXHAUSTED, code: 'TOO_MANY_STREAMS',
    });
    open[0].on('error', () => undefined);
    open[0].cancel();
    // The slot is freed once the service has seen the cancel: bounded retries, no timing assumption.
    let admitted = false;
    for (let attempt = 0; attempt < 100 && !admitted; attempt++) {
      const again = grpc.stream('Watch', { namespace: 'capped', fromStart: true });
      admitted = await live(again).then(() => true, () => false);
      again.on('error', () => undefined);
      again.cancel();
      if (!admitted) await new Promise((r) => setTimeout(r, 50));
    }
    expect(admitted).toBe(true);
    open[1].on('error', () => undefined);
    open[1].cancel();
  });

  it('a stopping service ends its open Watch streams and exits', async () => {
    const { grpc, child } = service;
    // The streams of the test before free their slots once the service has seen their cancels.
    let stream = grpc.stream('Watch', { namespace: 'capped', fromStart: true });
    for (let attempt = 0; attempt < 100 && !(await live(stream).then(() => true, () => false)); attempt++) {
      await new Promise((r) => setTimeout(r, 50));
      stream = grpc.stream('Watch', { namespace: 'capped', fromStart: true });
    }
    const ended = new Promise<string>((done) => {
      stream.on('end', () => done('ended'));
      stream.on('error', (error: { code: number }) => done(`status ${error.code}`));
    });
    const exited = new Promise<string>((done) => child.once('exit', (code, signal) => done(`${code ?? signal}`)));
    child.kill('SIGTERM');
    expect(['ended', `status ${status.UNAVAILABLE}`]).toContain(await ended);
    // Nest closes the app, then ends the process with the signal it received.
    expect(['0', 'SIGTERM']).toContain(await exited);
  });
});
