/**
 * Lock safety with two service processes on one data file: 16 clients race for one lock through
 * both, with random delays, and the process a holder acquired through is killed (SIGKILL) while it
 * holds the lock. Then, from the events the log recorded: never two holders at once, tokens
 * strictly increasing, the killed holder's lease recorded expired; and fenced writes: those the
 * store took carry non-decreasing tokens, and a write with the killed holder's token after newer
 * grants is refused with 409 FENCED. Bounded by counts (16 clients × 8 attempts), not by time.
 */
import { isProblem, StoreClient } from '@app/client';
import { ChildProcess } from 'node:child_process';
import { expectRefused } from './support/expectations';
import { lockEventsOf, lockHistoryProblems } from './support/locks';
import { historyOf } from './support/sdk';
import { removeDir, startChild, tempDir } from './support/service';

const CLIENTS = 16;
const ATTEMPTS = 8;
const LOCK = 'race';
const NS = 'race-target';

interface Process {
  child: ChildProcess;
  client: StoreClient;
  alive: boolean;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const randomMs = (max: number) => Math.floor(Math.random() * max);

describe('lock safety with two service processes on one data file', () => {
  let dataDir: string;
  const started: ChildProcess[] = [];
  beforeAll(() => (dataDir = tempDir('hexastore-lock-race-')));
  afterAll(() => {
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
    removeDir(dataDir);
  });

  const start = async (): Promise<Process> => {
    const { url, child } = await startChild(dataDir);
    started.push(child);
    return { child, client: new StoreClient({ url, retry: { attempts: 1 }, timeoutMs: 10_000 }), alive: true };
  };

  it('never has two holders, grants growing tokens, and fences a holder whose process was killed', async () => {
    const processes = [await start(), await start()];
    await processes[0].client.createNamespace(NS);
    const granted: number[] = [];
    let killed: { token: number } | undefined;

    const attempt = async (id: number) => {
      const through = processes.filter((p) => p.alive)[randomMs(processes.filter((p) => p.alive).length)];
      let grant;
      try {
        grant = await through.client.acquireLock(LOCK, { owner: `client-${id}`, ttlSeconds: 1 });
      } catch (error) {
        if (isProblem(error, 'LOCK_HELD') || !through.alive) return;
        throw error;
      }
      granted.push(grant.token);
      // The first holder that acquired through process 0 after a few grants: its process dies under it.
      if (!killed && granted.length >= 4 && through === processes[0]) {
        killed = { token: grant.token };
        through.alive = false;
        through.child.kill('SIGKILL');
        return;
      }
      await pause(randomMs(60));
      const fenced = { fencingToken: { lock: LOCK, token: grant.token } };
      try {
        await through.client.put(NS, 'leader', String(grant.token), fenced);
        await through.client.releaseLock(LOCK, grant.token);
      } catch (error) {
        // A holder slower than its lease (a loaded machine) is fenced or finds its lease gone: the point of fencing.
        if (!isProblem(error, 'FENCED') && !isProblem(error, 'LOCK_TOKEN_INVALID') && through.alive) throw error;
      }
    };

    await Promise.all(Array.from({ length: CLIENTS }, async (_, id) => {
      for (let i = 0; i < ATTEMPTS; i++) {
        await pause(randomMs(40));
        await attempt(id);
      }
    }));
    // Every client went through process 1 too, so the race ends with grants whether or not the kill came.
    if (!killed) {
      const grant = await processes[0].client.acquireLock(LOCK, { owner: 'late', ttlSeconds: 1 }).catch(async () => {
        await pause(1100);
        return processes[0].client.acquireLock(LOCK, { owner: 'late', ttlSeconds: 1 });
      });
      granted.push(grant.token);
      killed = { token: grant.token };
      processes[0].alive = false;
      processes[0].child.kill('SIGKILL');
    }
    // A newer grant after the killed holder's lease ran out (recorded by the surviving process).
    const survivor = processes[1].client;
    let newer;
    for (let i = 0; i < 100 && !newer; i++) {
      newer = await survivor.acquireLock(LOCK, { owner: 'after-the-kill', ttlSeconds: 30 }).catch((error) => {
        if (!isProblem(error, 'LOCK_HELD')) throw error;
        return pause(100).then(() => undefined);
      });
    }
    expect(newer).toBeDefined();
    granted.push(newer!.token);
    // The killed holder comes back with its token: fenced, nothing written.
    const before = await historyOf(survivor, NS, 'leader').catch(() => []);
    await expectRefused(survivor.put(NS, 'leader', 'stale', { fencingToken: { lock: LOCK, token: killed!.token } }), 409, 'FENCED', {
      currentToken: newer!.token,
    });
    expect(await historyOf(survivor, NS, 'leader').catch(() => [])).toHaveLength(before.length);

    const events = lockEventsOf(dataDir, LOCK);
    expect(lockHistoryProblems(events)).toEqual([]);
    const acquired = events.filter((e) => e.type === 'StoreLockAcquired').map((e) => e.data.token);
    expect(acquired.length).toBeGreaterThan(4);
    // Every grant a client was answered is recorded (the log may hold more: answers lost with the killed process).
    expect(granted.filter((t) => !acquired.includes(t))).toEqual([]);
    expect(new Set(granted).size).toBe(granted.length);
    expect(events).toContainEqual(expect.objectContaining({ type: 'StoreLockExpired', data: expect.objectContaining({ token: killed!.token }) }));
    // The writes the store took carry non-decreasing tokens.
    const written = (await historyOf(survivor, NS, 'leader')).map((item) => Number(item.value));
    expect(written).toEqual([...written].sort((a, b) => a - b));
  }, 120_000);
});

describe('the lock history check', () => {
  const event = (type: string, revision: number, token: number, at: number, expiresAt?: number) => ({
    stream: `store-_lock-${LOCK}`, position: revision + 1, revision, type, timestamp: new Date(at).toISOString(), actor: 'a',
    data: { lock: LOCK, token, expiresAt },
  });

  it('finds two holders, a token that does not grow, and an expiry recorded early or twice', () => {
    expect(lockHistoryProblems([event('StoreLockAcquired', 0, 5, 0, 1000), event('StoreLockReleased', 1, 5, 10), event('StoreLockAcquired', 2, 6, 20, 900)])).toEqual([]);
    expect(lockHistoryProblems([event('StoreLockAcquired', 0, 5, 0, 1000), event('StoreLockAcquired', 1, 6, 10, 1000)])).toHaveLength(1);
    expect(lockHistoryProblems([event('StoreLockAcquired', 0, 5, 0, 1000), event('StoreLockReleased', 1, 5, 10), event('StoreLockAcquired', 2, 5, 20, 900)])).toHaveLength(1);
    expect(lockHistoryProblems([event('StoreLockAcquired', 0, 5, 0, 1000), event('StoreLockExpired', 1, 5, 999, 1000)])).toHaveLength(1);
    expect(lockHistoryProblems([event('StoreLockAcquired', 0, 5, 0, 1000), event('StoreLockExpired', 1, 5, 1000, 1000), event('StoreLockExpired', 2, 5, 1001, 1000)])).toHaveLength(1);
  });
});
