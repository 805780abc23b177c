import { LockLostError, StoreClient } from '@app/client';
import { eventually, expectProblem, expectRefused, failure } from './support/expectations';
import { eventCount, lockEventsOf, lockHistoryProblems } from './support/locks';
import { ISO_TIME, revisionOf } from './support/sdk';
import { http, startService, useService } from './support/service';
import { SseConnection } from './support/sse';

const service = useService();
const { store } = service;
const types = (lock: string) => lockEventsOf(service.dataDir, lock).map((e) => e.type);

describe('locks over HTTP', () => {
  it('acquires, shows, renews and releases a lease; the next acquisition gets a higher token', async () => {
    const first = await store.acquireLock('jobs', { owner: 'worker-1', ttlSeconds: 30 });
    expect(first).toEqual({ name: 'jobs', owner: 'worker-1', token: expect.any(Number), expiresAt: expect.stringMatching(ISO_TIME) });
    expect(await store.getLock('jobs')).toEqual({ ...first, held: true, lastToken: first.token });
    await expectRefused(store.acquireLock('jobs', { owner: 'worker-2', ttlSeconds: 30 }), 409, 'LOCK_HELD', {
      owner: 'worker-1', expiresAt: first.expiresAt,
    });
    const renewed = await store.renewLock('jobs', first.token, 600);
    expect(renewed).toMatchObject({ token: first.token, owner: 'worker-1' });
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
    await store.releaseLock('jobs', first.token);
    expect(await store.getLock('jobs')).toEqual({ name: 'jobs', held: false, owner: null, token: null, expiresAt: null, lastToken: first.token });
    const second = await store.acquireLock('jobs', { owner: 'worker-2', ttlSeconds: 30 });
    expect(second.token).toBeGreaterThan(first.token);
    // The old token neither renews nor releases.
    await expectRefused(store.renewLock('jobs', first.token, 30), 409, 'LOCK_TOKEN_INVALID');
    await expectRefused(store.releaseLock('jobs', first.token), 409, 'LOCK_TOKEN_INVALID');
    expect(types('jobs')).toEqual(['StoreLockAcquired', 'StoreLockRenewed', 'StoreLockReleased', 'StoreLockAcquired']);
    expect(lockEventsOf(service.dataDir, 'jobs').map((e) => e.actor)).toEqual(['anonymous', 'anonymous', 'anonymous', 'anonymous']);
  });

  it('shows its events in the change feed', async () => {
    const lease = await store.acquireLock('in-feed', { owner: 'feed', ttlSeconds: 30 });
    await store.releaseLock('in-feed', lease.token);
    const feed = await SseConnection.open(`${service.url}/v1/feed?from=start&types=StoreLockAcquired,StoreLockReleased`);
    try {
      const ours = () => feed.events.map((e) => JSON.parse(e.data!)).filter((e) => e.lock === 'in-feed');
      await feed.until(() => ours().length === 2);
      expect(ours().map((e) => [e.type, e.token, e.stream])).toEqual([
        ['StoreLockAcquired', lease.token, 'store-_lock-in-feed'], ['StoreLockReleased', lease.token, 'store-_lock-in-feed'],
      ]);
    } finally {
      feed.close();
    }
  });

  it('shows a lock never acquired as not held', async () => {
    expect(await store.getLock('never')).toEqual({ name: 'never', held: false, owner: null, token: null, expiresAt: null, lastToken: 0 });
  });

  it('records a lease that runs out as StoreLockExpired, once, and grants the next holder a higher token', async () => {
    const lease = await store.acquireLock('brief', { owner: 'a', ttlSeconds: 1 });
    expect(await eventually(async () => types('brief').length === 2, 100, 100)).toBe(true);
    const [, expired] = lockEventsOf(service.dataDir, 'brief');
    expect(expired).toMatchObject({ type: 'StoreLockExpired', actor: 'system:lock-sweeper', data: { token: lease.token } });
    expect(Date.parse(expired.timestamp)).toBeGreaterThanOrEqual(Date.parse(lease.expiresAt));
    expect((await store.getLock('brief')).held).toBe(false);
    await expectRefused(store.renewLock('brief', lease.token, 30), 409, 'LOCK_TOKEN_INVALID');
    const next = await store.acquireLock('brief', { owner: 'b', ttlSeconds: 30 });
    expect(next.token).toBeGreaterThan(lease.token);
    expect(types('brief')).toEqual(['StoreLockAcquired', 'StoreLockExpired', 'StoreLockAcquired']);
    expect(lockHistoryProblems(lockEventsOf(service.dataDir, 'brief'))).toEqual([]);
  });

  it('keeps tokens growing across a restart', async () => {
    const before = await store.acquireLock('restart', { owner: 'a', ttlSeconds: 30 });
    await service.restart();
    expect(await store.getLock('restart')).toMatchObject({ held: true, token: before.token });
    await store.releaseLock('restart', before.token);
    expect((await store.acquireLock('restart', { owner: 'b', ttlSeconds: 30 })).token).toBeGreaterThan(before.token);
  });

  it('keeps the lock state and tokens through a rebuild of the read models', async () => {
    const held = await store.acquireLock('rebuilt', { owner: 'a', ttlSeconds: 600 });
    await store.rebuild();
    expect(await store.getLock('rebuilt')).toMatchObject({ held: true, token: held.token, owner: 'a' });
    await expectRefused(store.acquireLock('rebuilt', { owner: 'b', ttlSeconds: 30 }), 409, 'LOCK_HELD');
    await store.releaseLock('rebuilt', held.token);
    expect((await store.acquireLock('rebuilt', { owner: 'b', ttlSeconds: 30 })).token).toBeGreaterThan(held.token);
  });

  it('grants tokens above earlier ones in a store restored from a backup into a new data directory', async () => {
    await store.put('restored-data', 'k', 'v');
    const before = await store.acquireLock('moved', { owner: 'a', ttlSeconds: 600 });
    const backup = await store.backup();
    const chunks: Uint8Array[] = [];
    for await (const chunk of backup.body) chunks.push(chunk);
    const target = await startService();
    try {
      const other = new StoreClient({ url: target.url, retry: { attempts: 1 } });
      await other.restore(Buffer.concat(chunks));
      expect((await other.get('restored-data', 'k')).value).toBe('v');
      // Lock streams are not data: the new store does not have the lock, and its first grant is above the old one.
      expect(await other.getLock('moved')).toMatchObject({ held: false, lastToken: 0 });
      expect((await other.acquireLock('moved', { owner: 'b', ttlSeconds: 30 })).token).toBeGreaterThan(before.token);
    } finally {
      await target.close();
    }
  });

  const TOKEN = 1_000_000_000_000_000;
  it.each([
    ['POST', '/v1/locks/bad!name', { owner: 'a', ttlSeconds: 5 }, 400, 'VALIDATION_FAILED'],
    ['POST', `/v1/locks/${'x'.repeat(129)}`, { owner: 'a', ttlSeconds: 5 }, 400, 'VALIDATION_FAILED'],
    // A namespace's freeze is taken only through its namespace's path.
    ['POST', '/v1/locks/namespace%2Ffrozen-input', { owner: 'a', ttlSeconds: 5 }, 400, 'VALIDATION_FAILED'],
    ['DELETE', '/v1/locks/namespace%2Ffrozen-input?token=1', undefined, 400, 'VALIDATION_FAILED'],
    ['POST', '/v1/locks/bad-input', { owner: '', ttlSeconds: 5 }, 400, 'VALIDATION_FAILED'],
    ['POST', '/v1/locks/bad-input', { owner: 7, ttlSeconds: 5 }, 400, 'VALIDATION_FAILED'],
    ['POST', '/v1/locks/bad-input', { owner: 'a\u0007b', ttlSeconds: 5 }, 400, 'VALIDATION_FAILED'],
    ['POST', '/v1/locks/bad-input', { owner: 'a'.repeat(257), ttlSeconds: 5 }, 400, 'VALIDATION_FAILED'],
    ['POST', '/v1/locks/bad-input', { owner: 'a' }, 400, 'VALIDATION_FAILED'],
    ['POST', '/v1/locks/bad-input', { owner: 'a', ttlSeconds: 0 }, 400, 'VALIDATION_FAILED'],
    ['POST', '/v1/locks/bad-input', { owner: 'a', ttlSeconds: 1.5 }, 400, 'VALIDATION_FAILED'],
    ['POST', '/v1/locks/bad-input', { owner: 'a', ttlSeconds: 86_401 }, 400, 'VALIDATION_FAILED'],
    ['POST', '/v1/locks/bad-input', { owner: 'a', ttlSeconds: '5' }, 400, 'VALIDATION_FAILED'],
    ['POST', '/v1/locks/bad-input', { owner: 'a', ttlSeconds: 5, extra: 1 }, 400, 'VALIDATION_FAILED'],
    ['POST', '/v1/locks/bad-input', '{"owner":', 400, 'VALIDATION_FAILED'],
    ['PUT', '/v1/locks/bad-input', { token: 'x', ttlSeconds: 5 }, 400, 'VALIDATION_FAILED'],
    ['PUT', '/v1/locks/bad-input', { token: 0, ttlSeconds: 5 }, 400, 'VALIDATION_FAILED'],
    ['PUT', '/v1/locks/bad-input', { token: TOKEN }, 400, 'VALIDATION_FAILED'],
    ['PUT', '/v1/locks/bad-input', { token: TOKEN, ttlSeconds: 5 }, 409, 'LOCK_TOKEN_INVALID'],
    ['DELETE', '/v1/locks/bad-input', undefined, 400, 'VALIDATION_FAILED'],
    ['DELETE', '/v1/locks/bad-input?token=abc', undefined, 400, 'VALIDATION_FAILED'],
    ['DELETE', '/v1/locks/bad-input?token=-1', undefined, 400, 'VALIDATION_FAILED'],
    ['DELETE', '/v1/locks/bad-input?token=99999999999999999', undefined, 400, 'VALIDATION_FAILED'],
    ['DELETE', '/v1/locks/bad-input?token=1&token=2', undefined, 400, 'VALIDATION_FAILED'],
    ['DELETE', `/v1/locks/bad-input?token=${TOKEN}`, undefined, 409, 'LOCK_TOKEN_INVALID'],
    ['GET', '/v1/locks/bad!name', undefined, 400, 'VALIDATION_FAILED'],
    ['POST', '/v1/namespaces/Bad!/lock', { owner: 'a', ttlSeconds: 5 }, 400, 'NAMESPACE_INVALID'],
    ['POST', '/v1/namespaces/no-such-namespace/lock', { owner: 'a', ttlSeconds: 5 }, 404, 'NAMESPACE_NOT_FOUND'],
    ['POST', '/v1/namespaces/frozen-input/lock', { owner: 'a', ttlSeconds: -1 }, 400, 'VALIDATION_FAILED'],
    ['PUT', '/v1/namespaces/frozen-input/lock', { token: TOKEN, ttlSeconds: 5 }, 409, 'LOCK_TOKEN_INVALID'],
    ['DELETE', '/v1/namespaces/frozen-input/lock?token=x', undefined, 400, 'VALIDATION_FAILED'],
    ['GET', '/v1/namespaces/Bad!/lock', undefined, 400, 'NAMESPACE_INVALID'],
  ])('refuses %s %s %j with %i %s and writes nothing', async (method, path, body, status, code) => {
    await store.createNamespace('frozen-input');
    await store.acquireLock('bad-input', { owner: 'holder', ttlSeconds: 600 }).catch(() => undefined);
    const before = eventCount(service.dataDir);
    expectProblem(await http(method, `${service.url}${path}`, body), status, code);
    expect(eventCount(service.dataDir)).toBe(before);
  });

  it('refuses a held lock to its own owner too (a holder renews)', async () => {
    const lease = await store.acquireLock('mine', { owner: 'me', ttlSeconds: 30 });
    const before = eventCount(service.dataDir);
    await expectRefused(store.acquireLock('mine', { owner: 'me', ttlSeconds: 30 }), 409, 'LOCK_HELD', { owner: 'me', expiresAt: lease.expiresAt });
    expect(eventCount(service.dataDir)).toBe(before);
  });
});

