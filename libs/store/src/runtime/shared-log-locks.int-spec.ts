import { SqliteEventStore } from '@app/event-store';
import { ControllableLog } from '@app/event-store/contract/controllable-log';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEntry } from '../commands/entry.commands';
import { AcquireLock, LockGrant, ReleaseLock } from '../commands/lock.commands';
import { namespaceLock } from '../lock/lock';
import { DEFAULT_LIMITS } from '../shared/limits';
import { RequestMeta } from '../shared/request-meta';
import { StoreModule } from '../store.module';
import { SharedLogStoreBackend } from './shared-log-store-backend';

const meta = (extra: Partial<RequestMeta> = {}): RequestMeta => ({ actor: 'tester', correlationId: 'c', causationId: 'r', ...extra });
const put = (ns: string, key: string, m = meta()) => new PutEntry(ns, { op: 'put', key, value: Buffer.from('v') }, m);
const codeOf = (promise: Promise<unknown>) => promise.then(() => 'written', (error: { code?: string }) => error.code ?? String(error));

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error('condition not reached');
}

/**
 * Replicas whose read models follow a shared log (not projected in the append's transaction): a
 * lock decision waits for the replica's read model to reach the lock's stream, so the second
 * replica sees the first one's grant at once.
 */
describe('locks on replicas of one shared log', () => {
  let dirs: string[];
  let store: SqliteEventStore;
  let closers: (() => Promise<void>)[];

  async function replica() {
    const dataDir = mkdtempSync(join(tmpdir(), 'hexastore-lock-replica-'));
    dirs.push(dataDir);
    const backend = new SharedLogStoreBackend({
      name: 'test', dataDir, writeTimeoutMs: 5000, retryMs: { first: 5, max: 20 }, open: async () => new ControllableLog(store),
    });
    const moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), StoreModule.forRoot({ openBackend: () => backend, limits: DEFAULT_LIMITS, sweeper: { enabled: false } })],
    }).compile();
    await moduleRef.init();
    closers.push(() => moduleRef.close());
    await until(() => backend.unready() === undefined);
    return { backend, commands: moduleRef.get(CommandBus) };
  }

  beforeEach(() => {
    dirs = [];
    closers = [];
    store = new SqliteEventStore({ file: ':memory:', pollIntervalMs: 10 });
  });
  afterEach(async () => {
    for (const close of closers) await close();
    await store.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('grants a lock once across replicas, with growing tokens', async () => {
    const [a, b] = [await replica(), await replica()];
    const first: LockGrant = await a.commands.execute(new AcquireLock('job', 'a', 30, meta()));
    expect(await codeOf(b.commands.execute(new AcquireLock('job', 'b', 30, meta())))).toBe('LOCK_HELD');
    await b.commands.execute(new ReleaseLock('job', first.token, meta()));
    const second: LockGrant = await a.commands.execute(new AcquireLock('job', 'b', 30, meta()));
    expect(second.token).toBeGreaterThan(first.token);
    const raced = await Promise.all([1, 2, 3, 4].map((i) => codeOf((i % 2 ? a : b).commands.execute(new AcquireLock('raced', `c${i}`, 30, meta())))));
    expect(raced.filter((c) => c === 'written')).toHaveLength(1);
    expect(raced.filter((c) => c !== 'written')).toEqual(['LOCK_HELD', 'LOCK_HELD', 'LOCK_HELD']);
  });

  it('refuses a write on one replica to a namespace frozen through the other, and a fenced write after a newer grant', async () => {
    const [a, b] = [await replica(), await replica()];
    await a.commands.execute(put('frozen', 'k'));
    const freeze: LockGrant = await a.commands.execute(new AcquireLock(namespaceLock('frozen'), 'ops', 30, meta(), 'frozen'));
    expect(await codeOf(b.commands.execute(put('frozen', 'k')))).toBe('LOCKED');
    expect(await codeOf(b.commands.execute(put('frozen', 'k', meta({ lockToken: freeze.token }))))).toBe('written');
    const old: LockGrant = await a.commands.execute(new AcquireLock('leader', 'a', 30, meta()));
    await a.commands.execute(new ReleaseLock('leader', old.token, meta()));
    await a.commands.execute(new AcquireLock('leader', 'b', 30, meta()));
    expect(await codeOf(b.commands.execute(put('open', 'k', meta({ fencing: { lock: 'leader', token: old.token } }))))).toBe('FENCED');
  });
});
