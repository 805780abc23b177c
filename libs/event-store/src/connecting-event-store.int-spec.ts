import { eventStoreContract } from './contract/event-store.contract';
import { ConnectingEventStore } from './connecting-event-store';
import { BackendUnavailableError } from './errors';
import { EventStore } from './event-store.port';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

eventStoreContract('sqlite, opened by a connecting store', async () => {
  const store = new ConnectingEventStore(async () => new SqliteEventStore({ file: ':memory:', pollIntervalMs: 20 }));
  await store.whenOpen();
  return { store, dispose: () => store.close() };
});

describe('ConnectingEventStore', () => {
  it('answers BackendUnavailableError until the store opens, retrying with growing waits', async () => {
    const failures: [string, number, number][] = [];
    let attempts = 0;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const store = new ConnectingEventStore(async (): Promise<EventStore> => {
      if (++attempts <= 3) throw new BackendUnavailableError(`refused ${attempts}`);
      await released;
      return new SqliteEventStore({ file: ':memory:' });
    }, { firstRetryMs: 1, maxRetryMs: 2, onFailure: (e, attempt, wait) => failures.push([(e as Error).message, attempt, wait]) });

    await expect(store.append('s', [{ id: 'a', type: 'T', data: {}, metadata: {} }], 'any')).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(store.readAll({ after: 'start', maxCount: 1 })).rejects.toThrow(/not connected yet/);
    expect(() => store.incarnation).toThrow(BackendUnavailableError);
    const subscription = store.subscribe({ after: 'start', signal: new AbortController().signal })[Symbol.asyncIterator]();
    await expect(subscription.next()).rejects.toBeInstanceOf(BackendUnavailableError);

    while (attempts < 4) await new Promise((r) => setTimeout(r, 1));
    expect(store.connectProblem).toBe('refused 3');
    release();
    const opened = await store.whenOpen();
    expect(store.current).toBe(opened);
    expect(store.connectProblem).toBeUndefined();
    expect(failures).toEqual([['refused 1', 1, 1], ['refused 2', 2, 2], ['refused 3', 3, 2]]);
    expect((await store.append('s', [{ id: 'a', type: 'T', data: {}, metadata: {} }], 'no_stream')).revision).toBe(0);
    expect(store.incarnation).toBe(opened!.incarnation);
    await store.close();
  });

  it('stops trying when closed, and closes a store that opens too late', async () => {
    let attempts = 0;
    const store = new ConnectingEventStore(async (): Promise<EventStore> => {
      attempts++;
      throw new Error('unreachable');
    }, { firstRetryMs: 60_000 });
    while (attempts < 1) await new Promise((r) => setTimeout(r, 1));
    await store.close();
    expect(await store.whenOpen()).toBeUndefined();
    expect(attempts).toBe(1);

    let late!: SqliteEventStore;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const closing = new ConnectingEventStore(async () => {
      await gate;
      return (late = new SqliteEventStore({ file: ':memory:' }));
    });
    await closing.close();
    open();
    expect(await closing.whenOpen()).toBeUndefined();
    expect(late.isOpen).toBe(false);
  });
});
