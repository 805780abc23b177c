/**
 * The NestJS microservice transport (TCP) against the built service, called through a NestJS
 * ClientProxy and the typed HexaStoreMicroserviceClient: every pattern, refusals as problems,
 * bad input writing nothing, and authentication by the message's token.
 */
import { HexaStoreMicroserviceClient, STORE_PATTERNS, StoreMicroserviceError } from '@app/microservice-client';
import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { killChild } from './support/reliability';
import { http, removeDir, startChild, tempDir, vacantPort } from './support/service';

interface Running {
  dir: string;
  url: string;
  child: ChildProcess;
  proxy: ClientProxy;
  port: number;
}

async function start(env: Record<string, string> = {}, dir = tempDir()): Promise<Running> {
  const microservicePort = await vacantPort();
  const { url, child } = await startChild(join(dir, 'data'), { MAX_VALUE_BYTES: '4096', ...env }, { microservicePort });
  const proxy = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: microservicePort } });
  await proxy.connect();
  return { dir, url, child, proxy, port: microservicePort };
}

async function stop(running: Running | undefined): Promise<void> {
  await running?.proxy.close();
  await killChild(running?.child, 'SIGTERM');
  if (running) removeDir(running.dir);
}

/** Sends one raw frame on a new connection; answers once the service has closed it. */
function rawFrame(port: number, frame: string): Promise<string> {
  return new Promise((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(frame));
    socket.on('error', () => undefined);
    socket.on('close', () => done('closed'));
    socket.setTimeout(20_000, () => fail(new Error('the service kept the connection open')));
  });
}

/** The store's refusal of a call; fails when it succeeded. */
async function refused(call: Promise<unknown>): Promise<StoreMicroserviceError> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof StoreMicroserviceError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

const revisionOf = async (url: string, ns: string, token?: string): Promise<number> =>
  (await http('GET', `${url}/v1/namespaces/${ns}`, undefined, token ? { authorization: `Bearer ${token}` } : {})).body.revision;