describe('namespace freeze', () => {
  const put = (ns: string, key: string, headers: Record<string, string> = {}) =>
    http('PUT', `${service.url}/v1/namespaces/${ns}/entries/${key}`, { value: 'v' }, headers);
  const del = (ns: string, key: string, headers: Record<string, string> = {}) =>
    http('DELETE', `${service.url}/v1/namespaces/${ns}/entries/${key}`, undefined, headers);
  const tx = (ns: string, headers: Record<string, string> = {}) =>
    http('POST', `${service.url}/v1/namespaces/${ns}/transactions`, { ops: [{ op: 'put', key: 'tx', value: 'v' }] }, headers);

  it('refuses puts, deletes and transactions without the freeze token with 423 LOCKED, writing nothing', async () => {
    const ns = 'frozen';
    await store.put(ns, 'k', 'v');
    const freeze = await store.freezeNamespace(ns, { owner: 'migration', ttlSeconds: 600 });
    expect(freeze).toMatchObject({ name: `namespace/${ns}`, owner: 'migration' });
    expect(await store.getFreeze(ns)).toMatchObject({ held: true, token: freeze.token, owner: 'migration' });
    const revision = await revisionOf(store, ns);
    for (const headers of [{}, { 'x-lock-token': String(freeze.token + 1) }] as Record<string, string>[]) {
      expectProblem(await put(ns, 'k', headers), 423, 'LOCKED', { namespace: ns, owner: 'migration', expiresAt: freeze.expiresAt });
      expectProblem(await del(ns, 'k', headers), 423, 'LOCKED');
      expectProblem(await tx(ns, headers), 423, 'LOCKED');
      expectProblem(await http('DELETE', `${service.url}/v1/namespaces/${ns}`, undefined, headers), 423, 'LOCKED');
    }
    await expectRefused(store.put(ns, 'k', 'w'), 423, 'LOCKED');
    expect(await revisionOf(store, ns)).toBe(revision);
    // The holder writes.
    const token = { 'x-lock-token': String(freeze.token) };
    expect((await put(ns, 'k', token)).status).toBe(200);
    expect((await tx(ns, token)).status).toBe(200);
    expect((await del(ns, 'k', token)).status).toBe(204);
    expect((await store.put(ns, 'sdk', 'v', { lockToken: freeze.token })).created).toBe(true);
    expect(await revisionOf(store, ns)).toBe(revision! + 4);
    // Released: everyone writes again.
    await store.unfreezeNamespace(ns, freeze.token);
    expect((await put(ns, 'after', {})).status).toBe(201);
  });

  it('lets writes through once the freeze ran out', async () => {
    const ns = 'frozen-briefly';
    await store.createNamespace(ns);
    const freeze = await store.freezeNamespace(ns, { ttlSeconds: 1 });
    expectProblem(await put(ns, 'k'), 423, 'LOCKED');
    expect(await eventually(async () => Date.now() > Date.parse(freeze.expiresAt), 40, 50)).toBe(true);
    expect((await put(ns, 'k')).status).toBe(201);
    await expectRefused(store.renewFreeze(ns, freeze.token, 30), 409, 'LOCK_TOKEN_INVALID');
  });

  it('refuses malformed lock headers with 400, writing nothing', async () => {
    const ns = 'frozen-headers';
    await store.put(ns, 'k', 'v');
    const revision = await revisionOf(store, ns);
    for (const headers of [
      { 'x-lock-token': 'abc' }, { 'x-lock-token': '0' }, { 'x-lock-token': '12345678901234567' },
      { 'x-fencing-token': 'jobs' }, { 'x-fencing-token': 'jobs:' }, { 'x-fencing-token': 'bad name!:1' }, { 'x-fencing-token': ':5' },
    ] as Record<string, string>[]) {
      expectProblem(await put(ns, 'k', headers), 400, 'VALIDATION_FAILED');
    }
    expect(await revisionOf(store, ns)).toBe(revision);
  });
});

