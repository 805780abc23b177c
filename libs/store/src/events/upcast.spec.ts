import { position, RecordedEvent } from '@app/event-store';
import { toStoreEvent } from './store-event';
import { RawEvent, upcast, Upcaster } from './upcast';

const raw = (schemaVersion: number | undefined, data: unknown, type = 'StoreNamespaceCreated'): RawEvent => ({
  type, data, recordedAt: '2026-01-01T00:00:01.000Z', metadata: schemaVersion === undefined ? {} : { schemaVersion },
});

const rename = (from: string, to: string) => (event: RawEvent): RawEvent => {
  const { [from]: value, ...rest } = event.data as Record<string, unknown>;
  return { ...event, data: { ...rest, [to]: value } };
};

// Test-only history: v1 named the namespace `ns`, v2 `name`, v3 (current here) `namespace`.
const history: Upcaster[] = [
  { fromVersion: 1, types: ['StoreNamespaceCreated'], upcast: rename('ns', 'name') },
  { fromVersion: 2, types: ['StoreNamespaceCreated'], upcast: rename('name', 'namespace') },
];

describe('upcast', () => {
  it('chains the steps from the stored version to the current one and stamps each new version', () => {
    expect(upcast(raw(1, { ns: 'app' }), history, 3)).toEqual({ ...raw(3, { namespace: 'app' }) });
    expect(upcast(raw(2, { name: 'app' }), history, 3)).toEqual({ ...raw(3, { namespace: 'app' }) });
  });

  it('leaves an event of the current version as it is (the same object: no work on the rebuild path)', () => {
    const current = raw(3, { namespace: 'app' });
    expect(upcast(current, history, 3)).toBe(current);
  });

  it('applies a step only to the types it names; other types only change version', () => {
    expect(upcast(raw(1, { ns: 'app' }, 'StoreSnapshotCreated'), history, 3)).toEqual(raw(3, { ns: 'app' }, 'StoreSnapshotCreated'));
  });

  it('applies a step without types to every event', () => {
    const stamp: Upcaster = { fromVersion: 0, upcast: (e) => ({ ...e, metadata: { ...e.metadata, actor: 'legacy' } }) };
    expect(upcast(raw(undefined, {}), [stamp], 1).metadata).toEqual({ actor: 'legacy', schemaVersion: 1 });
  });

  it('refuses a version newer than the code', () => {
    expect(() => upcast(raw(4, {}), history, 3)).toThrow(/schemaVersion 4 is newer than this code reads \(3\)/);
  });

  it('is what the decoder applies before its checks', () => {
    const stored: RecordedEvent = {
      id: 'e1', type: 'StoreNamespaceCreated', data: { ns: 'app' }, stream: 'store-app', revision: 0, position: position('inc', 1),
      recordedAt: '2026-01-01T00:00:01.000Z',
      metadata: { correlationId: 'c', causationId: 'q', actor: 'ann', schemaVersion: 1, timestamp: '2026-01-01T00:00:00.000Z' },
    };
    expect(toStoreEvent(stored, { upcasters: history, currentVersion: 3 })).toMatchObject({ data: { namespace: 'app' }, metadata: { schemaVersion: 3 } });
    expect(() => toStoreEvent(stored)).toThrow(/its data does not have the shape of its type/);
  });
});
