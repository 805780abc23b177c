// Histories of concurrent put / get / compare-and-set / transaction from several clients on a few
// keys, against the built service, with a kill -9 and a restart in the middle; each key's history
// is checked for linearizability (test/support/linearizability.ts). Sizes: LIN_ROUNDS histories
// (default 2) of LIN_OPS operations each (default 120 over 3 keys, ≤ ~60 per key), RELIABILITY_SCALE multiplies.
import { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { checkRegister, Operation, RegisterInput, RegisterOutput } from './support/linearizability';
import { killChild, random, runs, seedOf } from './support/reliability';
import { removeDir, startChild, tempDir } from './support/service';

const ROUNDS = runs('LIN_ROUNDS', 2);
const OPS = runs('LIN_OPS', 120);
const CLIENTS = 4;
const KEYS = ['k0', 'k1', 'k2'];

interface Recorded {
  readonly op: Operation;
  readonly key: string;
}

/** One request; `undefined` when no answer came (a connection refused or reset: the service was killed). */
async function send(method: string, url: string, body?: unknown): Promise<{ status: number; body: any } | undefined> {
  try {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  } catch {
    return undefined;
  }
}

describe('linearizability of entries across a kill -9', () => {
  const dataDir = tempDir('hexastore-lin-');
  let child: ChildProcess | undefined;
  afterAll(async () => {
    await killChild(child);
    removeDir(dataDir);
  });

  it.each(Array.from({ length: ROUNDS }, (_, i) => [i]))('round %i: every key\'s history of put/get/CAS/transaction is linearizable', async (round) => {
    const seed = seedOf();
    const next = random(seed);
    const started = await startChild(dataDir);
    child = started.child;
    const base = `${started.url}/v1/namespaces/lin-${round}`;
    const history: Recorded[] = [];
    const unexpected: string[] = [];
    let completed = 0;
    let issued = 0;
    let gate: Promise<void> = Promise.resolve();
    let restartedAt = 0;
    const killAt = Math.floor(OPS / 2);
    let counter = 0;
    const fresh = (client: number) => `c${client}-${counter++}`;

    const restart = async () => {
      await killChild(child);
      ({ child } = await startChild(dataDir, {}, { port: started.port }));
      restartedAt = performance.now();
    };

    const record = (client: number, key: string, input: RegisterInput, output: RegisterOutput, call: number, ret: number) =>
      history.push({ key, op: { client, input, output, call, ret: output.kind === 'unknown' ? Infinity : ret } });

    /** What an answer means for the register, or unknown when none came. */
    const outcome = (answer: { status: number; body: any } | undefined, what: string): 'unknown' | { status: number; body: any } => {
      if (answer === undefined) return 'unknown';
      if (![200, 201, 404, 409].includes(answer.status)) unexpected.push(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer;
    };

    const client = async (id: number) => {
      const seenVersion = new Map<string, number>();
      while (issued < OPS) {
        await gate;
        issued++;
        const key = KEYS[Math.floor(next() * KEYS.length)];
        const dice = next();
        const call = performance.now();
        if (dice < 0.35) {
          const answer = outcome(await send('GET', `${base}/entries/${key}`), 'get');
          const output: RegisterOutput = answer === 'unknown' ? { kind: 'unknown' }
            : answer.status === 404 ? { kind: 'read', value: null, version: 0 }
            : { kind: 'read', value: answer.body.value, version: answer.body.version };
          if (output.kind === 'read') seenVersion.set(key, output.version);
          record(id, key, { kind: 'get' }, output, call, performance.now());
        } else if (dice < 0.85) {
          const value = fresh(id);
          const cas = dice >= 0.6;
          const expectedVersion = cas ? seenVersion.get(key) ?? 0 : undefined;
          const answer = outcome(await send('PUT', `${base}/entries/${key}`, { value, expectedVersion }), 'put');
          const output: RegisterOutput = answer === 'unknown' ? { kind: 'unknown' }
            : answer.status === 409 ? { kind: 'conflict' }
            : { kind: 'written', version: answer.body.version };
          if (output.kind === 'written') seenVersion.set(key, output.version);
          record(id, key, { kind: 'put', value, expectedVersion }, output, call, performance.now());
        } else {
          // A transaction of puts on two keys, the second a compare-and-set half of the time.
          const [a, b] = next() < 0.5 ? [KEYS[0], key === KEYS[0] ? KEYS[1] : key] : [key, key === KEYS[2] ? KEYS[0] : KEYS[2]];
          const values = [fresh(id), fresh(id)];
          const expectedVersion = next() < 0.5 ? seenVersion.get(b) ?? 0 : undefined;
          const ops = [{ op: 'put', key: a, value: values[0] }, { op: 'put', key: b, value: values[1], expectedVersion }];
          const answer = outcome(await send('POST', `${base}/transactions`, { ops }), 'transaction');
          const ret = performance.now();
          if (answer === 'unknown') {
            record(id, a, { kind: 'put', value: values[0] }, { kind: 'unknown' }, call, ret);
            record(id, b, { kind: 'put', value: values[1], expectedVersion }, { kind: 'unknown' }, call, ret);
          } else if (answer.status === 409) {
            // Refused as a whole: the compare-and-set failed; the other key saw nothing.
            record(id, b, { kind: 'put', value: values[1], expectedVersion }, { kind: 'conflict' }, call, ret);
          } else {
            for (const [i, k] of [a, b].entries()) {
              const version = answer.body.results?.[i]?.version;
              seenVersion.set(k, version);
              record(id, k, { kind: 'put', value: values[i], expectedVersion: i === 1 ? expectedVersion : undefined }, { kind: 'written', version }, call, ret);
            }
          }
        }
        if (++completed === killAt) gate = restart();
      }
    };

    await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id)));
    await gate;
    expect(restartedAt).toBeGreaterThan(0);
    expect(unexpected).toEqual([]);
    // Only requests in flight at the kill may go unanswered.
    const lost = history.filter((r) => r.op.output.kind === 'unknown');
    expect(lost.filter((r) => r.op.call > restartedAt)).toEqual([]);

    // A last read of every key after all answers came: the restarted service's state is part of the history.
    for (const key of KEYS) {
      const call = performance.now();
      const got = await send('GET', `${base}/entries/${key}`);
      expect([200, 404]).toContain(got?.status);
      const output: RegisterOutput = got!.status === 404 ? { kind: 'read', value: null, version: 0 } : { kind: 'read', value: got!.body.value, version: got!.body.version };
      record(CLIENTS, key, { kind: 'get' }, output, call, performance.now());
    }
    for (const key of KEYS) {
      const ops = history.filter((r) => r.key === key).map((r) => r.op);
      const result = checkRegister(ops);
      if (!result.ok) {
        throw new Error(`seed ${seed}: history of ${key} is not linearizable (${ops.length} ops, ${result.steps} states; ` +
          `longest linearizable prefix ${result.longestPrefix?.length}):\n${JSON.stringify(ops)}`);
      }
      expect(result.ok).toBe(true);
    }
    await killChild(child);
  }, 90_000);
});

