import { randomUUID } from 'node:crypto';
import { eventStoreContract } from '../contract/event-store.contract';
import { BackendUnavailableError, DuplicateEventIdError } from '../errors';
import { EventData } from '../event-store.port';
import { formatPosition } from '../position';
import { EsdbEventStore } from './esdb-event-store';

// A live EventStoreDB / KurrentDB node, e.g. `docker compose up kurrentdb` and
// EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false. Never faked.
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (connectionString) {
  eventStoreContract('eventstoredb', async () => {
    const store = await EsdbEventStore.open(connectionString);
    return { store, dispose: () => store.close() };
  });

  describe('eventstoredb adapter', () => {
    const stores: EsdbEventStore[] = [];
    const open = async () => {
      const store = await EsdbEventStore.open(connectionString);
      stores.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
    });

    it('keeps one incarnation for every store opened on the database', async () => {
      const [a, b] = [await open(), await open()];
      expect(a.incarnation).toMatch(/^[0-9a-f]{16}$/);
      expect(b.incarnation).toBe(a.incarnation);
    });

    it('recognises a retry from another store instance at the original revision, writing nothing', async () => {
      const stream = `store-i${randomUUID().slice(0, 8)}`;
      const batch = events(2);
      const first = await (await open()).append(stream, batch, 'no_stream');
      const again = await (await open()).append(stream, batch, 'no_stream');
      expect(again.revision).toBe(1);
      expect(formatPosition(again.position)).toBe(formatPosition(first.position));
      expect(await (await open()).readStream(stream)).toHaveLength(2);
    });

    it('refuses, from another store instance, a batch that reuses the first id at the expected revision', async () => {
      const stream = `store-i${randomUUID().slice(0, 8)}`;
      const batch = events(2);
      await (await open()).append(stream, batch, 'no_stream');
      await expect((await open()).append(stream, [batch[0], ...events(1)], 'no_stream')).rejects.toBeInstanceOf(DuplicateEventIdError);
    });
  });
} else {
  describe.skip('event-store contract: eventstoredb (EVENTSTORE_CONNECTION_STRING not set)', () => {
    it('runs the contract suite against a live EventStoreDB / KurrentDB node', () => undefined);
  });
}

describe('eventstoredb adapter without a server', () => {
  it('an unreachable server is BackendUnavailableError', async () => {
    await expect(EsdbEventStore.open('esdb://127.0.0.1:1?tls=false')).rejects.toBeInstanceOf(BackendUnavailableError);
  }, 15_000);
});

function events(n: number): EventData[] {
  return Array.from({ length: n }, (_, i) => ({ id: randomUUID(), type: 'Happened', data: { n: i }, metadata: {} }));
}