describe('fenced writes', () => {
  it('refuses a write carrying a token older than the lock\'s latest grant with 409 FENCED, writing nothing', async () => {
    const ns = 'fenced';
    await store.put(ns, 'k', 'v0');
    const old = await store.acquireLock('leader', { owner: 'a', ttlSeconds: 30 });
    const fence = (token: number) => ({ 'x-fencing-token': `leader:${token}` });
    expect((await http('PUT', `${service.url}/v1/namespaces/${ns}/entries/k`, { value: 'v1' }, fence(old.token))).status).toBe(200);
    await store.releaseLock('leader', old.token);
    const newer = await store.acquireLock('leader', { owner: 'b', ttlSeconds: 30 });
    const revision = await revisionOf(store, ns);
    const refusals = [
      await http('PUT', `${service.url}/v1/namespaces/${ns}/entries/k`, { value: 'stale' }, fence(old.token)),
      await http('DELETE', `${service.url}/v1/namespaces/${ns}/entries/k`, undefined, fence(old.token)),
      await http('POST', `${service.url}/v1/namespaces/${ns}/transactions`, { ops: [{ op: 'put', key: 'k', value: 'stale' }] }, fence(old.token)),
    ];
    for (const reply of refusals) expectProblem(reply, 409, 'FENCED', { lock: 'leader', token: old.token, currentToken: newer.token });
    await expectRefused(store.put(ns, 'k', 'stale', { fencingToken: { lock: 'leader', token: old.token } }), 409, 'FENCED');
    // A token never granted is not a fence.
    expectProblem(await http('PUT', `${service.url}/v1/namespaces/${ns}/entries/k`, { value: 'x' }, fence(newer.token + 1)), 409, 'LOCK_TOKEN_INVALID');
    expect(await revisionOf(store, ns)).toBe(revision);
    expect((await store.get(ns, 'k')).value).toBe('v1');
    expect((await store.put(ns, 'k', 'v2', { fencingToken: { lock: 'leader', token: newer.token } })).version).toBe(3);
  });
});

