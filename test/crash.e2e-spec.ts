import { EntryWriteResult, StoreClient } from '@app/client';
import { ChildProcess } from 'node:child_process';
import { removeDir, startChild, tempDir } from './support/service';

const WRITERS = 16;
/** The service is killed once this many writes have been acknowledged: a count, not a time. */
const ACKS_BEFORE_KILL = 300;

/** No retries: a write is acknowledged when its one request is answered, and a dead service ends the writer. */
const once = (url: string) => new StoreClient({ url, retry: { attempts: 1 } });

describe('crash safety', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  beforeAll(() => (dataDir = tempDir('hexastore-crash-')));
  afterAll(() => {
    child?.kill('SIGKILL');
    removeDir(dataDir);
  });

  it('keeps every acknowledged write after SIGKILL under concurrent load', async () => {
    const first = await startChild(dataDir);
    child = first.child;
    const store = once(first.url);
    const acked = new Map<string, string>();
    const killed = first.child;
    /** Puts sequential keys; records only what the service acknowledged, and kills it at the count while the other writers' puts are in flight. */
    const writer = async (id: number): Promise<void> => {
      for (let i = 0; !killed.killed; i++) {
        const key = `w${id}/k${i}`;
        const value = `value-${id}-${i}`;
        let written: EntryWriteResult;
        try {
          written = await store.put('crash', key, value);
        } catch (error) {
          if (killed.killed) return; // the service is gone: this write was never acknowledged
          throw error; // a refusal, or a service that went away on its own
        }
        expect(written).toMatchObject({ key, value, version: 1, created: true });
        acked.set(key, value);
        if (acked.size === ACKS_BEFORE_KILL) killed.kill('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, id) => writer(id)));
    // The kill came from a writer at the count: every acknowledgement before it is recorded.
    expect(killed.killed).toBe(true);
    expect(acked.size).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

    const second = await startChild(dataDir);
    child = second.child;
    const after = once(second.url);
    expect((await after.ready()).info?.store).toMatchObject({ synchronous: 2, journalMode: 'wal' });
    const missing: string[] = [];
    for (const [key, value] of acked) {
      const got = await after.get('crash', key).catch(() => undefined);
      if (got?.value !== value) missing.push(key);
    }
    expect(missing).toEqual([]);
    const ns = await after.getNamespace('crash');
    expect(ns.entryCount).toBeGreaterThanOrEqual(acked.size);
    // An unacknowledged write may have landed too; whatever landed is whole: the counters match the rows.
    let listed = 0;
    for await (const _entry of after.list('crash', { limit: 1000 })) listed++;
    expect(listed).toBe(ns.entryCount);
    child.kill('SIGKILL');
  }, 60_000);
});