describe('microservice transport with authentication off', () => {
  let service: Running;
  let store: HexaStoreMicroserviceClient;
  beforeAll(async () => {
    service = await start();
    store = new HexaStoreMicroserviceClient(service.proxy);
  });
  afterAll(() => stop(service));

  it('put, get, list, txn and delete answer as the HTTP API does', async () => {
    const created = await store.put('app', 'a', 'one', { metadata: { by: 'test' } });
    expect(created).toMatchObject({ namespace: 'app', key: 'a', value: 'one', version: 1, created: true, metadata: { by: 'test' } });
    const binary = await store.put('app', 'b', new Uint8Array([0, 255]));
    expect(binary.valueBase64).toBe(Buffer.from([0, 255]).toString('base64'));
    expect(await store.get('app', 'a', { minPosition: binary.position })).toMatchObject({ value: 'one', version: 1 });
    const done = await store.txn('app', [{ op: 'put', key: 'c', value: 'three' }, { op: 'delete', key: 'b' }]);
    expect(done.results).toEqual([{ op: 'put', key: 'c', version: 1 }, { op: 'delete', key: 'b', version: 1, deleted: true }]);
    const first = await store.list('app', { limit: 1 });
    expect(first.items.map((e) => e.key)).toEqual(['a']);
    const second = await store.list('app', { limit: 1, cursor: first.nextCursor! });
    expect(second.items.map((e) => e.key)).toEqual(['c']);
    expect(second.nextCursor).toBeNull();
    expect(await store.delete('app', 'c', { expectedVersion: 1 })).toMatchObject({ version: 1 });
    expect((await http('GET', `${service.url}/v1/namespaces/app/entries/c`)).status).toBe(404);
    const history = await http('GET', `${service.url}/v1/namespaces/app/entries/a/history`);
    expect(history.body.items[0].actor).toBe('anonymous');
  });

  it('refusals are RpcExceptions carrying the problem: code, status, detail', async () => {
    await store.put('errs', 'k', 'v');
    const before = await revisionOf(service.url, 'errs');
    const missing = await refused(store.get('errs', 'absent'));
    expect(missing.problem).toMatchObject({ code: 'ENTRY_NOT_FOUND', status: 404, key: 'absent' });
    expect(missing.problem.detail).toMatch(/absent/);
    expect((await refused(store.put('errs', 'k', 'w', { expectedVersion: 9 }))).problem).toMatchObject({ code: 'VERSION_CONFLICT', status: 409 });
    expect((await refused(store.delete('errs', 'k', { expectedVersion: 9 }))).code).toBe('VERSION_CONFLICT');
    const txn = await refused(store.txn('errs', [{ op: 'put', key: 'n', value: 'x' }, { op: 'put', key: 'k', value: 'y', expectedVersion: 5 }]));
    expect(txn.problem).toMatchObject({ code: 'VERSION_CONFLICT', opIndex: 1 });
    expect((await refused(store.list('never-made'))).code).toBe('NAMESPACE_NOT_FOUND');
    expect((await refused(store.list('errs', { cursor: 'forged' }))).code).toBe('CURSOR_INVALID');
    expect(await revisionOf(service.url, 'errs')).toBe(before);
  });

  it('bad and hostile messages are VALIDATION_FAILED (or the store\'s own 4xx code), and write nothing', async () => {
    await store.put('hostile', 'k', 'v');
    const before = await revisionOf(service.url, 'hostile');
    const send = (pattern: string, payload: unknown) => firstValueFrom(service.proxy.send(pattern, payload));
    const cases: [string, unknown][] = [
      [STORE_PATTERNS.put, 'not an object'],
      [STORE_PATTERNS.put, 0],
      [STORE_PATTERNS.put, [1, 2]],
      [STORE_PATTERNS.put, { namespace: 'hostile', key: 'k' }],
      [STORE_PATTERNS.put, { namespace: 'hostile', key: 42, value: 'v' }],
      [STORE_PATTERNS.put, { namespace: 'hostile', key: 'k', value: 7 }],
      [STORE_PATTERNS.put, { namespace: 'hostile', key: 'k', value: 'v', value2: 'extra' }],
      [STORE_PATTERNS.put, { namespace: 'hostile', key: 'k', value: 'x'.repeat(5000) }],
      [STORE_PATTERNS.put, { namespace: 'hostile', key: 'k', value: 'v', expectedVersion: -1 }],
      [STORE_PATTERNS.put, { namespace: 'hostile', key: 'k', value: 'v', token: { $gt: '' } }],
      [STORE_PATTERNS.put, JSON.parse('{"namespace":"hostile","key":"k","value":"v","__proto__":{"polluted":true}}')],
      [STORE_PATTERNS.put, { namespace: '../etc', key: 'k', value: 'v' }],
      [STORE_PATTERNS.txn, { namespace: 'hostile', ops: 'all' }],
      [STORE_PATTERNS.txn, { namespace: 'hostile', ops: [] }],
      [STORE_PATTERNS.txn, { namespace: 'hostile', ops: [{ op: 'drop', key: 'k' }] }],
      [STORE_PATTERNS.delete, { namespace: 'hostile', key: 'k', expectedVersion: 'one' }],
      [STORE_PATTERNS.list, { namespace: 'hostile', limit: 1e9 }],
      [STORE_PATTERNS.get, { namespace: 'hostile' }],
    ];
    for (const [pattern, payload] of cases) {
      const error = await send(pattern, payload).then(() => undefined, (e: unknown) => e as { status?: number; code?: string });
      expect({ pattern, payload, status: error?.status }).toEqual({ pattern, payload, status: expect.any(Number) });
      expect(error!.status).toBeGreaterThanOrEqual(400);
      expect(error!.status).toBeLessThan(500);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Frames that are not the transport's JSON, or longer than the request limit: the connection is closed, the service goes on.
    for (const frame of ['5#{bad}', `99999999#${'x'.repeat(8 * 1024 * 1024)}`, 'abc#']) expect(await rawFrame(service.port, frame)).toBe('closed');
    expect(await revisionOf(service.url, 'hostile')).toBe(before);
    expect(await store.get('hostile', 'k')).toMatchObject({ value: 'v', version: 1 });
  });
});

describe('microservice transport with authentication on', () => {
  const secret = 'micro-secret-0123456789';
  const token = `bob-key.${secret}`;
  const eveSecret = 'micro-eve-secret-0123456789';
  let service: Running;
  beforeAll(async () => {
    const dir = tempDir();
    const configFile = join(dir, 'store.yaml');
    const digest = createHash('sha256').update(secret).digest('hex');
    const eveDigest = createHash('sha256').update(eveSecret).digest('hex');
    writeFileSync(configFile, `apiKeys:\n  - id: bob-key\n    sha256: "${digest}"\n    user: bob\n    roles: [admin]\n`
      + `  - id: eve-key\n    sha256: "${eveDigest}"\n    user: eve\n    roles: []\n`);
    service = await start({ STORE_AUTH: 'on', STORE_CONFIG: configFile }, dir);
  });
  afterAll(() => stop(service));

  it('refuses every pattern without a valid token (UNAUTHORIZED), writing nothing', async () => {
    const anonymous = new HexaStoreMicroserviceClient(service.proxy);
    const wrong = new HexaStoreMicroserviceClient(service.proxy, { token: 'bob-key.wrong' });
    for (const store of [anonymous, wrong]) {
      expect((await refused(store.put('locked', 'k', 'v'))).problem).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
      expect((await refused(store.get('locked', 'k'))).code).toBe('UNAUTHORIZED');
      expect((await refused(store.list('locked'))).code).toBe('UNAUTHORIZED');
      expect((await refused(store.txn('locked', [{ op: 'put', key: 'k', value: 'v' }]))).code).toBe('UNAUTHORIZED');
      expect((await refused(store.delete('locked', 'k'))).code).toBe('UNAUTHORIZED');
    }
    const namespaces = await http('GET', `${service.url}/v1/namespaces`, undefined, { authorization: `Bearer ${token}` });
    expect(namespaces.status).toBe(200);
    expect(namespaces.body.map((n: { name: string }) => n.name)).not.toContain('locked');
  });

  it('the token proves the caller: the actor on its events', async () => {
    const store = new HexaStoreMicroserviceClient(service.proxy, { token });
    await store.put('mine', 'k', 'v');
    expect(await store.get('mine', 'k')).toMatchObject({ value: 'v' });
    const history = await http('GET', `${service.url}/v1/namespaces/mine/entries/k/history`, undefined, { authorization: `Bearer ${token}` });
    expect(history.body.items[0].actor).toBe('bob');
  });

  it('grants decide for message patterns too (FORBIDDEN, nothing written), and every message is in the access audit', async () => {
    const eve = new HexaStoreMicroserviceClient(service.proxy, { token: `eve-key.${eveSecret}` });
    const before = await revisionOf(service.url, 'mine', token);
    expect((await refused(eve.get('mine', 'k'))).problem).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect((await refused(eve.put('mine', 'e', 'v'))).code).toBe('FORBIDDEN');
    expect((await refused(eve.list('mine'))).code).toBe('FORBIDDEN');
    expect(await revisionOf(service.url, 'mine', token)).toBe(before);
    const audit = await http('GET', `${service.url}/v1/namespaces/mine/access-audit?limit=1000`, undefined, { authorization: `Bearer ${token}` });
    const calls = (audit.body.items as { actor: string | null; operation: string; key: string | null; outcome: string; status: number }[])
      .filter((i) => i.operation.startsWith('TCP '))
      .map(({ actor, operation, key, outcome, status }) => ({ actor, operation, key, outcome, status }));
    expect(calls).toEqual(expect.arrayContaining([
      { actor: 'bob', operation: 'TCP hexastore.put', key: 'k', outcome: 'allowed', status: 200 },
      { actor: 'eve', operation: 'TCP hexastore.get', key: 'k', outcome: 'denied', status: 403 },
      { actor: 'eve', operation: 'TCP hexastore.put', key: 'e', outcome: 'denied', status: 403 },
      { actor: 'eve', operation: 'TCP hexastore.list', key: null, outcome: 'denied', status: 403 },
    ]));
  });
});