describe('the register checker', () => {
  const put = (client: number, value: string, version: number | 'conflict' | 'unknown', call: number, ret: number, expectedVersion?: number): Operation => ({
    client, call, ret: version === 'unknown' ? Infinity : ret,
    input: { kind: 'put', value, expectedVersion },
    output: version === 'unknown' ? { kind: 'unknown' } : version === 'conflict' ? { kind: 'conflict' } : { kind: 'written', version },
  });
  const get = (client: number, value: string | null, version: number, call: number, ret: number): Operation => ({
    client, call, ret, input: { kind: 'get' }, output: { kind: 'read', value, version },
  });

  it('accepts a concurrent read that sees either side of a concurrent write', () => {
    expect(checkRegister([put(0, 'a', 1, 0, 10), put(1, 'b', 2, 5, 20), get(2, 'a', 1, 12, 15)]).ok).toBe(true);
    expect(checkRegister([put(0, 'a', 1, 0, 10), put(1, 'b', 2, 5, 20), get(2, 'b', 2, 12, 15)]).ok).toBe(true);
  });

  it('rejects a stale read: a value read after a later write had completed', () => {
    const result = checkRegister([put(0, 'a', 1, 0, 10), put(1, 'b', 2, 11, 20), get(2, 'a', 1, 21, 30)]);
    expect(result.ok).toBe(false);
    expect(result.longestPrefix).toHaveLength(2);
  });

  it('rejects a lost acknowledged write and a version that skips', () => {
    expect(checkRegister([put(0, 'a', 1, 0, 10), get(1, null, 0, 11, 12)]).ok).toBe(false);
    expect(checkRegister([put(0, 'a', 1, 0, 10), put(0, 'b', 3, 11, 12)]).ok).toBe(false);
  });

  it('rejects two compare-and-sets that both won from the same version', () => {
    expect(checkRegister([put(0, 'a', 1, 0, 10), put(1, 'b', 2, 11, 20, 1), put(2, 'c', 2, 12, 21, 1)]).ok).toBe(false);
    expect(checkRegister([put(0, 'a', 1, 0, 10), put(1, 'b', 2, 11, 20, 1), put(2, 'c', 'conflict', 12, 21, 1)]).ok).toBe(true);
  });

  it('lets an unanswered write have happened or not, but not both ways', () => {
    expect(checkRegister([put(0, 'a', 'unknown', 0, 0), get(1, null, 0, 5, 6)]).ok).toBe(true);
    expect(checkRegister([put(0, 'a', 'unknown', 0, 0), get(1, 'a', 1, 5, 6)]).ok).toBe(true);
    expect(checkRegister([put(0, 'a', 'unknown', 0, 0), get(1, 'a', 1, 5, 6), get(1, null, 0, 7, 8)]).ok).toBe(false);
  });
});
