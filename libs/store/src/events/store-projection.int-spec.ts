import { position, RecordedEvent } from '@app/event-store';
import Database from 'better-sqlite3';
import { StoreEvent } from './store-event';
import { decodingProjection, StoreProjection, storeProjection } from './store-projection';

const metadata = { correlationId: 'c', causationId: 'q', actor: 'ann', schemaVersion: 1, timestamp: '2026-01-01T00:00:00.000Z' };
const created = (namespace: string, over: Partial<RecordedEvent> = {}): RecordedEvent => ({
  id: `e-${namespace}`, type: 'StoreNamespaceCreated', data: { namespace }, metadata, stream: `store-${namespace}`, revision: 0,
  position: position('inc', 1), recordedAt: '2026-01-01T00:00:01.000Z', ...over,
});

/** A typed read model that remembers what it was given. */
const recording = (name: string, seen: StoreEvent[]): StoreProjection => ({
  name, tables: [], schema: '', bind: () => (event) => seen.push(event),
});

describe('store projections', () => {
  let db: Database.Database;
  beforeEach(() => (db = new Database(':memory:')));
  afterEach(() => db.close());

  it('one composite decodes each event once and gives every read model the same typed event, in order', () => {
    const [first, second]: StoreEvent[][] = [[], []];
    const apply = storeProjection('both', [recording('a', first), recording('b', second)]).bind(db);
    apply(created('app'));
    apply(created('x', { stream: 'orders-1', type: 'OrderPlaced' }));
    expect(first).toEqual([expect.objectContaining({ type: 'StoreNamespaceCreated', data: { namespace: 'app' } })]);
    expect(second[0]).toBe(first[0]);
  });

  it('projections of their own share the decode of the event the projector hands each in turn', () => {
    const [first, second]: StoreEvent[][] = [[], []];
    const applyA = decodingProjection(recording('a', first)).bind(db);
    const applyB = decodingProjection(recording('b', second)).bind(db);
    const event = created('app');
    applyA(event);
    applyB(event);
    applyA(created('other'));
    expect(second[0]).toBe(first[0]);
    expect(first.map((e) => e.stream)).toEqual(['store-app', 'store-other']);
  });

  it('stops at an event that cannot be decoded, naming it', () => {
    const apply = storeProjection('one', [recording('a', [])]).bind(db);
    expect(() => apply(created('app', { data: { name: 'app' } }))).toThrow('cannot decode store event e-app (StoreNamespaceCreated, store-app@0)');
  });
});