describe('withLock in the SDK', () => {
  it('renews the lease while the function runs, then releases it', async () => {
    let renewals = 0;
    const result = await store.withLock('renewed', async ({ token, signal }) => {
      let seen = (await store.getLock('renewed')).expiresAt;
      // Bounded: waits to see the expiry move three times, each poll 50 ms apart.
      for (let i = 0; i < 200 && renewals < 3; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const lock = await store.getLock('renewed');
        expect(lock).toMatchObject({ held: true, token });
        if (lock.expiresAt !== seen) renewals++;
        seen = lock.expiresAt;
      }
      expect(signal.aborted).toBe(false);
      return token;
    }, { ttlSeconds: 1, renewEveryMs: 200, owner: 'sdk' });
    expect(renewals).toBe(3);
    expect(await store.getLock('renewed')).toMatchObject({ held: false, lastToken: result });
    const kinds = types('renewed');
    expect(kinds[0]).toBe('StoreLockAcquired');
    expect(kinds.at(-1)).toBe('StoreLockReleased');
    expect(kinds.filter((k) => k === 'StoreLockRenewed').length).toBeGreaterThanOrEqual(3);
    expect(lockHistoryProblems(lockEventsOf(service.dataDir, 'renewed'))).toEqual([]);
  });

  it('aborts the function when the lease is lost (its renewal refused) and rejects with LockLostError', async () => {
    const other = new StoreClient({ url: service.url, retry: { attempts: 1 } });
    let aborted: unknown;
    const error = await failure(store.withLock('lost', async ({ token, signal }) => {
      // Someone else ends the lease (an operator releasing it); the next renewal is refused.
      await other.releaseLock('lost', token);
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      aborted = signal.reason;
      return 'finished';
    }, { ttlSeconds: 30, renewEveryMs: 50 }));
    expect(error).toBeInstanceOf(LockLostError);
    expect(aborted).toBe(error);
    expect((error as LockLostError).cause).toMatchObject({ code: 'LOCK_TOKEN_INVALID' });
    expect(types('lost')).toEqual(['StoreLockAcquired', 'StoreLockReleased']);
  });

  it('aborts the function when no renewal gets through before the lease runs out', async () => {
    let aborted = false;
    // Renewals come every 60 s, the lease runs 1 s: it is lost by this process's clock first.
    const error = await failure(store.withLock('unrenewed', async ({ signal }) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      aborted = true;
    }, { ttlSeconds: 1, renewEveryMs: 60_000 }));
    expect(aborted).toBe(true);
    expect(error).toBeInstanceOf(LockLostError);
    expect(String((error as LockLostError).cause)).toContain('the lease ran out');
  });

  it('does not run the function when the lock is held by another', async () => {
    await store.acquireLock('busy', { owner: 'other', ttlSeconds: 60 });
    let ran = false;
    await expectRefused(store.withLock('busy', () => (ran = true), { ttlSeconds: 5 }), 409, 'LOCK_HELD');
    expect(ran).toBe(false);
  });

  it('releases the lock when the function throws, and rejects with its error', async () => {
    await expect(store.withLock('throws', () => {
      throw new Error('boom');
    }, { ttlSeconds: 5 })).rejects.toThrow('boom');
    expect((await store.getLock('throws')).held).toBe(false);
  });
});
